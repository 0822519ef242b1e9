// Cross-validation and repeated seeds: each fold (or seed) trains a fresh model built with its
// own seed, and is scored on its held-out part. The loops are compiled once; the typed front
// ends (search.hpp) hand them a factory that builds the user's model.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "typetune/torch/data.hpp"
#include "typetune/torch/trainer.hpp"

namespace typetune::torch {

// A model and the options to fit it, as a builder made them for one seed.
struct built_model {
  model_ref model;
  fit_options fit;
};
using model_factory = std::function<built_model(std::uint64_t seed)>;

// Seeds of folds and repeated runs: a mix of the base seed and the run's index (splitmix64),
// so that runs differ and a search that repeats with the same base seed repeats exactly.
[[nodiscard]] std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index);

// Held while LibTorch's global generator is seeded and a model is built, so that a model's
// initial weights depend on its seed alone even with several workers building at once.
[[nodiscard]] std::unique_lock<std::mutex> seeded_build(std::uint64_t seed);

// Scores of one configuration: one per fold or seed.
struct scores {
  std::vector<double> values;
  std::vector<std::int64_t> epochs;  // cross_validate: the epochs each fold's model trained
  [[nodiscard]] double mean() const;
  [[nodiscard]] double std() const;  // population standard deviation, as scikit-learn reports it
};

// Whether a scoring metric is better when larger ("accuracy", "val_accuracy").
[[nodiscard]] bool higher_is_better(const std::string& metric);

// The metric `scoring` ("accuracy", "loss", "mse", "mae") of a fresh model per fold, trained on
// the fold's training part and scored on its held-out part. With a trial, the running mean
// is reported after each fold (step = folds done), so a pruner can stop a weak candidate
// after its first folds; the function then returns the folds scored so far.
[[nodiscard]] scores cross_validate(const model_factory& build, const tensor_dataset& data,
                                    const std::vector<split_indices>& folds, const std::string& scoring,
                                    std::uint64_t seed, trial_context* trial = nullptr);

using splitter = std::variant<k_fold, stratified_k_fold>;
// The folds of `cv` over `data` (stratified folds need class labels: int64 y).
[[nodiscard]] std::vector<split_indices> make_folds(const splitter& cv, const tensor_dataset& data);

// The model of `params`, built by `build` (Model build(const P&) or Model build(const P&,
// fit_options&)) with LibTorch's generator seeded by `seed`, and the options to fit it.
template <class Builder, class Params>
[[nodiscard]] built_model build_seeded(Builder& build, const Params& params, const fit_options& fit, std::uint64_t seed) {
  built_model b{model_ref{}, fit};
  b.fit.seed = seed;
  const auto lock = seeded_build(seed);
  if constexpr (std::is_invocable_v<Builder&, const Params&, fit_options&>) {
    b.model = model_ref(std::invoke(build, params, b.fit));
  } else {
    b.model = model_ref(std::invoke(build, params));
  }
  return b;
}

// Scores `params` by cross-validation: a fresh model per fold, built by `build` as above.
// Returns per-fold scores, as scikit-learn's cross_val_score.
template <class Builder, class Params>
[[nodiscard]] scores cross_val_score(Builder&& build, const Params& params, const tensor_dataset& data,
                                     const splitter& cv, const fit_options& fit, const std::string& scoring = "accuracy") {
  const model_factory factory = [&](std::uint64_t seed) { return build_seeded(build, params, fit, seed); };
  return cross_validate(factory, data, make_folds(cv, data), scoring, fit.seed);
}

// One configuration trained under `runs` seeds derived from fit.seed, each scored on
// `validation` by `metric`: the spread a single seed hides.
[[nodiscard]] scores seed_scores(const model_factory& build, const tensor_dataset& train,
                                 const tensor_dataset& validation, const std::string& metric, std::size_t runs,
                                 std::uint64_t seed);

}  // namespace typetune::torch
