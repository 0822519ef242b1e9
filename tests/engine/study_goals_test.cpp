// Studies with several objectives or constraints in the engine: what the study refuses, the
// ask/tell form of named values, and the samplers' multi-objective modes (TPE ranking trials by
// non-domination, the default sampler's choice) judged by the hypervolume of the front.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "support/spaces.hpp"
#include "typetune/desc/pareto.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/engine/tpe_sampler.hpp"

using namespace typetune;

namespace {

space_desc unit_cube(std::size_t d) {
  space_desc s;
  for (std::size_t i = 0; i < d; ++i) {
    std::string name = "x";
    name += std::to_string(i);
    s.params.push_back(testing::real_param(name, name, 0, 1));
  }
  return s;
}

study_options two_objectives(std::uint64_t seed) {
  study_options o;
  o.metric = "f1";
  o.extra_objectives = {{"f2", direction::minimize}};
  o.seed = seed;
  return o;
}

// ZDT1 on five variables: the front is f2 = 1 - sqrt(f1) where x1..x4 are 0. The hypervolume is
// taken up to (1.1, 6), which random search's fronts reach in 100 trials.
outcome zdt1(trial_context& t) {
  std::vector<double> x;
  for (const auto& v : t.params().values) x.push_back(std::get<double>(v));
  double g = 0;
  for (std::size_t i = 1; i < x.size(); ++i) g += x[i];
  g = 1 + 9 * g / static_cast<double>(x.size() - 1);
  return {{"f1", x[0]}, {"f2", g * (1 - std::sqrt(x[0] / g))}};
}

double front_hypervolume(const study_core& study) {
  std::vector<double> points;
  for (const auto& t : study.pareto_front()) {
    points.push_back(*t.value);
    points.push_back(t.metrics.at("f2"));
  }
  const double reference[] = {1.1, 6.0};
  return hypervolume(points, 2, reference);
}

double median_hypervolume(const std::function<std::unique_ptr<sampler>()>& make, std::uint64_t trials) {
  std::vector<double> hv;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    study_core study(unit_cube(5), make(), two_objectives(seed));
    (void)study.optimize(zdt1, {.max_trials = trials, .time_limit = std::nullopt, .workers = 1});
    hv.push_back(front_hypervolume(study));
  }
  std::sort(hv.begin(), hv.end());
  return hv[2];
}

}  // namespace

TEST_CASE("a study with several objectives refuses a pruner, and one objective named twice") {
  CHECK_THROWS_WITH(study_core(unit_cube(2), make_random_sampler(), two_objectives(1), make_median_pruner()),
                    Catch::Contains("takes no pruner") && Catch::Contains("f1 (minimize), f2 (minimize)"));
  auto o = two_objectives(1);
  o.constraints = {{"f2", 0.0}};
  CHECK_THROWS_WITH(study_core(unit_cube(2), make_random_sampler(), o), Catch::Contains("'f2' is named twice"));
  o = two_objectives(1);
  o.constraints = {{"c", std::nan("")}};
  CHECK_THROWS_WITH(study_core(unit_cube(2), make_random_sampler(), o),
                    Catch::Contains("constraint 'c' has a NaN bound"));
  // Constraints alone keep the pruner: it compares the one objective's intermediate values.
  o = two_objectives(1);
  o.extra_objectives.clear();
  o.constraints = {{"c", 0.0}};
  CHECK_NOTHROW(study_core(unit_cube(2), make_random_sampler(), o, make_median_pruner()));
}

TEST_CASE("ask and tell with named values records the first as the value and the others as metrics") {
  auto o = two_objectives(3);
  o.constraints = {{"memory", 4.0}};
  study_core study(unit_cube(2), make_random_sampler(), o);
  const auto first = study.ask_trial();
  study.tell(first->ticket().number, outcome{{"f2", 0.5}, {"memory", 2.0}, {"f1", 0.25}});
  const auto second = study.ask_trial();
  study.tell(second->ticket().number, outcome{{"f1", 0.1}, {"f2", 0.4}, {"memory", 9.0}});  // infeasible
  const auto t = study.trial(0);
  CHECK(t.state == trial_state::complete);
  CHECK(*t.value == 0.25);
  CHECK(t.metrics.at("f2") == 0.5);
  CHECK(t.metrics.at("memory") == 2.0);
  const auto front = study.pareto_front();
  REQUIRE(front.size() == 1);  // trial 1 dominates it, but is not feasible
  CHECK(front[0].number == 0);
  const auto third = study.ask_trial();
  CHECK_THROWS_WITH(study.tell(third->ticket().number, outcome{{"f1", 0.1}, {"f3", 0.4}}), Catch::Contains("'f3'"));
}

TEST_CASE("multi-objective TPE finds a better ZDT1 front than random search in 100 trials") {
  const double tpe = median_hypervolume([] { return make_tpe_sampler(); }, 100);
  const double random = median_hypervolume([] { return make_random_sampler(); }, 100);
  INFO("median hypervolume: TPE " << tpe << ", random " << random << " (the true front's: 6.267)");
  CHECK(tpe > random + 0.3);  // 5.40 and 4.66 when written
}

TEST_CASE("with several objectives the default sampler proposes as TPE does, then hands over to NSGA-II") {
  auto proposals = [](std::unique_ptr<sampler> s, std::uint64_t n) {
    study_core study(unit_cube(3), std::move(s), two_objectives(7));
    (void)study.optimize(zdt1, {.max_trials = n, .time_limit = std::nullopt, .workers = 1});
    std::vector<assignment> out;
    for (const auto& t : study.trials()) out.push_back(t.params);
    return out;
  };
  CHECK(proposals(make_auto_sampler(), 30) == proposals(make_tpe_sampler(), 30));
  auto_options handover;
  handover.goals_tpe_max_trials = 12;
  nsga2_options small;
  small.population_size = 4;
  handover.nsga2 = small;
  const auto mixed = proposals(make_auto_sampler(handover), 20);
  const auto tpe = proposals(make_tpe_sampler(), 20);
  CHECK(std::equal(mixed.begin(), mixed.begin() + 12, tpe.begin()));
  CHECK_FALSE(std::equal(mixed.begin() + 12, mixed.end(), tpe.begin() + 12));
}

TEST_CASE("TPE with a constraint finds feasible trials and ranks them first") {
  // Minimise x0 subject to x0 + x1 >= 1 (as x0 + x1 - 1 >= 0: the constraint 1 - x0 - x1 <= 0).
  const study_options o{.metric = "f", .constraints = {{"c", 0.0}}, .seed = 4};
  study_core study(unit_cube(2), make_tpe_sampler(), o);
  (void)study.optimize(
      [](trial_context& t) -> outcome {
        const double x0 = std::get<double>(t.params().values[0]), x1 = std::get<double>(t.params().values[1]);
        return {{"f", x0}, {"c", 1 - x0 - x1}};
      },
      {.max_trials = 60, .time_limit = std::nullopt, .workers = 1});
  const auto best = study.best_trial();
  REQUIRE(best);
  CHECK(best->metrics.at("c") <= 0);
  CHECK(*best->value < 0.1);  // x1 near 1 lets x0 go near 0
  std::size_t feasible_late = 0;
  const auto trials = study.trials();
  for (std::size_t i = 30; i < trials.size(); ++i) feasible_late += trials[i].metrics.at("c") <= 0;
  CHECK(feasible_late >= 20);  // the model steers towards the feasible region
}

TEST_CASE("names and attributes that are not UTF-8 are refused, naming them with the bad byte escaped") {
  auto o = two_objectives(1);
  o.extra_objectives = {{"f\xff", direction::minimize}};
  CHECK_THROWS_WITH(study_core(unit_cube(2), make_random_sampler(), o),
                    Catch::Contains("the objective name 'f\\xff' is not UTF-8 text (byte 1)"));
  study_core study(unit_cube(2), make_random_sampler(), two_objectives(1));
  const auto t = study.ask_trial();
  CHECK_THROWS_WITH(study.set_metric(t->ticket().number, "lo\xc3ss", 1.0),
                    Catch::Contains("the metric name 'lo\\xc3ss' is not UTF-8 text (byte 2)"));
  CHECK_THROWS_WITH(study.set_attributes({{"note", "caf\xe9"}}),
                    Catch::Contains("the value of attribute 'note', 'caf\\xe9' is not UTF-8 text (byte 3)"));
  CHECK_THROWS_AS(study.set_attributes({{"n\x80te", "x"}}), std::invalid_argument);
  study.set_attributes({{"note", "caf\xc3\xa9 \xe2\x9c\x93"}});  // UTF-8: kept as it is
  CHECK(study.attributes().at("note") == "caf\xc3\xa9 \xe2\x9c\x93");
}
