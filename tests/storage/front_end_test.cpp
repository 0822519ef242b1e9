// Stored studies through the typed front end: tt::storage, tt::study_name,
// tt::allow_space_changes; resume is exact: a TPE study stopped, re-opened and continued
// proposes what an uninterrupted one does; attributes set after the search stay with the study.
#include <catch2/catch.hpp>

#include <sstream>

#include <typetune/study.hpp>

#include "storage_support.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace tt = typetune;
using tt::testing::temp_dir;

namespace {

struct net {
  double learning_rate;
  int units;
};
inline constexpr auto first_space =
    tt::space(tt::real<"learning_rate">(1e-4, 1e-2, tt::log), tt::int_<"units">(16, 128, tt::step{16}));
// learning_rate widened: compatible.
inline constexpr auto widened_space =
    tt::space(tt::real<"learning_rate">(1e-5, 1e-2, tt::log), tt::int_<"units">(16, 128, tt::step{16}));
// learning_rate on a linear scale: not compatible.
inline constexpr auto linear_space =
    tt::space(tt::real<"learning_rate">(1e-4, 1e-2), tt::int_<"units">(16, 128, tt::step{16}));

double loss(const net& p) { return p.learning_rate * 100 + p.units / 128.0; }

}  // namespace

TYPETUNE_REFLECT(net, learning_rate, units);

TEST_CASE("tt::storage and tt::study_name keep a study across study objects") {
  temp_dir dir;
  const auto url = dir.url("front.db");
  {
    auto study = tt::study(first_space, tt::minimize{"loss"}, tt::random{.seed = 2}, tt::storage{url},
                           tt::study_name{"net"});
    const auto summary = study.optimize([](const net& p) { return tt::result{"loss", loss(p)}; }, tt::budget{.trials = 8});
    CHECK(summary.trials_started == 8);
  }
  auto again = tt::study(first_space, tt::minimize{"loss"}, tt::random{.seed = 2}, tt::storage{url}, tt::study_name{"net"});
  CHECK(again.trials().size() == 8);
  (void)again.optimize(
      [](tt::trial<net>& t) {
        CHECK(t.seed() == tt::trial_seed(2, t.number()));
        return tt::result{"loss", loss(t.params())};
      },
      tt::budget{.trials = 4});
  const auto all = again.trials();
  REQUIRE(all.size() == 12);
  const net best = again.best().params;
  CHECK(loss(best) == Approx(*tt::study_core(again.description(), tt::make_random_sampler(),
                                              {.metric = "loss", .seed = 2, .study_name = "net"}, nullptr,
                                              tt::open_storage(url))
                                  .best_trial()
                                  ->value));

  // Another name is another study in the same file.
  auto other = tt::study(first_space, tt::minimize{"loss"}, tt::storage{url}, tt::study_name{"other"});
  CHECK(other.trials().empty());
  CHECK(tt::open_storage(url)->list_studies().size() == 2);
}

TEST_CASE("a changed space through the front end: refused, or continued with tt::allow_space_changes") {
  temp_dir dir;
  const auto url = dir.url("changes.db");
  {
    auto study = tt::study(first_space, tt::minimize{"loss"}, tt::storage{url});
    (void)study.optimize([](const net& p) { return loss(p); }, tt::budget{.trials = 5});
  }
  CHECK_THROWS_WITH(tt::study(widened_space, tt::minimize{"loss"}, tt::storage{url}),
                    Catch::Contains("study 'default'") &&
                        Catch::Contains("'learning_rate': range [1e-04, 0.01] -> [1e-05, 0.01] (widened)") &&
                        Catch::Contains("tt::allow_space_changes{}"));
  CHECK_THROWS_WITH(tt::study(linear_space, tt::minimize{"loss"}, tt::storage{url}, tt::allow_space_changes{}),
                    Catch::Contains("'learning_rate': scale log -> linear [incompatible]"));
  auto widened = tt::study(widened_space, tt::minimize{"loss"}, tt::storage{url}, tt::allow_space_changes{});
  (void)widened.optimize([](const net& p) { return loss(p); }, tt::budget{.trials = 5});
  CHECK(widened.trials().size() == 10);
}

TEST_CASE("resume is exact: TPE stopped, re-opened and continued proposes what an uninterrupted run does") {
  temp_dir dir;
  const auto url = dir.url("tpe.db");
  const auto objective = [](const net& p) { return tt::result{"loss", loss(p)}; };
  auto reference = tt::study(first_space, tt::minimize{"loss"}, tt::tpe{.seed = 9});
  (void)reference.optimize(objective, tt::budget{.trials = 30});
  {
    auto first = tt::study(first_space, tt::minimize{"loss"}, tt::tpe{.seed = 9}, tt::storage{url});
    (void)first.optimize(objective, tt::budget{.trials = 18});
  }
  auto resumed = tt::study(first_space, tt::minimize{"loss"}, tt::tpe{.seed = 9}, tt::storage{url});
  (void)resumed.optimize(objective, tt::budget{.trials = 12});
  const auto expected = reference.trials();
  const auto got = resumed.trials();
  REQUIRE(got.size() == 30);
  for (std::size_t i = 0; i < 30; ++i) {
    INFO("trial " << i);
    CHECK(got[i].params == expected[i].params);
    CHECK(got[i].value == expected[i].value);
  }
}

TEST_CASE("tt::study::set_attributes keeps figures with the stored study, the export carries them", "[attributes]") {
  temp_dir dir;
  const auto url = dir.url("figures.db");
  {
    auto study = tt::study(first_space, tt::maximize{"val_accuracy"}, tt::random{.seed = 4}, tt::storage{url},
                           tt::study_name{"net"});
    (void)study.optimize([](const net& p) { return tt::result{"val_accuracy", 1 - loss(p) / 10}; }, tt::budget{.trials = 4});
    study.set_attributes({{"test_accuracy", "0.8912"}, {"baseline_test_accuracy", "0.8790"}});
    study.set_attributes({{"gain_points", "+1.22"}, {"gain_ci95_low", "+0.41"}});
    CHECK_THROWS_AS(study.set_attributes({{"objective", "loss"}}), tt::storage_error);
  }
  // Another study object on the same stored study, as a later program would make it.
  auto again = tt::study(first_space, tt::maximize{"val_accuracy"}, tt::random{.seed = 4}, tt::storage{url},
                         tt::study_name{"net"});
  const auto attributes = again.attributes();
  CHECK(attributes.at("test_accuracy") == "0.8912");
  CHECK(attributes.at("baseline_test_accuracy") == "0.8790");
  CHECK(attributes.at("gain_points") == "+1.22");
  CHECK(attributes.at("gain_ci95_low") == "+0.41");
  CHECK(attributes.at("objective") == "val_accuracy");
  CHECK(attributes.count("metric") == 0);  // one key for the objective's name

  const auto exported = again.export_study("net");
  CHECK(exported.trials.size() == 4);
  CHECK(exported.study.attributes.at("objective") == "val_accuracy");
  CHECK(exported.study.attributes.at("gain_points") == "+1.22");
  CHECK(exported.study.attributes.at("seed") == "4");
  // Through JSON Lines and back.
  std::stringstream jsonl;
  tt::write_jsonl(jsonl, exported);
  const auto read = tt::read_jsonl(jsonl);
  CHECK(read.study.attributes == exported.study.attributes);
}
