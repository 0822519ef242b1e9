// diff_spaces names each change by parameter and kind and says whether stored trials stay
// valid; migrate_assignment moves a trial across a compatible change.
#include <catch2/catch.hpp>

#include <string>

#include "../support/spaces.hpp"
#include "typetune/desc/space_diff.hpp"

using namespace typetune;
using typetune::testing::mlp_space;

namespace {

std::size_t index_of(const space_desc& s, std::string_view path) { return *s.find(path); }

space_change only_change(const space_diff& d) {
  REQUIRE(d.changes.size() == 1);
  return d.changes.front();
}

}  // namespace

TEST_CASE("diff_spaces: the same space has no changes") {
  const auto d = diff_spaces(mlp_space(), mlp_space());
  CHECK(d.empty());
  CHECK(d.compatible());
  CHECK(d.to_text().empty());
}

TEST_CASE("diff_spaces: ranges widened are compatible, narrowed or shifted are not") {
  const auto before = mlp_space();
  auto after = before;
  auto& lr = after.params[index_of(after, "optimizer.adam.learning_rate")];
  lr.low = 1e-5;  // widened
  const auto widened = only_change(diff_spaces(before, after));
  CHECK(widened.kind == space_change_kind::range);
  CHECK(widened.compatible);
  CHECK(widened.path == "optimizer.adam.learning_rate");
  CHECK_THAT(widened.text, Catch::Contains("'optimizer.adam.learning_rate'") && Catch::Contains("widened"));

  lr.low = 1e-3;  // narrowed
  const auto narrowed = diff_spaces(before, after);
  CHECK_FALSE(narrowed.compatible());
  CHECK_THAT(narrowed.to_text(), Catch::Contains("range [1e-04, 0.1] -> [0.001, 0.1] (stored values may fall outside)") && Catch::Contains("[incompatible]"));

  // A stepped integer widened off its grid would make old values illegal.
  auto shifted = before;
  shifted.params[0].low = 25;  // dense_bot 50..350 step 50 -> 25..350: 50 is not on 25 + 50k
  CHECK_FALSE(diff_spaces(before, shifted).compatible());
  shifted.params[0].low = 0;  // 0..350 step 50 keeps 50, 100, ...
  CHECK(diff_spaces(before, shifted).compatible());
}

TEST_CASE("diff_spaces: scale, step and kind changes are incompatible and named") {
  const auto before = mlp_space();
  auto after = before;
  after.params[index_of(after, "optimizer.sgd.learning_rate")].log = false;
  const auto scale = only_change(diff_spaces(before, after));
  CHECK(scale.kind == space_change_kind::scale);
  CHECK_FALSE(scale.compatible);
  CHECK_THAT(scale.text, Catch::Contains("'optimizer.sgd.learning_rate'") && Catch::Contains("scale log -> linear"));

  after = before;
  after.params[0].step = 25;
  CHECK(only_change(diff_spaces(before, after)).kind == space_change_kind::step);

  after = before;
  after.params[index_of(after, "optimizer.sgd.momentum")] =
      testing::under(testing::choice_param("optimizer.sgd.momentum", "momentum", {0.9}), 6, condition::rule::equals, 1);
  const auto kind = only_change(diff_spaces(before, after));
  CHECK(kind.kind == space_change_kind::kind);
  CHECK_THAT(kind.text, Catch::Contains("kind real -> choice"));
}

TEST_CASE("diff_spaces: choice values added are compatible, removed ones are named") {
  const auto before = mlp_space();
  auto after = before;
  auto& dropout = after.params[index_of(after, "hidden[0].dropout")];
  dropout.choices = {0.0, 0.1, 0.2, 0.3};
  const auto added = only_change(diff_spaces(before, after));
  CHECK(added.kind == space_change_kind::choices);
  CHECK(added.compatible);
  CHECK_THAT(added.text, Catch::Contains("(added: 0.3)"));

  dropout.choices = {0.0, 0.2};
  const auto removed = only_change(diff_spaces(before, after));
  CHECK_FALSE(removed.compatible);
  CHECK_THAT(removed.text, Catch::Contains("'hidden[0].dropout'") && Catch::Contains("(removed: 0.1)"));
}

TEST_CASE("diff_spaces: parameters added with a default, or under a new option, are compatible") {
  const auto before = mlp_space();
  auto after = before;
  auto epochs = testing::int_param("epochs", "epochs", 1, 50);
  after.params.push_back(epochs);
  const auto bare = only_change(diff_spaces(before, after));
  CHECK(bare.kind == space_change_kind::added);
  CHECK_FALSE(bare.compatible);
  CHECK_THAT(bare.text, Catch::Contains("'epochs' added without a default"));

  after.params.back().default_value = std::int64_t{10};
  const auto with_default = only_change(diff_spaces(before, after));
  CHECK(with_default.compatible);
  CHECK_THAT(with_default.text, Catch::Contains("(default 10)"));

  // A new optimizer option with its own parameter: no stored trial chose it.
  after = before;
  auto& optimizer = after.params[index_of(after, "optimizer")];
  optimizer.choices.push_back(std::string("rmsprop"));
  after.params.push_back(testing::under(testing::real_param("optimizer.rmsprop.rho", "rho", 0.8, 0.99), 6,
                                        condition::rule::equals, 2));
  const auto d = diff_spaces(before, after);
  CHECK(d.compatible());
  CHECK_THAT(d.to_text(), Catch::Contains("'optimizer.rmsprop.rho' added (active when 'optimizer' = rmsprop"));
}

TEST_CASE("diff_spaces: removed parameters and changed conditions are incompatible") {
  const auto before = mlp_space();
  auto after = before;
  after.params.pop_back();  // optimizer.sgd.momentum
  const auto removed = only_change(diff_spaces(before, after));
  CHECK(removed.kind == space_change_kind::removed);
  CHECK_FALSE(removed.compatible);
  CHECK_THAT(removed.text, Catch::Contains("'optimizer.sgd.momentum' removed"));

  after = before;
  after.params[index_of(after, "hidden[1].units")].active_if->value = 1;
  const auto moved = only_change(diff_spaces(before, after));
  CHECK(moved.kind == space_change_kind::condition);
  CHECK_THAT(moved.text, Catch::Contains("active when 'hidden.count' >= 2 -> active when 'hidden.count' >= 1"));
}

TEST_CASE("migrate_assignment carries values by path and choice value, and fills defaults") {
  const auto before = mlp_space(true);
  assignment a;
  a.values.assign(before.size(), std::monostate{});
  a.values[0] = std::int64_t{100};
  a.values[1] = std::int64_t{1};
  a.values[2] = std::int64_t{75};
  a.values[3] = std::int64_t{2};  // dropout 0.2
  a.values[6] = std::int64_t{1};  // sgd
  a.values[8] = std::int64_t{0};  // lr 1e-4
  a.values[9] = std::int64_t{1};  // momentum 0.9
  before.validate(a);

  auto after = before;
  after.params[3].choices = {0.3, 0.2, 0.1, 0.0};  // reordered and extended: 0.2 is now index 1
  after.params.push_back(testing::int_param("epochs", "epochs", 1, 50));
  after.params.back().default_value = std::int64_t{10};
  const auto moved = migrate_assignment(a, before, after);
  CHECK(std::get<std::int64_t>(moved.values[3]) == 1);
  CHECK(std::get<std::int64_t>(moved.values[10]) == 10);
  CHECK(std::get<std::int64_t>(moved.values[0]) == 100);

  after.params.back().default_value = std::monostate{};
  CHECK_THROWS_WITH(migrate_assignment(a, before, after), Catch::Contains("'epochs'") && Catch::Contains("no default"));
}
