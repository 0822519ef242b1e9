// A trial as the engine records it: its number, state, the active parameters it was given,
// its final value and the intermediate values it reported. No templates over user types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "typetune/desc/space_desc.hpp"

namespace typetune {

enum class trial_state : std::uint8_t {
  running,
  complete,
  pruned,
  failed,         // the objective threw; `message` holds what it said
  diverged,       // the objective returned NaN or an infinity
  out_of_memory,  // its own state, so that a later run can retry it with less
  interrupted,    // stopped by a stop request (Ctrl-C) before it could finish
  waiting,        // re-queued after its worker stopped: runs again with the same parameters and seed
};

[[nodiscard]] std::string_view to_string(trial_state s);
// The state named by to_string(s); nullopt for any other text.
[[nodiscard]] std::optional<trial_state> trial_state_from(std::string_view text);

enum class direction : std::uint8_t { minimize, maximize };

[[nodiscard]] std::string_view to_string(direction d);  // "minimize", "maximize"
[[nodiscard]] std::optional<direction> direction_from(std::string_view text);

struct trial_record {
  std::uint64_t number = 0;
  trial_state state = trial_state::running;
  assignment params;                        // only active parameters hold values
  std::optional<double> value;              // set when complete (and for pruned: last reported)
  std::map<std::int64_t, double> intermediate;  // step -> value, from report(step, value)
  std::map<std::string, double> metrics;    // named metrics besides the objective (set_metric)
  std::string message;                      // failure text
  double duration_s = 0;
  std::uint64_t seed = 0;                   // the seed of the trial's own random stream
  double start_time = 0;                    // Unix time in seconds when it started; 0 unknown
  std::uint64_t peak_rss_bytes = 0;         // the worker's peak resident memory; 0 unknown
  std::string worker;                       // who ran it: "host:pid"; empty when unknown
};

// A trial record that the store, the study's cache and the sampler's snapshot hold at once
// instead of each keeping a copy. A shared record never changes: whoever changes a trial
// replaces its pointer with a new record (copy on write), so a reader holding the old one
// keeps a consistent trial.
using shared_trial = std::shared_ptr<const trial_record>;

// A read-only sequence of trial records, ordered by number: either records in one array (a
// vector of trial_record, as tests and benchmarks build histories) or shared records (as the
// study keeps them). Indexing and iteration give `const trial_record&` either way.
class trial_span {
 public:
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = trial_record;
    using difference_type = std::ptrdiff_t;
    using pointer = const trial_record*;
    using reference = const trial_record&;

    iterator() = default;
    reference operator*() const { return at(index_); }
    pointer operator->() const { return &at(index_); }
    reference operator[](difference_type n) const { return at(index_ + static_cast<std::size_t>(n)); }
    iterator& operator++() { ++index_; return *this; }
    iterator operator++(int) { auto old = *this; ++index_; return old; }
    iterator& operator--() { --index_; return *this; }
    iterator operator--(int) { auto old = *this; --index_; return old; }
    iterator& operator+=(difference_type n) { index_ += static_cast<std::size_t>(n); return *this; }
    iterator& operator-=(difference_type n) { index_ -= static_cast<std::size_t>(n); return *this; }
    friend iterator operator+(iterator i, difference_type n) { return i += n; }
    friend iterator operator+(difference_type n, iterator i) { return i += n; }
    friend iterator operator-(iterator i, difference_type n) { return i -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.index_ == b.index_; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.index_ <=> b.index_; }

   private:
    friend class trial_span;
    iterator(const trial_record* records, const shared_trial* shared, std::size_t index)
        : records_(records), shared_(shared), index_(index) {}
    reference at(std::size_t i) const { return shared_ ? *shared_[i] : records_[i]; }
    const trial_record* records_ = nullptr;
    const shared_trial* shared_ = nullptr;
    std::size_t index_ = 0;
  };

  trial_span() = default;
  trial_span(std::span<const trial_record> records) : records_(records.data()), size_(records.size()) {}  // NOLINT(google-explicit-constructor)
  trial_span(const std::vector<trial_record>& records) : trial_span(std::span<const trial_record>(records)) {}  // NOLINT(google-explicit-constructor)
  trial_span(std::span<const shared_trial> shared) : shared_(shared.data()), size_(shared.size()) {}  // NOLINT(google-explicit-constructor)
  trial_span(const std::vector<shared_trial>& shared) : trial_span(std::span<const shared_trial>(shared)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] const trial_record& operator[](std::size_t i) const { return shared_ ? *shared_[i] : records_[i]; }
  [[nodiscard]] const trial_record& front() const { return (*this)[0]; }
  [[nodiscard]] const trial_record& back() const { return (*this)[size_ - 1]; }
  [[nodiscard]] iterator begin() const { return {records_, shared_, 0}; }
  [[nodiscard]] iterator end() const { return {records_, shared_, size_}; }
  // The first n records (n <= size()).
  [[nodiscard]] trial_span first(std::size_t n) const {
    trial_span s = *this;
    s.size_ = n;
    return s;
  }

 private:
  const trial_record* records_ = nullptr;
  const shared_trial* shared_ = nullptr;
  std::size_t size_ = 0;
};

// Copies of the records (for callers that keep or change them).
[[nodiscard]] inline std::vector<trial_record> copy_records(trial_span trials) {
  return {trials.begin(), trials.end()};
}

}  // namespace typetune
