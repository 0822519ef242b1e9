// The TPE sampler: Parzen estimators (parzen_estimator.hpp) of the good and the bad trials per
// parameter (or per group of parameters that are active together), proposing the draw with the
// largest ratio l/g. As Optuna's samplers/_tpe/sampler.py: this file holds the algorithm (which
// observations, how they are split and weighed, which candidate wins), the estimators the model.
#include "typetune/engine/tpe_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/detail/codec_cache.hpp"
#include "engine/detail/repeats.hpp"
#include "engine/model_space.hpp"
#include "engine/parzen_estimator.hpp"
#include "typetune/desc/pareto.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {
namespace detail {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Rank of an observation: complete trials by value, then pruned ones (deeper first, then by
// their last intermediate value; without any, after those), then diverged ones; ties by trial
// number so that every sort is deterministic. Running trials are not ranked: with the constant
// liar they join the bad side (see tpe_options::constant_liar).
struct score_key {
  // -inf for complete trials, -last step for pruned ones, 1 for pruned ones that reported
  // nothing (as Optuna ranks them), 2 for diverged ones.
  double stage = 0;
  double value = 0;  // the value, negated when maximising
  std::uint64_t number = 0;
  friend bool operator<(const score_key& a, const score_key& b) {
    if (a.stage != b.stage) return a.stage < b.stage;
    if (a.value != b.value) return a.value < b.value;
    return a.number < b.number;
  }
};

// Optuna's default_weights: recent observations weigh 1, older ones ramp down from 1/n.
double ramp_weight(std::size_t rank, std::size_t n, std::size_t n_flat) {
  if (n < n_flat || rank >= n - n_flat) return 1.0;
  const std::size_t ramp_len = n - n_flat;
  if (ramp_len == 1) return 1.0 / static_cast<double>(n);
  const double lo = 1.0 / static_cast<double>(n);
  return lo + (1.0 - lo) * static_cast<double>(rank) / static_cast<double>(ramp_len - 1);
}

// The observations taken from the history, kept sorted by score, by trial number and (per
// parameter) by value, so that one call walks them linearly instead of re-sorting them.
struct observation_cache {
  const space_desc* space = nullptr;
  std::size_t n_params = 0;
  direction dir = direction::minimize;
  std::vector<encoded_param> enc;

  std::vector<std::uint64_t> numbers;  // per observation
  std::vector<score_key> keys;
  std::vector<double> values;  // observation * n_params + param; NaN where inactive
  std::vector<std::uint32_t> by_score, by_number;
  std::vector<std::vector<std::uint32_t>> by_value;  // active observations of each parameter
  std::vector<bool> seen;                            // by trial number

  // Groups of parameters active in exactly the same observed trials (multivariate mode).
  std::vector<std::string> active_sets;  // one char per parameter: 1 active
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::ptrdiff_t> group_of;  // -1: never observed
  bool groups_dirty = true;

  double value(std::uint32_t obs, std::size_t p) const { return values[obs * n_params + p]; }
  bool active(std::uint32_t obs, std::size_t p) const { return !std::isnan(value(obs, p)); }
  std::size_t count(std::size_t p) const { return by_value[p].size(); }

  void reset(const space_desc& s, direction d) {
    *this = observation_cache{};
    space = &s;
    n_params = s.size();
    dir = d;
    enc = encode_space(s);
    by_value.resize(n_params);
    group_of.assign(n_params, -1);
  }

  // With several objectives or constraints: each complete trial's score (see goal_scores), by
  // trial number; a complete trial without one is not usable.
  const std::unordered_map<std::uint64_t, double>* goal_scores = nullptr;

  std::optional<score_key> usable(const trial_record& t, const tpe_options& o) const {
    const double sign = dir == direction::maximize ? -1.0 : 1.0;
    if (t.params.values.size() != n_params) return std::nullopt;
    if (t.state == trial_state::complete) {
      if (goal_scores) {
        const auto it = goal_scores->find(t.number);
        if (it == goal_scores->end()) return std::nullopt;
        return score_key{-inf, it->second, t.number};
      }
      if (!t.value || !std::isfinite(*t.value)) return std::nullopt;
      return score_key{-inf, sign * *t.value, t.number};
    }
    if (t.state == trial_state::pruned && o.consider_pruned_trials) {
      if (!t.intermediate.empty()) {
        const auto& [step, v] = *t.intermediate.rbegin();
        return score_key{-static_cast<double>(step), std::isnan(v) ? inf : sign * v, t.number};
      }
      return score_key{1, 0, t.number};
    }
    if (t.state == trial_state::diverged && o.consider_diverged_trials) return score_key{2, 0, t.number};
    return std::nullopt;
  }

  // The model coordinates of a trial, NaN where a parameter is inactive, into `out`.
  void internal_values(const trial_record& t, std::vector<double>& out) const {
    for (std::size_t p = 0; p < n_params; ++p)
      out.push_back(t.params.is_active(p) ? to_internal(space->params[p], enc[p], t.params.values[p]) : nan);
  }

  void add(const trial_record& t, score_key key) {
    const auto obs = static_cast<std::uint32_t>(numbers.size());
    numbers.push_back(t.number);
    keys.push_back(key);
    std::string set(n_params, '\0');
    internal_values(t, values);
    for (std::size_t p = 0; p < n_params; ++p) set[p] = t.params.is_active(p) ? '\1' : '\0';
    by_score.insert(std::upper_bound(by_score.begin(), by_score.end(), obs,
                                     [this](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; }),
                    obs);
    by_number.insert(std::upper_bound(by_number.begin(), by_number.end(), obs,
                                      [this](std::uint32_t a, std::uint32_t b) { return numbers[a] < numbers[b]; }),
                     obs);
    for (std::size_t p = 0; p < n_params; ++p) {
      if (!set[p]) continue;
      auto& list = by_value[p];
      list.insert(std::upper_bound(list.begin(), list.end(), obs,
                                   [this, p](std::uint32_t a, std::uint32_t b) {
                                     const double va = value(a, p), vb = value(b, p);
                                     return va != vb ? va < vb : numbers[a] < numbers[b];
                                   }),
                  obs);
    }
    if (std::find(active_sets.begin(), active_sets.end(), set) == active_sets.end()) {
      active_sets.push_back(std::move(set));
      groups_dirty = true;
    }
  }

  // Optuna's group decomposition, which amounts to: two parameters share a group when every
  // observed trial has both or neither.
  void update_groups() {
    if (!groups_dirty) return;
    groups_dirty = false;
    std::map<std::string, std::size_t> index;
    groups.clear();
    group_of.assign(n_params, -1);
    for (std::size_t p = 0; p < n_params; ++p) {
      std::string membership(active_sets.size(), '\0');
      bool any = false;
      for (std::size_t s = 0; s < active_sets.size(); ++s) any |= (membership[s] = active_sets[s][p]) != 0;
      if (!any || enc[p].kind == encoded_kind::fixed) continue;
      auto [it, fresh] = index.emplace(std::move(membership), groups.size());
      if (fresh) groups.emplace_back();
      groups[it->second].push_back(p);
      group_of[p] = static_cast<std::ptrdiff_t>(it->second);
    }
  }
};

// The running trials' model coordinates (count rows of n_params, NaN where inactive), taken
// afresh from each view: with the constant liar they join the above side as its most recent
// observations.
struct running_trials {
  std::vector<double> values;
  std::size_t count = 0, n_params = 0;

  double value(std::size_t r, std::size_t p) const { return values[r * n_params + p]; }
  std::size_t active(std::size_t p) const {
    std::size_t n = 0;
    for (std::size_t r = 0; r < count; ++r) n += !std::isnan(value(r, p));
    return n;
  }
};

// How many of a parameter's (or group's) observations fall below gamma (good) and above; the
// above side counts the running trials in which it is active.
struct split_counts {
  std::size_t n_below = 0, n_above = 0;
};

// What the last draw chose in each group (multivariate mode), and every candidate it scored
// there (candidate * d + member) with its score: the runners-up that may replace a repeat.
struct group_draws {
  std::vector<std::uint8_t> done;
  std::vector<double> chosen;  // per parameter: the coordinate its group's draw chose
  std::vector<std::vector<double>> candidates, scores;
};

// The buffers of one proposal, passed to each step. The sampler keeps one between calls only so
// that their memory is reused.
struct tpe_scratch {
  // The current split: each observation's side (1 below, 0 above) and its chronological rank
  // within that side, valid for the observations where the split parameter is active.
  std::vector<std::uint8_t> side;
  std::vector<std::uint32_t> rank;
  // Each side's observations as an estimator is fitted to them (one parameter: the finished by
  // value on each side, and the running ones, which join the above side).
  std::vector<weighted_value> sorted_below, sorted_above, later;
  std::vector<double> mass_below, mass_above;  // a categorical parameter: each side's weight per value
  std::vector<double> rows, weights;           // a group: coordinates (observation * d + member)
  parzen_estimator below, above;               // l and g of one parameter
  joint_parzen_estimator joint_below, joint_above;
  parzen_scratch parzen;
  std::vector<double> candidate, best_candidate;
  std::vector<double> value_scores;  // a finite parameter: each value's score, NaN until needed
  group_draws groups;
};

class tpe_sampler final : public sampler {
 public:
  explicit tpe_sampler(tpe_options o)
      : opt_(o),
        keep_(1.0 - o.exploration),
        parzen_{o.prior_weight, o.consider_magic_clip, o.consider_endpoints, o.kernel_log_sigma} {}

  // The history brought up to date (sync), then one draw, parameter by parameter (draw): each
  // parameter, or group in multivariate mode, has its observations split at gamma (split), l and
  // g fitted to the two sides (fit_independent, fit_group), candidates drawn from l and scored
  // (pick_independent, pick_group, score) and the best kept. A draw that repeats a tried
  // configuration is replaced (avoid_repeat). The lock covers the whole call: the cached
  // observations, the scratch and the tried set are shared by all callers, while the draws
  // depend only on the seed, the number and the history.
  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    std::lock_guard lock(mutex_);
    sync(view);
    random_stream rng(view.seed, number, stream_ids::tpe);
    if (opt_.multivariate) cache_.update_groups();
    assignment a = draw(rng, scratch_);
    if (!opt_.avoid_repeats || !tried_.contains(a)) return a;
    return avoid_repeat(std::move(a), view, rng, scratch_);
  }

  std::string_view name() const override { return opt_.multivariate ? "tpe-multivariate" : "tpe"; }
  bool supports_goals() const override { return true; }

 private:
  // ---- the history ----

  // Several objectives or constraints: complete trials are ranked by non-domination (feasible
  // fronts first, then infeasible trials by how far they are from feasible). Within the front
  // that the good side's cut falls in, its members are ordered by greedy hypervolume subset
  // selection, as Optuna's multi-objective TPE picks them: first the member that adds the most
  // hypervolume (reference: 1.1 times the front's worst point), then the one that adds most
  // beside it, and so on until the cut. That prefers members near the front's middle over its
  // extremes, which crowding distance would pick and which, with three objectives, are often far
  // from the true front. A trial's score is its front's rank plus its position in that order
  // (below 1); the scores change as trials arrive, so every cached key is scored again (rescore).
  void score_goals(const study_view& view) {
    const auto& goals = *view.goals;
    const std::size_t m = goals.size();
    points_.clear();
    violations_.clear();
    numbers_.clear();
    row_.resize(m);
    for (const auto& t : view.trials) {
      if (t.state != trial_state::complete || !goals.losses(t, row_)) continue;
      points_.insert(points_.end(), row_.begin(), row_.end());
      violations_.push_back(goals.violation(t).value_or(inf));
      numbers_.push_back(t.number);
    }
    goal_scores_.clear();
    if (numbers_.empty()) return;
    const auto ranks = nondominated_ranks(
        points_, m, goals.constrained() ? std::span<const double>(violations_) : std::span<const double>());
    const std::size_t fronts = *std::max_element(ranks.begin(), ranks.end()) + 1;
    std::vector<std::vector<std::size_t>> members(fronts);
    for (std::size_t i = 0; i < ranks.size(); ++i) members[ranks[i]].push_back(i);
    std::size_t before = 0;  // members of the better fronts
    const std::size_t cut = n_below_of(numbers_.size());
    for (std::size_t r = 0; r < fronts; ++r) {
      const auto& front = members[r];
      const bool straddles = before < cut && before + front.size() > cut;
      // Feasible fronts only: an infeasible front holds trials of one violation, ordered by it.
      const bool feasible = !goals.constrained() || violations_[front.front()] <= 0;
      const auto order = straddles && feasible ? greedy_hypervolume_order(front, m, cut - before) : front;
      for (std::size_t k = 0; k < order.size(); ++k)
        goal_scores_[numbers_[order[k]]] = static_cast<double>(r) +
                                           static_cast<double>(k) / static_cast<double>(order.size() + 1);
      before += front.size();
    }
  }

  // The members of one front (indices into points_), the first `picks` in the order greedy
  // hypervolume subset selection takes them, then the rest by index.
  std::vector<std::size_t> greedy_hypervolume_order(const std::vector<std::size_t>& front, std::size_t m,
                                                    std::size_t picks) {
    std::vector<double> reference(m, -inf);
    for (const auto i : front)
      for (std::size_t j = 0; j < m; ++j) reference[j] = std::max(reference[j], points_[i * m + j]);
    for (auto& r : reference) {
      r = std::max(1.1 * r, 0.9 * r);
      if (r == 0) r = 1e-12;
    }
    const auto point = [&](std::size_t i) { return std::span<const double>(points_).subspan(i * m, m); };
    std::vector<std::size_t> order;
    std::vector<std::size_t> left = front;
    std::vector<double> chosen, trial;
    double volume = 0;
    while (order.size() < picks && !left.empty()) {
      std::size_t best = 0;
      double best_gain = -inf;
      for (std::size_t c = 0; c < left.size(); ++c) {
        trial = chosen;
        const auto p = point(left[c]);
        trial.insert(trial.end(), p.begin(), p.end());
        const double gain = hypervolume(trial, m, reference) - volume;
        if (gain > best_gain) {
          best_gain = gain;
          best = c;
        }
      }
      const auto p = point(left[best]);
      chosen.insert(chosen.end(), p.begin(), p.end());
      volume += best_gain;
      order.push_back(left[best]);
      left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
    }
    order.insert(order.end(), left.begin(), left.end());
    return order;
  }

  void rescore() {
    for (std::size_t obs = 0; obs < cache_.keys.size(); ++obs) {
      auto& key = cache_.keys[obs];
      if (key.stage != -inf) continue;
      const auto it = goal_scores_.find(cache_.numbers[obs]);
      if (it != goal_scores_.end()) key.value = it->second;
    }
    std::sort(cache_.by_score.begin(), cache_.by_score.end(),
              [this](std::uint32_t a, std::uint32_t b) { return cache_.keys[a] < cache_.keys[b]; });
  }

  // Adds the view's new usable trials to the cache (or rebuilds it for another history) and
  // takes the running trials afresh.
  void sync(const study_view& view) {
    if (cache_.space != &view.space || cache_.n_params != view.space.size() || cache_.dir != view.dir)
      cache_.reset(view.space, view.dir);
    if (view.goals) score_goals(view);
    cache_.goal_scores = view.goals ? &goal_scores_ : nullptr;
    std::size_t usable = 0;
    for (const auto& t : view.trials)
      if (cache_.usable(t, opt_)) ++usable;
    if (usable < cache_.numbers.size()) {  // another history
      cache_.reset(view.space, view.dir);
      cache_.goal_scores = view.goals ? &goal_scores_ : nullptr;
    }
    running_.values.clear();
    running_.count = 0;
    running_.n_params = cache_.n_params;
    for (const auto& t : view.trials) {
      if (t.state == trial_state::running && opt_.constant_liar && t.params.values.size() == cache_.n_params) {
        cache_.internal_values(t, running_.values);
        ++running_.count;
        continue;
      }
      if (t.number < cache_.seen.size() && cache_.seen[t.number]) continue;
      const auto key = cache_.usable(t, opt_);
      if (!key) continue;
      if (t.number >= cache_.seen.size())
        cache_.seen.resize(std::max<std::size_t>(t.number + 1, 2 * cache_.seen.size()));
      cache_.seen[t.number] = true;
      cache_.add(t, *key);
    }
    if (view.goals) rescore();
    if (opt_.avoid_repeats) tried_.sync(view.trials, view.space.size());
  }

  // The observation count that startup and gamma apply to (see tpe_options::count_all_trials).
  std::size_t observed(std::size_t p) const { return opt_.count_all_trials ? cache_.numbers.size() : cache_.count(p); }
  bool modelled(std::size_t p) const {
    return cache_.count(p) > 0 && observed(p) >= std::max<std::size_t>(opt_.n_startup_trials, 1);
  }

  std::size_t n_below_of(std::size_t n) const {
    const auto g = static_cast<std::size_t>(std::ceil(opt_.gamma_fraction * static_cast<double>(n)));
    return std::min({g, opt_.gamma_max, n});
  }

  double weight(std::size_t rank, std::size_t n_side) const { return ramp_weight(rank, n_side, opt_.n_flat_weights); }

  // ---- one proposal ----

  // One proposal from the current model: parameters in order, parents first. With a `base`,
  // every parameter keeps the base's value except `redraw`, which is drawn from its own
  // (univariate) model with the base's value excluded, and those its new value switches on.
  assignment draw(random_stream& rng, tpe_scratch& s, const assignment* base = nullptr, std::size_t redraw = 0) {
    const auto& space = *cache_.space;
    const std::size_t n_params = space.size();
    assignment a;
    a.values.assign(n_params, std::monostate{});
    if (opt_.multivariate) {
      s.groups.done.assign(cache_.groups.size(), 0);
      s.groups.chosen.assign(n_params, nan);
    }
    for (std::size_t p = 0; p < n_params; ++p) {
      const auto& desc = space.params[p];
      if (desc.active_if && !space.condition_holds(p, a)) continue;
      const auto& e = cache_.enc[p];
      if (base && p != redraw && base->is_active(p)) {
        a.values[p] = base->values[p];
        continue;
      }
      std::optional<double> excluded;
      if (base && p == redraw) excluded = to_internal(desc, e, base->values[p]);
      a.values[p] = from_internal(desc, e, propose(p, excluded, rng, s));
    }
    return a;
  }

  // Parameter p's model coordinate: from its group's joint model, from its own, or at random
  // while it has too few observations. With `excluded` (a redraw), from its own model or at
  // random, avoiding that coordinate.
  double propose(std::size_t p, std::optional<double> excluded, random_stream& rng, tpe_scratch& s) {
    const auto& e = cache_.enc[p];
    if (excluded) return modelled(p) ? sample_independent(p, excluded, rng, s) : uniform_except(e, *excluded, rng);
    if (e.kind == encoded_kind::fixed) return 0;
    if (opt_.multivariate && cache_.group_of[p] >= 0 && modelled(p)) return group_value(p, rng, s);
    if (!modelled(p)) return uniform_internal(e, rng);
    return sample_independent(p, std::nullopt, rng, s);
  }

  // A uniform draw, drawn again (up to 16 times in all) while it is `excluded`.
  static double uniform_except(const encoded_param& e, double excluded, random_stream& rng) {
    double x = uniform_internal(e, rng);
    for (int attempt = 1; attempt < 16 && x == excluded; ++attempt) x = uniform_internal(e, rng);
    return x;
  }

  // Whether p is continuous over a large grid: its draws are rounded to the grid before they
  // are scored, so that l and g judge the value that would be proposed.
  bool on_large_grid(std::size_t p) const {
    return cache_.enc[p].kind == encoded_kind::continuous && cache_.space->params[p].cardinality() != 0;
  }
  double snap_to_grid(std::size_t p, double x) const {
    const auto& desc = cache_.space->params[p];
    return to_internal(desc, cache_.enc[p], from_internal(desc, cache_.enc[p], x));
  }

  // ---- TPE on one parameter ----

  // Its observations split at gamma, l fitted to the good ones and g to the bad ones, candidates
  // drawn from l, the best scored one proposed.
  double sample_independent(std::size_t p, std::optional<double> excluded, random_stream& rng, tpe_scratch& s) {
    const split_counts n = split(p, s);
    fit_independent(p, n, s);
    return pick_independent(p, excluded, rng, s);
  }

  // Marks the observations where `p` is active as below (1) or above (0), and gives each its
  // chronological rank within its side.
  split_counts split(std::size_t p, tpe_scratch& s) const {
    s.side.resize(cache_.numbers.size());
    s.rank.resize(cache_.numbers.size());
    split_counts n;
    const std::size_t n_below = n_below_of(observed(p));
    for (auto obs : cache_.by_value[p]) s.side[obs] = 0;
    std::size_t taken = 0;
    for (auto obs : cache_.by_score) {
      if (taken == n_below) break;
      const bool active = cache_.active(obs, p);
      if (active) {
        s.side[obs] = 1;
        ++n.n_below;
      }
      if (active || opt_.count_all_trials) ++taken;
    }
    std::uint32_t below_seen = 0, above_seen = 0;
    for (auto obs : cache_.by_number) {
      if (!cache_.active(obs, p)) continue;
      s.rank[obs] = s.side[obs] ? below_seen++ : above_seen++;
    }
    n.n_above = cache_.count(p) - n.n_below + running_.active(p);
    return n;
  }

  // The observations of p on both sides with their weights, in one pass: the finished ones in
  // value order into s.sorted_below and s.sorted_above and the running trials (the above side's
  // most recent observations) into s.later.
  void gather_values(std::size_t p, const split_counts& n, tpe_scratch& s) const {
    s.sorted_below.clear();
    s.sorted_above.clear();
    s.later.clear();
    for (auto obs : cache_.by_value[p]) {
      if (s.side[obs] != 0) {
        s.sorted_below.push_back({cache_.value(obs, p), weight(s.rank[obs], n.n_below)});
      } else {
        s.sorted_above.push_back({cache_.value(obs, p), weight(s.rank[obs], n.n_above)});
      }
    }
    std::size_t rank = n.n_above - running_.active(p);
    for (std::size_t r = 0; r < running_.count; ++r) {
      const double v = running_.value(r, p);
      if (!std::isnan(v)) s.later.push_back({v, weight(rank++, n.n_above)});
    }
  }

  void fit_independent(std::size_t p, const split_counts& n, tpe_scratch& s) const {
    const auto& e = cache_.enc[p];
    if (e.kind == encoded_kind::categorical) {
      fit_categorical(p, n, s);
      return;
    }
    gather_values(p, n, s);
    s.below.fit(e, s.sorted_below, {}, parzen_, s.parzen);
    s.above.fit(e, s.sorted_above, s.later, parzen_, s.parzen);
  }

  // A categorical parameter: each side's weight per value summed in the same pass, in the order
  // gather_values would list them (the estimator is the same as from the gathered values).
  void fit_categorical(std::size_t p, const split_counts& n, tpe_scratch& s) const {
    const std::size_t choices = cache_.enc[p].count;
    s.mass_below.assign(choices, 0.0);
    s.mass_above.assign(choices, 0.0);
    double total_below = 0, total_above = 0;
    std::size_t count_below = 0, count_above = 0;
    for (auto obs : cache_.by_value[p]) {
      const auto v = static_cast<std::size_t>(cache_.value(obs, p));
      if (s.side[obs] != 0) {
        const double w = weight(s.rank[obs], n.n_below);
        s.mass_below[v] += w;
        total_below += w;
        ++count_below;
      } else {
        const double w = weight(s.rank[obs], n.n_above);
        s.mass_above[v] += w;
        total_above += w;
        ++count_above;
      }
    }
    std::size_t rank = n.n_above - running_.active(p);
    for (std::size_t r = 0; r < running_.count; ++r) {
      const double v = running_.value(r, p);
      if (std::isnan(v)) continue;
      const double w = weight(rank++, n.n_above);
      s.mass_above[static_cast<std::size_t>(v)] += w;
      total_above += w;
      ++count_above;
    }
    s.below.fit_categorical(s.mass_below, total_below, count_below, parzen_);
    s.above.fit_categorical(s.mass_above, total_above, count_above, parzen_);
  }

  // A candidate's score: log l(x) - log g(x) - exploration * log l(x).
  double score(double x, tpe_scratch& s) const {
    return keep_ * s.below.log_pdf(x, s.parzen) - s.above.log_pdf(x, s.parzen);
  }

  // The best scored of n_ei_candidates draws from l, skipping `excluded`. If every draw was
  // excluded: a uniform draw for a continuous parameter; the best scored other value for a
  // finite one.
  // A finite parameter's candidates repeat its few values: each value is scored once.
  double pick_independent(std::size_t p, std::optional<double> excluded, random_stream& rng, tpe_scratch& s) const {
    const auto& e = cache_.enc[p];
    const bool snap = on_large_grid(p);
    const bool finite = e.kind != encoded_kind::continuous;
    if (finite) s.value_scores.assign(e.count, nan);
    const auto score_of = [&](double x) {
      if (!finite) return score(x, s);
      double& known = s.value_scores[static_cast<std::size_t>(x)];
      if (std::isnan(known)) known = score(x, s);
      return known;
    };
    double best = 0, best_score = -inf;
    for (std::size_t c = 0; c < opt_.n_ei_candidates; ++c) {
      double x = s.below.sample(rng);
      if (snap) x = snap_to_grid(p, x);
      if (excluded && x == *excluded) continue;
      const double candidate_score = score_of(x);
      if (candidate_score > best_score) {
        best_score = candidate_score;
        best = x;
      }
    }
    if (best_score > -inf) return best;
    if (e.kind == encoded_kind::continuous) return uniform_internal(e, rng);
    if (!excluded) return best;
    for (std::size_t k = 0; k < e.count; ++k) {
      const auto x = static_cast<double>(k);
      if (x == *excluded) continue;
      const double value_score = score_of(x);
      if (value_score > best_score) {
        best_score = value_score;
        best = x;
      }
    }
    return best;
  }

  // ---- TPE on a group (multivariate mode) ----

  // p's coordinate in its group's draw, made when the first of its members is proposed.
  double group_value(std::size_t p, random_stream& rng, tpe_scratch& s) {
    const auto g = static_cast<std::size_t>(cache_.group_of[p]);
    if (!s.groups.done[g]) {
      sample_group(g, rng, s);
      s.groups.done[g] = 1;
    }
    return s.groups.chosen[p];
  }

  // As sample_independent, with joint estimators over the group's members, split by its first
  // member; the chosen coordinates go to s.groups.
  void sample_group(std::size_t g, random_stream& rng, tpe_scratch& s) {
    const auto& members = cache_.groups[g];
    const split_counts n = split(members.front(), s);
    fit_group(members, n, s);
    pick_group(g, rng, s);
  }

  // One side's observations of a group, those where its first member is active, in trial order,
  // the running trials last on the above side: coordinates into s.rows, weights into s.weights.
  // A group's members are active together in every finished trial (that is how groups form), but
  // a running trial may have taken a branch none of them took: it joins only where all its
  // members are active.
  void gather_rows(std::span<const std::size_t> members, std::uint8_t which, std::size_t n_side, tpe_scratch& s) const {
    const std::size_t anchor = members.front();
    s.rows.clear();
    s.weights.clear();
    for (auto obs : cache_.by_number) {
      if (!cache_.active(obs, anchor) || s.side[obs] != which) continue;
      s.weights.push_back(weight(s.rank[obs], n_side));
      for (auto p : members) s.rows.push_back(cache_.value(obs, p));
    }
    if (which == 0) {
      std::size_t rank = n_side - running_.active(anchor);
      for (std::size_t r = 0; r < running_.count; ++r) {
        if (std::isnan(running_.value(r, anchor))) continue;
        const bool complete_row = std::none_of(members.begin(), members.end(),
                                               [&](std::size_t p) { return std::isnan(running_.value(r, p)); });
        if (!complete_row) {
          ++rank;
          continue;
        }
        s.weights.push_back(weight(rank++, n_side));
        for (auto p : members) s.rows.push_back(running_.value(r, p));
      }
    }
  }

  void fit_group(std::span<const std::size_t> members, const split_counts& n, tpe_scratch& s) const {
    gather_rows(members, 1, n.n_below, s);
    s.joint_below.fit(cache_.enc, members, s.rows, s.weights, parzen_, s.parzen);
    gather_rows(members, 0, n.n_above, s);
    s.joint_above.fit(cache_.enc, members, s.rows, s.weights, parzen_, s.parzen);
  }

  // The best scored of n_ei_candidates joint draws from l; every candidate and its score is
  // kept for runner_up.
  void pick_group(std::size_t g, random_stream& rng, tpe_scratch& s) const {
    const auto& members = cache_.groups[g];
    const std::size_t d = members.size();
    auto& draws = s.groups;
    s.candidate.resize(d);
    s.best_candidate.assign(d, 0.0);
    if (draws.candidates.size() < cache_.groups.size()) {
      draws.candidates.resize(cache_.groups.size());
      draws.scores.resize(cache_.groups.size());
    }
    auto& values = draws.candidates[g];
    auto& scores = draws.scores[g];
    values.clear();
    scores.clear();
    double best_score = -inf;
    for (std::size_t c = 0; c < opt_.n_ei_candidates; ++c) {
      s.joint_below.sample(rng, s.candidate);
      for (std::size_t j = 0; j < d; ++j)
        if (on_large_grid(members[j])) s.candidate[j] = snap_to_grid(members[j], s.candidate[j]);
      const double candidate_score = keep_ * s.joint_below.log_pdf(s.candidate, s.parzen) -
                                     s.joint_above.log_pdf(s.candidate, s.parzen);
      values.insert(values.end(), s.candidate.begin(), s.candidate.end());
      scores.push_back(candidate_score);
      if (candidate_score > best_score) {
        best_score = candidate_score;
        s.best_candidate = s.candidate;
      }
    }
    for (std::size_t j = 0; j < d; ++j) draws.chosen[members[j]] = s.best_candidate[j];
  }

  // ---- avoiding repeats ----

  // `a` repeats a configuration of the study. In multivariate mode first the draw's own
  // runners-up: each group's other candidates, best score first, in place of its winner. They
  // score close and cost no more model evaluations (docs/quality.md compares them with fresh
  // joint draws). Then the nearest proposals that score close (nearest_untried), then an untried
  // configuration at random; if none is left, the repeat stands.
  assignment avoid_repeat(assignment a, const study_view& view, random_stream& rng, tpe_scratch& s) {
    if (opt_.multivariate)
      if (auto again = runner_up(a, s)) return std::move(*again);
    if (auto near = nearest_untried(a, rng, s)) return std::move(*near);
    const auto tried = [this](const assignment& c) { return tried_.contains(c); };
    if (auto untried = random_untried(view.space, codecs_.get(view.space), tried, tried_.size(), rng))
      return std::move(*untried);
    return a;  // everything was tried
  }

  // The untried assignment closest in score to `a` among those that swap one group's winning
  // candidate for another of its candidates (see pick_group), or nullopt.
  std::optional<assignment> runner_up(const assignment& a, const tpe_scratch& s) const {
    const auto& space = *cache_.space;
    const auto& draws = s.groups;
    std::vector<std::tuple<double, std::size_t, std::size_t>> order;  // (score lost, group, candidate)
    for (std::size_t g = 0; g < cache_.groups.size(); ++g) {
      if (!draws.done[g]) continue;
      const auto& scores = draws.scores[g];
      const double best = *std::max_element(scores.begin(), scores.end());
      for (std::size_t c = 0; c < scores.size(); ++c)
        if (scores[c] < best) order.emplace_back(best - scores[c], g, c);
    }
    std::sort(order.begin(), order.end());
    for (const auto& [lost, g, c] : order) {
      const auto& members = cache_.groups[g];
      const std::size_t d = members.size();
      assignment again = a;
      for (std::size_t j = 0; j < d; ++j) {
        const std::size_t p = members[j];
        again.values[p] = from_internal(space.params[p], cache_.enc[p], draws.candidates[g][c * d + j]);
      }
      // A group holding a branch or a count may switch other parameters on or off: such a swap
      // is not a whole assignment, so it is skipped.
      bool consistent = true;
      for (std::size_t p = 0; p < space.size() && consistent; ++p)
        consistent = (!space.params[p].active_if || space.condition_holds(p, again)) == again.is_active(p);
      if (consistent && !tried_.contains(again)) return again;
    }
    return std::nullopt;
  }

  // The same assignment with one parameter drawn again from its model, its current value
  // excluded (see draw): up to n_redraws parameters, in a random order; those a changed branch
  // or count switches on are drawn from the model too.
  std::optional<assignment> nearest_untried(const assignment& a, random_stream& rng, tpe_scratch& s) {
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < a.values.size(); ++p)
      if (a.is_active(p) && cache_.enc[p].kind != encoded_kind::fixed) order.push_back(p);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (std::size_t attempt = 0; attempt < std::min(opt_.n_redraws, order.size()); ++attempt) {
      assignment near = draw(rng, s, &a, order[attempt]);
      if (!tried_.contains(near)) return near;
    }
    return std::nullopt;
  }

  tpe_options opt_;
  double keep_ = 1;  // the weight of log l(x) in a candidate's score: 1 - exploration
  parzen_options parzen_;
  std::mutex mutex_;
  observation_cache cache_;
  std::unordered_map<std::uint64_t, double> goal_scores_;  // see score_goals
  std::vector<double> points_, violations_, row_;
  std::vector<std::uint64_t> numbers_;
  running_trials running_;
  tpe_scratch scratch_;
  detail::tried_configurations tried_;
  detail::codec_cache codecs_;
};

}  // namespace
}  // namespace detail

std::unique_ptr<sampler> make_tpe_sampler(tpe_options options) {
  if (options.n_ei_candidates == 0) {
    throw std::invalid_argument(
        "typetune: tpe_options::n_ei_candidates must be at least 1 (candidates drawn per proposal)");
  }
  return std::make_unique<detail::tpe_sampler>(options);
}

}  // namespace typetune
