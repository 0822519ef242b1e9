// A program that writes `using namespace typetune;` beside the C library's names: POSIX
// random() and log() stay usable, and the random sampler is named without ambiguity.
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include <catch2/catch.hpp>

#include "typetune/study.hpp"
#include "typetune/typetune.hpp"

using namespace typetune;

namespace using_namespace {

struct net {
  int width;
  double rate;
};

}  // namespace using_namespace

TYPETUNE_REFLECT(using_namespace::net, width, rate);

namespace using_namespace {

inline constexpr auto net_space = typetune::space(int_<"width">(1, 8), real<"rate">(1e-3, 1e-1, log_scale{}));

}  // namespace using_namespace

TEST_CASE("using namespace typetune: random_search names the random sampler, random() and log() are the C library's") {
  auto search = study(using_namespace::net_space, minimize{}, random_search{.seed = 3}, params<using_namespace::net>{});
  const auto summary = search.optimize([](const using_namespace::net& p) { return p.width * p.rate; }, budget{.trials = 5});
  CHECK(summary.trials_started == 5);
  auto best = search.best().params;
  STATIC_REQUIRE(std::is_same_v<decltype(best), using_namespace::net>);
  CHECK(best.width >= 1);
  STATIC_REQUIRE(std::is_same_v<typetune::random, random_search>);  // still usable qualified
  CHECK(::random() >= 0);
  CHECK(::log(1.0) == 0.0);
}
