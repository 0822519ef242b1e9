// Tests of the Gaussian-process sampler: it beats random search on Branin and Hartmann-6,
// proposes only legal assignments on a conditional space, is deterministic and maximises.
#include <catch2/catch.hpp>

#include "quality_suite.hpp"
#include "sampler_checks.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"

namespace {

using namespace typetune;

}  // namespace

TEST_CASE("gp beats random search on Branin and Hartmann-6 at 50 trials (median of 11 seeds)", "[gp][quality]") {
  for (const auto& p : {quality::branin_problem(), quality::hartmann6_problem()}) {
    const double random = quality::median_best([] { return make_random_sampler(); }, p, 11, {50}).front();
    const double gp = quality::median_best([] { return make_gp_sampler(); }, p, 11, {50}).front();
    INFO(p.name << ": gp " << gp << " vs random " << random);
    CHECK(gp < random);
  }
}

TEST_CASE("gp proposes exactly the active parameters on a conditional space", "[gp]") {
  const auto p = quality::conditional_problem();
  auto s = make_gp_sampler();
  const auto trials = quality::run(*s, p, 5, 50);
  REQUIRE(trials.size() == 50);
  for (const auto& t : trials) REQUIRE_NOTHROW(p.space.validate(t.params));
  CHECK(quality::best_after(p, trials, 50) < quality::best_after(p, trials, 10));
}

TEST_CASE("gp is a pure function of seed, trial number and history", "[gp]") {
  const auto p = quality::conditional_problem();
  gp_options o;
  o.refit_all_below = 15;  // exercise the memoised refit schedule too
  o.refit_interval = 4;
  // 26 trials: the long-lived sampler reused a fit from an earlier call by then.
  testing::check_pure_function_of_history([&] { return make_gp_sampler(o); }, p, 9, 30, 26);
}

TEST_CASE("gp maximises when the study does, and ignores trials that did not complete", "[gp]") {
  const auto p = quality::branin_problem();
  std::vector<double> best;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    auto s = make_gp_sampler();
    const auto trials = quality::run(*s, p, seed, 30, direction::maximize);
    best.push_back(quality::best_after(p, trials, 30, direction::maximize));
  }
  CHECK(quality::median(best) < 1.0);

  auto s = make_gp_sampler();
  testing::run_mixed_history(*s, p, 2, 25, [&p](trial_record& t, std::uint64_t n) {
    t.state = n % 3 == 0 ? trial_state::failed : n % 5 == 0 ? trial_state::diverged : trial_state::complete;
    if (t.state == trial_state::complete) t.value = p.truth(t.params);
  });
}

TEST_CASE("gp handles finite and log-scaled parameters and a constant", "[gp]") {
  auto numeric = [](const char* path, param_kind kind, double low, double high, double step, bool log) {
    param_desc p;
    p.path = path;
    p.name = path;
    p.kind = kind;
    p.type = kind == param_kind::real ? value_type::real : value_type::integer;
    p.low = low;
    p.high = high;
    p.step = step;
    p.log = log;
    return p;
  };
  space_desc s;
  const auto units = numeric("units", param_kind::integer, 16, 512, 1, true);  // a large log grid
  const auto layers = numeric("layers", param_kind::integer, 1, 4, 1, false);  // a small grid
  const auto rate = numeric("rate", param_kind::real, 0.0, 1.0, 0.05, false);  // a stepped real
  param_desc fixed;
  fixed.path = "fixed";
  fixed.name = "fixed";
  fixed.kind = param_kind::constant;
  fixed.choices = {std::int64_t{7}};
  s.params = {units, layers, rate, fixed};
  auto f = [](const assignment& a) {
    const double u = static_cast<double>(std::get<std::int64_t>(a.values[0]));
    const double l = static_cast<double>(std::get<std::int64_t>(a.values[1]));
    const double r = std::get<double>(a.values[2]);
    return std::pow(std::log2(u) - 7, 2) + std::pow(l - 3, 2) + std::pow(r - 0.35, 2);
  };
  auto gp = make_gp_sampler();
  std::vector<trial_record> trials;
  for (std::uint64_t n = 0; n < 30; ++n) {
    const auto a = gp->sample(study_view{s, trials, direction::minimize, 4}, n);
    REQUIRE(a);
    REQUIRE_NOTHROW(s.validate(*a));
    trial_record t;
    t.number = n;
    t.state = trial_state::complete;
    t.value = f(*a);
    t.params = *a;
    trials.push_back(std::move(t));
  }
  double best = 1e9;
  for (const auto& t : trials) best = std::min(best, *t.value);
  CHECK(best < 0.3);
}
