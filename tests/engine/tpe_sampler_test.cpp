// Tests of the TPE sampler: it beats random search on Branin and Hartmann-6, proposes only
// legal assignments on a conditional space, is deterministic and handles maximisation.
#include <catch2/catch.hpp>

#include "quality_suite.hpp"
#include "sampler_checks.hpp"
#include "support/spaces.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace {

using namespace typetune;

std::unique_ptr<sampler> tpe(bool multivariate) {
  tpe_options o;
  o.multivariate = multivariate;
  return make_tpe_sampler(o);
}

double median_best_at_50(const std::function<std::unique_ptr<sampler>()>& make, const quality::problem& p) {
  return quality::median_best(make, p, 11, {50}).front();
}

}  // namespace

TEST_CASE("tpe beats random search on Branin and Hartmann-6 at 50 trials (median of 11 seeds)", "[tpe][quality]") {
  for (const auto& p : {quality::branin_problem(), quality::hartmann6_problem()}) {
    const double random = median_best_at_50([] { return make_random_sampler(); }, p);
    for (bool multivariate : {false, true}) {
      const double model = median_best_at_50([=] { return tpe(multivariate); }, p);
      INFO(p.name << (multivariate ? " multivariate" : " independent") << ": tpe " << model << " vs random " << random);
      CHECK(model < random);
    }
  }
}

TEST_CASE("tpe proposes exactly the active parameters on a conditional space", "[tpe]") {
  const auto p = quality::conditional_problem();
  for (bool multivariate : {false, true}) {
    auto s = tpe(multivariate);
    const auto trials = quality::run(*s, p, 3, 80);
    REQUIRE(trials.size() == 80);
    std::size_t sgd = 0, three_layers = 0;
    for (const auto& t : trials) {
      REQUIRE_NOTHROW(p.space.validate(t.params));
      sgd += std::get<std::int64_t>(t.params.values[0]) == 1;
      three_layers += std::get<std::int64_t>(t.params.values[4]) == 3;
    }
    // Both branches and the deepest repeat are explored, and the model favours the better ones.
    CHECK(sgd > 0);
    CHECK(three_layers > 0);
    CHECK(quality::best_after(p, trials, 80) < 0.2);
  }
}

TEST_CASE("tpe is a pure function of seed, trial number and history", "[tpe]") {
  const auto p = quality::conditional_problem();
  for (bool multivariate : {false, true}) {
    testing::check_pure_function_of_history([=] { return tpe(multivariate); }, p, 42, 40, 30);
    auto a = tpe(multivariate);
    const auto run_a = quality::run(*a, p, 42, 40);
    // Another seed gives another sequence.
    auto c = tpe(multivariate);
    const auto run_c = quality::run(*c, p, 43, 40);
    CHECK(run_c[20].params != run_a[20].params);
  }
}

TEST_CASE("tpe maximises when the study does", "[tpe]") {
  // Maximising -branin is minimising branin: the sampler must climb, not descend.
  const auto p = quality::branin_problem();
  for (bool multivariate : {false, true}) {
    std::vector<double> best;
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      auto s = tpe(multivariate);
      const auto trials = quality::run(*s, p, seed, 50, direction::maximize);
      best.push_back(quality::best_after(p, trials, 50, direction::maximize));
    }
    CHECK(quality::median(best) < 2.0);
  }
}

TEST_CASE("tpe ranks pruned trials after complete ones and ignores failed and running trials", "[tpe]") {
  const auto p = quality::branin_problem();
  auto s = tpe(false);
  const auto trials = testing::run_mixed_history(*s, p, 1, 40, [&p](trial_record& t, std::uint64_t n) {
    switch (n % 4) {
      case 0: t.state = trial_state::pruned; t.intermediate = {{1, 50.0}, {2, 40.0}}; t.value = 40.0; break;
      case 1: t.state = trial_state::failed; t.message = "boom"; break;
      case 2: t.state = trial_state::running; break;
      default: t.state = trial_state::complete; t.value = p.truth(t.params); break;
    }
  });
  const auto next = s->sample(study_view{p.space, trials, direction::minimize, 1}, 40);
  REQUIRE(next);
  CHECK_NOTHROW(p.space.validate(*next));
}

TEST_CASE("tpe models a conditional parameter once the study has enough trials, as Optuna does", "[tpe]") {
  // "branch.b.x" was active in 4 of 14 trials, the 4 best ones, all at x = 0.9. Counting all
  // trials, the startup is over and the good side holds those 4; counting only the trials
  // where x was active, x is still drawn at random.
  const auto p = quality::conditional_problem();
  const auto sgd_lr = *p.space.find("optimizer.sgd.lr");
  const auto momentum = *p.space.find("optimizer.sgd.momentum");
  std::vector<trial_record> trials;
  auto random = make_random_sampler();
  for (std::uint64_t n = 0; n < 14; ++n) {
    auto a = *random->sample(study_view{p.space, trials, direction::minimize, 5}, n);
    const bool sgd = n % 4 == 1;
    a.values[0] = std::int64_t{sgd ? 1 : 0};
    a.values[1] = sgd ? param_value{} : param_value{1e-3};
    a.values[sgd_lr] = sgd ? param_value{1e-2} : param_value{};
    a.values[momentum] = sgd ? param_value{0.9} : param_value{};
    trial_record t;
    t.number = n;
    t.state = trial_state::complete;
    t.value = sgd ? 0.0 : 1.0 + static_cast<double>(n);
    t.params = a;
    trials.push_back(t);
  }
  auto mean_momentum = [&](bool count_all) {
    tpe_options o;
    o.count_all_trials = count_all;
    o.gamma_fraction = 0.3;  // 5 good trials of 14: the 4 sgd ones are among them
    auto s = make_tpe_sampler(o);
    double sum = 0;
    std::size_t count = 0;
    for (std::uint64_t n = 14; n < 64; ++n) {
      const auto a = s->sample(study_view{p.space, trials, direction::minimize, 5}, n);
      REQUIRE(a);
      if (a->is_active(momentum)) {
        sum += std::abs(std::get<double>(a->values[momentum]) - 0.9);
        ++count;
      }
    }
    REQUIRE(count > 5);
    return sum / static_cast<double>(count);
  };
  CHECK(mean_momentum(true) < 0.1);
  CHECK(mean_momentum(false) > 0.15);  // uniform on [0, 0.99]: mean distance about 0.4
}

TEST_CASE("tpe's kernel -log sigma option changes how candidates are scored", "[tpe]") {
  const auto p = quality::hartmann6_problem();
  for (bool multivariate : {false, true}) {
    tpe_options with, without;
    with.multivariate = without.multivariate = multivariate;
    with.kernel_log_sigma = true;
    without.kernel_log_sigma = false;
    auto a = make_tpe_sampler(with), b = make_tpe_sampler(without);
    const auto run_a = quality::run(*a, p, 3, 30), run_b = quality::run(*b, p, 3, 30);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < 30; ++i) differ += run_a[i].params != run_b[i].params;
    CHECK(differ > 10);  // the same random startup, then other choices
    for (std::size_t i = 0; i < 10; ++i) CHECK(run_a[i].params == run_b[i].params);
  }
}

TEST_CASE("tpe lands in a region that diverges less often than random search", "[tpe]") {
  // The best values sit at the edge of the region that diverges; a model blind to diverged
  // trials keeps drawing across the edge (more often than random search does).
  for (bool multivariate : {false, true}) {
    std::vector<double> model, random, blind;
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      auto r = make_random_sampler();
      random.push_back(static_cast<double>(testing::diverged_count(*r, seed, 80)));
      auto s = tpe(multivariate);
      model.push_back(static_cast<double>(testing::diverged_count(*s, seed, 80)));
      tpe_options o;
      o.multivariate = multivariate;
      o.consider_diverged_trials = false;
      auto b = make_tpe_sampler(o);
      blind.push_back(static_cast<double>(testing::diverged_count(*b, seed, 80)));
    }
    INFO((multivariate ? "multivariate" : "independent") << ": tpe " << quality::median(model) << ", blind "
                                                           << quality::median(blind) << ", random "
                                                           << quality::median(random) << " of 80 diverged");
    CHECK(quality::median(model) < quality::median(random));
    CHECK(quality::median(model) < quality::median(blind));
  }
}

TEST_CASE("tpe does not repeat configurations on a finite space while untried ones are left", "[tpe]") {
  const auto p = testing::small_grid_problem();
  for (bool multivariate : {false, true}) {
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
      auto s = tpe(multivariate);
      const auto trials = quality::run(*s, p, seed, 56);
      INFO((multivariate ? "multivariate" : "independent") << ", seed " << seed);
      CHECK(testing::distinct_configurations(trials) >= 50);
      CHECK(quality::best_after(p, trials, 56) == 0.0);
    }
    tpe_options o;
    o.multivariate = multivariate;
    o.avoid_repeats = false;
    auto repeating = make_tpe_sampler(o);
    CHECK(testing::distinct_configurations(quality::run(*repeating, p, 0, 56)) < 45);  // what the rule prevents
  }
}

TEST_CASE("tpe gives parallel workers distinct proposals while their trials run", "[tpe]") {
  const auto p = quality::hartmann6_problem();
  auto warm = make_random_sampler();
  const auto history = quality::run(*warm, p, 4, 30);
  for (bool multivariate : {false, true}) {
    auto s = tpe(multivariate);
    const auto four = testing::proposals_while_running(*s, p, history, 4, 4);
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < i; ++j) CHECK(four[i] != four[j]);
  }
  // On a finite space, the running configurations are not proposed again.
  const auto grid = testing::small_grid_problem();
  auto r = make_random_sampler();
  const auto grid_history = quality::run(*r, grid, 2, 12);
  auto s = tpe(false);
  const auto eight = testing::proposals_while_running(*s, grid, grid_history, 8, 2);
  for (std::size_t i = 0; i < 8; ++i) {
    for (std::size_t j = 0; j < i; ++j) CHECK(eight[i] != eight[j]);
    for (const auto& t : grid_history) CHECK(eight[i] != t.params);
  }
}

TEST_CASE("tpe's constant liar puts running trials on the bad side", "[tpe]") {
  // 20 complete trials, the best at x ~ 0.25; four running trials all at x = 0.25. The liar makes
  // the bad density heavy at 0.25, so proposals move off it; without it they crowd there.
  param_desc x;
  x.path = x.name = "x";
  x.kind = param_kind::real;
  x.low = 0;
  x.high = 1;
  space_desc s;
  s.params = {x};
  std::vector<trial_record> trials;
  for (std::uint64_t n = 0; n < 24; ++n) {
    trial_record t;
    t.number = n;
    const double v = n < 20 ? static_cast<double>(n) / 19.0 : 0.25;
    t.params.values = {v};
    if (n < 20) {
      t.state = trial_state::complete;
      t.value = std::abs(v - 0.25);
    } else {
      t.state = trial_state::running;
    }
    trials.push_back(t);
  }
  auto crowding = [&](bool liar) {
    tpe_options o;
    o.constant_liar = liar;
    auto sampler = make_tpe_sampler(o);
    std::size_t near = 0;
    for (std::uint64_t n = 24; n < 64; ++n) {
      const auto a = sampler->sample(study_view{s, trials, direction::minimize, 1}, n);
      near += std::abs(std::get<double>(a->values[0]) - 0.25) < 0.03;
    }
    return near;
  };
  CHECK(crowding(true) < crowding(false));
}

TEST_CASE("multivariate tpe: a running trial on a branch no finished trial took joins no group's kernels", "[tpe]") {
  // Every finished trial took adam with one hidden layer, so the parameters active in them form
  // one group; a running trial on sgd has the group's first member active and adam's learning
  // rate (a choice) inactive. Its NaN coordinate must not reach the categorical kernels.
  const auto space = testing::mlp_space(true);
  std::vector<trial_record> trials;
  for (std::uint64_t i = 0; i < 12; ++i) {
    trial_record t;
    t.number = i;
    t.state = trial_state::complete;
    t.value = 1.0 + 0.1 * static_cast<double>(i % 5);
    t.params.values = {std::int64_t{50 + 50 * static_cast<std::int64_t>(i % 6)},
                       std::int64_t{1},
                       std::int64_t{50 + 25 * static_cast<std::int64_t>(i % 3)},
                       std::int64_t(i % 3),
                       std::monostate{},
                       std::monostate{},
                       std::int64_t{0},
                       std::int64_t(i % 3),
                       std::monostate{},
                       std::monostate{}};
    space.validate(t.params);
    trials.push_back(t);
  }
  trial_record running;
  running.number = 12;
  running.state = trial_state::running;
  running.params.values = {std::int64_t{200}, std::int64_t{2}, std::int64_t{75}, std::int64_t{1}, std::int64_t{100},
                           std::int64_t{2},   std::int64_t{1}, std::monostate{}, std::int64_t{2}, std::int64_t{1}};
  space.validate(running.params);
  auto with_running = trials;
  with_running.push_back(running);
  for (const std::size_t startup : {0u, 5u}) {
    tpe_options o;
    o.multivariate = true;
    o.n_startup_trials = startup;
    o.avoid_repeats = false;
    auto with = make_tpe_sampler(o);
    auto without = make_tpe_sampler(o);
    for (std::uint64_t n = 13; n < 33; ++n) {
      const auto a = with->sample(study_view{space, with_running, direction::minimize, 7}, n);
      const auto b = without->sample(study_view{space, trials, direction::minimize, 7}, n);
      REQUIRE((a && b));
      CHECK_NOTHROW(space.validate(*a));
      // The running trial has none of the group's other members' values: it adds no kernel.
      CHECK(*a == *b);
    }
  }
}

TEST_CASE("tpe refuses options it cannot run: no candidates", "[tpe]") {
  tpe_options o;
  o.n_ei_candidates = 0;
  CHECK_THROWS_WITH(make_tpe_sampler(o), Catch::Contains("n_ei_candidates"));
}
