// The TPE sampler: Parzen estimators of the good and the bad trials per parameter (or per group
// of parameters that are active together), proposing the draw with the largest ratio l/g.
#include "typetune/engine/tpe_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "engine/detail/codec_cache.hpp"
#include "engine/detail/repeats.hpp"
#include "engine/model_space.hpp"
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

  std::optional<score_key> usable(const trial_record& t, const tpe_options& o) const {
    const double sign = dir == direction::maximize ? -1.0 : 1.0;
    if (t.params.values.size() != n_params) return std::nullopt;
    if (t.state == trial_state::complete) {
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

// The split of one parameter's (or group's) observations into below (good) and above, with
// each observation's weight within its side. n_above counts the running trials in which the
// parameter is active: they come last on the above side, as the most recent.
struct split_view {
  std::size_t n_below = 0, n_above = 0;
  std::size_t n_above_finished = 0;
};

// One side's mixture over a single parameter: components in value order, prior last.
struct mixture_1d {
  std::vector<double> mu, sigma, weight;  // weight normalised
};

class tpe_sampler final : public sampler {
 public:
  explicit tpe_sampler(tpe_options o) : opt_(o), keep_(1.0 - o.exploration) {}

  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    std::lock_guard lock(mutex_);
    sync(view);
    random_stream rng(view.seed, number, stream_ids::tpe);
    if (opt_.multivariate) cache_.update_groups();
    assignment a = draw(rng);
    if (!opt_.avoid_repeats || !tried_.contains(a)) return a;
    // A repeat. In multivariate mode first the draw's own runners-up: each group's other
    // candidates, best score first, in place of its winner. They score close and cost no more
    // model evaluations (docs/quality.md compares them with fresh joint draws). Then the
    // nearest proposals that score close: the same assignment with one parameter drawn again
    // from its model, its current value excluded (parameters in a random order; those a changed
    // branch or count switches on are drawn from the model too).
    if (opt_.multivariate)
      if (auto again = runner_up(a)) return again;
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < a.values.size(); ++p)
      if (a.is_active(p) && cache_.enc[p].kind != encoded_kind::fixed) order.push_back(p);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (std::size_t attempt = 0; attempt < std::min(opt_.n_redraws, order.size()); ++attempt) {
      assignment near = draw(rng, &a, order[attempt]);
      if (!tried_.contains(near)) return near;
    }
    // Then an untried configuration at random.
    auto untried = random_untried(view.space, codecs_.get(view.space),
                                  [this](const assignment& c) { return tried_.contains(c); }, tried_.size(), rng);
    if (untried) return untried;
    return a;  // everything was tried
  }

  std::string_view name() const override { return opt_.multivariate ? "tpe-multivariate" : "tpe"; }

 private:
  // The untried assignment closest in score to `a` among those that swap one group's winning
  // candidate for another of its candidates (see sample_group), or nullopt.
  std::optional<assignment> runner_up(const assignment& a) {
    const auto& space = *cache_.space;
    std::vector<std::tuple<double, std::size_t, std::size_t>> order;  // (score lost, group, candidate)
    for (std::size_t g = 0; g < cache_.groups.size(); ++g) {
      if (!group_done_[g]) continue;
      const auto& scores = candidate_scores_[g];
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
        again.values[p] = from_internal(space.params[p], cache_.enc[p], candidate_values_[g][c * d + j]);
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

  // One proposal from the current model: parameters in order, parents first. With a `base`,
  // every parameter keeps the base's value except `redraw`, which is drawn from its own
  // (univariate) model with the base's value excluded, and those its new value switches on.
  assignment draw(random_stream& rng, const assignment* base = nullptr, std::size_t redraw = 0) {
    const auto& space = *cache_.space;
    const std::size_t n_params = space.size();
    assignment a;
    a.values.assign(n_params, std::monostate{});
    if (opt_.multivariate) {
      group_done_.assign(cache_.groups.size(), 0);
      group_values_.assign(n_params, nan);
    }
    for (std::size_t p = 0; p < n_params; ++p) {
      const auto& desc = space.params[p];
      if (desc.active_if && !space.condition_holds(p, a)) continue;
      const auto& e = cache_.enc[p];
      if (base && p != redraw && base->is_active(p)) {
        a.values[p] = base->values[p];
        continue;
      }
      double x = 0;
      if (base && p == redraw) {
        excluded_ = to_internal(desc, e, base->values[p]);
        if (modelled(p)) {
          x = sample_independent(p, rng);
        } else {
          for (int attempt = 0; attempt < 16 && (attempt == 0 || x == excluded_); ++attempt) x = uniform_internal(e, rng);
        }
        excluded_ = nan;
      } else if (e.kind == encoded_kind::fixed) {
        x = 0;
      } else if (opt_.multivariate && cache_.group_of[p] >= 0 && modelled(p)) {
        const auto g = static_cast<std::size_t>(cache_.group_of[p]);
        if (!group_done_[g]) {
          sample_group(g, rng);
          group_done_[g] = 1;
        }
        x = group_values_[p];
      } else if (!modelled(p)) {
        x = uniform_internal(e, rng);
      } else {
        x = sample_independent(p, rng);
      }
      a.values[p] = from_internal(desc, e, x);
    }
    return a;
  }

  void sync(const study_view& view) {
    if (cache_.space != &view.space || cache_.n_params != view.space.size() || cache_.dir != view.dir)
      cache_.reset(view.space, view.dir);
    std::size_t usable = 0;
    for (const auto& t : view.trials)
      if (cache_.usable(t, opt_)) ++usable;
    if (usable < cache_.numbers.size()) cache_.reset(view.space, view.dir);  // another history
    running_.clear();
    n_running_ = 0;
    for (const auto& t : view.trials) {
      if (t.state == trial_state::running && opt_.constant_liar && t.params.values.size() == cache_.n_params) {
        cache_.internal_values(t, running_);
        ++n_running_;
        continue;
      }
      if (t.number < cache_.seen.size() && cache_.seen[t.number]) continue;
      const auto key = cache_.usable(t, opt_);
      if (!key) continue;
      if (t.number >= cache_.seen.size()) cache_.seen.resize(std::max<std::size_t>(t.number + 1, 2 * cache_.seen.size()));
      cache_.seen[t.number] = true;
      cache_.add(t, *key);
    }
    side_.resize(cache_.numbers.size());
    rank_.resize(cache_.numbers.size());
    if (opt_.avoid_repeats) tried_.sync(view.trials, view.space.size());
  }

  double running_value(std::size_t r, std::size_t p) const { return running_[r * cache_.n_params + p]; }
  std::size_t running_active(std::size_t p) const {
    std::size_t n = 0;
    for (std::size_t r = 0; r < n_running_; ++r) n += !std::isnan(running_value(r, p));
    return n;
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

  // Marks the observations where `p` is active as below (1) or above (0), and gives each its
  // chronological rank within its side.
  split_view split(std::size_t p) {
    split_view s;
    const std::size_t n = cache_.count(p);
    const std::size_t n_below = n_below_of(observed(p));
    for (auto obs : cache_.by_value[p]) side_[obs] = 0;
    std::size_t taken = 0;
    for (auto obs : cache_.by_score) {
      if (taken == n_below) break;
      const bool active = cache_.active(obs, p);
      if (active) {
        side_[obs] = 1;
        ++s.n_below;
      }
      if (active || opt_.count_all_trials) ++taken;
    }
    std::uint32_t below_seen = 0, above_seen = 0;
    for (auto obs : cache_.by_number) {
      if (!cache_.active(obs, p)) continue;
      rank_[obs] = side_[obs] ? below_seen++ : above_seen++;
    }
    s.n_above_finished = n - s.n_below;
    s.n_above = s.n_above_finished + running_active(p);
    return s;
  }

  // Optuna's univariate bandwidths: the larger gap to a neighbour (the prior's mean and the
  // range's ends included), clipped to [range / min(100, n + 1), range].
  void build_mixture(std::size_t p, std::uint8_t which, std::size_t n_side, const encoded_param& e,
                     mixture_1d& m) {
    m.mu.clear();
    m.sigma.clear();
    m.weight.clear();
    const bool grid = e.kind == encoded_kind::grid;
    const double prior_mu = 0.5 * (e.lo + e.hi), range = e.hi - e.lo;
    bool prior_placed = false;
    std::size_t prior_at = 0;
    double total = opt_.prior_weight;
    for (auto obs : cache_.by_value[p]) {
      if (side_[obs] != which) continue;
      double v = cache_.value(obs, p);
      if (grid) v = e.centers[static_cast<std::size_t>(v)];
      if (!prior_placed && prior_mu < v) {
        prior_at = m.mu.size();
        m.mu.push_back(prior_mu);
        m.weight.push_back(opt_.prior_weight);
        prior_placed = true;
      }
      m.mu.push_back(v);
      const double w = ramp_weight(rank_[obs], n_side, opt_.n_flat_weights);
      m.weight.push_back(w);
      total += w;
    }
    if (!prior_placed) {
      prior_at = m.mu.size();
      m.mu.push_back(prior_mu);
      m.weight.push_back(opt_.prior_weight);
    }
    if (which == 0) {  // running trials, the most recent of the above side
      std::size_t rank = n_side - running_active(p);
      for (std::size_t r = 0; r < n_running_; ++r) {
        double v = running_value(r, p);
        if (std::isnan(v)) continue;
        if (grid) v = e.centers[static_cast<std::size_t>(v)];
        const auto at = static_cast<std::size_t>(std::upper_bound(m.mu.begin(), m.mu.end(), v) - m.mu.begin());
        const double w = ramp_weight(rank++, n_side, opt_.n_flat_weights);
        m.mu.insert(m.mu.begin() + static_cast<std::ptrdiff_t>(at), v);
        m.weight.insert(m.weight.begin() + static_cast<std::ptrdiff_t>(at), w);
        if (at <= prior_at) ++prior_at;
        total += w;
      }
    }
    const std::size_t k = m.mu.size();
    m.sigma.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
      const double left = m.mu[i] - (i == 0 ? e.lo : m.mu[i - 1]);
      const double right = (i + 1 == k ? e.hi : m.mu[i + 1]) - m.mu[i];
      m.sigma[i] = std::max(left, right);
    }
    if (!opt_.consider_endpoints && k >= 2) {
      m.sigma[0] = m.mu[1] - m.mu[0];
      m.sigma[k - 1] = m.mu[k - 1] - m.mu[k - 2];
    }
    const double min_sigma = opt_.consider_magic_clip
                                 ? range / std::min(100.0, 1.0 + static_cast<double>(k))
                                 : std::numeric_limits<double>::epsilon();
    for (auto& s : m.sigma) s = std::clamp(s, min_sigma, range);
    m.sigma[prior_at] = range;
    for (auto& w : m.weight) w /= total;
  }

  double sample_independent(std::size_t p, random_stream& rng) {
    const auto& e = cache_.enc[p];
    const auto s = split(p);
    if (e.kind == encoded_kind::categorical) return sample_categorical(p, s, e.count, rng);
    build_mixture(p, 1, s.n_below, e, below_);
    build_mixture(p, 0, s.n_above, e, above_);
    if (e.kind == encoded_kind::grid) return sample_grid(e, rng);
    return sample_continuous(p, e, rng);
  }

  // Categoricals: each observation is a categorical distribution peaked at its value and
  // smoothed by prior_weight / (n + 1); the prior is uniform.
  double sample_categorical(std::size_t p, const split_view& s, std::size_t n_choices, random_stream& rng) {
    auto side_pmf = [&](std::uint8_t which, std::size_t n_side, std::vector<double>& pmf) {
      pmf.assign(n_choices, 0.0);
      double total_w = 0;
      for (auto obs : cache_.by_value[p]) {
        if (side_[obs] != which) continue;
        const double w = ramp_weight(rank_[obs], n_side, opt_.n_flat_weights);
        pmf[static_cast<std::size_t>(cache_.value(obs, p))] += w;
        total_w += w;
      }
      if (which == 0) {
        std::size_t rank = n_side - running_active(p);
        for (std::size_t r = 0; r < n_running_; ++r) {
          const double v = running_value(r, p);
          if (std::isnan(v)) continue;
          const double w = ramp_weight(rank++, n_side, opt_.n_flat_weights);
          pmf[static_cast<std::size_t>(v)] += w;
          total_w += w;
        }
      }
      const double c = opt_.prior_weight / static_cast<double>(n_side + 1);
      const double denom = 1.0 + static_cast<double>(n_choices) * c;
      const double norm = total_w + opt_.prior_weight;
      for (auto& v : pmf)
        v = ((v + c * total_w) / denom + opt_.prior_weight / static_cast<double>(n_choices)) / norm;
    };
    side_pmf(1, s.n_below, pmf_below_);
    side_pmf(0, s.n_above, pmf_above_);
    return pick_from_pmf(rng);
  }

  // Grid parameters: the exact mass of each value's cell under both mixtures; candidates are
  // drawn from l's pmf, which is what drawing a kernel and rounding would give.
  double sample_grid(const encoded_param& e, random_stream& rng) {
    auto side_pmf = [&](mixture_1d& m, std::vector<double>& pmf) {
      pmf.assign(e.count, 0.0);
      cdf_.resize(e.count + 1);
      // Observations of one value mostly share their bandwidth: merge equal kernels.
      std::size_t i = 0;
      while (i < m.mu.size()) {
        double w = m.weight[i];
        std::size_t j = i + 1;
        while (j < m.mu.size() && m.mu[j] == m.mu[i] && m.sigma[j] == m.sigma[i]) w += m.weight[j++];
        const double mu = m.mu[i], sigma = m.sigma[i];
        for (std::size_t c = 0; c <= e.count; ++c) cdf_[c] = normal_cdf((e.edges[c] - mu) / sigma);
        const double z = cdf_[e.count] - cdf_[0];
        if (z > 0)
          for (std::size_t c = 0; c < e.count; ++c) pmf[c] += w * (cdf_[c + 1] - cdf_[c]) / z;
        i = j;
      }
    };
    side_pmf(below_, pmf_below_);
    side_pmf(above_, pmf_above_);
    return pick_from_pmf(rng);
  }

  double pick_from_pmf(random_stream& rng) {
    const std::size_t n = pmf_below_.size();
    double total = 0;
    for (double v : pmf_below_) total += v;
    double best = 0, best_score = -inf;
    auto score_of = [&](std::size_t k) { return keep_ * std::log(pmf_below_[k]) - std::log(pmf_above_[k]); };
    for (std::size_t c = 0; c < opt_.n_ei_candidates; ++c) {
      double u = rng.uniform01() * total;
      std::size_t k = 0;
      while (k + 1 < n && u >= pmf_below_[k]) u -= pmf_below_[k++];
      if (static_cast<double>(k) == excluded_) continue;
      const double score = score_of(k);
      if (score > best_score) {
        best_score = score;
        best = static_cast<double>(k);
      }
    }
    if (best_score == -inf && !std::isnan(excluded_))  // every draw was the excluded value
      for (std::size_t k = 0; k < n; ++k)
        if (static_cast<double>(k) != excluded_ && score_of(k) > best_score) {
          best_score = score_of(k);
          best = static_cast<double>(k);
        }
    return best;
  }

  // Continuous parameters: truncated normal kernels in the transformed space.
  double sample_continuous(std::size_t p, const encoded_param& e, random_stream& rng) {
    const bool snap = cache_.space->params[p].cardinality() != 0;  // a large grid
    auto prepare = [&](const mixture_1d& m, std::vector<double>& log_coef) {
      log_coef.resize(m.mu.size());
      for (std::size_t k = 0; k < m.mu.size(); ++k) {
        const double a = (e.lo - m.mu[k]) / m.sigma[k], b = (e.hi - m.mu[k]) / m.sigma[k];
        const double log_z = (a < -8.5 && b > 8.5) ? 0.0 : log_normal_mass(a, b);
        log_coef[k] = std::log(m.weight[k]) - (opt_.kernel_log_sigma ? std::log(m.sigma[k]) : 0.0) - log_sqrt_2pi - log_z;
      }
    };
    prepare(below_, coef_below_);
    prepare(above_, coef_above_);
    auto inverse = [](const mixture_1d& m, std::vector<double>& inv) {
      inv.resize(m.sigma.size());
      for (std::size_t k = 0; k < m.sigma.size(); ++k) inv[k] = 1.0 / m.sigma[k];
    };
    inverse(below_, inv_below_);
    inverse(above_, inv_above_);
    auto log_density = [&](const mixture_1d& m, const std::vector<double>& coef, const std::vector<double>& inv,
                           double x) {
      terms_.resize(m.mu.size());
      for (std::size_t k = 0; k < m.mu.size(); ++k) {
        const double z = (x - m.mu[k]) * inv[k];
        terms_[k] = coef[k] - 0.5 * z * z;
      }
      return log_sum_exp(terms_.data(), terms_.size());
    };
    double best = 0, best_score = -inf;
    for (std::size_t c = 0; c < opt_.n_ei_candidates; ++c) {
      double u = rng.uniform01();
      std::size_t k = 0;
      while (k + 1 < below_.weight.size() && u >= below_.weight[k]) u -= below_.weight[k++];
      double x = truncated_normal(below_.mu[k], below_.sigma[k], e.lo, e.hi, rng);
      if (snap) x = to_internal(cache_.space->params[p], e, from_internal(cache_.space->params[p], e, x));
      if (x == excluded_) continue;
      const double score =
          keep_ * log_density(below_, coef_below_, inv_below_, x) - log_density(above_, coef_above_, inv_above_, x);
      if (score > best_score) {
        best_score = score;
        best = x;
      }
    }
    if (best_score == -inf) best = uniform_internal(e, rng);  // every draw was the excluded value
    return best;
  }

  // ---- multivariate: one joint product-kernel estimator per group ----

  struct joint_dim {
    std::size_t param = 0;
    encoded_kind kind = encoded_kind::continuous;
    std::size_t count = 0;
    double lo = 0, hi = 1, sigma = 1;
    std::vector<double> log_norm;  // continuous: per component
    std::vector<double> table;     // grid: (count + 1) rows (last: prior) x count, log mass
    double log_match = 0, log_other = 0, smoothing = 0;  // categorical
  };
  struct joint_mixture {
    std::size_t n_obs = 0;        // components = n_obs + 1 (prior last)
    std::vector<double> weight;   // normalised
    std::vector<double> log_weight;
    std::vector<double> coords;   // component * d + dim (prior row: NaN)
    std::vector<joint_dim> dims;
  };

  void build_joint(const std::vector<std::size_t>& members, std::uint8_t which, std::size_t n_side,
                   joint_mixture& m) {
    const std::size_t d = members.size();
    const std::size_t anchor = members.front();
    m.n_obs = n_side;
    m.weight.clear();
    m.coords.clear();
    // On an all-discrete group, observations at the same point are one kernel: summing their
    // weights is exact and makes the density cheaper when TPE keeps revisiting good points.
    std::size_t cells = 1;
    for (auto p : members) {
      const auto& e = cache_.enc[p];
      cells = (e.kind == encoded_kind::continuous || cells > 65536) ? 0 : cells * e.count;
      if (cells == 0) break;
    }
    const bool merge = cells != 0 && cells <= 65536;
    if (merge && slot_.size() < cells) slot_.resize(cells, -1);
    touched_.clear();
    double total = opt_.prior_weight;
    auto add = [&](double w, auto&& coordinate) {
      total += w;
      if (merge) {
        std::size_t code = 0;
        for (std::size_t j = 0; j < d; ++j)
          code = code * cache_.enc[members[j]].count + static_cast<std::size_t>(coordinate(j));
        if (slot_[code] >= 0) {
          m.weight[static_cast<std::size_t>(slot_[code])] += w;
          return;
        }
        slot_[code] = static_cast<std::ptrdiff_t>(m.weight.size());
        touched_.push_back(code);
      }
      m.weight.push_back(w);
      for (std::size_t j = 0; j < d; ++j) m.coords.push_back(coordinate(j));
    };
    for (auto obs : cache_.by_number) {
      if (!cache_.active(obs, anchor) || side_[obs] != which) continue;
      add(ramp_weight(rank_[obs], n_side, opt_.n_flat_weights), [&](std::size_t j) { return cache_.value(obs, members[j]); });
    }
    if (which == 0) {  // running trials, the most recent of the above side
      std::size_t rank = n_side - running_active(anchor);
      for (std::size_t r = 0; r < n_running_; ++r) {
        if (std::isnan(running_value(r, anchor))) continue;
        add(ramp_weight(rank++, n_side, opt_.n_flat_weights), [&](std::size_t j) { return running_value(r, members[j]); });
      }
    }
    for (auto code : touched_) slot_[code] = -1;
    m.weight.push_back(opt_.prior_weight);
    for (std::size_t j = 0; j < d; ++j) m.coords.push_back(nan);
    const std::size_t n_comp = m.weight.size();
    m.log_weight.resize(n_comp);
    const double log_total = std::log(total);
    for (std::size_t k = 0; k < n_comp; ++k) {
      m.log_weight[k] = m.weight[k] == 1.0 ? -log_total : std::log(m.weight[k]) - log_total;
      m.weight[k] /= total;
    }
    // Optuna's multivariate bandwidth: 0.2 n^(-1/(d+4)) of the range, then the magic clip.
    const double n_eff = static_cast<double>(std::max<std::size_t>(n_side, 1));
    const double shrink = 0.2 * std::pow(n_eff, -1.0 / (static_cast<double>(d) + 4.0));
    m.dims.resize(d);
    for (std::size_t j = 0; j < d; ++j) {
      const auto& e = cache_.enc[members[j]];
      auto& dim = m.dims[j];
      dim.param = members[j];
      dim.kind = e.kind;
      dim.count = e.count;
      dim.lo = e.lo;
      dim.hi = e.hi;
      const double range = e.hi - e.lo;
      const double min_sigma = opt_.consider_magic_clip ? range / std::min(100.0, 2.0 + static_cast<double>(n_side))
                                                         : std::numeric_limits<double>::epsilon();
      dim.sigma = std::clamp(shrink * range, min_sigma, range);
      if (e.kind == encoded_kind::categorical) {
        const double c = opt_.prior_weight / static_cast<double>(n_side + 1);
        const double denom = 1.0 + static_cast<double>(e.count) * c;
        dim.smoothing = c;
        dim.log_match = std::log((1.0 + c) / denom);
        dim.log_other = std::log(c / denom);
      } else if (e.kind == encoded_kind::grid) {
        dim.table.assign((e.count + 1) * e.count, 0.0);
        cdf_.resize(e.count + 1);
        std::vector<std::uint8_t> needed(e.count + 1, 0);
        needed[e.count] = 1;
        for (std::size_t k = 0; k + 1 < n_comp; ++k) needed[static_cast<std::size_t>(m.coords[k * d + j])] = 1;
        for (std::size_t r = 0; r <= e.count; ++r) {
          if (!needed[r]) continue;
          const double mu = r == e.count ? 0.5 * (e.lo + e.hi) : e.centers[r];
          const double sigma = r == e.count ? range : dim.sigma;
          const double log_z = log_normal_mass((e.lo - mu) / sigma, (e.hi - mu) / sigma);
          for (std::size_t c = 0; c <= e.count; ++c) cdf_[c] = normal_cdf((e.edges[c] - mu) / sigma);
          for (std::size_t c = 0; c < e.count; ++c) {
            // Differences of the cdf lose their digits in the tails; recompute those cells.
            const double mass = cdf_[c + 1] - cdf_[c];
            dim.table[r * e.count + c] =
                (mass > 1e-8 ? std::log(mass) : log_normal_mass((e.edges[c] - mu) / sigma, (e.edges[c + 1] - mu) / sigma)) -
                log_z;
          }
        }
      } else {
        dim.log_norm.resize(n_comp);
        for (std::size_t k = 0; k < n_comp; ++k) {
          const bool prior = k + 1 == n_comp;
          const double mu = prior ? 0.5 * (e.lo + e.hi) : m.coords[k * d + j];
          const double sigma = prior ? range : dim.sigma;
          const double a = (e.lo - mu) / sigma, b = (e.hi - mu) / sigma;
          const double log_z = (a < -8.5 && b > 8.5) ? 0.0 : log_normal_mass(a, b);
          dim.log_norm[k] = -(opt_.kernel_log_sigma ? std::log(sigma) : 0.0) - log_sqrt_2pi - log_z;
        }
      }
    }
  }

  double joint_log_density(const joint_mixture& m, const double* x) {
    const std::size_t d = m.dims.size();
    const std::size_t n_comp = m.weight.size();
    terms_.assign(m.log_weight.begin(), m.log_weight.end());
    for (std::size_t j = 0; j < d; ++j) {
      const auto& dim = m.dims[j];
      const double xj = x[j];
      if (dim.kind == encoded_kind::categorical) {
        for (std::size_t k = 0; k + 1 < n_comp; ++k)
          terms_[k] += m.coords[k * d + j] == xj ? dim.log_match : dim.log_other;
        terms_[n_comp - 1] -= std::log(static_cast<double>(dim.count));
      } else if (dim.kind == encoded_kind::grid) {
        const auto col = static_cast<std::size_t>(xj);
        for (std::size_t k = 0; k + 1 < n_comp; ++k)
          terms_[k] += dim.table[static_cast<std::size_t>(m.coords[k * d + j]) * dim.count + col];
        terms_[n_comp - 1] += dim.table[dim.count * dim.count + col];
      } else {
        const double inv = 1.0 / dim.sigma;
        for (std::size_t k = 0; k + 1 < n_comp; ++k) {
          const double z = (xj - m.coords[k * d + j]) * inv;
          terms_[k] += dim.log_norm[k] - 0.5 * z * z;
        }
        const double range = dim.hi - dim.lo;
        const double z = (xj - 0.5 * (dim.lo + dim.hi)) / range;
        terms_[n_comp - 1] += dim.log_norm[n_comp - 1] - 0.5 * z * z;
      }
    }
    return log_sum_exp(terms_.data(), terms_.size());
  }

  void draw_joint(const joint_mixture& m, random_stream& rng, double* x) {
    const std::size_t d = m.dims.size();
    const std::size_t n_comp = m.weight.size();
    double u = rng.uniform01();
    std::size_t k = 0;
    while (k + 1 < n_comp && u >= m.weight[k]) u -= m.weight[k++];
    const bool prior = k + 1 == n_comp;
    for (std::size_t j = 0; j < d; ++j) {
      const auto& dim = m.dims[j];
      const double mu = m.coords[k * d + j];
      if (dim.kind == encoded_kind::categorical) {
        // (1[x == mu] + c) / (1 + C c): the peak with mass 1/(1+Cc), else uniform.
        const double denom = 1.0 + static_cast<double>(dim.count) * dim.smoothing;
        if (!prior && rng.uniform01() * denom < 1.0) x[j] = mu;
        else x[j] = static_cast<double>(rng.below(dim.count));
      } else if (dim.kind == encoded_kind::grid) {
        const std::size_t row = prior ? dim.count : static_cast<std::size_t>(mu);
        double v = rng.uniform01();
        std::size_t c = 0;
        while (c + 1 < dim.count && v >= std::exp(dim.table[row * dim.count + c])) v -= std::exp(dim.table[row * dim.count + c++]);
        x[j] = static_cast<double>(c);
      } else {
        const double range = dim.hi - dim.lo;
        x[j] = prior ? truncated_normal(0.5 * (dim.lo + dim.hi), range, dim.lo, dim.hi, rng)
                     : truncated_normal(mu, dim.sigma, dim.lo, dim.hi, rng);
        const auto& desc = cache_.space->params[dim.param];
        if (desc.cardinality() != 0) x[j] = to_internal(desc, cache_.enc[dim.param], from_internal(desc, cache_.enc[dim.param], x[j]));
      }
    }
  }

  void sample_group(std::size_t g, random_stream& rng) {
    const auto& members = cache_.groups[g];
    const std::size_t d = members.size();
    const auto s = split(members.front());
    build_joint(members, 1, s.n_below, joint_below_);
    build_joint(members, 0, s.n_above, joint_above_);
    candidate_.resize(d);
    best_candidate_.assign(d, 0.0);
    if (candidate_values_.size() < cache_.groups.size()) {
      candidate_values_.resize(cache_.groups.size());
      candidate_scores_.resize(cache_.groups.size());
    }
    auto& values = candidate_values_[g];
    auto& scores = candidate_scores_[g];
    values.clear();
    scores.clear();
    double best_score = -inf;
    for (std::size_t c = 0; c < opt_.n_ei_candidates; ++c) {
      draw_joint(joint_below_, rng, candidate_.data());
      const double score = keep_ * joint_log_density(joint_below_, candidate_.data()) -
                           joint_log_density(joint_above_, candidate_.data());
      values.insert(values.end(), candidate_.begin(), candidate_.end());
      scores.push_back(score);
      if (score > best_score) {
        best_score = score;
        best_candidate_ = candidate_;
      }
    }
    for (std::size_t j = 0; j < d; ++j) group_values_[members[j]] = best_candidate_[j];
  }

  tpe_options opt_;
  double keep_ = 1;  // the weight of log l(x) in a candidate's score: 1 - exploration
  double excluded_ = nan;  // a model coordinate no candidate may take (NaN: none)
  std::mutex mutex_;
  observation_cache cache_;
  // Scratch space reused between calls.
  std::vector<std::uint8_t> side_;
  std::vector<std::uint32_t> rank_;
  mixture_1d below_, above_;
  std::vector<double> pmf_below_, pmf_above_, cdf_, coef_below_, coef_above_, inv_below_, inv_above_, terms_;
  joint_mixture joint_below_, joint_above_;
  std::vector<double> candidate_, best_candidate_, group_values_;
  // Every candidate of the last draw per group (candidate * d + member) and its score.
  std::vector<std::vector<double>> candidate_values_, candidate_scores_;
  std::vector<std::uint8_t> group_done_;
  std::vector<std::ptrdiff_t> slot_;  // merge map of all-discrete groups, kept at -1 between calls
  std::vector<std::size_t> touched_;
  // Running trials' model coordinates (n_running_ rows of n_params, NaN where inactive), taken
  // afresh from each view.
  std::vector<double> running_;
  std::size_t n_running_ = 0;
  detail::tried_configurations tried_;
  detail::codec_cache codecs_;
};

}  // namespace
}  // namespace detail

std::unique_ptr<sampler> make_tpe_sampler(tpe_options options) {
  return std::make_unique<detail::tpe_sampler>(options);
}

}  // namespace typetune
