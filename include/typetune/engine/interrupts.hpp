// Ctrl-C for a running search: while a sigint_scope lives, the first SIGINT asks the study to
// stop (no new trial starts; running objectives see trial_context::stop_requested()) and a
// second one ends the process at once with std::_Exit(130). The previous handler comes back
// when the scope ends.
#pragma once

#include <memory>

#include "typetune/engine/study_core.hpp"

namespace typetune {

class sigint_scope {
 public:
  explicit sigint_scope(study_core& study);
  ~sigint_scope();
  sigint_scope(const sigint_scope&) = delete;
  sigint_scope& operator=(const sigint_scope&) = delete;

 private:
  struct saved;  // the previous handler (all of its sigaction), study and count: scopes nest
  std::unique_ptr<saved> saved_;
};

}  // namespace typetune
