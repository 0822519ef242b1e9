// Tests of the NSGA-II sampler: options, determinism, generation 0, children made of their
// parents' values, conditional and finite spaces, constraints, and its front against random
// search's on ZDT1.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/detail/param_mapping.hpp"
#include "quality_suite.hpp"
#include "sampler_checks.hpp"
#include "support/spaces.hpp"
#include "typetune/desc/pareto.hpp"
#include "typetune/engine/nsga2_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/random_stream.hpp"

namespace {

using namespace typetune;

// Fills a trial's value and metrics from its parameters.
using evaluation = std::function<void(trial_record&)>;

std::unique_ptr<sampler> nsga2(std::size_t population_size, std::optional<double> mutation_prob = std::nullopt,
                               double crossover_prob = 0.9) {
  return make_nsga2_sampler(nsga2_options{.population_size = population_size,
                                          .mutation_prob = mutation_prob,
                                          .crossover_prob = crossover_prob,
                                          .swapping_prob = 0.5});
}

// An ask-and-tell loop: each proposal is checked against the space, evaluated and appended.
std::vector<trial_record> run_goals(sampler& s, const space_desc& space, const objective_set& goals,
                                    const evaluation& evaluate, std::uint64_t seed, std::size_t n) {
  std::vector<trial_record> trials;
  for (std::uint64_t k = 0; k < n; ++k) {
    const auto a = s.sample(study_view{space, trials, direction::minimize, seed, &goals}, k);
    REQUIRE(a);
    REQUIRE_NOTHROW(space.validate(*a));
    trial_record t;
    t.number = k;
    t.state = trial_state::complete;
    t.params = *a;
    evaluate(t);
    trials.push_back(std::move(t));
  }
  return trials;
}

space_desc unit_cube(std::size_t d) {
  space_desc s;
  for (std::size_t i = 0; i < d; ++i) {
    std::string path = "x";  // appended rather than "x" + ...: g++ 12 warns falsely (-Wrestrict) on the sum
    path += std::to_string(i);
    s.params.push_back(testing::real_param(path, "x", 0, 1));
  }
  return s;
}

double x(const trial_record& t, std::size_t i) { return std::get<double>(t.params.values[i]); }

objective_set two_objectives() {
  objective_set goals;
  goals.objectives = {{"f1", direction::minimize}, {"f2", direction::minimize}};
  return goals;
}

// ZDT1 on [0, 1]^5: f1 = x0, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 mean(x1..x4). The front is
// g = 1, f2 = 1 - sqrt(f1).
void zdt1(trial_record& t) {
  const std::size_t d = t.params.values.size();
  double sum = 0;
  for (std::size_t i = 1; i < d; ++i) sum += x(t, i);
  const double f1 = x(t, 0), g = 1 + 9 * sum / static_cast<double>(d - 1);
  t.value = f1;
  t.metrics["f2"] = g * (1 - std::sqrt(f1 / g));
}

double front_hypervolume(const std::vector<trial_record>& trials, const objective_set& goals,
                         const std::vector<double>& reference) {
  const auto front = pareto_front(trials, goals);
  std::vector<double> points, row(goals.size());
  for (const auto number : front) {
    REQUIRE(goals.losses(trials[number], row));
    points.insert(points.end(), row.begin(), row.end());
  }
  return hypervolume(points, goals.size(), reference);
}

// A history of `n` complete trials drawn at random, valued by `evaluate`.
std::vector<trial_record> random_history(const space_desc& space, std::size_t n, const evaluation& evaluate) {
  auto random = make_random_sampler();
  std::vector<trial_record> trials;
  for (std::uint64_t k = 0; k < n; ++k) {
    trial_record t;
    t.number = k;
    t.state = trial_state::complete;
    t.params = *random->sample(study_view{space, {}, direction::minimize, 99}, k);
    evaluate(t);
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace

TEST_CASE("nsga2 refuses a population below 2 and probabilities outside [0, 1]", "[nsga2]") {
  CHECK_THROWS_AS(nsga2(1), std::invalid_argument);
  CHECK_THROWS_WITH(nsga2(0), Catch::Contains("population_size"));
  CHECK_THROWS_AS(nsga2(10, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(nsga2(10, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK_THROWS_WITH(nsga2(10, std::nullopt, 1.5), Catch::Contains("crossover_prob"));
  CHECK_THROWS_WITH(
      make_nsga2_sampler(nsga2_options{
          .population_size = 10, .mutation_prob = std::nullopt, .crossover_prob = 0.9, .swapping_prob = -1}),
      Catch::Contains("swapping_prob"));
  const auto s = nsga2(2, 1.0, 0.0);
  CHECK(s->name() == "nsga2");
  CHECK(s->supports_goals());
}

TEST_CASE("nsga2 is a pure function of seed, proposal number and history", "[nsga2]") {
  const auto space = unit_cube(5);
  const auto goals = two_objectives();
  auto a = nsga2(20), b = nsga2(20);
  const auto run_a = run_goals(*a, space, goals, zdt1, 42, 150);
  const auto run_b = run_goals(*b, space, goals, zdt1, 42, 150);
  for (std::size_t i = 0; i < run_a.size(); ++i) CHECK(run_a[i].params == run_b[i].params);
  // A fresh sampler shown a prefix proposes what the long-lived one did.
  for (const std::size_t prefix : {20u, 77u, 140u}) {
    auto fresh = nsga2(20);
    const std::span<const trial_record> history(run_a.data(), prefix);
    const auto again = fresh->sample(study_view{space, history, direction::minimize, 42, &goals}, prefix);
    REQUIRE(again);
    CHECK(*again == run_a[prefix].params);
  }
  // Another seed gives other children, not only another generation 0.
  auto c = nsga2(20);
  const auto run_c = run_goals(*c, space, goals, zdt1, 43, 150);
  std::size_t differ = 0;
  for (std::size_t i = 20; i < 150; ++i) differ += run_c[i].params != run_a[i].params;
  CHECK(differ == 130);
  // Without goals: one objective, the trial's value.
  testing::check_pure_function_of_history([] { return nsga2(10); }, quality::conditional_problem(), 42, 40, 30);
}

TEST_CASE("nsga2 draws generation 0 at random from its own stream whatever the history", "[nsga2]") {
  const auto space = testing::mlp_space(false);
  const auto goals = two_objectives();
  const auto history = random_history(space, 30, [](trial_record& t) {
    t.value = 1;
    t.metrics["f2"] = 2;
  });
  auto s = nsga2(10);
  for (std::uint64_t n = 0; n < 10; ++n) {
    random_stream rng(7, n, stream_ids::nsga2);
    assignment expected;
    detail::fill_active(space, expected, [&](std::size_t) { return rng.uniform01(); });
    const auto empty = s->sample(study_view{space, {}, direction::minimize, 7, &goals}, n);
    const auto with_history = s->sample(study_view{space, history, direction::minimize, 7, &goals}, n);
    REQUIRE(empty);
    REQUIRE(with_history);
    CHECK(*empty == expected);
    CHECK(*with_history == expected);
  }
  // With fewer than 2 usable parents a later generation is drawn at random too.
  std::vector<trial_record> one_complete(history.begin(), history.begin() + 10);
  for (std::size_t k = 1; k < one_complete.size(); ++k) one_complete[k].state = trial_state::failed;
  random_stream rng(7, 15, stream_ids::nsga2);
  assignment expected;
  detail::fill_active(space, expected, [&](std::size_t) { return rng.uniform01(); });
  CHECK(*s->sample(study_view{space, one_complete, direction::minimize, 7, &goals}, 15) == expected);
}

TEST_CASE("nsga2 children take their values from two parents, or fresh ones by mutation", "[nsga2]") {
  // Generation 0 of 10 trials: a front of 9, losses (i, 9 - i), and trial 9 dominated by all.
  const auto space = unit_cube(4);
  const auto goals = two_objectives();
  auto history = random_history(space, 10, [](trial_record& t) {
    const auto i = static_cast<double>(t.number);
    t.value = t.number == 9 ? 20 : i;
    t.metrics["f2"] = t.number == 9 ? 20 : 9 - i;
  });
  const auto view = study_view{space, history, direction::minimize, 3, &goals};
  const auto has_value = [&](std::size_t p, const param_value& v) {
    for (const auto& t : history)
      if (t.params.values[p] == v) return true;
    return false;
  };

  // Crossover, no mutation: every value from one of two parents.
  auto crossing = nsga2(10, 0.0, 1.0);
  std::size_t mixed = 0;
  for (std::uint64_t n = 10; n < 110; ++n) {
    const auto child = *crossing->sample(view, n);
    bool from_two = false;
    for (const auto& a : history) {
      for (const auto& b : history) {
        bool all = true;
        for (std::size_t p = 0; p < space.size() && all; ++p)
          all = child.values[p] == a.params.values[p] || child.values[p] == b.params.values[p];
        from_two = from_two || all;
      }
    }
    CHECK(from_two);
    bool one_parent = false;
    for (const auto& a : history) one_parent = one_parent || child == a.params;
    mixed += !one_parent;
  }
  CHECK(mixed > 50);

  // No crossover, no mutation: a copy of the tournament's winner, never of trial 9, which loses
  // every tournament.
  auto copying = nsga2(10, 0.0, 0.0);
  std::vector<int> copies(10, 0);
  for (std::uint64_t n = 10; n < 210; ++n) {
    const auto child = *copying->sample(view, n);
    for (std::size_t k = 0; k < history.size(); ++k) copies[k] += child == history[k].params;
  }
  CHECK(copies[9] == 0);
  int total = 0;
  for (const auto c : copies) total += c;
  CHECK(total == 200);

  // Mutation of every parameter: values fresh, none a parent's (a continuous space).
  auto mutating = nsga2(10, 1.0, 1.0);
  for (std::uint64_t n = 10; n < 60; ++n) {
    const auto child = *mutating->sample(view, n);
    for (std::size_t p = 0; p < space.size(); ++p) CHECK_FALSE(has_value(p, child.values[p]));
  }

  // The default mutation rate, 1 / 4 here: about one parameter in four is new.
  auto standard = nsga2(10, std::nullopt, 1.0);
  std::size_t fresh = 0, total_values = 0;
  for (std::uint64_t n = 10; n < 410; ++n) {
    const auto child = *standard->sample(view, n);
    for (std::size_t p = 0; p < space.size(); ++p, ++total_values) fresh += !has_value(p, child.values[p]);
  }
  const double share = static_cast<double>(fresh) / static_cast<double>(total_values);
  INFO("share of mutated values " << share);
  CHECK(share > 0.18);
  CHECK(share < 0.32);
}

TEST_CASE("nsga2 proposes exactly the active parameters on conditional and finite spaces", "[nsga2]") {
  const auto goals = two_objectives();
  // Objectives from the parameters, whatever they are: a sum and its opposite plus a count.
  const evaluation evaluate = [](trial_record& t) {
    double sum = 0, active = 0;
    for (const auto& v : t.params.values) {
      if (const auto* i = std::get_if<std::int64_t>(&v)) sum += static_cast<double>(*i), ++active;
      if (const auto* d = std::get_if<double>(&v)) sum += *d, ++active;
    }
    t.value = sum;
    t.metrics["f2"] = active - sum / 100;
  };
  for (const auto& space : {testing::mlp_space(false), testing::mlp_space(true), testing::nested_space(),
                            quality::conditional_problem().space}) {
    auto s = nsga2(20);
    const auto trials = run_goals(*s, space, goals, evaluate, 5, 200);  // each proposal validated
    // The children still visit both options of the first branch after generation 0.
    std::size_t branch = 0;
    for (std::size_t p = 0; p < space.size(); ++p)
      if (space.params[p].role == param_role::branch) {
        branch = p;
        break;
      }
    std::array<std::size_t, 2> options{0, 0};
    for (std::size_t k = 20; k < trials.size(); ++k) {
      const auto option = std::get<std::int64_t>(trials[k].params.values[branch]);
      if (option < 2) ++options[static_cast<std::size_t>(option)];
    }
    INFO("space with " << space.size() << " parameters");
    CHECK(options[0] > 0);
    CHECK(options[1] > 0);
    CHECK(pareto_front(trials, goals).size() > 0);
  }
}

TEST_CASE("nsga2 ranks a single objective by value in the study's direction", "[nsga2]") {
  // Maximising -f is minimising f: the two runs see the same losses and propose the same trials.
  const auto p = quality::branin_problem();
  auto minimising = nsga2(10), maximising = nsga2(10);
  std::vector<trial_record> low, high;
  for (std::uint64_t k = 0; k < 60; ++k) {
    auto a = minimising->sample(study_view{p.space, low, direction::minimize, 9}, k);
    auto b = maximising->sample(study_view{p.space, high, direction::maximize, 9}, k);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == *b);
    trial_record t;
    t.number = k;
    t.state = trial_state::complete;
    t.params = *a;
    t.value = p.truth(*a);
    low.push_back(t);
    t.value = -*t.value;
    high.push_back(t);
  }
  // And the search improves on generation 0.
  double best_random = std::numeric_limits<double>::infinity(), best_children = best_random;
  for (std::size_t k = 0; k < 10; ++k) best_random = std::min(best_random, *low[k].value);
  for (std::size_t k = 10; k < low.size(); ++k) best_children = std::min(best_children, *low[k].value);
  CHECK(best_children < best_random);
}

TEST_CASE("nsga2 recomputes a generation's parents when a late trial of an earlier one finishes", "[nsga2]") {
  const auto space = unit_cube(5);
  const auto goals = two_objectives();
  auto history = random_history(space, 20, zdt1);
  history[3].state = trial_state::running;
  auto running_view = history;
  // Trial 3, finished late, is the best on both objectives.
  history[3].state = trial_state::complete;
  history[3].value = -1;
  history[3].metrics["f2"] = -1;
  auto s = nsga2(10, 0.0, 0.0);
  std::size_t copies_of_late = 0;
  for (std::uint64_t n = 20; n < 40; ++n) {
    const auto early = *s->sample(study_view{space, running_view, direction::minimize, 1, &goals}, n);
    const auto late = *s->sample(study_view{space, history, direction::minimize, 1, &goals}, n);
    auto fresh_early = nsga2(10, 0.0, 0.0), fresh_late = nsga2(10, 0.0, 0.0);
    CHECK(early == *fresh_early->sample(study_view{space, running_view, direction::minimize, 1, &goals}, n));
    CHECK(late == *fresh_late->sample(study_view{space, history, direction::minimize, 1, &goals}, n));
    CHECK_FALSE(early == history[3].params);  // not a parent while running
    copies_of_late += late == history[3].params;
  }
  // Once finished it dominates every other trial and wins each tournament it enters.
  CHECK(copies_of_late > 0);
}

TEST_CASE("nsga2 proposes the same from several threads at once", "[nsga2]") {
  const auto space = unit_cube(5);
  const auto goals = two_objectives();
  const auto history = random_history(space, 100, zdt1);
  const auto view = study_view{space, history, direction::minimize, 4, &goals};
  auto reference = nsga2(20);
  std::vector<assignment> expected;
  for (std::uint64_t n = 100; n < 200; ++n) expected.push_back(*reference->sample(view, n));
  auto shared = nsga2(20);
  std::vector<std::vector<assignment>> got(4);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < got.size(); ++w) {
    threads.emplace_back([&, w] {
      for (std::uint64_t n = 100; n < 200; ++n) got[w].push_back(*shared->sample(view, n));
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) CHECK(g == expected);
}

TEST_CASE("nsga2 finds a better ZDT1 front than random search in 300 trials (median of 5 seeds)", "[nsga2][quality]") {
  const auto space = unit_cube(5);
  const auto goals = two_objectives();
  const std::vector<double> reference{1.1, 1.1};
  std::vector<double> genetic, random;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    auto s = make_nsga2_sampler();
    auto r = make_random_sampler();
    genetic.push_back(front_hypervolume(run_goals(*s, space, goals, zdt1, seed, 300), goals, reference));
    random.push_back(front_hypervolume(run_goals(*r, space, goals, zdt1, seed, 300), goals, reference));
  }
  const double g = quality::median(genetic), r = quality::median(random);
  INFO("hypervolume: nsga2 " << g << ", random " << r << " (the true front's: " << 1.21 - 1.0 / 3 << ")");
  CHECK(g > 2 * r);
  CHECK(g > r + 0.1);
}

TEST_CASE("nsga2 under constraints: a front of feasible trials, and feasible trials found", "[nsga2][quality]") {
  // ZDT1 whose x1..x4 must lie within sqrt(0.1) of the cube's centre (about 5% of the cube),
  // away from the unconstrained front at x1..x4 = 0. Every eleventh trial leaves out the
  // constraint's metric and counts as infeasible.
  const auto space = unit_cube(5);
  auto goals = two_objectives();
  goals.constraints = {{"distance", 0}};
  const evaluation constrained_zdt1 = [](trial_record& t) {
    zdt1(t);
    double r = 0;
    for (std::size_t i = 1; i < 5; ++i) r += (x(t, i) - 0.5) * (x(t, i) - 0.5);
    if (t.number % 11 != 5) t.metrics["distance"] = r - 0.1;
  };
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    auto s = nsga2(20);
    auto r = make_random_sampler();
    const auto trials = run_goals(*s, space, goals, constrained_zdt1, seed, 200);
    const auto random_trials = run_goals(*r, space, goals, constrained_zdt1, seed, 200);
    const auto front = pareto_front(trials, goals);
    REQUIRE_FALSE(front.empty());
    for (const auto number : front) CHECK(goals.feasible(trials[number]));
    std::size_t feasible = 0, feasible_random = 0;
    for (std::size_t k = 100; k < 200; ++k) {
      feasible += goals.feasible(trials[k]);
      feasible_random += goals.feasible(random_trials[k]);
    }
    INFO("seed " << seed << ": feasible among trials 100-199: nsga2 " << feasible << ", random " << feasible_random);
    CHECK(feasible >= 30);
    CHECK(feasible > 3 * feasible_random);
  }
}
