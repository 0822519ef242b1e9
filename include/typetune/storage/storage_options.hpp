// How a storage backend is opened: whether it may create the database, whether it may write,
// and how long a call waits for another process's lock.
#pragma once

#include <chrono>

namespace typetune {

struct storage_options {
  // A missing database file is created (with its schema). The command line turns this off, so
  // that a mistyped path is an error rather than a new empty database.
  bool create_if_missing = true;
  // Opens for reading only: nothing is written, not even the schema or the journal mode.
  bool read_only = false;
  // How long one call waits for another process's write lock before failing with
  // storage_error (io).
  std::chrono::milliseconds busy_timeout{60'000};
};

}  // namespace typetune
