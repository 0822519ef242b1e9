// A search's live line on a terminal: "[typetune] 3 of 20 trials done, best val_loss 0.31; trial
// 4 epoch 2 val_loss 0.35 (41 s)", redrawn in place after every epoch. A tuner draws it on
// standard error when that is a terminal (tuner_options::progress); the trial log, when it goes
// to the same terminal, clears the line before each of its lines so that they do not run on
// after it. Needs no LibTorch.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string_view>

namespace typetune::torch {

// Standard error when it is a terminal (isatty), else nullptr: where a tuner draws its progress
// line unless told otherwise.
[[nodiscard]] std::ostream* stderr_if_terminal();

// Whether `out` is std::cout, std::cerr or std::clog and its file descriptor is a terminal
// (false for any other stream).
[[nodiscard]] bool writes_to_terminal(const std::ostream& out);

namespace detail {

// Writes to `out` and clears the terminal's line at each line start, so that log lines replace
// a progress line drawn with '\r' instead of running on after it.
class line_clearing_buffer : public std::streambuf {
 public:
  explicit line_clearing_buffer(std::ostream& out) : out_(out.rdbuf()) {}

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (at_line_start_) out_->sputn("\r\033[K", 4);
    at_line_start_ = traits_type::to_char_type(c) == '\n';
    return out_->sputc(traits_type::to_char_type(c));
  }
  int sync() override { return out_->pubsync(); }

 private:
  std::streambuf* out_;
  bool at_line_start_ = true;
};

// What one drawing of the line shows.
struct progress_figures {
  std::uint64_t finished = 0;  // trials done
  std::uint64_t planned = 0;   // trials the search will run
  std::string_view metric;     // the objective
  std::optional<double> best;  // the best value so far
  std::uint64_t trial = 0;     // the running trial that just finished an epoch
  std::int64_t epoch = 0;
  std::optional<double> value;  // its objective after that epoch
  double seconds = 0;           // since the search started
};

inline void draw_progress(std::ostream& out, const progress_figures& f) {
  out << "\r\033[K[typetune] " << f.finished << " of " << f.planned << " trials done";
  if (f.best) out << ", best " << f.metric << ' ' << *f.best;
  out << "; trial " << f.trial << " epoch " << f.epoch;
  if (f.value) out << ' ' << f.metric << ' ' << *f.value;
  out << " (" << static_cast<long long>(f.seconds) << " s)" << std::flush;
}

inline void clear_progress(std::ostream& out) { out << "\r\033[K" << std::flush; }

}  // namespace detail
}  // namespace typetune::torch
