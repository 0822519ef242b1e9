// Tests of the default sampler: which model it hands each proposal to, by space and history,
// and that it finds good values on the suite's continuous and conditional functions.
#include <catch2/catch.hpp>

#include "quality_suite.hpp"
#include "sampler_checks.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace {

using namespace typetune;

// The proposal for trial `history.size()` of a fresh sampler made by `make`.
assignment next(const std::function<std::unique_ptr<sampler>()>& make, const quality::problem& p,
                std::span<const trial_record> history) {
  auto s = make();
  auto a = s->sample(study_view{p.space, history, direction::minimize, 5}, history.size());
  REQUIRE(a);
  return *a;
}

std::unique_ptr<sampler> tpe(bool multivariate) {
  tpe_options o;
  o.multivariate = multivariate;
  return make_tpe_sampler(o);
}

}  // namespace

TEST_CASE("auto hands each proposal to the model its space and history call for", "[auto]") {
  auto random = make_random_sampler();
  const auto make_auto = [] { return make_auto_sampler(); };

  // Continuous: the GP from the first model-based proposal on.
  const auto h6 = quality::hartmann6_problem();
  const auto h6_history = quality::run(*random, h6, 5, 30);
  CHECK(next(make_auto, h6, h6_history) == next([] { return make_gp_sampler(); }, h6, h6_history));

  // All categorical: multivariate TPE.
  const auto cats = quality::categorical_problem();
  const auto cat_history = quality::run(*random, cats, 5, 30);
  CHECK(next(make_auto, cats, cat_history) == next([] { return tpe(true); }, cats, cat_history));
  CHECK(next(make_auto, cats, cat_history) != next([] { return tpe(false); }, cats, cat_history));

  // Conditional: independent TPE for the first 25 finished trials, then the GP.
  const auto cond = quality::conditional_problem();
  const auto cond_history = quality::run(*random, cond, 5, 40);
  const std::span<const trial_record> early(cond_history.data(), 20);
  CHECK(next(make_auto, cond, early) == next([] { return tpe(false); }, cond, early));
  CHECK(next(make_auto, cond, cond_history) == next([] { return make_gp_sampler(); }, cond, cond_history));

  // Past gp_max_trials, TPE on any space.
  auto_options small;
  small.gp_max_trials = 20;
  CHECK(next([=] { return make_auto_sampler(small); }, h6, h6_history) == next([] { return tpe(false); }, h6, h6_history));
}

TEST_CASE("auto beats random search on continuous, integer and conditional functions at 50 trials", "[auto][quality]") {
  for (const auto& p : {quality::branin_problem(), quality::integers_problem(), quality::conditional_problem(),
                        quality::blocks_problem()}) {
    const double random = quality::median_best([] { return make_random_sampler(); }, p, 7, {50}).front();
    const double chosen = quality::median_best([] { return make_auto_sampler(); }, p, 7, {50}).front();
    INFO(p.name << ": auto " << chosen << " vs random " << random);
    CHECK(chosen - p.minimum < 0.7 * (random - p.minimum));
  }
}

TEST_CASE("auto is a pure function of seed, trial number and history", "[auto]") {
  testing::check_pure_function_of_history([] { return make_auto_sampler(); }, quality::conditional_problem(), 8, 40, 30);
}
