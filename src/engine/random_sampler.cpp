// Random search (see typetune/engine/random_sampler.hpp).
#include "typetune/engine/random_sampler.hpp"

#include "engine/detail/codec_cache.hpp"
#include "engine/detail/feistel.hpp"
#include "engine/detail/param_mapping.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {
namespace {

class random_sampler final : public sampler {
 public:
  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    const auto& codec = codecs_.get(view.space);
    if (codec.size() && !codec.saturated()) {
      // Without replacement: trial n takes grid index perm(n), a pure function of (seed, n).
      const auto n = *codec.size();
      if (number >= n) return std::nullopt;
      return codec.decode(detail::seeded_permutation(n, view.seed)(number));
    }
    random_stream rng(view.seed, number, stream_ids::random_sampler);
    assignment a;
    detail::fill_active(view.space, a, [&](std::size_t) { return rng.uniform01(); });
    return a;
  }

  std::optional<std::uint64_t> capacity(const study_view& view) override {
    const auto& codec = codecs_.get(view.space);
    if (!codec.size() || codec.saturated()) return std::nullopt;
    return *codec.size();
  }

  std::string_view name() const override { return "random"; }
  bool supports_goals() const override { return true; }  // proposals do not read values

 private:
  detail::codec_cache codecs_;
};

}  // namespace

std::unique_ptr<sampler> make_random_sampler() { return std::make_unique<random_sampler>(); }

}  // namespace typetune
