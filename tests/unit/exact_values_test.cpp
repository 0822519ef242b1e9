// Values that cross the runtime description (whose bounds are doubles) and come back exactly:
// int64 ranges at +-2^53, the largest integers a double holds (beyond them the DSL rejects the
// range at compile time), and float fields, whose values are not doubles.
#include <catch2/catch.hpp>

#include <cstdint>
#include <mutex>
#include <vector>

#include <typetune/study.hpp>
#include <typetune/typetune.hpp>

namespace tt = typetune;
using i64 = std::int64_t;

namespace exact_values {

inline constexpr i64 limit = i64{1} << 53;

struct wide_params {
  i64 seed;
  i64 offset;
  float scale;    // a continuous real whose bounds are not floats
  float dropout;  // a quantized real (declared as double) into a float field
};

}  // namespace exact_values

TYPETUNE_REFLECT(exact_values::wide_params, seed, offset, scale, dropout);

namespace exact_values {

inline constexpr auto space = tt::space(tt::int_<"seed", i64>(-limit, limit),
                                        tt::int_<"offset", i64>(-limit, limit, tt::step{limit}),
                                        tt::real<"scale", float>(0.7, 1.3),
                                        tt::real<"dropout">(0.1, 0.7, tt::step{0.2}));
static_assert(tt::fits<wide_params>(space));

inline constexpr auto seeds = tt::space(tt::int_<"seed", i64>(-limit, limit));
static_assert(tt::grid_size(seeds) == (std::uint64_t{1} << 54) + 1);

bool same(const wide_params& a, const wide_params& b) {
  return a.seed == b.seed && a.offset == b.offset && a.scale == b.scale && a.dropout == b.dropout;
}

// decode, then encode and decode again: the struct is unchanged, the assignment it encodes to is
// legal, and integers and grid values encode to exactly what was decoded.
void check_round_trip(const tt::space_desc& d, const tt::assignment& a) {
  d.validate(a);
  const auto p = tt::decode<wide_params>(space, a);
  CHECK(static_cast<double>(p.scale) >= 0.7);
  CHECK(static_cast<double>(p.scale) <= 1.3);
  const auto again = tt::encode(space, p);
  CHECK_NOTHROW(d.validate(again));
  CHECK(same(tt::decode<wide_params>(space, again), p));
  CHECK(again.values[0] == a.values[0]);
  CHECK(again.values[1] == a.values[1]);
  CHECK(again.values[3] == a.values[3]);
}

}  // namespace exact_values

TEST_CASE("int64 bounds at +-2^53 pass through the runtime description exactly") {
  using namespace exact_values;
  const auto d = tt::describe(space);
  CHECK(static_cast<i64>(d.params[0].low) == -limit);
  CHECK(static_cast<i64>(d.params[0].high) == limit);
  CHECK(d.params[0].cardinality() == (std::uint64_t{1} << 54) + 1);
  CHECK(std::get<i64>(d.params[0].value_at(0)) == -limit);
  CHECK(std::get<i64>(d.params[0].value_at(d.params[0].cardinality() - 1)) == limit);
  CHECK(d.params[1].cardinality() == 3);
  CHECK(std::get<i64>(d.params[1].value_at(1)) == 0);
  CHECK(std::get<i64>(d.params[1].value_at(2)) == limit);
  // The compile-time and runtime grid sizes agree.
  CHECK(tt::describe(seeds).grid_size() == tt::grid_size(seeds));

  // One above the limit: validate and decode agree that it is not in the space.
  const tt::assignment above{{i64{limit + 1}, i64{0}, 1.0, 0.3}};
  CHECK_THROWS_AS(d.validate(above), tt::assignment_error);
  CHECK_THROWS_AS(tt::decode<wide_params>(space, above), tt::assignment_error);
  const tt::assignment below{{i64{-limit - 1}, i64{0}, 1.0, 0.3}};
  CHECK_THROWS_AS(d.validate(below), tt::assignment_error);
  CHECK_THROWS_AS(tt::decode<wide_params>(space, below), tt::assignment_error);
}

TEST_CASE("values at the bounds survive validate, decode and encode: int64 at +-2^53, float fields") {
  using namespace exact_values;
  const auto d = tt::describe(space);
  // Every real at a bound (0.7 and 1.3 are not floats: float(0.7) < 0.7 < float(1.3)), and every
  // grid value of dropout (0.1 + k * 0.2, none of them a float).
  for (const double scale : {0.7, 1.3, 1.0}) {
    for (std::uint64_t k = 0; k < d.params[3].cardinality(); ++k) {
      check_round_trip(d, {{i64{-limit}, i64{limit}, scale, d.params[3].value_at(k)}});
      check_round_trip(d, {{i64{limit}, i64{-limit}, scale, d.params[3].value_at(k)}});
    }
  }
  // And a struct written by hand encodes to a legal assignment and decodes back unchanged.
  const wide_params by_hand{limit, 0, 1.25F, 0.5F};
  const auto a = tt::encode(space, by_hand);
  d.validate(a);
  CHECK(same(tt::decode<wide_params>(space, a), by_hand));
}

TEST_CASE("sampled values survive validate, decode and encode exactly, with each sampler") {
  using namespace exact_values;
  const auto d = tt::describe(space);
  auto run = [&](auto sampler) {
    auto study = tt::study(space, tt::minimize{"value"}, sampler);
    std::mutex mutex;
    std::vector<tt::assignment> seen;
    const auto summary = study.optimize(
        [&](tt::trial<wide_params>& t) {
          std::lock_guard lock(mutex);
          seen.push_back(t.raw());
          return static_cast<double>(t.params().scale);
        },
        tt::budget{.trials = 64});
    CHECK(summary.failures.empty());
    REQUIRE(seen.size() == 64);
    for (const auto& a : seen) check_round_trip(d, a);
  };
  run(tt::random{.seed = 11});
  run(tt::sobol{.seed = 11});
  run(tt::tpe{.seed = 11});
}
