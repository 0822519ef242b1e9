// Cross-validation and repeated seeds of include/typetune/torch/cross_validation.hpp.
#include "typetune/torch/cross_validation.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace typetune::torch {

std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index) {
  std::uint64_t z = base + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::unique_lock<std::mutex> seeded_build(std::uint64_t seed) {
  static std::mutex mutex;
  std::unique_lock lock(mutex);
  // LibTorch's generator takes any 64-bit seed; keep it in the range Python's torch accepts.
  ::torch::manual_seed(seed & 0x7FFFFFFFFFFFFFFFULL);
  return lock;
}

double scores::mean() const {
  if (values.empty()) throw std::logic_error("typetune: no scores to average");
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double scores::std() const {
  const double m = mean();
  double sum = 0;
  for (double v : values) sum += (v - m) * (v - m);
  return std::sqrt(sum / static_cast<double>(values.size()));
}

bool higher_is_better(const std::string& metric) { return metric.ends_with("accuracy"); }

std::vector<split_indices> make_folds(const splitter& cv, const tensor_dataset& data) {
  return std::visit(
      [&](const auto& s) {
        if constexpr (std::is_same_v<std::decay_t<decltype(s)>, stratified_k_fold>) {
          if (data.y().scalar_type() != ::torch::kLong)
            throw std::invalid_argument("typetune: stratified_k_fold needs class labels (int64 targets); use k_fold for regression");
          return s.split(data.y());
        } else {
          return s.split(data.size());
        }
      },
      cv);
}

namespace {
double score_of(const model_ref& model, const tensor_dataset& held_out, const fit_options& fit, const std::string& scoring) {
  const auto metrics = evaluate(model, held_out, fit.loss, fit.eval_batch_size);
  const auto it = metrics.find(scoring);
  if (it == metrics.end()) {
    std::string known;
    for (const auto& [name, value] : metrics) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("typetune: unknown scoring '" + scoring + "' for this loss; known: " + known);
  }
  return it->second;
}
}  // namespace

scores cross_validate(const model_factory& build, const tensor_dataset& data, const std::vector<split_indices>& folds,
                      const std::string& scoring, std::uint64_t seed, trial_context* trial) {
  scores result;
  for (std::size_t k = 0; k < folds.size(); ++k) {
    auto built = build(derive_seed(seed, k));
    const auto train = data.subset(folds[k].train);
    const auto held_out = data.subset(folds[k].validation);
    trainer t(built.model, built.fit);
    const auto& h = t.fit(train, held_out);
    result.epochs.push_back(h.epochs_trained());
    if (h.end == fit_end::diverged) {
      result.values.push_back(std::numeric_limits<double>::quiet_NaN());
      return result;
    }
    result.values.push_back(score_of(t.model(), held_out, built.fit, scoring));
    if (trial != nullptr) {
      trial->report(static_cast<std::int64_t>(k + 1), result.mean());
      if (k + 1 < folds.size() && trial->should_prune()) return result;
    }
  }
  return result;
}

scores seed_scores(const model_factory& build, const tensor_dataset& train, const tensor_dataset& validation,
                   const std::string& metric, std::size_t runs, std::uint64_t seed) {
  if (runs == 0) throw std::invalid_argument("typetune: seed_scores needs at least one run");
  scores result;
  for (std::size_t r = 0; r < runs; ++r) {
    auto built = build(derive_seed(seed, r));
    trainer t(built.model, built.fit);
    t.fit(train, validation);
    result.values.push_back(score_of(t.model(), validation, built.fit, metric));
  }
  return result;
}

}  // namespace typetune::torch
