// trial_context: what an objective sees of its trial, forwarded to the study (see trial_context.hpp).
#include "typetune/engine/trial_context.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "typetune/engine/study_core.hpp"

namespace typetune {

const space_desc& trial_context::space() const noexcept { return study_.space(); }

const param_value& trial_context::at(std::string_view path) const {
  const auto i = study_.space().find(path);
  if (!i) throw std::out_of_range("typetune: the space has no parameter '" + std::string(path) + "'");
  return params_.values.at(*i);
}

void trial_context::report(std::int64_t step, double value) { study_.report(number_, step, value); }

bool trial_context::should_prune() { return study_.should_prune(number_); }

void trial_context::set_metric(std::string name, double value) { study_.set_metric(number_, std::move(name), value); }

bool trial_context::stop_requested() const noexcept {
  const bool stop = study_.stop_requested();
  if (stop) saw_stop_ = true;
  return stop;
}

std::optional<std::chrono::duration<double>> trial_context::time_left() const noexcept {
  if (!deadline_) return std::nullopt;
  const std::chrono::duration<double> left = *deadline_ - std::chrono::steady_clock::now();
  return std::max(left, std::chrono::duration<double>::zero());
}

bool trial_context::out_of_time() const noexcept {
  return deadline_ && std::chrono::steady_clock::now() >= *deadline_;
}

}  // namespace typetune
