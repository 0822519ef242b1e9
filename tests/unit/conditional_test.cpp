// Conditional leaves: a boolean's child and a parameter shared by two options of a branch
// under one path; lowered with one_of conditions, counted alike at compile and run time,
// sampled into valid configurations only, decoded into the struct's optional fields.
#include <cstdint>
#include <set>
#include <sstream>
#include <variant>

#include <catch2/catch.hpp>

#include "../support/conditional_space.hpp"
#include "typetune/print.hpp"
#include "typetune/study.hpp"

namespace tt = typetune;
using i64 = std::int64_t;
namespace cs = conditional_space;

static_assert(tt::fits<cs::params>(cs::space));
static_assert(cs::space.size() == 6);
static_assert(tt::grid_size(cs::space) == cs::grid);

TEST_CASE("conditional leaves lower to one path each, with one_of conditions and the branch's default") {
  const auto d = tt::describe(cs::space);
  REQUIRE(d.size() == 6);
  const auto rate = d.find("dropout_rate");
  const auto lr = d.find("learning_rate");
  REQUIRE(rate);
  REQUIRE(lr);
  CHECK(!d.find("optimizer.adam.learning_rate"));
  CHECK(d.params[*rate].active_if == tt::condition{*d.find("use_dropout"), {1}});
  CHECK(d.params[*lr].active_if == tt::condition{*d.find("optimizer"), {0, 1}});
  CHECK(d.params[*d.find("optimizer")].default_value == tt::param_value{i64{1}});
  CHECK(tt::condition_text(d.params[*d.find("optimizer")], *d.params[*lr].active_if) == "optimizer in {adam, sgd}");
  CHECK_NOTHROW(d.check());
  CHECK(tt::space_desc::from_json(d.to_json()) == d);
}

TEST_CASE("the grid size of conditional leaves is the same at compile time and at run time") {
  CHECK(tt::describe(cs::space).grid_size() == std::optional<std::uint64_t>{cs::grid});
}

TEST_CASE("every configuration a grid or random search draws is valid, and decodes into the struct") {
  for (int sampler = 0; sampler < 2; ++sampler) {
    auto study = sampler == 0 ? tt::study(cs::space, tt::minimize{}, tt::grid{}, tt::params<cs::params>{})
                              : tt::study(cs::space, tt::minimize{}, tt::random_search{.seed = 5}, tt::params<cs::params>{});
    std::set<std::string> seen;
    study.optimize(
        [&](const cs::params& p) {
          CHECK(p.dropout_rate.has_value() == p.use_dropout);
          CHECK(p.learning_rate.has_value() == !std::holds_alternative<cs::rmsprop>(p.optimizer));
          seen.insert(tt::to_string(p));
          return p.width + (p.learning_rate ? *p.learning_rate : 1.0);
        },
        tt::budget{.trials = sampler == 0 ? cs::grid : 40});
    for (const auto& t : study.trials()) CHECK_NOTHROW(study.description().validate(t.params));
    if (sampler == 0) CHECK(seen.size() == cs::grid);  // the grid enumerates each configuration once
    const auto best = study.best().params;
    CHECK(best.width == 8);
    REQUIRE(best.learning_rate.has_value());
    CHECK(*best.learning_rate == 1e-3);
  }
}

TEST_CASE("decode and encode fill and read the optional fields by the parent's value") {
  // width=16, use_dropout=true (rate 0.3), optimizer=sgd (momentum 0.9), learning_rate=0.01
  const tt::assignment a{{i64{16}, i64{1}, i64{1}, i64{1}, i64{1}, i64{1}}};
  const auto p = tt::decode<cs::params>(cs::space, a);
  CHECK(p.dropout_rate == std::optional<double>{0.3});
  CHECK(p.learning_rate == std::optional<double>{0.01});
  CHECK(tt::to_string(p) == "width=16, use_dropout=true, dropout_rate=0.3, optimizer=sgd{momentum=0.9}, learning_rate=0.01");
  CHECK(tt::encode(cs::space, p) == a);

  // rmsprop: no learning rate; no dropout: no rate
  const tt::assignment b{{i64{8}, i64{0}, {}, i64{2}, {}, {}}};
  const auto q = tt::decode<cs::params>(cs::space, b);
  CHECK(!q.dropout_rate);
  CHECK(!q.learning_rate);
  CHECK(tt::encode(cs::space, q) == b);
  auto wrong = q;
  wrong.learning_rate = 0.01;
  CHECK_THROWS_WITH(tt::encode(cs::space, wrong), Catch::Contains("'learning_rate'") && Catch::Contains("not active"));
  CHECK_THROWS_WITH(tt::decode<cs::params>(cs::space, tt::assignment{{i64{8}, i64{0}, {}, i64{2}, {}, 0.01}}),
                    Catch::Contains("'learning_rate'"));
}
