// Grid enumeration: sizes with branches and repeats summed, exact exhaustion, no duplicates,
// rejection of continuous spaces.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "typetune/desc/grid_codec.hpp"
#include "support/spaces.hpp"
#include "typetune/engine/grid_sampler.hpp"

using namespace typetune;

namespace {

std::set<std::string> enumerate(sampler& s, const space_desc& space, std::uint64_t& proposed) {
  std::set<std::string> seen;
  proposed = 0;
  for (std::uint64_t n = 0;; ++n) {
    const auto a = s.sample({space, {}, direction::minimize, 3}, n);
    if (!a) break;
    space.validate(*a);
    seen.insert(space.format(*a));
    ++proposed;
  }
  return seen;
}

}  // namespace

TEST_CASE("grid size sums branches and repeat counts instead of multiplying them") {
  const auto mlp = testing::mlp_space(true);
  const grid_codec codec(mlp);
  // 7 dense_bot x (count 1: 3 x 3 + count 2: 9 x 9) x (adam: 3 + sgd: 3 x 2)
  CHECK(codec.size() == std::optional<std::uint64_t>(7 * (9 + 81) * (3 + 6)));
  CHECK(codec.size() == mlp.grid_size());

  const auto nested = testing::nested_space();
  CHECK(grid_codec(nested).size() == std::optional<std::uint64_t>(113 * (1 + 4 + 4)));
  CHECK(grid_codec(nested).size() == nested.grid_size());

  const auto continuous = testing::mlp_space(false);
  const grid_codec infinite(continuous);
  CHECK_FALSE(infinite.size());
  CHECK(infinite.first_continuous() == std::optional<std::size_t>(7));
}

TEST_CASE("grid search proposes every configuration exactly once, then stops") {
  for (const auto& space : {testing::mlp_space(true), testing::nested_space()}) {
    auto grid = make_grid_sampler();
    std::uint64_t proposed = 0;
    const auto seen = enumerate(*grid, space, proposed);
    CHECK(proposed == *space.grid_size());
    CHECK(seen.size() == proposed);
    // Exhausted stays exhausted, even far past the end.
    CHECK_FALSE(grid->sample({space, {}, direction::minimize, 3}, proposed + 1000));
  }
}

TEST_CASE("grid search over a continuous real names the parameter") {
  const auto space = testing::mlp_space(false);
  auto grid = make_grid_sampler();
  CHECK_THROWS_AS(grid->sample({space, {}, direction::minimize, 0}, 0), std::invalid_argument);
  CHECK_THROWS_WITH(grid->sample({space, {}, direction::minimize, 0}, 0),
                    Catch::Contains("'optimizer.adam.learning_rate' is a continuous real"));
}

TEST_CASE("grid decoding walks the last parameter fastest and branch blocks in order") {
  const auto space = testing::nested_space();
  const grid_codec codec(space);
  const auto first = codec.decode(0);
  CHECK(std::get<std::int64_t>(first.values[0]) == 16);  // batch
  CHECK(std::get<std::int64_t>(first.values[1]) == 0);   // model = linear
  CHECK(std::get<std::int64_t>(first.values[2]) == 0);   // its constant
  CHECK_FALSE(first.is_active(3));
  const auto second = codec.decode(1);  // linear has one configuration: next is tree/gbm/depth 2
  CHECK(std::get<std::int64_t>(second.values[1]) == 1);
  CHECK(std::get<std::int64_t>(second.values[3]) == 0);
  CHECK(std::get<std::int64_t>(second.values[4]) == 2);
  CHECK_FALSE(second.is_active(2));
  CHECK_FALSE(second.is_active(5));
  const auto last = codec.decode(1016);
  CHECK(std::get<std::int64_t>(last.values[0]) == 128);
  CHECK(std::get<double>(last.values[5]) == Approx(1.0));
  CHECK_THROWS_AS(codec.decode(1017), std::out_of_range);
}
