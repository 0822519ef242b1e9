// Opening a stored study: the checks that a re-opened study was made by a compatible program
// (direction, metric, seed, space), and the study's stored attributes.
#include "typetune/engine/study_core.hpp"

#include <mutex>
#include <string>

#include "typetune/desc/space_diff.hpp"
#include "typetune/detail/utf8.hpp"
#include "typetune/engine/errors.hpp"

namespace typetune {

void study_core::open_study() {
  study_info wanted;
  wanted.name = options_.study_name;
  wanted.dir = options_.dir;
  wanted.space = space_;
  wanted.extra_objectives = options_.extra_objectives;
  wanted.constraints = options_.constraints;
  wanted.attributes = {{"objective", options_.metric},
                       {"seed", std::to_string(options_.seed)},
                       {"sampler", std::string(sampler_->name())}};
  auto stored = storage_->open_study(wanted);
  const std::string where = "typetune: study '" + options_.study_name + "' in " + storage_->url();
  const std::string ways_out = "; run it under another name (tt::study_name) or delete the stored study";
  if (stored.info.dir != options_.dir) {
    throw storage_error(storage_errc::study_mismatch,
                        where + " was created to " + std::string(to_string(stored.info.dir)) +
                            ", but this program would " + std::string(to_string(options_.dir)) + ways_out);
  }
  const auto& attrs = stored.info.attributes;
  if (const auto stored_objective = objective_name(stored.info);
      !stored_objective.empty() && stored_objective != options_.metric) {
    throw storage_error(
        storage_errc::study_mismatch,
        where + " measures '" + stored_objective + "', but this program measures '" + options_.metric + "'" + ways_out);
  }
  if (stored.info.extra_objectives != options_.extra_objectives || stored.info.constraints != options_.constraints) {
    auto stored_goals = objectives_of(stored.info);
    if (stored_goals.objectives.front().name.empty()) stored_goals.objectives.front().name = options_.metric;
    throw storage_error(storage_errc::study_mismatch, where + " was created for " + stored_goals.to_text() +
                                                          ", but this program has " + goals_.to_text() + ways_out);
  }
  if (const auto it = attrs.find("seed"); it != attrs.end() && it->second != std::to_string(options_.seed)) {
    throw storage_error(storage_errc::study_mismatch,
                        where + " was created with seed " + it->second + ", but this program uses seed " +
                            std::to_string(options_.seed) +
                            " (samplers derive every proposal from the seed: mixing seeds repeats or skips "
                            "configurations)" +
                            ways_out);
  }
  if (!(stored.info.space == space_)) {
    const auto diff = diff_spaces(stored.info.space, space_);
    if (diff.empty() || (options_.allow_space_changes && diff.compatible())) {
      storage_->change_space(stored.id, space_);
    } else if (options_.allow_space_changes) {
      throw storage_error(storage_errc::study_mismatch,
                          where + " has another space, and not every change keeps its stored trials valid:\n" +
                              diff.to_text() +
                              "allow_space_changes accepts only widened ranges, added choice values and parameters "
                              "added with a default" +
                              ways_out);
    } else {
      throw storage_error(storage_errc::study_mismatch,
                          where + " was created with another space:\n" + diff.to_text() +
                              (diff.compatible() ? "every change keeps the stored trials valid: pass "
                                                   "tt::allow_space_changes{} (study_options::allow_space_changes) to "
                                                   "continue with the new space"
                                                 : "run it under another name (tt::study_name) or delete the stored "
                                                   "study"));
    }
  }
  study_id_ = stored.id;
  proposals_ = stored.proposals;
  std::lock_guard lock(mutex_);
  requeue_stale_locked();
  refresh_locked();
}

void study_core::set_attributes(const std::map<std::string, std::string>& attributes) {
  for (const auto& [key, value] : attributes) {
    detail::require_utf8(key, "the attribute name");
    detail::require_utf8(value, "the value of attribute '" + detail::shown_text(key) + "',");
  }
  storage_->set_study_attributes(study_id_, attributes);
}

std::map<std::string, std::string> study_core::attributes() const {
  // Found by name, as another process would; the id tells a study deleted and made again apart.
  const auto stored = storage_->find_study(options_.study_name);
  if (!stored || stored->id != study_id_) {
    throw storage_error(storage_errc::not_found, "typetune: study '" + options_.study_name + "' in " + storage_->url() +
                                                     " no longer exists (was it deleted?)");
  }
  return stored->info.attributes;
}

}  // namespace typetune
