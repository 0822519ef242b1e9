// Tests of the quality suite itself: the test functions have their published minima, the
// spaces are valid descriptions, and the runner scores noisy problems by their true value.
#include <catch2/catch.hpp>

#include "quality_suite.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/random_sampler.hpp"

using namespace typetune;

TEST_CASE("quality functions have their known minima", "[quality]") {
  CHECK(quality::branin(-M_PI, 12.275) == Approx(0.397887).epsilon(1e-5));
  CHECK(quality::branin(M_PI, 2.275) == Approx(0.397887).epsilon(1e-5));
  CHECK(quality::hartmann6({0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}) ==
        Approx(-3.32237).epsilon(1e-5));

  const auto p = quality::conditional_problem();
  assignment best;
  best.values.assign(p.space.size(), std::monostate{});
  best.values[0] = std::int64_t{0};  // adam
  best.values[1] = 1e-3;
  best.values[4] = std::int64_t{2};
  for (std::size_t item : {5u, 7u}) {
    best.values[item] = std::int64_t{128};
    best.values[item + 1] = std::int64_t{1};  // dropout 0.1
  }
  REQUIRE_NOTHROW(p.space.validate(best));
  CHECK(p.truth(best) == Approx(0.0).margin(1e-12));
  CHECK(p.space.grid_size() == std::nullopt);
}

TEST_CASE("the quality runner picks noisy trials by observation and scores them by truth", "[quality]") {
  const auto p = quality::noisy_hartmann6_problem();
  auto s = make_random_sampler();
  const auto trials = quality::run(*s, p, 1, 20);
  REQUIRE(trials.size() == 20);
  std::size_t best_observed = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    REQUIRE_NOTHROW(p.space.validate(trials[i].params));
    if (*trials[i].value < *trials[best_observed].value) best_observed = i;
  }
  CHECK(quality::best_after(p, trials, 20) == p.truth(trials[best_observed].params));
  // The noise is real and reproducible from (seed, trial number).
  CHECK(*trials[0].value != p.truth(trials[0].params));
  auto again = make_random_sampler();
  CHECK(quality::run(*again, p, 1, 20)[7].value == trials[7].value);
}

namespace {

// An assignment of `p` from "path=value" pairs; parameters not named stay inactive.
assignment assign(const quality::problem& p, std::initializer_list<std::pair<const char*, param_value>> values) {
  assignment a;
  a.values.assign(p.space.size(), std::monostate{});
  for (const auto& [path, v] : values) {
    const auto i = p.space.find(path);
    REQUIRE(i);
    a.values[*i] = v;
  }
  return a;
}

}  // namespace

TEST_CASE("the grown suite's functions have the minima they are scored against", "[quality]") {
  const auto problems = quality::all_problems();
  REQUIRE(problems.size() >= 8);

  const auto ints = quality::integers_problem();
  const auto ints_best = assign(ints, {{"x1", std::int64_t{10}}, {"x2", std::int64_t{10}}, {"batch", std::int64_t{64}},
                                       {"epochs", std::int64_t{120}}, {"layers", std::int64_t{4}}, {"k", std::int64_t{17}}});
  REQUIRE_NOTHROW(ints.space.validate(ints_best));
  CHECK(ints.truth(ints_best) == Approx(ints.minimum).margin(1e-12));
  std::size_t integer_params = 0;
  for (const auto& d : ints.space.params) integer_params += d.kind == param_kind::integer;
  CHECK(integer_params == ints.space.size());

  // The categorical function's minimum by brute force over all 69,120 configurations.
  const auto cats = quality::categorical_problem();
  REQUIRE(cats.space.grid_size() == 69120u);
  double lowest = INFINITY;
  std::array<int, 8> c{};
  const std::array<int, 8> n{2, 3, 3, 4, 4, 5, 6, 8};
  for (;;) {
    lowest = std::min(lowest, quality::categorical_cost(c));
    std::size_t i = 0;
    while (i < 8 && ++c[i] == n[i]) c[i++] = 0;
    if (i == 8) break;
  }
  CHECK(lowest == Approx(cats.minimum).margin(1e-12));

  const auto levy = quality::levy10_problem();
  CHECK(levy.space.size() >= 10);
  assignment ones;
  for (std::size_t i = 0; i < 10; ++i) ones.values.emplace_back(1.0);
  CHECK(levy.truth(ones) == Approx(0.0).margin(1e-12));

  const auto blocks = quality::blocks_problem();
  const auto blocks_best = assign(
      blocks, {{"lr", std::pow(10.0, -2.75)}, {"blocks", std::int64_t{3}}, {"blocks[0].width", std::int64_t{32}},
               {"blocks[0].kernel", std::int64_t{1}}, {"blocks[0].dropout", 0.0}, {"blocks[1].width", std::int64_t{64}},
               {"blocks[1].kernel", std::int64_t{1}}, {"blocks[1].dropout", 0.1}, {"blocks[2].width", std::int64_t{128}},
               {"blocks[2].kernel", std::int64_t{2}}, {"blocks[2].dropout", 0.2}, {"schedule", std::int64_t{1}},
               {"schedule.cosine.warmup", std::int64_t{5}}});
  REQUIRE_NOTHROW(blocks.space.validate(blocks_best));
  CHECK(blocks.truth(blocks_best) == Approx(blocks.minimum).margin(1e-12));
  bool has_count = false;
  for (const auto& d : blocks.space.params) has_count |= d.role == param_role::count;
  CHECK(has_count);

  // The learning curve ends on Hartmann-6 itself and starts above it.
  const auto curve = quality::curve_hartmann6_problem();
  assignment x;
  for (double v : {0.2, 0.15, 0.48, 0.28, 0.31, 0.66}) x.values.emplace_back(v);
  CHECK(curve.at_step(x, curve.steps) == Approx(curve.truth(x)));
  CHECK(curve.at_step(x, 1) > curve.truth(x) + 1.0);
}

TEST_CASE("simulated workers overlap their trials, and the pruner stops some", "[quality]") {
  const auto p = quality::hartmann6_problem();
  quality::run_options o;
  o.n_trials = 30;
  o.workers = 4;
  // A sampler that records how many trials were running when it was asked.
  struct counting final : sampler {
    std::unique_ptr<sampler> inner = make_random_sampler();
    std::vector<std::size_t> running;
    std::optional<assignment> sample(const study_view& v, std::uint64_t number) override {
      std::size_t r = 0;
      for (const auto& t : v.trials) r += t.state == trial_state::running;
      running.push_back(r);
      return inner->sample(v, number);
    }
    std::string_view name() const override { return "counting"; }
  } s;
  const auto trials = quality::run(s, p, 3, o);
  REQUIRE(trials.size() == 30);
  for (const auto& t : trials) CHECK(t.state == trial_state::complete);
  REQUIRE(s.running.size() == 30);
  CHECK(s.running[0] == 0);
  CHECK(s.running[3] == 3);
  CHECK(s.running[20] == 3);  // a worker asks as soon as its trial ends: three others still run

  const auto curve = quality::curve_hartmann6_problem();
  auto pruner = make_median_pruner();
  quality::run_options pruned;
  pruned.n_trials = 40;
  pruned.prune = pruner.get();
  auto r = make_random_sampler();
  const auto with_pruner = quality::run(*r, curve, 1, pruned);
  std::size_t n_pruned = 0;
  for (const auto& t : with_pruner) n_pruned += t.state == trial_state::pruned;
  CHECK(n_pruned > 5);
  CHECK(std::isfinite(quality::best_after(curve, with_pruner, 40)));
}
