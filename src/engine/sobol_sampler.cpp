// Quasi-random search with a scrambled Sobol sequence (see typetune/engine/sobol_sampler.hpp).
#include "typetune/engine/sobol_sampler.hpp"

#include <array>
#include <bit>
#include <boost/random/sobol.hpp>
#include <stdexcept>
#include <vector>

#include "engine/detail/param_mapping.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {
namespace {

// Random linear scrambling plus digital shift of one coordinate's 32 binary digits: output
// digit p (p = 0 most significant) is the parity of the input digits 0..p picked by a random
// lower-triangular matrix with unit diagonal, then XOR a random shift. Any such matrix keeps
// every elementary interval of the net intact, so the points stay stratified.
struct coordinate_scramble {
  std::array<std::uint32_t, 32> rows{};
  std::uint32_t shift = 0;

  [[nodiscard]] std::uint32_t operator()(std::uint32_t x) const noexcept {
    std::uint32_t y = 0;
    for (unsigned p = 0; p < 32; ++p) { y |= static_cast<std::uint32_t>(std::popcount(x & rows[p]) & 1) << (31 - p); }
    return y ^ shift;
  }
};

class sobol_sampler final : public sampler {
  using engine = boost::random::sobol_engine<std::uint32_t, 32>;

 public:
  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    const std::size_t dims = view.space.size();
    if (dims == 0) return assignment{};
    // Boost's sequence skips the origin and has 2^32 - 1 points per dimension.
    if (number >= 0xFFFFFFFEull) return std::nullopt;
    prepare(dims, view.seed);

    engine_->seed(static_cast<std::uint32_t>(number));
    coords_.resize(dims);
    for (auto& c : coords_) c = (*engine_)();

    assignment a;
    detail::fill_active(view.space, a, [&](std::size_t i) {
      return (static_cast<double>(scrambles_[i](coords_[i])) + 0.5) * 0x1.0p-32;
    });
    return a;
  }

  std::string_view name() const override { return "sobol"; }
  bool supports_goals() const override { return true; }  // proposals do not read values

 private:
  void prepare(std::size_t dims, std::uint64_t seed) {
    if (!engine_ || engine_->dimension() != dims) {
      if (dims > boost::random::detail::qrng_tables::sobol::max_dimension) {
        throw std::invalid_argument("typetune: the Sobol sampler supports at most " +
                                    std::to_string(boost::random::detail::qrng_tables::sobol::max_dimension) +
                                    " parameters");
      }
      engine_.emplace(dims);
      scrambles_.clear();
    }
    if (scrambles_.size() == dims && scramble_seed_ == seed) return;
    random_stream rng(seed, 0, stream_ids::sobol_scramble);
    scrambles_.assign(dims, {});
    for (auto& s : scrambles_) {
      for (unsigned p = 0; p < 32; ++p) {
        // Input digit q sits at bit 31 - q; keep digits q < p at random, digit p always.
        const std::uint32_t above = p == 0 ? 0u : ~((1u << (32 - p)) - 1);
        s.rows[p] = (static_cast<std::uint32_t>(rng()) & above) | (1u << (31 - p));
      }
      s.shift = static_cast<std::uint32_t>(rng());
    }
    scramble_seed_ = seed;
  }

  std::optional<engine> engine_;
  std::vector<coordinate_scramble> scrambles_;
  std::uint64_t scramble_seed_ = 0;
  std::vector<std::uint32_t> coords_;
};

}  // namespace

std::unique_ptr<sampler> make_sobol_sampler() { return std::make_unique<sobol_sampler>(); }

}  // namespace typetune
