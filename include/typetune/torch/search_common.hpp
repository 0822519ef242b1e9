// What the tuner (tuner.hpp) and the search with cross-validation (search_cv.hpp) share: the
// builder concept, the one seed of a search, and writing a study and its report to files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "typetune/desc/study_export.hpp"
#include "typetune/torch/builder_concept.hpp"
#include "typetune/torch/cross_validation.hpp"
#include "typetune/torch/data.hpp"
#include "typetune/torch/trainer.hpp"
#include "typetune/typetune.hpp"

namespace typetune::torch {

// Writes `study` as JSON Lines to export_path (what `typetune show|trials|report` read) and its
// HTML report (typetune/report/html_report.hpp) to report_path, skipping an empty path, and says
// where on `log` when it is given. Throws std::runtime_error naming a file it cannot write.
void save_study(const study_export& study, const std::filesystem::path& export_path,
                const std::filesystem::path& report_path, std::ostream* log = nullptr);

namespace detail {

// The one seed of a search. The front end's options give it (`front`, nullopt when not given),
// or the sampler does (`sampler`, whose 0 is its default: not given); the one given seeds both the
// sampler and every run. Both given and different is std::invalid_argument naming the two.
inline std::uint64_t one_seed(std::optional<std::uint64_t> front, std::string_view front_name, std::uint64_t sampler,
                              std::string_view sampler_name) {
  if (front && sampler != 0 && *front != sampler)
    throw std::invalid_argument("typetune: two seeds for one search: " + std::string(front_name) + " = " +
                                std::to_string(*front) + " and tt::" + std::string(sampler_name) +
                                "{.seed = " + std::to_string(sampler) + "}; give the seed once (" +
                                std::string(front_name) + " seeds the sampler and every run)");
  return front ? *front : sampler;
}

// The study option that gives the seed (a sampler other than tt::grid).
template <class Option>
concept gives_seed = requires(Option& o) {
  o.seed = std::uint64_t{};
};

// Whether an option is a sampler: the study draws configurations with it.
template <class Option>
inline constexpr bool is_sampler = gives_seed<Option> || std::is_same_v<Option, grid>;

}  // namespace detail
}  // namespace typetune::torch
