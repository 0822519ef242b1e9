// Loaders, splits and folds of include/typetune/torch/data.hpp.
#include "typetune/torch/data.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <range/v3/algorithm/all_of.hpp>
#include <range/v3/algorithm/sort.hpp>
#include <range/v3/algorithm/stable_sort.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/drop.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/iota.hpp>
#include <range/v3/view/join.hpp>
#include <range/v3/view/take.hpp>
#include <range/v3/view/transform.hpp>
#include <sstream>
#include <system_error>
#include <utility>

#include "typetune/engine/random_stream.hpp"

namespace typetune::torch {

namespace fs = std::filesystem;
namespace views = ranges::views;

namespace {

// Stream ids of the seeded draws here, apart from the engine's (stream_ids in random_stream.hpp):
// the same seed gives unrelated permutations for a split, the folds and the windows.
constexpr std::uint32_t split_stream = 512;
constexpr std::uint32_t fold_stream = 513;
constexpr std::uint32_t window_stream = 514;

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw data_error("typetune::torch: " + file.string() + ": " + what);
}

template <class T>
std::string str(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

// ---------------------------------------------------------------------------------------------
// zlib input: gzread reads gzip and plain files alike.

struct gz_closer {
  void operator()(gzFile file) const noexcept { gzclose(file); }
};
using gz_handle = std::unique_ptr<gzFile_s, gz_closer>;

gz_handle gz_open(const fs::path& file) {
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (!fs::exists(status)) fail(file, "no such file");
  if (fs::is_directory(status)) fail(file, "is a directory, not a file");
  errno = 0;
  gz_handle gz(gzopen(file.c_str(), "rb"));
  if (!gz) fail(file, std::string("cannot open: ") + (errno != 0 ? std::generic_category().message(errno) : "out of memory"));
  return gz;
}

// zlib's own message for the stream's error state, empty when there is none.
std::string gz_error_message(gzFile gz, const fs::path& file) {
  int code = Z_OK;
  const char* message = gzerror(gz, &code);
  if (code == Z_OK || code == Z_STREAM_END) return {};
  if (code == Z_ERRNO) return std::generic_category().message(errno);
  std::string text = message != nullptr ? message : "";
  // zlib prefixes the path, which our message already starts with.
  if (const auto prefix = file.string() + ": "; text.starts_with(prefix)) text.erase(0, prefix.size());
  return text;
}

// Up to n bytes into buffer; fewer only at the end of the data. Throws on a corrupt stream.
std::size_t gz_read(gzFile gz, const fs::path& file, void* buffer, std::size_t n) {
  constexpr std::size_t chunk = std::size_t{1} << 30;  // gzread counts in unsigned int
  auto* out = static_cast<unsigned char*>(buffer);
  std::size_t got = 0;
  while (got < n) {
    const auto want = static_cast<unsigned>(std::min(chunk, n - got));
    const int read = gzread(gz, out + got, want);
    if (read < 0) fail(file, "corrupt gzip data: " + gz_error_message(gz, file));
    got += static_cast<std::size_t>(read);
    if (static_cast<unsigned>(read) < want) break;
  }
  if (got < n) {
    // A short read is the end of the data, or the end of a cut-off gzip stream.
    if (auto message = gz_error_message(gz, file); !message.empty()) fail(file, "corrupt gzip data: " + message);
  }
  return got;
}

void gz_read_exact(gzFile gz, const fs::path& file, void* buffer, std::size_t n, const std::string& what) {
  const auto got = gz_read(gz, file, buffer, n);
  if (got < n) fail(file, "truncated " + what + ": expected " + std::to_string(n) + " bytes, got " + std::to_string(got));
}

std::string read_text(const fs::path& file) {
  auto gz = gz_open(file);
  std::string text;
  std::array<char, 1 << 16> buffer{};
  for (;;) {
    const auto got = gz_read(gz.get(), file, buffer.data(), buffer.size());
    text.append(buffer.data(), got);
    if (got < buffer.size()) return text;
  }
}

::torch::Tensor index_tensor(const std::vector<std::int64_t>& indices) {
  auto out = ::torch::empty({static_cast<std::int64_t>(indices.size())}, ::torch::kLong);
  std::copy(indices.begin(), indices.end(), out.data_ptr<std::int64_t>());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Whitespace-separated numeric tables (numpy.savetxt's format).

std::vector<float> parse_table(const fs::path& file, std::int64_t rows, std::int64_t columns) {
  const std::string text = read_text(file);
  std::vector<float> values;
  values.reserve(static_cast<std::size_t>(rows * columns));
  std::int64_t row = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++row;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = "line " + std::to_string(row);
    std::int64_t column = 0;
    std::size_t pos = 0;
    for (;;) {
      pos = line.find_first_not_of(" \t", pos);
      if (pos == std::string_view::npos) break;
      const auto stop = std::min(line.find_first_of(" \t", pos), line.size());
      const std::string_view token = line.substr(pos, stop - pos);
      pos = stop;
      ++column;
      double value = 0;
      const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (ec != std::errc() || ptr != token.data() + token.size() || !std::isfinite(value))
        fail(file, where + ", column " + std::to_string(column) + ": malformed number '" + std::string(token) + "'");
      if (column <= columns) values.push_back(static_cast<float>(value));
    }
    if (column != columns)
      fail(file, where + ": " + std::to_string(column) + " columns, expected " + std::to_string(columns));
    if (row > rows) fail(file, "more than the expected " + std::to_string(rows) + " rows");
  }
  if (row != rows) fail(file, std::to_string(row) + " rows, expected " + std::to_string(rows));
  return values;
}

// ---------------------------------------------------------------------------------------------
// Labels, permutations and index sets.

std::vector<std::int64_t> label_vector(const ::torch::Tensor& labels) {
  if (!labels.defined()) throw std::invalid_argument("typetune::torch: labels is an undefined tensor");
  if (labels.dim() != 1)
    throw std::invalid_argument("typetune::torch: labels must be 1-D [N], got shape " + str(labels.sizes()));
  if (!::torch::isIntegralType(labels.scalar_type(), /*includeBool=*/false))
    throw std::invalid_argument("typetune::torch: labels must hold integer classes, got dtype " +
                                str(labels.scalar_type()));
  const auto cpu = labels.to(::torch::kCPU, ::torch::kLong).contiguous();
  const auto* data = cpu.data_ptr<std::int64_t>();
  return {data, data + cpu.numel()};
}

// Sample indices of each class, in ascending label order and ascending index order.
std::map<std::int64_t, std::vector<std::int64_t>> class_members(const std::vector<std::int64_t>& y) {
  std::map<std::int64_t, std::vector<std::int64_t>> members;
  for (std::size_t i = 0; i < y.size(); ++i) members[y[i]].push_back(static_cast<std::int64_t>(i));
  return members;
}

// Fisher-Yates with the project's counter-based generator: the same permutation on every
// standard library (std::shuffle's algorithm is unspecified).
void shuffle(std::vector<std::int64_t>& v, random_stream& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::vector<std::int64_t> iota_vector(std::int64_t n) {
  return views::iota(std::int64_t{0}, n) | ranges::to<std::vector>();
}

void check_fraction(double validation_fraction) {
  if (!(validation_fraction > 0.0 && validation_fraction < 1.0))
    throw std::invalid_argument("typetune::torch: validation_fraction must lie in (0, 1), got " +
                                str(validation_fraction));
}

void check_n_splits(std::int64_t n_splits) {
  if (n_splits < 2)
    throw std::invalid_argument("typetune::torch: n_splits must be at least 2, got " + std::to_string(n_splits));
}

// One fold per value of fold_of: validation where fold_of[i] == fold, training elsewhere.
std::vector<split_indices> folds_from_assignment(const std::vector<std::int64_t>& fold_of, std::int64_t n_splits) {
  const auto n = static_cast<std::int64_t>(fold_of.size());
  std::vector<split_indices> folds;
  folds.reserve(static_cast<std::size_t>(n_splits));
  for (std::int64_t fold = 0; fold < n_splits; ++fold) {
    const auto in_fold = [&](std::int64_t i) { return fold_of[static_cast<std::size_t>(i)] == fold; };
    const auto out_of_fold = [&](std::int64_t i) { return !in_fold(i); };
    folds.push_back({index_tensor(views::iota(std::int64_t{0}, n) | views::filter(out_of_fold) | ranges::to<std::vector>()),
                     index_tensor(views::iota(std::int64_t{0}, n) | views::filter(in_fold) | ranges::to<std::vector>())});
  }
  return folds;
}

split_indices sorted_split(std::vector<std::int64_t> train, std::vector<std::int64_t> validation) {
  ranges::sort(train);
  ranges::sort(validation);
  return {index_tensor(train), index_tensor(validation)};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// tensor_dataset

tensor_dataset::tensor_dataset(::torch::Tensor x, ::torch::Tensor y) : x_(std::move(x)), y_(std::move(y)) {
  if (!x_.defined() || !y_.defined())
    throw std::invalid_argument(std::string("typetune::torch: tensor_dataset needs defined tensors, got an undefined ") +
                                (x_.defined() ? "y" : "x"));
  if (x_.dim() < 1 || y_.dim() < 1)
    throw std::invalid_argument("typetune::torch: tensor_dataset needs tensors of rank >= 1, got x " + str(x_.sizes()) +
                                " and y " + str(y_.sizes()));
  if (x_.size(0) != y_.size(0))
    throw std::invalid_argument("typetune::torch: tensor_dataset: x has " + std::to_string(x_.size(0)) +
                                " samples but y has " + std::to_string(y_.size(0)));
}

tensor_dataset tensor_dataset::subset(const ::torch::Tensor& indices) const {
  if (!x_.defined()) throw std::logic_error("typetune::torch: subset of an empty tensor_dataset");
  if (!indices.defined() || indices.dim() != 1 ||
      !::torch::isIntegralType(indices.scalar_type(), /*includeBool=*/false))
    throw std::invalid_argument("typetune::torch: subset indices must be a 1-D integer tensor");
  if (indices.numel() > 0) {
    const auto lo = indices.min().item<std::int64_t>();
    const auto hi = indices.max().item<std::int64_t>();
    if (lo < 0 || hi >= size())
      throw std::invalid_argument("typetune::torch: subset indices must lie in [0, " + std::to_string(size()) +
                                  "), got " + std::to_string(lo < 0 ? lo : hi));
  }
  return {x_.index_select(0, indices.to(x_.device(), ::torch::kLong)),
          y_.index_select(0, indices.to(y_.device(), ::torch::kLong))};
}

tensor_dataset tensor_dataset::to(const ::torch::Device& device) const {
  if (!x_.defined()) return {};
  return {x_.to(device), y_.to(device)};
}

// ---------------------------------------------------------------------------------------------
// IDX files and Fashion-MNIST

::torch::Tensor read_idx(const fs::path& file) {
  auto gz = gz_open(file);
  std::array<unsigned char, 4> magic{};
  gz_read_exact(gz.get(), file, magic.data(), magic.size(), "IDX header");
  if (magic[0] != 0 || magic[1] != 0) {
    std::ostringstream os;
    os << "not an IDX file: bad magic 0x" << std::hex;
    for (const auto byte : magic) os << (byte < 16 ? "0" : "") << static_cast<unsigned>(byte);
    fail(file, os.str());
  }
  if (magic[2] != 0x08) {
    std::ostringstream os;
    os << "IDX element type 0x" << std::hex << static_cast<unsigned>(magic[2])
       << " is not supported, only unsigned bytes (0x08)";
    fail(file, os.str());
  }
  const unsigned ndim = magic[3];
  if (ndim == 0) fail(file, "IDX file with no dimensions");

  std::vector<unsigned char> raw(4 * std::size_t{ndim});
  gz_read_exact(gz.get(), file, raw.data(), raw.size(), "IDX header");
  constexpr std::uint64_t max_bytes = std::uint64_t{1} << 31;
  std::vector<std::int64_t> dims(ndim);
  std::uint64_t total = 1;
  for (unsigned d = 0; d < ndim; ++d) {
    const std::uint64_t dim = (std::uint64_t{raw[4 * d]} << 24) | (std::uint64_t{raw[4 * d + 1]} << 16) |
                              (std::uint64_t{raw[4 * d + 2]} << 8) | std::uint64_t{raw[4 * d + 3]};
    dims[d] = static_cast<std::int64_t>(dim);
    total *= dim;  // total <= 2^31 and dim < 2^32: no overflow
    if (dim > max_bytes || total > max_bytes) {
      std::ostringstream os;
      os << "absurd IDX dimensions " << ::torch::IntArrayRef(dims.data(), d + 1) << ": more than 2^31 bytes";
      fail(file, os.str());
    }
  }

  auto out = ::torch::empty(dims, ::torch::kUInt8);
  if (total > 0) gz_read_exact(gz.get(), file, out.data_ptr<std::uint8_t>(), total, "IDX data of shape " + str(out.sizes()));
  unsigned char extra = 0;
  if (gz_read(gz.get(), file, &extra, 1) != 0)
    fail(file, "trailing bytes after the IDX data of shape " + str(out.sizes()));
  return out;
}

fs::path fashion_mnist_dir() {
  if (const char* dir = std::getenv("TYPETUNE_FASHION_MNIST_DIR"); dir != nullptr && *dir != '\0') return dir;
  return "/usr/share/datasets/fashion-mnist";
}

namespace {

tensor_dataset load_idx_pair(const fs::path& images_file, const fs::path& labels_file) {
  auto images = read_idx(images_file);
  if (images.dim() != 3 || images.size(1) != 28 || images.size(2) != 28)
    fail(images_file, "expected images of shape [N, 28, 28], got " + str(images.sizes()));
  auto labels = read_idx(labels_file);
  if (labels.dim() != 1) fail(labels_file, "expected labels of shape [N], got " + str(labels.sizes()));
  if (labels.size(0) != images.size(0))
    fail(labels_file, std::to_string(labels.size(0)) + " labels for " + std::to_string(images.size(0)) + " images in " +
                          images_file.string());
  if (labels.numel() > 0) {
    const auto top = labels.max().item<std::uint8_t>();
    if (top > 9) fail(labels_file, "label " + std::to_string(top) + " out of range 0..9");
  }
  return {images.to(::torch::kFloat32).div_(255.0), labels.to(::torch::kLong)};
}

}  // namespace

fashion_mnist load_fashion_mnist(const fs::path& dir) {
  return {load_idx_pair(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz"),
          load_idx_pair(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz")};
}

// ---------------------------------------------------------------------------------------------
// Diabetes

fs::path sklearn_data_dir() {
  if (const char* dir = std::getenv("TYPETUNE_SKLEARN_DATA_DIR"); dir != nullptr && *dir != '\0') return dir;
  return "/usr/lib/python3/dist-packages/sklearn/datasets/data";
}

tensor_dataset load_diabetes(const fs::path& dir) {
  constexpr std::int64_t rows = 442;
  constexpr std::int64_t features = 10;
  auto x = parse_table(dir / "diabetes_data_raw.csv.gz", rows, features);
  auto y = parse_table(dir / "diabetes_target.csv.gz", rows, 1);
  return {::torch::tensor(x, ::torch::kFloat32).reshape({rows, features}),
          ::torch::tensor(y, ::torch::kFloat32).reshape({rows, 1})};
}

// ---------------------------------------------------------------------------------------------
// Splits and folds

split_indices stratified_split(const ::torch::Tensor& labels, double validation_fraction, std::uint64_t seed) {
  const auto y = label_vector(labels);
  check_fraction(validation_fraction);
  const auto n = static_cast<std::int64_t>(y.size());
  if (n < 2) throw std::invalid_argument("typetune::torch: labels must hold at least two samples, got " + std::to_string(n));

  // Largest remainders: the validation part holds round(n * fraction) samples and each class
  // within one sample of its exact share; a class of two or more keeps one sample on each side.
  struct class_part {
    std::vector<std::int64_t> members;
    double exact = 0;
    std::int64_t n_validation = 0;
  };
  std::vector<class_part> classes;
  for (auto& [label, members] : class_members(y)) {
    const double exact = static_cast<double>(members.size()) * validation_fraction;
    classes.push_back({std::move(members), exact, static_cast<std::int64_t>(std::floor(exact))});
  }
  const auto target = std::llround(static_cast<double>(n) * validation_fraction);
  std::int64_t assigned = 0;
  for (const auto& c : classes) assigned += c.n_validation;
  auto by_remainder = iota_vector(static_cast<std::int64_t>(classes.size()));
  ranges::stable_sort(by_remainder, std::greater<>{}, [&](std::int64_t c) {
    const auto& part = classes[static_cast<std::size_t>(c)];
    return part.exact - static_cast<double>(part.n_validation);
  });
  for (const auto c : by_remainder | views::take(std::max<std::int64_t>(target - assigned, 0)))
    ++classes[static_cast<std::size_t>(c)].n_validation;
  for (auto& c : classes) {
    const auto size = static_cast<std::int64_t>(c.members.size());
    c.n_validation = size < 2 ? 0 : std::clamp<std::int64_t>(c.n_validation, 1, size - 1);
  }
  if (ranges::all_of(classes, [](const class_part& c) { return c.n_validation == 0; }))
    throw std::invalid_argument("typetune::torch: labels: no class has two samples to split");

  random_stream rng(seed, 0, split_stream);
  for (auto& c : classes) shuffle(c.members, rng);
  auto validation = classes | views::transform([](const class_part& c) {
                      return c.members | views::take(c.n_validation);
                    }) |
                    views::join | ranges::to<std::vector>();
  auto train = classes | views::transform([](const class_part& c) {
                 return c.members | views::drop(c.n_validation);
               }) |
               views::join | ranges::to<std::vector>();
  return sorted_split(std::move(train), std::move(validation));
}

split_indices random_split(std::int64_t n, double validation_fraction, std::uint64_t seed) {
  if (n < 2) throw std::invalid_argument("typetune::torch: n must be at least 2, got " + std::to_string(n));
  check_fraction(validation_fraction);
  const auto n_validation =
      std::clamp<std::int64_t>(std::llround(static_cast<double>(n) * validation_fraction), 1, n - 1);
  auto order = iota_vector(n);
  random_stream rng(seed, 0, split_stream);
  shuffle(order, rng);
  return sorted_split(order | views::drop(n_validation) | ranges::to<std::vector>(),
                      order | views::take(n_validation) | ranges::to<std::vector>());
}

std::vector<split_indices> k_fold::split(std::int64_t n) const {
  check_n_splits(n_splits);
  if (n < n_splits)
    throw std::invalid_argument("typetune::torch: n = " + std::to_string(n) + " is smaller than n_splits = " +
                                std::to_string(n_splits));
  auto order = iota_vector(n);
  if (shuffle) {
    random_stream rng(seed, 0, fold_stream);
    typetune::torch::shuffle(order, rng);
  }
  // scikit-learn's KFold: the first n % n_splits folds hold one sample more.
  std::vector<std::int64_t> fold_of(static_cast<std::size_t>(n));
  std::int64_t position = 0;
  for (std::int64_t fold = 0; fold < n_splits; ++fold) {
    const auto fold_size = n / n_splits + (fold < n % n_splits ? 1 : 0);
    for (const auto i : order | views::drop(position) | views::take(fold_size))
      fold_of[static_cast<std::size_t>(i)] = fold;
    position += fold_size;
  }
  return folds_from_assignment(fold_of, n_splits);
}

std::vector<split_indices> stratified_k_fold::split(const ::torch::Tensor& labels) const {
  check_n_splits(n_splits);
  const auto y = label_vector(labels);
  auto classes = class_members(y);
  for (const auto& [label, members] : classes)
    if (static_cast<std::int64_t>(members.size()) < n_splits)
      throw std::invalid_argument("typetune::torch: labels: class " + std::to_string(label) + " has " +
                                  std::to_string(members.size()) + " samples, fewer than n_splits = " +
                                  std::to_string(n_splits));
  // Samples sorted by class are dealt to the folds round-robin, one class after the other, so
  // every fold's count of each class and every fold's size lie within one of the others'.
  random_stream rng(seed, 0, fold_stream);
  std::vector<std::int64_t> fold_of(y.size());
  std::int64_t position = 0;
  for (auto& [label, members] : classes) {
    if (shuffle) typetune::torch::shuffle(members, rng);
    for (const auto i : members) fold_of[static_cast<std::size_t>(i)] = position++ % n_splits;
  }
  return folds_from_assignment(fold_of, n_splits);
}

// ---------------------------------------------------------------------------------------------
// standardizer

standardizer standardizer::fit(const ::torch::Tensor& x) {
  if (!x.defined() || x.dim() < 1 || x.size(0) < 1 || !x.is_floating_point())
    throw std::invalid_argument("typetune::torch: standardizer::fit needs a floating tensor with samples along dimension 0");
  // Population standard deviation (divisor N), as scikit-learn's StandardScaler.
  const auto mean = x.mean(0);
  const auto deviation = (x - mean).square().mean(0).sqrt();
  const double eps = x.scalar_type() == ::torch::kDouble ? std::numeric_limits<double>::epsilon()
                                                         : std::numeric_limits<float>::epsilon();
  // Constant features (a deviation that is rounding noise of the mean) keep scale 1.
  const auto constant = deviation <= mean.abs() * (10 * eps);
  return {mean, ::torch::where(constant, ::torch::ones_like(deviation), deviation)};
}

::torch::Tensor standardizer::apply(const ::torch::Tensor& x) const {
  if (!mean.defined() || !scale.defined()) throw std::logic_error("typetune::torch: standardizer::apply before fit");
  if (!x.defined() || x.dim() != mean.dim() + 1 || x.sizes().slice(1) != mean.sizes())
    throw std::invalid_argument("typetune::torch: standardizer fitted on samples of shape " + str(mean.sizes()) +
                                " cannot apply to " + (x.defined() ? str(x.sizes()) : std::string("an undefined tensor")));
  return (x - mean.to(x.device())) / scale.to(x.device());
}

// ---------------------------------------------------------------------------------------------
// Sequences

::torch::Tensor as_sequences(const ::torch::Tensor& images) {
  if (images.defined() && images.dim() == 3) return images.view(images.sizes());
  if (images.defined() && images.dim() == 4 && images.size(1) == 1) return images.squeeze(1);
  throw std::invalid_argument("typetune::torch: images must be [N, H, W] or [N, 1, H, W], got " +
                              (images.defined() ? str(images.sizes()) : std::string("an undefined tensor")));
}

::torch::Tensor random_windows(const ::torch::Tensor& sequences, std::int64_t length, std::uint64_t seed) {
  if (!sequences.defined() || sequences.dim() != 3)
    throw std::invalid_argument("typetune::torch: sequences must be [N, steps, features], got " +
                                (sequences.defined() ? str(sequences.sizes()) : std::string("an undefined tensor")));
  const auto n = sequences.size(0);
  const auto steps = sequences.size(1);
  const auto features = sequences.size(2);
  if (length < 1 || length > steps)
    throw std::invalid_argument("typetune::torch: length must lie in [1, " + std::to_string(steps) + "], got " +
                                std::to_string(length));
  if (length == steps) return sequences;
  // Sample i's offset depends on (seed, i, steps - length) only, not on the other samples.
  auto offsets = ::torch::empty({n}, ::torch::kLong);
  auto* offset = offsets.data_ptr<std::int64_t>();
  const auto choices = static_cast<std::uint64_t>(steps - length + 1);
  for (std::int64_t i = 0; i < n; ++i)
    offset[i] = static_cast<std::int64_t>(random_stream(seed, static_cast<std::uint64_t>(i), window_stream).below(choices));
  const auto rows = (offsets.unsqueeze(1) + ::torch::arange(length, ::torch::kLong)).to(sequences.device());
  return sequences.gather(1, rows.unsqueeze(2).expand({n, length, features}));
}

}  // namespace typetune::torch
