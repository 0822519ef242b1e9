// In-memory datasets of any rank, the real data sets the tutorials use (Fashion-MNIST from
// Debian's dataset-fashion-mnist, the diabetes table shipped with python3-sklearn), seeded splits.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

namespace typetune::torch {

// A data file that is missing, truncated or not what it claims to be. what() names the file.
class data_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Inputs of any rank (dimension 0 indexes samples) and their targets: class labels (int64 [N])
// or regression targets (float [N, k]). The constructor checks that both have N samples.
class tensor_dataset {
 public:
  tensor_dataset() = default;
  tensor_dataset(::torch::Tensor x, ::torch::Tensor y);

  [[nodiscard]] const ::torch::Tensor& x() const noexcept { return x_; }
  [[nodiscard]] const ::torch::Tensor& y() const noexcept { return y_; }
  [[nodiscard]] std::int64_t size() const noexcept { return x_.defined() ? x_.size(0) : 0; }
  // The samples at `indices` (int64, any order), along dimension 0 of both tensors.
  [[nodiscard]] tensor_dataset subset(const ::torch::Tensor& indices) const;
  [[nodiscard]] tensor_dataset to(const ::torch::Device& device) const;

 private:
  ::torch::Tensor x_;
  ::torch::Tensor y_;
};

// Reads a (gzipped or plain) IDX file into a uint8 tensor of the file's shape. Throws
// data_error naming the file when it is missing, truncated, not IDX or not of unsigned bytes.
[[nodiscard]] ::torch::Tensor read_idx(const std::filesystem::path& file);

// $TYPETUNE_FASHION_MNIST_DIR if set, else Debian's /usr/share/datasets/fashion-mnist.
[[nodiscard]] std::filesystem::path fashion_mnist_dir();

struct fashion_mnist {
  tensor_dataset train;  // 60,000 images
  tensor_dataset test;   // 10,000 images
  static constexpr std::array<std::string_view, 10> classes = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
};

// x: float32 [N, 28, 28] scaled to [0, 1]; y: int64 [N] in 0..9. Throws data_error naming the
// file that is missing or corrupt, or whose count does not match its labels.
[[nodiscard]] fashion_mnist load_fashion_mnist(const std::filesystem::path& dir = fashion_mnist_dir());

// $TYPETUNE_SKLEARN_DATA_DIR if set, else python3-sklearn's sklearn/datasets/data.
[[nodiscard]] std::filesystem::path sklearn_data_dir();

// The diabetes table (442 patients, 10 raw features; target: disease progression after a
// year) from diabetes_data_raw.csv.gz and diabetes_target.csv.gz. x: float32 [442, 10],
// y: float32 [442, 1]. Throws data_error naming the file that is missing or malformed.
[[nodiscard]] tensor_dataset load_diabetes(const std::filesystem::path& dir = sklearn_data_dir());

// Index sets of a split: int64 tensors of sample indices, disjoint, together all samples, each
// in ascending order. Seeded splits draw from typetune::random_stream with their own Fisher-Yates,
// so they are the same on every platform and independent of LibTorch's global generator.
struct split_indices {
  ::torch::Tensor train;
  ::torch::Tensor validation;
};

// A seeded split that keeps each class's share in both parts (as scikit-learn's
// train_test_split(stratify=y)). labels: int64 [N]. 0 < validation_fraction < 1; every class
// with at least two samples has at least one in each part. The validation part holds
// round(N * validation_fraction) samples, each class within one sample of its exact share
// (largest remainders); a class of a single sample stays in training.
[[nodiscard]] split_indices stratified_split(const ::torch::Tensor& labels, double validation_fraction,
                                             std::uint64_t seed);
// A seeded split of n samples that ignores labels (regression).
[[nodiscard]] split_indices random_split(std::int64_t n, double validation_fraction, std::uint64_t seed);

// K folds over dimension 0: fold i validates on the i-th block and trains on the rest. As
// scikit-learn's KFold, the first n % n_splits blocks hold one sample more; with shuffle the
// blocks are cut from a seeded permutation.
struct k_fold {
  std::int64_t n_splits = 5;
  bool shuffle = false;
  std::uint64_t seed = 0;
  // Throws std::invalid_argument when n_splits < 2 or n < n_splits.
  [[nodiscard]] std::vector<split_indices> split(std::int64_t n) const;
};

// K folds that keep each class's share in every fold (labels: int64 [N]): the samples of each
// class (shuffled when asked) are dealt round-robin to the folds, one class after the other, so
// each fold's count of every class, and each fold's size, lie within one of the others'.
struct stratified_k_fold {
  std::int64_t n_splits = 5;
  bool shuffle = false;
  std::uint64_t seed = 0;
  // Throws std::invalid_argument when n_splits < 2 or a class has fewer than n_splits samples.
  [[nodiscard]] std::vector<split_indices> split(const ::torch::Tensor& labels) const;
};

// Per-feature standardisation fitted on training inputs (mean 0, standard deviation 1 along
// dimension 0); constant features are left centred, not divided by zero. The scale is the
// population standard deviation (divisor N), as scikit-learn's StandardScaler.
struct standardizer {
  ::torch::Tensor mean;
  ::torch::Tensor scale;
  [[nodiscard]] static standardizer fit(const ::torch::Tensor& x);
  [[nodiscard]] ::torch::Tensor apply(const ::torch::Tensor& x) const;
};

// Images [N, H, W] (or [N, 1, H, W]) read row by row as sequences: [N, H steps, W features]
// (a view, no copy). With `length` < H, each sample is cropped to `length` consecutive rows at a
// seeded random offset (the tutorial's random windows): [N, length, W]; sample i's offset
// depends only on (seed, i, H - length). Throws std::invalid_argument for length > H or < 1.
[[nodiscard]] ::torch::Tensor as_sequences(const ::torch::Tensor& images);
[[nodiscard]] ::torch::Tensor random_windows(const ::torch::Tensor& sequences, std::int64_t length,
                                             std::uint64_t seed);

}  // namespace typetune::torch
