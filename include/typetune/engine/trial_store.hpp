// Where a study keeps its trials: a small interface (so that SQLite or PostgreSQL can back it
// later) and the in-memory implementation that studies use by default.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "typetune/desc/trial.hpp"

namespace typetune {

// The study is the only writer and serialises every call, so implementations need no locking
// of their own. Trials are numbered densely from 0 in the order they were created.
class trial_store {
 public:
  virtual ~trial_store() = default;

  [[nodiscard]] virtual std::uint64_t next_number() const = 0;
  // Adds a new (running) trial; record.number must equal next_number().
  virtual void add(trial_record record) = 0;
  // Records an intermediate value; a second report for the same step replaces the first.
  virtual void report(std::uint64_t number, std::int64_t step, double value) = 0;
  // Records a named metric; a second value for the same name replaces the first.
  virtual void set_metric(std::uint64_t number, std::string name, double value) = 0;
  // Moves a running trial to its final state.
  virtual void finish(std::uint64_t number, trial_state state, std::optional<double> value,
                      std::string message, double duration_s) = 0;

  // Throws std::out_of_range for an unknown number.
  [[nodiscard]] virtual const trial_record& get(std::uint64_t number) const = 0;
  // All trials ordered by number; valid until the next write.
  [[nodiscard]] virtual std::span<const trial_record> all() const = 0;
};

[[nodiscard]] std::unique_ptr<trial_store> make_memory_store();

}  // namespace typetune
