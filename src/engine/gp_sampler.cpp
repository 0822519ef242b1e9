// The GP sampler: a Matérn-5/2 ARD Gaussian process on the unit-scaled space, hyperparameters by
// maximum a posteriori likelihood (LBFGS++), proposals by maximising log expected improvement.
// The model is in engine/gp/ (split as Optuna's optuna/_gp/: search_space, gaussian_process,
// acquisition, optimize_acquisition); this file is the sampler around it: which trials the
// process sees and at what values, when the hyperparameters are refitted, and how the
// proposal is picked.
#include "typetune/engine/gp_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "engine/detail/codec_cache.hpp"
#include "engine/detail/repeats.hpp"
#include "engine/gp/acquisition.hpp"
#include "engine/gp/gaussian_process.hpp"
#include "engine/gp/optimize_acquisition.hpp"
#include "engine/gp/search_space.hpp"
#include "engine/model_space.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {
namespace detail {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double inf = std::numeric_limits<double>::infinity();

// ---- The observations: which trials, at which values ----

// What the process is fitted to: every complete trial at its value; when asked for, pruned
// trials at the value a complete trial of the same rank at their last step ended with, and
// diverged ones above every complete one; last, running trials (their values are set later).
// Values are minimised. Rows in trial-number order within each kind.
struct observation_set {
  std::vector<const trial_record*> trials;
  std::vector<double> y;
  std::size_t n_complete = 0, n_running = 0;
  [[nodiscard]] std::size_t size() const { return trials.size(); }
};

// The trials of the study that enter the process, by kind, each in trial-number order.
struct trials_by_kind {
  std::vector<const trial_record*> complete, pruned, diverged, running;
};

trials_by_kind usable_trials(const study_view& view, const gp_options& opt) {
  trials_by_kind k;
  for (const auto& t : view.trials) {
    if (t.params.values.size() != view.space.size()) continue;
    switch (t.state) {
      case trial_state::complete:
        if (t.value && std::isfinite(*t.value)) k.complete.push_back(&t);
        break;
      case trial_state::pruned:
        if (opt.use_pruned) k.pruned.push_back(&t);
        break;
      case trial_state::diverged:
        if (opt.use_diverged) k.diverged.push_back(&t);
        break;
      case trial_state::running:
        if (opt.constant_liar) k.running.push_back(&t);
        break;
      default: break;
    }
  }
  auto by_number = [](auto* a, auto* b) { return a->number < b->number; };
  for (auto* list : {&k.complete, &k.pruned, &k.diverged, &k.running}) std::sort(list->begin(), list->end(), by_number);
  return k;
}

// A pruned trial's rank among the complete trials at its last step: the share q of them that
// were as good or better there; it gets the final value at quantile q of the complete trials
// (`finals`, sorted), so it sits below the complete trials that were level with it when it
// stopped. Without a step to compare at, it gets `below_all`. `at_step` is scratch.
double imputed_pruned_value(const trial_record& t, std::span<const trial_record* const> complete,
                            std::span<const double> finals, double below_all, double sign,
                            std::vector<double>& at_step) {
  if (t.intermediate.empty()) return below_all;
  const auto& [step, value] = *t.intermediate.rbegin();
  const double v = std::isnan(value) ? inf : sign * value;
  at_step.clear();
  for (auto* c : complete)
    if (const auto it = c->intermediate.find(step); it != c->intermediate.end() && !std::isnan(it->second))
      at_step.push_back(sign * it->second);
  if (at_step.empty()) return below_all;
  std::size_t level = 0;
  for (double a : at_step) level += a <= v;
  const double q = static_cast<double>(level) / static_cast<double>(at_step.size());
  const double pos = q * static_cast<double>(finals.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, finals.size() - 1);
  return finals[lo] + (pos - static_cast<double>(lo)) * (finals[hi] - finals[lo]);
}

// The observation set, values imputed: pruned trials by their rank at their last step,
// diverged ones at the worst complete value plus a tenth of the complete values' range,
// running ones at 0 for now (the kriging believer sets them).
observation_set observations(const study_view& view, const gp_options& opt) {
  const double sign = view.dir == direction::maximize ? -1.0 : 1.0;
  const trials_by_kind k = usable_trials(view, opt);
  observation_set o;
  o.n_complete = k.complete.size();
  if (k.complete.empty()) return o;
  std::vector<double> finals;
  for (auto* t : k.complete) {
    o.trials.push_back(t);
    o.y.push_back(sign * *t->value);
    finals.push_back(sign * *t->value);
  }
  std::sort(finals.begin(), finals.end());
  const double worst = finals.back(), spread = finals.back() - finals.front();
  const double below_all = worst + (spread > 0 ? 0.1 * spread : 1.0);
  std::vector<double> at_step;
  for (auto* t : k.pruned) {
    o.trials.push_back(t);
    o.y.push_back(imputed_pruned_value(*t, k.complete, finals, below_all, sign, at_step));
  }
  for (auto* t : k.diverged) {
    o.trials.push_back(t);
    o.y.push_back(below_all);
  }
  for (auto* t : k.running) {
    o.trials.push_back(t);
    o.y.push_back(0.0);
  }
  o.n_running = k.running.size();
  return o;
}

// Mean and (population) standard deviation of v.
std::pair<double, double> mean_and_sd(const Eigen::Ref<const VectorXd>& v) {
  const double mean = v.mean();
  const double sd = std::sqrt((v.array() - mean).square().sum() / static_cast<double>(v.size()));
  return {mean, sd};
}

// The observations as the process reads them: each row's internal coordinates (one row after
// another), its features, and the values standardised on the real rows. The running rows,
// last, stay at 0 (the real values' mean) unless the believer sets them.
struct encoded_history {
  std::vector<double> internal;
  MatrixXd x;
  VectorXd y;
  Eigen::Index n_real = 0;
};

encoded_history encode_history(const gp::encoded_space& s, const observation_set& obs) {
  const std::size_t n = obs.size();
  encoded_history h;
  h.n_real = static_cast<Eigen::Index>(n - obs.n_running);
  h.internal.resize(n * s.size());
  for (std::size_t i = 0; i < n; ++i) gp::internal_of(s, *obs.trials[i], &h.internal[i * s.size()]);
  h.x = gp::feature_rows(s, h.internal);
  h.y = Eigen::Map<const VectorXd>(obs.y.data(), static_cast<Eigen::Index>(n));
  const auto [mean, sd] = mean_and_sd(h.y.head(h.n_real));
  h.y = (h.y.array() - mean) / (sd > 1e-12 ? sd : 1.0);
  h.y.tail(static_cast<Eigen::Index>(n) - h.n_real).setZero();
  return h;
}

// The kriging believer: running rows at the posterior mean of the real observations. Believed
// values count as observed, in the incumbent too: a worker busy where the mean is lowest has,
// as far as the next proposal can know, already found that value.
void believe_running(encoded_history& h, const gp::hyperparameters& hyper, const gp::feature_layout& layout,
                     gp::kernel_scratch& scratch) {
  const Eigen::Index n_running = h.x.rows() - h.n_real;
  if (n_running == 0) return;
  const auto real = gp::fit_posterior(h.x.topRows(h.n_real), h.y.head(h.n_real), hyper, layout, scratch);
  if (!real) return;
  VectorXd m;
  real->predict_mean(h.x.bottomRows(n_running), scratch, m);
  h.y.tail(n_running) = m;
}

// ---- The hyperparameters' schedule ----

// How many of the n real observations the hyperparameters are fitted on: all of them up to
// refit_all_below, then a multiple of refit_interval beyond it, so that refits happen on
// that schedule and the fit in between is reused.
std::size_t fit_prefix(std::size_t n, const gp_options& opt) {
  if (n > opt.refit_all_below && opt.refit_interval > 1)
    return opt.refit_all_below + (n - opt.refit_all_below) / opt.refit_interval * opt.refit_interval;
  return n;
}

// Which of the first m observations enter the fit, in row order: all of them, or beyond
// max_points the best half and the most recent rest.
std::vector<std::size_t> fit_rows(std::span<const double> y, std::size_t m, std::size_t max_points) {
  std::vector<std::size_t> chosen(m);
  std::iota(chosen.begin(), chosen.end(), 0);
  if (m <= max_points) return chosen;
  const std::size_t n_best = max_points / 2;
  std::vector<std::size_t> by_value(m);
  std::iota(by_value.begin(), by_value.end(), 0);
  std::partial_sort(by_value.begin(), by_value.begin() + static_cast<std::ptrdiff_t>(n_best), by_value.end(),
                    [&](std::size_t a, std::size_t b) { return y[a] != y[b] ? y[a] < y[b] : a < b; });
  std::vector<char> take(m, 0);
  for (std::size_t i = 0; i < n_best; ++i) take[by_value[i]] = 1;
  std::size_t extra = max_points - n_best;
  for (std::size_t i = m; i-- > 0 && extra > 0;)
    if (!take[i]) take[i] = 1, --extra;
  chosen.clear();
  for (std::size_t i = 0; i < m; ++i)
    if (take[i]) chosen.push_back(i);
  return chosen;
}

// Hyperparameters fitted on the chosen rows of x, their raw values y standardised on their
// own, so that the fit does not depend on later trials.
gp::hyperparameters fit_on_rows(const Eigen::Ref<const MatrixXd>& x, std::span<const double> y,
                                std::span<const std::size_t> rows, const gp::feature_layout& layout,
                                std::size_t max_iterations) {
  MatrixXd fx(static_cast<Eigen::Index>(rows.size()), x.cols());
  VectorXd fy(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    fx.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(rows[i]));
    fy[static_cast<Eigen::Index>(i)] = y[rows[i]];  // raw, so bitwise the same later
  }
  const auto [mu, s] = mean_and_sd(fy);
  fy = (fy.array() - mu) / (s > 1e-12 ? s : 1.0);
  return gp::fit_hyperparameters(fx, fy, layout, max_iterations);
}

// ---- The sampler ----

class gp_sampler final : public sampler {
 public:
  explicit gp_sampler(gp_options o) : opt_(o) {}

  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    std::lock_guard lock(mutex_);
    const gp::encoded_space space = encode(view.space);
    random_stream rng(view.seed, number, stream_ids::gp);
    if (opt_.avoid_repeats) tried_.sync(view.trials, space.size());

    const observation_set obs = observations(view, opt_);
    if (!enough_for_a_model(obs, space)) return fresh_random(space, rng);
    encoded_history history = encode_history(space, obs);
    const gp::hyperparameters hyper = hyperparameters(obs, history.x.topRows(history.n_real), space.layout);
    believe_running(history, hyper, space.layout, scratch_);
    const auto post = gp::fit_posterior(history.x, history.y, hyper, space.layout, scratch_);
    if (!post) return fresh_random(space, rng);

    const std::size_t n_cand = std::max<std::size_t>(opt_.n_candidates, 2);
    const std::vector<double> cand = gp::generate_candidates(space, history.internal, history.y.head(history.n_real),
                                                             n_cand, rng);
    const MatrixXd cx = gp::feature_rows(space, cand);
    VectorXd score;
    gp::acquisition_values(*post, cx, opt_.acquisition, scratch_, score);
    if (opt_.avoid_repeats) drop_repeats(space, cand, score);
    const std::vector<std::size_t> rank = gp::rank_by_score(score);
    if (score[static_cast<Eigen::Index>(rank[0])] == -inf) {
      // Every candidate repeats the study: an untried configuration at random, if any is left.
      if (auto untried = untried_random(view.space, rng)) return untried;
    }
    const gp::scored_point best = refine_and_pick(*post, space, cand, cx, score, rank);
    return gp::assignment_of(space, best.internal.data());
  }

  std::string_view name() const override { return "gp"; }

 private:
  // The space as the process sees it; its encodings are kept while the space stays the same.
  gp::encoded_space encode(const space_desc& space) {
    if (space_ != &space || enc_.size() != space.size()) {
      space_ = &space;
      enc_ = encode_space(space);
      fit_key_.clear();
    }
    return {space, enc_, gp::feature_layout(space, enc_, opt_.conditional_embedding)};
  }

  // A model needs two complete trials, n_startup_trials real ones (not running) and a feature.
  bool enough_for_a_model(const observation_set& obs, const gp::encoded_space& space) const {
    const std::size_t n_real = obs.size() - obs.n_running;
    return obs.n_complete >= 2 && n_real >= std::max<std::size_t>(opt_.n_startup_trials, 2) && space.layout.dims != 0;
  }

  // Hyperparameters fitted on a schedule of prefixes of the real observations (every one up to
  // refit_all_below, then every refit_interval), from fixed starting values, so the result
  // depends on the history alone; the last fit is memoised. `x` holds the real rows.
  gp::hyperparameters hyperparameters(const observation_set& obs, const Eigen::Ref<const MatrixXd>& x,
                                      const gp::feature_layout& layout) {
    const std::vector<std::size_t> rows = fit_rows(obs.y, fit_prefix(static_cast<std::size_t>(x.rows()), opt_),
                                                   opt_.max_fit_points);
    // What the fit depends on: the feature and length counts, and each row's trial and value.
    std::vector<std::pair<std::uint64_t, double>> key;
    key.reserve(rows.size() + 1);
    key.emplace_back(x.cols(), static_cast<double>(layout.n_lengths));
    for (auto i : rows) key.emplace_back(obs.trials[i]->number, obs.y[i]);
    if (key == fit_key_ && fitted_.log_length.size() == layout.n_lengths) return fitted_;
    fitted_ = fit_on_rows(x, obs.y, rows, layout, opt_.max_fit_iterations);
    fit_key_ = std::move(key);
    return fitted_;
  }

  // A candidate that repeats a configuration of the study is worth nothing.
  void drop_repeats(const gp::encoded_space& space, std::span<const double> cand, VectorXd& score) const {
    for (Eigen::Index c = 0; c < score.size(); ++c)
      if (repeats(space, &cand[static_cast<std::size_t>(c) * space.size()])) score[c] = -inf;
  }

  // The best-ranked candidate, unless the refinement of one of the best n_local_refinements
  // reaches a higher log EI without repeating the study.
  gp::scored_point refine_and_pick(const gp::posterior& post, const gp::encoded_space& space,
                                   std::span<const double> cand, const MatrixXd& cx, const VectorXd& score,
                                   const std::vector<std::size_t>& rank) {
    const std::size_t n_params = space.size();
    const auto top = static_cast<Eigen::Index>(rank[0]);
    gp::scored_point best{std::vector<double>(cand.begin() + static_cast<std::ptrdiff_t>(rank[0] * n_params),
                                              cand.begin() + static_cast<std::ptrdiff_t>((rank[0] + 1) * n_params)),
                          -inf};
    if (score[top] != -inf) {  // the score may be EI: the comparison below is in log EI
      VectorXd s;
      gp::acquisition_values(post, cx.row(top), gp_acquisition::log_ei, scratch_, s);
      best.log_ei = s[0];
    }
    const std::size_t n_refine = std::min(opt_.n_local_refinements, rank.size());
    for (std::size_t r = 0; r < n_refine; ++r) {
      if (!(score[static_cast<Eigen::Index>(rank[r])] > -inf)) continue;
      auto refined = gp::refine(post, space, &cand[rank[r] * n_params]);
      if (refined && refined->log_ei > best.log_ei && !(opt_.avoid_repeats && repeats(space, refined->internal.data())))
        best = std::move(*refined);
    }
    return best;
  }

  bool repeats(const gp::encoded_space& space, const double* internal) const {
    return tried_.contains(gp::assignment_of(space, internal));
  }

  // A random proposal for the startup, not repeating the study where that can be avoided.
  std::optional<assignment> fresh_random(const gp::encoded_space& space, random_stream& rng) {
    std::vector<double> internal(space.size());
    gp::uniform_point(space, rng, internal.data());
    auto a = gp::assignment_of(space, internal.data());
    if (!opt_.avoid_repeats || !tried_.contains(a)) return a;
    if (auto untried = untried_random(space.desc, rng)) return untried;
    return a;
  }

  std::optional<assignment> untried_random(const space_desc& space, random_stream& rng) {
    return random_untried(
        space, codecs_.get(space), [this](const assignment& c) { return tried_.contains(c); }, tried_.size(), rng);
  }

  gp_options opt_;
  std::mutex mutex_;
  const space_desc* space_ = nullptr;  // the space enc_ encodes
  std::vector<encoded_param> enc_;
  std::vector<std::pair<std::uint64_t, double>> fit_key_;  // what fitted_ was fitted on
  gp::hyperparameters fitted_;
  gp::kernel_scratch scratch_;  // kept between calls: its matrices are the large ones
  tried_configurations tried_;
  codec_cache codecs_;
};

}  // namespace
}  // namespace detail

std::unique_ptr<sampler> make_gp_sampler(gp_options options) { return std::make_unique<detail::gp_sampler>(options); }

}  // namespace typetune
