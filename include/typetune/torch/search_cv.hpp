// Randomized and grid search with cross-validation as scikit-learn has them, over a checked
// space and the user's builder (tt::builder_for): n_iter, cv, scoring, refit, best_params,
// best_score, best_model and a results table. The seed is said once: search_cv_options::seed, or
// the sampler's own; two different ones are an error when the search is made.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typetune/torch/search_common.hpp"

namespace typetune::torch {

struct search_cv_options {
  std::uint64_t n_iter = 10;  // randomized search: configurations to try (grid: all)
  splitter cv = stratified_k_fold{.n_splits = 5, .shuffle = true, .seed = 0};
  std::string scoring = "accuracy";  // "accuracy" and "*accuracy" are maximised; "loss", "mse", "mae" minimised
  bool refit = true;                 // retrain the best configuration on all the data
  // The search's seed (the sampler's, the folds' models' and the refit's). Not given: the
  // sampler's own, else 0; given beside a different seed of the sampler: std::invalid_argument.
  std::optional<std::uint64_t> seed = std::nullopt;
  std::size_t workers = 1;
  std::ostream* log = nullptr;
  // A stored study (sqlite://..., postgresql://...; see docs/storage.md) that several processes
  // may share: started N times on one study, they split n_iter candidates between them (the
  // first creates the study, the rest join it; budget::study_trials), each fold's score is kept
  // with its trial, and fit() of any of them sees every candidate. A run started again continues
  // the study up to n_iter. Empty: in memory, this process alone.
  std::string storage{};
  std::string study_name = "search_cv";
};

// One configuration's cross-validation, as a row of scikit-learn's cv_results_.
struct cv_candidate {
  std::uint64_t trial = 0;
  std::string params;
  std::vector<double> fold_scores;
  double mean = 0;
  double std = 0;
  std::size_t rank = 0;  // 1 = best; 0 for candidates that did not complete
  std::string state;
  double epochs = 0;  // the epochs its models trained (mean over folds): what ran, whatever the params say
};

template <class Space, class Builder, class Sampler>
class search_cv {
 public:
  using params_type = typetune::detail::builder_struct_t<Builder>;
  using study_type = typetune::study<Space, params_type>;

  search_cv(const Space& space, Builder build, search_cv_options options, fit_options fit, Sampler sampler)
      : space_(space),
        build_(std::move(build)),
        options_(std::move(options)),
        fit_(std::move(fit)),
        sampler_(std::move(sampler)) {
    static_assert(fits<params_type>(Space{}));
    seed_ = options_.seed.value_or(0);
    if constexpr (detail::gives_seed<Sampler>) {
      seed_ = detail::one_seed(options_.seed, "search_cv_options::seed", sampler_.seed,
                               typetune::detail::type_name<Sampler>());
      sampler_.seed = seed_;
    }
  }

  // Inputs of any rank (dimension 0 indexes samples) and their targets.
  search_cv& fit(const ::torch::Tensor& x, const ::torch::Tensor& y) { return fit(tensor_dataset(x, y)); }
  search_cv& fit(const tensor_dataset& data) {
    const auto folds = make_folds(options_.cv, data);
    set_threads(threads_per_worker(options_.workers));
    const bool maximise = higher_is_better(options_.scoring);
    auto made = maximise ? make_study(maximize{options_.scoring}) : make_study(minimize{options_.scoring});
    const bool stored = !options_.storage.empty();
    const auto run = made->optimize(
        [&](trial<params_type>& t) {
          const model_factory factory = [&](std::uint64_t seed) {
            return build_seeded(build_, t.params(), fit_, seed);
          };
          auto s = cross_validate(factory, data, folds, options_.scoring, seed_, &t.context());
          for (std::size_t i = 0; i < s.values.size(); ++i) t.set_metric(fold_metric(i), s.values[i]);
          if (s.values.size() < folds.size()) {
            if (!s.values.empty() && std::isnan(s.values.back())) return outcome(options_.scoring, s.values.back());
            return pruned;
          }
          t.set_metric("std_" + options_.scoring, s.std());
          if (!s.epochs.empty())
            t.set_metric("epochs",
                         static_cast<double>(std::accumulate(s.epochs.begin(), s.epochs.end(), std::int64_t{0})) /
                             static_cast<double>(s.epochs.size()));
          return outcome(options_.scoring, s.mean());
        },
        budget{.trials = options_.n_iter,
               .workers = options_.workers,
               .study_trials = stored ? std::optional<std::uint64_t>(options_.n_iter) : std::nullopt});
    trials_run_ = run.trials_started;
    study_ = std::move(made);
    if (options_.refit) {
      auto built = build_seeded(build_, best_params(), fit_, derive_seed(seed_, 0));
      // All the data trains the refit: nothing is left to validate on, so early stopping
      // (which monitors a validation metric) cannot apply; it trains for the fit's epochs.
      built.fit.early_stop.reset();
      built.fit.objective.clear();
      trainer t(built.model, built.fit);
      t.fit(data);
      best_model_ = t.model();
    }
    return *this;
  }

  // The best configuration as the user's struct (std::cout << cv.best_params() prints it).
  [[nodiscard]] params_type best_params() const { return study().best().params; }
  [[nodiscard]] double best_score() const { return study().best().value; }
  // The best configuration retrained on all the data (refit = true).
  [[nodiscard]] const model_ref& best_model() const {
    if (!best_model_)
      throw std::logic_error("typetune: no refitted model (search_cv_options::refit is false, or fit() has not run)");
    return best_model_;
  }
  [[nodiscard]] const study_type& study() const {
    if (!study_) throw std::logic_error("typetune: fit() has not run");
    return *study_;
  }
  // Candidates the last fit() cross-validated in this process (with a shared study, the others
  // ran elsewhere; study().trials() holds them all).
  [[nodiscard]] std::uint64_t trials_run() const noexcept { return trials_run_; }
  // The seed the search runs with (see search_cv_options::seed).
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

  // Writes the study as JSON Lines to export_path and its HTML report to report_path (an empty
  // path is skipped), and says where on the log. Throws std::runtime_error naming a file it
  // cannot write.
  void save(const std::filesystem::path& export_path, const std::filesystem::path& report_path = {}) const {
    if (export_path.empty() && report_path.empty()) return;
    save_study(study().export_study(options_.study_name), export_path, report_path, options_.log);
  }

  // Per candidate: fold scores, mean, std and rank by mean (best first in rank, rows by trial).
  [[nodiscard]] std::vector<cv_candidate> results() const {
    std::vector<cv_candidate> rows;
    for (const auto& t : study().trials()) {
      cv_candidate c;
      c.trial = t.number;
      c.params = study().description().format(t.params);
      c.state = std::string(to_string(t.state));
      for (std::size_t i = 0;; ++i) {
        const auto fold = t.metrics.find(fold_metric(i));
        if (fold == t.metrics.end()) break;
        c.fold_scores.push_back(fold->second);
      }
      if (const auto e = t.metrics.find("epochs"); e != t.metrics.end()) c.epochs = e->second;
      if (t.state == trial_state::complete && t.value) {
        c.mean = *t.value;
        scores s{c.fold_scores, {}};
        c.std = s.values.empty() ? 0.0 : s.std();
      }
      rows.push_back(std::move(c));
    }
    std::vector<cv_candidate*> complete;
    for (auto& r : rows)
      if (r.state == "complete") complete.push_back(&r);
    const auto dir = higher_is_better(options_.scoring) ? direction::maximize : direction::minimize;
    std::stable_sort(complete.begin(), complete.end(),
                     [dir](const auto* a, const auto* b) { return better(dir, a->mean, b->mean); });
    for (std::size_t i = 0; i < complete.size(); ++i) complete[i]->rank = i + 1;
    return rows;
  }

  // The results as a table: rank, mean ± std, the fold scores and the parameters.
  [[nodiscard]] std::string results_table() const {
    std::ostringstream out;
    out << std::fixed << std::setprecision(4);
    out << "rank  trial  mean_" << options_.scoring << "   std  epochs  folds  params\n";
    for (const auto& r : results()) {
      out << std::setw(4) << (r.rank ? std::to_string(r.rank) : std::string("-")) << "  " << std::setw(5) << r.trial
          << "  " << std::setw(10) << r.mean << "  " << std::setw(6) << r.std << "  " << std::setw(6)
          << std::setprecision(1) << r.epochs << std::setprecision(4) << "  ";
      for (double v : r.fold_scores) out << v << ' ';
      out << ' ' << r.params << (r.state == "complete" ? "" : " (" + r.state + ")") << '\n';
    }
    return out.str();
  }

 private:
  // Fold i's score, kept as a metric of the trial (scikit-learn's split<i>_test_score).
  [[nodiscard]] std::string fold_metric(std::size_t i) const {
    return "split" + std::to_string(i) + "_" + options_.scoring;
  }

  template <class Direction>
  std::unique_ptr<study_type> make_study(Direction dir) {
    const auto where = storage{options_.storage.empty() ? std::string("memory:") : options_.storage};
    const auto name = study_name{options_.study_name};
    if (options_.log != nullptr)
      return std::make_unique<study_type>(space_, dir, sampler_, params<params_type>{}, where, name,
                                          log_trials{*options_.log}, handle_interrupts{});
    return std::make_unique<study_type>(space_, dir, sampler_, params<params_type>{}, where, name, handle_interrupts{});
  }

  Space space_;
  Builder build_;
  search_cv_options options_;
  fit_options fit_;
  Sampler sampler_;
  std::uint64_t seed_ = 0;
  std::unique_ptr<study_type> study_;
  std::uint64_t trials_run_ = 0;
  model_ref best_model_;
};

// scikit-learn's RandomizedSearchCV and GridSearchCV (a grid needs a finite space: checked at
// compile time, naming the first continuous parameter). A builder of another form than
// tt::builder_for's meets the deleted twin: one error that lists the forms (see tuner.hpp).
template <class Space, class Builder>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto randomized_search_cv(const Space& space, Builder build, search_cv_options options = {},
                                        fit_options fit = {}) {
  return search_cv<Space, Builder, random>(space, std::move(build), std::move(options), std::move(fit), random{});
}
template <class Space, class Builder, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto randomized_search_cv(const Space& space, Builder build, search_cv_options options = {},
                          fit_options fit = {}) = delete;

template <class Space, class Builder>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto grid_search_cv(const Space& space, Builder build, search_cv_options options = {},
                                  fit_options fit = {}) {
  options.n_iter = std::numeric_limits<std::uint64_t>::max();
  return search_cv<Space, Builder, grid>(space, std::move(build), std::move(options), std::move(fit), grid{});
}
template <class Space, class Builder, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto grid_search_cv(const Space& space, Builder build, search_cv_options options = {}, fit_options fit = {}) = delete;

}  // namespace typetune::torch
