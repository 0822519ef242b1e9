// Configurations a study already holds, for model-based samplers that must not propose one
// twice: a set of tried assignments kept in step with the trial list, and a random untried one.
#pragma once

#include <bit>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_set>
#include <vector>

#include "engine/detail/param_mapping.hpp"
#include "typetune/desc/grid_codec.hpp"
#include "typetune/desc/trial.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune::detail {

// A 64-bit fingerprint of an assignment: which values are set, and their bits.
[[nodiscard]] inline std::uint64_t fingerprint(const assignment& a) noexcept {
  const auto mix = [](std::uint64_t x) {  // splitmix64's finaliser
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  };
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ a.values.size();
  for (const auto& v : a.values) {
    std::uint64_t bits = 0;
    if (const auto* i = std::get_if<std::int64_t>(&v)) bits = static_cast<std::uint64_t>(*i);
    if (const auto* d = std::get_if<double>(&v)) bits = std::bit_cast<std::uint64_t>(*d == 0 ? 0.0 : *d);  // -0 is 0
    h = mix(h ^ mix(bits + 0x9e3779b97f4a7c15ULL * (v.index() + 1)));
  }
  return h;
}

// Every configuration proposed so far, whatever became of its trial (running, complete, pruned,
// failed): a trial's parameters never change once it is asked, so the set only grows with the
// history; a history that is not a continuation (another study) starts it afresh. It keeps each
// configuration's fingerprint, not the configuration (8 bytes and a node a trial instead of a
// copy of the assignment): two configurations with the same fingerprint (a chance of about
// n^2 / 2^65 among n trials) count as one, so at worst an untried one is passed over.
class tried_configurations {
 public:
  void sync(trial_span trials, std::size_t n_params) {
    if (trials.size() < seen_count_ || n_params != n_params_) reset(n_params);
    for (const auto& t : trials) {
      if (t.number < seen_.size() && seen_[t.number]) continue;
      if (t.number >= seen_.size()) seen_.resize(std::max<std::size_t>(t.number + 1, 2 * seen_.size()), false);
      seen_[t.number] = true;
      ++seen_count_;
      if (t.params.values.size() == n_params) set_.insert(fingerprint(t.params));
    }
  }
  [[nodiscard]] bool contains(const assignment& a) const { return set_.count(fingerprint(a)) != 0; }
  [[nodiscard]] std::size_t size() const { return set_.size(); }

 private:
  struct identity {
    std::size_t operator()(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h); }
  };
  void reset(std::size_t n_params) {
    set_.clear();
    seen_.clear();
    seen_count_ = 0;
    n_params_ = n_params;
  }
  std::unordered_set<std::uint64_t, identity> set_;
  std::vector<bool> seen_;  // by trial number
  std::size_t seen_count_ = 0;
  std::size_t n_params_ = 0;
};

// A configuration for which `tried` is false, drawn uniformly: on a finite space among the
// untried ones exactly (by rejection, then by enumeration when most are tried), elsewhere by a
// few uniform draws. nullopt when every configuration was tried (or none was found).
inline std::optional<assignment> random_untried(const space_desc& space, const grid_codec& codec,
                                                const std::function<bool(const assignment&)>& tried,
                                                std::size_t n_tried, random_stream& rng) {
  constexpr std::uint64_t max_enumerated = 1u << 16;
  if (codec.size() && !codec.saturated()) {
    const std::uint64_t n = *codec.size();
    // Rejection while at most half is tried (or when the space is too large to list).
    if (2 * n_tried <= n || n > max_enumerated)
      for (int attempt = 0; attempt < 32; ++attempt) {
        auto a = codec.decode(rng.below(n));
        if (!tried(a)) return a;
      }
    if (n > max_enumerated) return std::nullopt;
    std::vector<std::uint64_t> untried;
    for (std::uint64_t i = 0; i < n; ++i)
      if (!tried(codec.decode(i))) untried.push_back(i);
    if (untried.empty()) return std::nullopt;
    return codec.decode(untried[rng.below(untried.size())]);
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    assignment a;
    fill_active(space, a, [&](std::size_t) { return rng.uniform01(); });
    if (!tried(a)) return a;
  }
  return std::nullopt;
}

}  // namespace typetune::detail
