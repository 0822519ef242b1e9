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

TEST_CASE("gp lands in a region that diverges less often than random search", "[gp]") {
  std::vector<double> model, random, blind;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    auto r = make_random_sampler();
    random.push_back(static_cast<double>(testing::diverged_count(*r, seed, 50)));
    auto s = make_gp_sampler();
    model.push_back(static_cast<double>(testing::diverged_count(*s, seed, 50)));
    gp_options o;
    o.use_diverged = false;
    auto b = make_gp_sampler(o);
    blind.push_back(static_cast<double>(testing::diverged_count(*b, seed, 50)));
  }
  INFO("gp " << quality::median(model) << ", blind " << quality::median(blind) << ", random "
             << quality::median(random) << " of 50 diverged");
  CHECK(quality::median(model) < quality::median(random));
  CHECK(quality::median(model) < quality::median(blind));
}

TEST_CASE("gp learns from pruned trials: a point pruned again and again is not proposed again", "[gp]") {
  // Eight complete Branin trials; P is where the GP proposes next from them. Ten trials around
  // P were then pruned at step 1, worse there than every complete trial was. Ignoring them
  // (as a GP fitted on complete trials only does), the next proposals go back to P.
  const auto p = quality::branin_problem();
  std::size_t with = 0, without = 0;
  for (std::uint64_t seed = 10; seed < 14; ++seed) {
    auto warm = make_random_sampler();
    auto trials = quality::run(*warm, p, seed, 8);
    for (auto& t : trials) t.intermediate = {{1, *t.value + 1}, {2, *t.value}};
    gp_options o;
    o.n_startup_trials = 5;
    const auto target = *make_gp_sampler(o)->sample(study_view{p.space, trials, direction::minimize, seed}, 8);
    const double p1 = std::get<double>(target.values[0]), p2 = std::get<double>(target.values[1]);
    random_stream rng(seed, 0, stream_ids::user);
    for (std::uint64_t n = 8; n < 18; ++n) {
      trial_record t;
      t.number = n;
      t.params.values = {std::clamp(p1 + 0.3 * (rng.uniform01() - 0.5), -5.0, 10.0),
                         std::clamp(p2 + 0.3 * (rng.uniform01() - 0.5), 0.0, 15.0)};
      t.state = trial_state::pruned;
      t.intermediate = {{1, 500.0}};
      t.value = 500.0;
      trials.push_back(t);
    }
    auto near_target = [&](bool use_pruned) {
      o.use_pruned = use_pruned;
      auto s = make_gp_sampler(o);
      std::size_t count = 0;
      for (std::uint64_t n = 18; n < 26; ++n) {
        const auto a = s->sample(study_view{p.space, trials, direction::minimize, seed}, n);
        REQUIRE(a);
        count += std::abs(std::get<double>(a->values[0]) - p1) < 0.75 &&
                 std::abs(std::get<double>(a->values[1]) - p2) < 0.75;
      }
      return count;
    };
    const auto w = near_target(true), wo = near_target(false);
    UNSCOPED_INFO("seed " << seed << ": P = (" << p1 << ", " << p2 << "); proposals within 0.75 of it: " << w
                          << " of 8 using pruned trials, " << wo << " ignoring them");
    with += w;
    without += wo;
  }
  CHECK(with <= 2);
  CHECK(without >= 8);
}

TEST_CASE("gp gives parallel workers distinct proposals while their trials run", "[gp]") {
  const auto p = quality::hartmann6_problem();
  auto warm = make_random_sampler();
  const auto history = quality::run(*warm, p, 4, 20);
  auto distance = [](const assignment& a, const assignment& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i)
      d = std::max(d, std::abs(std::get<double>(a.values[i]) - std::get<double>(b.values[i])));
    return d;
  };
  auto closest_pair = [&](bool liar) {
    gp_options o;
    o.constant_liar = liar;
    auto s = make_gp_sampler(o);
    const auto four = testing::proposals_while_running(*s, p, history, 4, 4);
    double closest = INFINITY;
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < i; ++j) closest = std::min(closest, distance(four[i], four[j]));
    return closest;
  };
  const double with = closest_pair(true), without = closest_pair(false);
  INFO("closest pair of 4 proposals (max-norm): " << with << " with the liar, " << without << " without");
  CHECK(with > 0.02);
  CHECK(without < 0.02);  // what the liar prevents: the same acquisition maximum four times
}

TEST_CASE("gp does not repeat configurations", "[gp]") {
  // A finite space of 56 configurations: 56 trials try (nearly) all of them.
  const auto grid = testing::small_grid_problem();
  for (std::uint64_t seed = 0; seed < 2; ++seed) {
    auto s = make_gp_sampler();
    const auto trials = quality::run(*s, grid, seed, 56);
    INFO("seed " << seed);
    CHECK(testing::distinct_configurations(trials) >= 50);
    CHECK(quality::best_after(grid, trials, 56) == 0.0);
  }
  // On a continuous space, no proposal repeats another (local refinement likes the bounds).
  const auto branin = quality::branin_problem();
  auto s = make_gp_sampler();
  const auto trials = quality::run(*s, branin, 1, 80);
  CHECK(testing::distinct_configurations(trials) == 80);
}

TEST_CASE("gp beats random search on both conditional functions at 50 trials (median of 7 seeds)", "[gp][quality]") {
  for (const auto& p : {quality::conditional_problem(), quality::blocks_problem()}) {
    const double random = quality::median_best([] { return make_random_sampler(); }, p, 7, {50}).front();
    const double gp = quality::median_best([] { return make_gp_sampler(); }, p, 7, {50}).front();
    INFO(p.name << ": gp " << gp << " vs random " << random);
    CHECK(gp < 0.7 * random);
  }
}
