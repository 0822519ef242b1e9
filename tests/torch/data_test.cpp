// Data: IDX and table readers on real and broken files, seeded splits and folds, standardisation
// and sequence windows.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "typetune/torch/data.hpp"

namespace fs = std::filesystem;
namespace tt = typetune::torch;

namespace {

// Fashion-MNIST from Debian's dataset-fashion-mnist, read once per test binary.
const tt::fashion_mnist& fmnist() {
  static const tt::fashion_mnist data = tt::load_fashion_mnist();
  return data;
}

// A fresh directory under the system's temporary directory, removed with its contents.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("typetune-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

using bytes = std::vector<unsigned char>;

void write_file(const fs::path& file, const bytes& content) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
}

void write_text(const fs::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary);
  out << content;
}

bytes read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An IDX file of unsigned bytes: header for `dims`, then `data` as given (which may disagree).
bytes idx(const std::vector<std::uint32_t>& dims, const bytes& data, unsigned char type = 0x08) {
  bytes out = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (const auto d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(d >> shift));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

bytes iota_bytes(std::size_t n, unsigned char first = 0) {
  bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(first + i);
  return out;
}

// The message of the data_error that f throws (fails the test when it throws nothing else).
template <class F>
std::string data_error_of(F&& f) {
  try {
    f();
  } catch (const tt::data_error& e) {
    return e.what();
  }
  FAIL("no data_error thrown");
  return {};
}

template <class F>
std::string invalid_argument_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("no std::invalid_argument thrown");
  return {};
}

std::vector<std::int64_t> to_vector(const ::torch::Tensor& t) {
  REQUIRE(t.scalar_type() == ::torch::kLong);
  REQUIRE(t.dim() == 1);
  const auto c = t.contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

// Sorted, duplicate-free, all within [0, n) and together exactly 0..n-1.
void check_partition(const tt::split_indices& s, std::int64_t n) {
  const auto train = to_vector(s.train);
  const auto validation = to_vector(s.validation);
  CHECK(!train.empty());
  CHECK(!validation.empty());
  std::set<std::int64_t> all(train.begin(), train.end());
  all.insert(validation.begin(), validation.end());
  CHECK(static_cast<std::int64_t>(all.size()) == n);
  CHECK(static_cast<std::int64_t>(train.size() + validation.size()) == n);
  CHECK(*all.begin() == 0);
  CHECK(*all.rbegin() == n - 1);
}

std::map<std::int64_t, std::int64_t> class_counts(const ::torch::Tensor& labels, const ::torch::Tensor& indices) {
  std::map<std::int64_t, std::int64_t> counts;
  const auto y = to_vector(labels);
  for (const auto i : to_vector(indices)) ++counts[y[static_cast<std::size_t>(i)]];
  return counts;
}

// Labels with uneven classes: 0 x 7, 1 x 13, 2 x 2, 3 x 1, 4 x 9, interleaved.
::torch::Tensor uneven_labels() {
  std::vector<std::int64_t> y;
  const std::map<std::int64_t, int> sizes = {{0, 7}, {1, 13}, {2, 2}, {3, 1}, {4, 9}};
  for (int round = 0; round < 13; ++round)
    for (const auto& [label, size] : sizes)
      if (round < size) y.push_back(label);
  return ::torch::tensor(y, ::torch::kLong);
}

// Sets an environment variable for one scope and restores the old value.
class scoped_env {
 public:
  scoped_env(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// IDX

TEST_CASE("read_idx reads a plain IDX file of unsigned bytes into a uint8 tensor of its shape", "[data]") {
  temp_dir dir;
  const auto file = dir.path() / "cube.idx";
  write_file(file, idx({2, 3, 4}, iota_bytes(24, 1)));
  const auto t = tt::read_idx(file);
  CHECK(t.scalar_type() == ::torch::kUInt8);
  CHECK(t.sizes() == ::torch::IntArrayRef({2, 3, 4}));
  CHECK(t[0][0][0].item<int>() == 1);
  CHECK(t[1][2][3].item<int>() == 24);
  CHECK(t.sum().item<std::int64_t>() == 24 * 25 / 2);

  write_file(file, idx({0, 28}, {}));
  CHECK(tt::read_idx(file).sizes() == ::torch::IntArrayRef({0, 28}));
}

TEST_CASE("read_idx throws data_error naming the file for missing and malformed files", "[data]") {
  temp_dir dir;
  const auto file = dir.path() / "broken-idx1-ubyte";
  const auto expect = [&](const bytes& content, const std::string& what) {
    write_file(file, content);
    const auto message = data_error_of([&] { (void)tt::read_idx(file); });
    CHECK_THAT(message, Catch::Contains(file.string()) && Catch::Contains(what));
  };
  SECTION("missing file") {
    const auto missing = dir.path() / "no-such-idx1-ubyte.gz";
    const auto message = data_error_of([&] { (void)tt::read_idx(missing); });
    CHECK_THAT(message, Catch::Contains(missing.string()) && Catch::Contains("no such file"));
  }
  SECTION("a directory") {
    const auto message = data_error_of([&] { (void)tt::read_idx(dir.path()); });
    CHECK_THAT(message, Catch::Contains(dir.path().string()) && Catch::Contains("directory"));
  }
  SECTION("empty file") { expect({}, "truncated IDX header"); }
  SECTION("header cut inside the dimensions") { expect({0, 0, 8, 2, 0, 0, 0, 5, 0, 0}, "truncated IDX header"); }
  SECTION("wrong magic") { expect({0x1f, 0x8c, 8, 1, 0, 0, 0, 1, 7}, "bad magic 0x1f8c0801"); }
  SECTION("element type other than unsigned byte") { expect(idx({2}, {0, 0, 0, 0, 0, 0, 0, 0}, 0x0d), "type 0xd"); }
  SECTION("no dimensions") { expect({0, 0, 8, 0}, "no dimensions"); }
  SECTION("data shorter than the dimensions") { expect(idx({3, 4}, iota_bytes(11)), "expected 12 bytes, got 11"); }
  SECTION("trailing bytes") { expect(idx({3, 4}, iota_bytes(13)), "trailing bytes"); }
  SECTION("absurd dimensions") { expect(idx({0xffffffffu, 0xffffffffu, 0xffffffffu}, {}), "absurd IDX dimensions"); }
  SECTION("dimensions whose product overflows 32 bits") { expect(idx({65536, 65536}, {}), "absurd IDX dimensions"); }
}

TEST_CASE("read_idx reports a cut-off or corrupted gzip stream with the file name", "[data]") {
  temp_dir dir;
  const auto real = read_file(tt::fashion_mnist_dir() / "t10k-labels-idx1-ubyte.gz");
  REQUIRE(real.size() > 1000);
  const auto file = dir.path() / "t10k-labels-idx1-ubyte.gz";
  SECTION("intact copy") {
    write_file(file, real);
    const auto labels = tt::read_idx(file);
    CHECK(labels.sizes() == ::torch::IntArrayRef({10000}));
    CHECK(labels[0].item<int>() == 9);
  }
  SECTION("cut in the middle") {
    write_file(file, bytes(real.begin(), real.begin() + static_cast<std::ptrdiff_t>(real.size() / 2)));
    CHECK_THAT(data_error_of([&] { (void)tt::read_idx(file); }), Catch::Contains(file.string()) && Catch::Contains("corrupt gzip data"));
  }
  SECTION("cut in the gzip trailer") {
    write_file(file, bytes(real.begin(), real.end() - 4));
    CHECK_THAT(data_error_of([&] { (void)tt::read_idx(file); }), Catch::Contains(file.string()) && Catch::Contains("corrupt gzip data"));
  }
  SECTION("bytes flipped in the compressed data") {
    auto corrupt = real;
    for (std::size_t i = real.size() / 2; i < real.size() / 2 + 64; ++i) corrupt[i] ^= 0x5a;
    write_file(file, corrupt);
    CHECK_THAT(data_error_of([&] { (void)tt::read_idx(file); }), Catch::Contains(file.string()) && Catch::Contains("corrupt gzip data"));
  }
}

// ---------------------------------------------------------------------------------------------
// Fashion-MNIST

TEST_CASE("Fashion-MNIST loads 60000 and 10000 images in 0..1 with 6000 and 1000 of each class", "[data][fashion]") {
  const auto& data = fmnist();
  CHECK(data.train.x().sizes() == ::torch::IntArrayRef({60000, 28, 28}));
  CHECK(data.train.y().sizes() == ::torch::IntArrayRef({60000}));
  CHECK(data.test.x().sizes() == ::torch::IntArrayRef({10000, 28, 28}));
  CHECK(data.test.y().sizes() == ::torch::IntArrayRef({10000}));
  CHECK(data.train.x().scalar_type() == ::torch::kFloat32);
  CHECK(data.train.y().scalar_type() == ::torch::kLong);
  CHECK(data.train.size() == 60000);
  for (const auto* part : {&data.train, &data.test}) {
    CHECK(part->x().min().item<float>() == 0.0f);
    CHECK(part->x().max().item<float>() == 1.0f);
  }
  CHECK(::torch::equal(::torch::bincount(data.train.y()), ::torch::full({10}, 6000, ::torch::kLong)));
  CHECK(::torch::equal(::torch::bincount(data.test.y()), ::torch::full({10}, 1000, ::torch::kLong)));
  // Known values: the first labels of both files and one pixel of the first training image.
  CHECK(data.train.y().slice(0, 0, 5).equal(::torch::tensor({9, 0, 0, 3, 0}, ::torch::kLong)));
  CHECK(data.test.y().slice(0, 0, 5).equal(::torch::tensor({9, 2, 1, 1, 6}, ::torch::kLong)));
  CHECK(data.train.x()[0][10][13].item<float>() == Approx(193.0 / 255.0));
  CHECK(tt::fashion_mnist::classes[9] == "Ankle boot");
}

TEST_CASE("load_fashion_mnist checks shapes and counts and labels and names the offending file", "[data]") {
  temp_dir dir;
  const auto& d = dir.path();
  bytes pixels(3 * 28 * 28, 51);
  pixels[0] = 255;
  write_file(d / "train-images-idx3-ubyte.gz", idx({3, 28, 28}, pixels));
  write_file(d / "train-labels-idx1-ubyte.gz", idx({3}, {0, 9, 4}));
  write_file(d / "t10k-images-idx3-ubyte.gz", idx({2, 28, 28}, bytes(2 * 28 * 28, 0)));
  write_file(d / "t10k-labels-idx1-ubyte.gz", idx({2}, {1, 2}));

  SECTION("well-formed small files") {
    const auto data = tt::load_fashion_mnist(d);
    CHECK(data.train.x().sizes() == ::torch::IntArrayRef({3, 28, 28}));
    CHECK(data.train.x()[0][0][0].item<float>() == 1.0f);
    CHECK(data.train.x()[2][27][27].item<float>() == Approx(0.2));
    CHECK(data.train.y().equal(::torch::tensor({0, 9, 4}, ::torch::kLong)));
    CHECK(data.test.size() == 2);
  }
  SECTION("label count differs from image count") {
    write_file(d / "t10k-labels-idx1-ubyte.gz", idx({3}, {1, 2, 3}));
    const auto message = data_error_of([&] { (void)tt::load_fashion_mnist(d); });
    CHECK_THAT(message, Catch::Contains("t10k-labels-idx1-ubyte.gz") && Catch::Contains("3 labels for 2 images"));
  }
  SECTION("label out of range") {
    write_file(d / "train-labels-idx1-ubyte.gz", idx({3}, {0, 10, 4}));
    const auto message = data_error_of([&] { (void)tt::load_fashion_mnist(d); });
    CHECK_THAT(message, Catch::Contains("train-labels-idx1-ubyte.gz") && Catch::Contains("label 10"));
  }
  SECTION("images that are not 28 x 28") {
    write_file(d / "train-images-idx3-ubyte.gz", idx({3, 27, 28}, bytes(3 * 27 * 28, 0)));
    const auto message = data_error_of([&] { (void)tt::load_fashion_mnist(d); });
    CHECK_THAT(message, Catch::Contains("train-images-idx3-ubyte.gz") && Catch::Contains("[3, 27, 28]"));
  }
  SECTION("a missing file") {
    fs::remove(d / "t10k-images-idx3-ubyte.gz");
    const auto message = data_error_of([&] { (void)tt::load_fashion_mnist(d); });
    CHECK_THAT(message, Catch::Contains("t10k-images-idx3-ubyte.gz"));
  }
  SECTION("the directory comes from TYPETUNE_FASHION_MNIST_DIR") {
    scoped_env env("TYPETUNE_FASHION_MNIST_DIR", d.string());
    CHECK(tt::fashion_mnist_dir() == d);
    CHECK(tt::load_fashion_mnist().train.size() == 3);
  }
}

// ---------------------------------------------------------------------------------------------
// Diabetes

TEST_CASE("the diabetes table has 442 rows of 10 raw features and one target", "[data]") {
  const auto data = tt::load_diabetes();
  CHECK(data.x().sizes() == ::torch::IntArrayRef({442, 10}));
  CHECK(data.y().sizes() == ::torch::IntArrayRef({442, 1}));
  CHECK(data.x().scalar_type() == ::torch::kFloat32);
  CHECK(data.y().scalar_type() == ::torch::kFloat32);
  // First row of diabetes_data_raw.csv.gz: "59 2 32.1 101.0 157 93.2 38.0 4.0 4.8598 87".
  const std::vector<float> first = {59, 2, 32.1f, 101, 157, 93.2f, 38, 4, 4.8598f, 87};
  CHECK(data.x()[0].equal(::torch::tensor(first, ::torch::kFloat32)));
  CHECK(data.y()[0][0].item<float>() == 151.0f);
  CHECK(data.y()[1][0].item<float>() == 75.0f);
  // Sex is coded 1 or 2.
  CHECK(data.x().select(1, 1).min().item<float>() == 1.0f);
  CHECK(data.x().select(1, 1).max().item<float>() == 2.0f);
}

TEST_CASE("load_diabetes names the file and line of malformed tables", "[data]") {
  temp_dir dir;
  const auto& d = dir.path();
  // Plain text files under the .gz names: zlib reads them transparently.
  std::string features, targets;
  for (int i = 0; i < 442; ++i) {
    features += std::to_string(i) + " 1 2 3 4 5 6 7 8 9.5\n";
    targets += std::to_string(i) + ".0e+00\n";
  }
  write_text(d / "diabetes_data_raw.csv.gz", features);
  write_text(d / "diabetes_target.csv.gz", targets);
  const auto replace_line = [](std::string text, int line, const std::string& with) {
    std::size_t begin = 0;
    for (int i = 1; i < line; ++i) begin = text.find('\n', begin) + 1;
    return text.replace(begin, text.find('\n', begin) - begin, with);
  };

  SECTION("well-formed") {
    const auto data = tt::load_diabetes(d);
    CHECK(data.x()[441][0].item<float>() == 441.0f);
    CHECK(data.x()[3][9].item<float>() == 9.5f);
    CHECK(data.y()[441][0].item<float>() == 441.0f);
  }
  SECTION("a malformed number") {
    write_text(d / "diabetes_data_raw.csv.gz", replace_line(features, 3, "2 1 2 3 4x 5 6 7 8 9"));
    const auto message = data_error_of([&] { (void)tt::load_diabetes(d); });
    CHECK_THAT(message, Catch::Contains("diabetes_data_raw.csv.gz") && Catch::Contains("line 3, column 5") &&
                            Catch::Contains("'4x'"));
  }
  SECTION("a missing column") {
    write_text(d / "diabetes_data_raw.csv.gz", replace_line(features, 17, "2 1 2 3 4 5 6 7 8"));
    const auto message = data_error_of([&] { (void)tt::load_diabetes(d); });
    CHECK_THAT(message, Catch::Contains("diabetes_data_raw.csv.gz") && Catch::Contains("line 17: 9 columns, expected 10"));
  }
  SECTION("an extra column in the targets") {
    write_text(d / "diabetes_target.csv.gz", replace_line(targets, 442, "1 2"));
    const auto message = data_error_of([&] { (void)tt::load_diabetes(d); });
    CHECK_THAT(message, Catch::Contains("diabetes_target.csv.gz") && Catch::Contains("line 442: 2 columns"));
  }
  SECTION("a missing row") {
    write_text(d / "diabetes_target.csv.gz", targets.substr(0, targets.rfind('\n', targets.size() - 2) + 1));
    const auto message = data_error_of([&] { (void)tt::load_diabetes(d); });
    CHECK_THAT(message, Catch::Contains("diabetes_target.csv.gz") && Catch::Contains("441 rows, expected 442"));
  }
  SECTION("a non-finite number") {
    write_text(d / "diabetes_target.csv.gz", replace_line(targets, 1, "nan"));
    CHECK_THAT(data_error_of([&] { (void)tt::load_diabetes(d); }), Catch::Contains("line 1, column 1"));
  }
  SECTION("a missing file") {
    fs::remove(d / "diabetes_target.csv.gz");
    CHECK_THAT(data_error_of([&] { (void)tt::load_diabetes(d); }), Catch::Contains("diabetes_target.csv.gz"));
  }
  SECTION("the directory comes from TYPETUNE_SKLEARN_DATA_DIR") {
    scoped_env env("TYPETUNE_SKLEARN_DATA_DIR", d.string());
    CHECK(tt::sklearn_data_dir() == d);
    CHECK(tt::load_diabetes().x()[441][0].item<float>() == 441.0f);
  }
}

// ---------------------------------------------------------------------------------------------
// Splits

TEST_CASE("a stratified split of Fashion-MNIST keeps every class share and is seeded", "[data][fashion]") {
  const auto& labels = fmnist().train.y();
  const auto split = tt::stratified_split(labels, 0.2, 7);
  check_partition(split, 60000);
  CHECK(split.validation.size(0) == 12000);
  for (const auto& [label, count] : class_counts(labels, split.validation)) CHECK(count == 1200);
  for (const auto& [label, count] : class_counts(labels, split.train)) CHECK(count == 4800);

  const auto again = tt::stratified_split(labels, 0.2, 7);
  CHECK(again.train.equal(split.train));
  CHECK(again.validation.equal(split.validation));
  const auto other = tt::stratified_split(labels, 0.2, 8);
  CHECK(!other.validation.equal(split.validation));
  // Unrelated to LibTorch's global generator.
  ::torch::manual_seed(123);
  CHECK(tt::stratified_split(labels, 0.2, 7).validation.equal(split.validation));
}

TEST_CASE("a stratified split of uneven classes keeps each class within one sample of its share", "[data]") {
  const auto labels = uneven_labels();
  const auto n = labels.size(0);
  for (const double fraction : {0.1, 0.3, 0.5, 0.77}) {
    for (const std::uint64_t seed : {0u, 1u, 99u}) {
      CAPTURE(fraction, seed);
      const auto split = tt::stratified_split(labels, fraction, seed);
      check_partition(split, n);
      const auto total = class_counts(labels, ::torch::arange(n));
      const auto validation = class_counts(labels, split.validation);
      const auto train = class_counts(labels, split.train);
      for (const auto& [label, size] : total) {
        const auto in_validation = validation.count(label) != 0 ? validation.at(label) : 0;
        CAPTURE(label, size, in_validation);
        if (size == 1) {
          CHECK(in_validation == 0);  // a single sample stays in training
          continue;
        }
        CHECK(in_validation >= 1);
        CHECK(train.at(label) >= 1);
        if (size > 2) CHECK(std::abs(static_cast<double>(in_validation) - fraction * static_cast<double>(size)) < 1.0);
      }
    }
  }
}

TEST_CASE("a random split is a seeded partition of the requested size", "[data]") {
  const auto split = tt::random_split(1000, 0.25, 3);
  check_partition(split, 1000);
  CHECK(split.validation.size(0) == 250);
  CHECK(tt::random_split(1000, 0.25, 3).validation.equal(split.validation));
  CHECK(!tt::random_split(1000, 0.25, 4).validation.equal(split.validation));
  // Neither the first nor the last quarter: the indices are drawn, not sliced.
  CHECK(!split.validation.equal(::torch::arange(250)));
  CHECK(!split.validation.equal(::torch::arange(750, 1000)));
  // At least one sample on each side, however small the fraction.
  const auto tiny = tt::random_split(2, 0.01, 0);
  check_partition(tiny, 2);
}

TEST_CASE("splits and folds reject bad arguments naming them", "[data]") {
  const auto labels = uneven_labels();
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_split(labels, 0.0, 0); }), Catch::Contains("validation_fraction"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_split(labels, 1.0, 0); }), Catch::Contains("validation_fraction"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::random_split(10, std::nan(""), 0); }), Catch::Contains("validation_fraction"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::random_split(1, 0.5, 0); }), Catch::Contains("n must be"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_split(labels.to(::torch::kFloat), 0.5, 0); }),
             Catch::Contains("labels"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_split(labels.view({-1, 1}), 0.5, 0); }),
             Catch::Contains("labels"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_split(::torch::arange(5), 0.5, 0); }),
             Catch::Contains("no class has two samples"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::k_fold{1}.split(10); }), Catch::Contains("n_splits"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::k_fold{5}.split(4); }), Catch::Contains("n_splits = 5"));
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_k_fold{0}.split(labels); }), Catch::Contains("n_splits"));
  // Class 3 has a single sample.
  CHECK_THAT(invalid_argument_of([&] { (void)tt::stratified_k_fold{2}.split(labels); }),
             Catch::Contains("class 3 has 1 samples"));
}

TEST_CASE("k-fold validation blocks partition the samples and train on the rest", "[data]") {
  constexpr std::int64_t n = 103;
  for (const bool shuffle : {false, true}) {
    CAPTURE(shuffle);
    const auto folds = tt::k_fold{5, shuffle, 11}.split(n);
    REQUIRE(folds.size() == 5);
    std::vector<int> seen(n, 0);
    std::vector<std::int64_t> sizes;
    for (const auto& fold : folds) {
      check_partition(fold, n);
      sizes.push_back(fold.validation.size(0));
      for (const auto i : to_vector(fold.validation)) ++seen[static_cast<std::size_t>(i)];
    }
    CHECK(sizes == std::vector<std::int64_t>{21, 21, 21, 20, 20});
    CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
    if (!shuffle) CHECK(folds[1].validation.equal(::torch::arange(21, 42)));
  }
  const auto a = tt::k_fold{4, true, 1}.split(50);
  const auto b = tt::k_fold{4, true, 1}.split(50);
  const auto c = tt::k_fold{4, true, 2}.split(50);
  CHECK(a[2].validation.equal(b[2].validation));
  CHECK(!a[2].validation.equal(c[2].validation));
  CHECK(!a[0].validation.equal(::torch::arange(13)));
}

TEST_CASE("stratified k-fold gives every fold each class within one sample", "[data]") {
  // 0 x 11, 1 x 7, 2 x 5, in blocks.
  const auto labels = ::torch::cat({::torch::zeros({11}, ::torch::kLong), ::torch::ones({7}, ::torch::kLong),
                                    ::torch::full({5}, 2, ::torch::kLong)});
  constexpr std::int64_t n = 23;
  for (const bool shuffle : {false, true}) {
    CAPTURE(shuffle);
    const auto folds = tt::stratified_k_fold{3, shuffle, 5}.split(labels);
    REQUIRE(folds.size() == 3);
    std::vector<int> seen(n, 0);
    std::map<std::int64_t, std::vector<std::int64_t>> per_class;
    std::vector<std::int64_t> sizes;
    for (const auto& fold : folds) {
      check_partition(fold, n);
      sizes.push_back(fold.validation.size(0));
      for (const auto i : to_vector(fold.validation)) ++seen[static_cast<std::size_t>(i)];
      const auto counts = class_counts(labels, fold.validation);
      for (std::int64_t label = 0; label < 3; ++label)
        per_class[label].push_back(counts.count(label) != 0 ? counts.at(label) : 0);
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
    CHECK(*std::max_element(sizes.begin(), sizes.end()) - *std::min_element(sizes.begin(), sizes.end()) <= 1);
    for (const auto& [label, counts] : per_class) {
      CAPTURE(label, counts);
      CHECK(*std::max_element(counts.begin(), counts.end()) - *std::min_element(counts.begin(), counts.end()) <= 1);
    }
  }
  const auto a = tt::stratified_k_fold{3, true, 5}.split(labels);
  const auto b = tt::stratified_k_fold{3, true, 5}.split(labels);
  const auto c = tt::stratified_k_fold{3, true, 6}.split(labels);
  const auto plain = tt::stratified_k_fold{3, false, 5}.split(labels);
  CHECK(a[1].validation.equal(b[1].validation));
  CHECK((!a[1].validation.equal(c[1].validation) || !a[0].validation.equal(c[0].validation)));
  CHECK((!a[1].validation.equal(plain[1].validation) || !a[0].validation.equal(plain[0].validation)));
}

TEST_CASE("stratified k-fold on the Fashion-MNIST test labels puts 200 of each class in each of 5 folds", "[data][fashion]") {
  const auto& labels = fmnist().test.y();
  const auto folds = tt::stratified_k_fold{5, true, 0}.split(labels);
  for (const auto& fold : folds) {
    check_partition(fold, 10000);
    for (const auto& [label, count] : class_counts(labels, fold.validation)) CHECK(count == 200);
  }
}

// ---------------------------------------------------------------------------------------------
// tensor_dataset

TEST_CASE("tensor_dataset checks sample counts and subsets inputs of any rank", "[data][fashion]") {
  const auto message = invalid_argument_of([] { tt::tensor_dataset(::torch::zeros({5, 3}), ::torch::zeros({4})); });
  CHECK_THAT(message, Catch::Contains("5") && Catch::Contains("4"));
  CHECK_THROWS_AS(tt::tensor_dataset(::torch::Tensor(), ::torch::zeros({4})), std::invalid_argument);
  CHECK(tt::tensor_dataset().size() == 0);

  const auto& train = fmnist().train;
  const auto indices = ::torch::tensor({5, 0, 59999, 5}, ::torch::kLong);
  const auto sub = train.subset(indices);
  CHECK(sub.size() == 4);
  CHECK(sub.x().sizes() == ::torch::IntArrayRef({4, 28, 28}));
  CHECK(sub.x()[0].equal(train.x()[5]));
  CHECK(sub.x()[2].equal(train.x()[59999]));
  CHECK(sub.x()[3].equal(sub.x()[0]));
  CHECK(sub.y().equal(::torch::stack({train.y()[5], train.y()[0], train.y()[59999], train.y()[5]})));

  const auto split = tt::stratified_split(train.y(), 0.1, 1);
  const auto validation = train.subset(split.validation);
  CHECK(validation.size() == 6000);
  CHECK(::torch::equal(::torch::bincount(validation.y()), ::torch::full({10}, 600, ::torch::kLong)));

  CHECK_THROWS_AS(train.subset(::torch::tensor({60000}, ::torch::kLong)), std::invalid_argument);
  CHECK_THROWS_AS(train.subset(::torch::tensor({-1}, ::torch::kLong)), std::invalid_argument);
  CHECK(sub.to(::torch::kCPU).x().equal(sub.x()));
}

// ---------------------------------------------------------------------------------------------
// standardizer

TEST_CASE("the standardizer centres and scales each feature and leaves constant ones unscaled", "[data]") {
  const auto diabetes = tt::load_diabetes();
  const auto s = tt::standardizer::fit(diabetes.x());
  CHECK(s.mean.sizes() == ::torch::IntArrayRef({10}));
  const auto z = s.apply(diabetes.x());
  CHECK(z.mean(0).abs().max().item<float>() < 1e-4f);
  // Population standard deviation (divisor N).
  CHECK(((z.square().mean(0).sqrt() - 1).abs().max().item<float>()) < 1e-4f);
  CHECK(s.mean[0].item<float>() == Approx(48.518).epsilon(1e-4));  // mean age

  auto x = ::torch::rand({50, 3}, ::torch::kDouble);
  x.select(1, 1).fill_(0.1);
  x.select(1, 2).zero_();
  const auto c = tt::standardizer::fit(x);
  CHECK(c.scale[1].item<double>() == 1.0);
  CHECK(c.scale[2].item<double>() == 1.0);
  const auto cz = c.apply(x);
  CHECK(cz.select(1, 1).abs().max().item<double>() < 1e-12);
  CHECK(cz.select(1, 2).abs().max().item<double>() == 0.0);
  CHECK_THROWS_AS(c.apply(::torch::zeros({4, 2}, ::torch::kDouble)), std::invalid_argument);
  CHECK_THROWS_AS(tt::standardizer{}.apply(x), std::logic_error);

  // Per pixel on rank-3 images.
  const auto images = ::torch::rand({20, 4, 5});
  const auto pixels = tt::standardizer::fit(images);
  CHECK(pixels.mean.sizes() == ::torch::IntArrayRef({4, 5}));
  CHECK(pixels.apply(images).mean(0).abs().max().item<float>() < 1e-5f);
}

// ---------------------------------------------------------------------------------------------
// Sequences

TEST_CASE("as_sequences reads images row by row without copying", "[data]") {
  const auto images = ::torch::rand({6, 28, 28});
  const auto seq = tt::as_sequences(images);
  CHECK(seq.sizes() == ::torch::IntArrayRef({6, 28, 28}));
  CHECK(seq.data_ptr() == images.data_ptr());
  const auto channels = ::torch::rand({6, 1, 28, 27});
  const auto from_channels = tt::as_sequences(channels);
  CHECK(from_channels.sizes() == ::torch::IntArrayRef({6, 28, 27}));
  CHECK(from_channels.data_ptr() == channels.data_ptr());
  CHECK_THROWS_AS(tt::as_sequences(::torch::rand({6, 3, 28, 28})), std::invalid_argument);
  CHECK_THROWS_AS(tt::as_sequences(::torch::rand({6, 28})), std::invalid_argument);
}

TEST_CASE("random windows crop each sample to consecutive rows at a seeded offset", "[data]") {
  constexpr std::int64_t n = 40, steps = 12, features = 3, length = 5;
  // Every element distinct: a window's first element gives its sample and offset.
  const auto seq = ::torch::arange(n * steps * features, ::torch::kLong).view({n, steps, features});
  const auto windows = tt::random_windows(seq, length, 17);
  REQUIRE(windows.sizes() == ::torch::IntArrayRef({n, length, features}));
  std::set<std::int64_t> offsets;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto offset = (windows[i][0][0].item<std::int64_t>() - i * steps * features) / features;
    REQUIRE(offset >= 0);
    REQUIRE(offset <= steps - length);
    offsets.insert(offset);
    CHECK(windows[i].equal(seq[i].narrow(0, offset, length)));
  }
  CHECK(offsets.size() > 3);  // 8 possible offsets over 40 samples
  CHECK(tt::random_windows(seq, length, 17).equal(windows));
  CHECK(!tt::random_windows(seq, length, 18).equal(windows));
  // A sample's window does not depend on the other samples.
  CHECK(tt::random_windows(seq.slice(0, 0, 10), length, 17).equal(windows.slice(0, 0, 10)));
  CHECK(tt::random_windows(seq, steps, 17).equal(seq));
  CHECK_THROWS_AS(tt::random_windows(seq, 0, 17), std::invalid_argument);
  CHECK_THROWS_AS(tt::random_windows(seq, steps + 1, 17), std::invalid_argument);
  CHECK_THROWS_AS(tt::random_windows(seq[0], 2, 17), std::invalid_argument);
}

TEST_CASE("random windows of Fashion-MNIST rows have the requested length", "[data][fashion]") {
  const auto seq = tt::as_sequences(fmnist().test.x().slice(0, 0, 100));
  const auto windows = tt::random_windows(seq, 20, 1);
  CHECK(windows.sizes() == ::torch::IntArrayRef({100, 20, 28}));
  CHECK(windows.sum().item<float>() <= seq.sum().item<float>());
}
