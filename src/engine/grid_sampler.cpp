// Grid search (see typetune/engine/grid_sampler.hpp).
#include "typetune/engine/grid_sampler.hpp"

#include <stdexcept>
#include <string>

#include "engine/detail/codec_cache.hpp"

namespace typetune {
namespace {

class grid_sampler final : public sampler {
 public:
  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    const auto& codec = codecs_.get(view.space);
    if (!codec.size()) {
      const auto& p = view.space.params[codec.first_continuous().value_or(0)];
      throw std::invalid_argument(
          "typetune: grid search needs a finite space, but parameter '" + p.path +
          "' is a continuous real; give it a step, make it a choice, or use the random or Sobol "
          "sampler");
    }
    if (codec.saturated()) {
      throw std::invalid_argument(
          "typetune: grid search over a space of more than 2^64 configurations; use the random "
          "or Sobol sampler");
    }
    if (number >= *codec.size()) return std::nullopt;
    return codec.decode(number);
  }

  std::optional<std::uint64_t> capacity(const study_view& view) override {
    const auto& codec = codecs_.get(view.space);
    if (!codec.size() || codec.saturated()) return std::nullopt;
    return *codec.size();
  }

  std::string_view name() const override { return "grid"; }
  bool supports_goals() const override { return true; }  // proposals do not read values

 private:
  detail::codec_cache codecs_;
};

}  // namespace

std::unique_ptr<sampler> make_grid_sampler() { return std::make_unique<grid_sampler>(); }

}  // namespace typetune
