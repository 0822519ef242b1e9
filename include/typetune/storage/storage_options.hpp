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
  // With read_only: the storage is read once and closed again soon (a command that prints or
  // exports a study), not kept open to follow a running search. An SQLite file in WAL mode that
  // no process has open for writing (no -wal file beside it) is then read as an immutable file:
  // nothing is created beside it, not even the -wal and -shm files SQLite's readers otherwise
  // leave behind, and a read-only directory works. That is safe only for a short read: a writer
  // that starts meanwhile is not seen, and its checkpoint could change pages under the reader.
  // Where a -wal file exists (workers may be writing), the file is read through the WAL as
  // without this flag. Leave it off for a reader that stays open (a server that shows studies
  // while workers run them): that one sees every new write, and needs the -wal and -shm files
  // (SQLite creates them where they are missing and the directory allows). PostgreSQL ignores it.
  bool snapshot = false;
  // How long one call waits for another process's write lock before failing with
  // storage_error (io).
  std::chrono::milliseconds busy_timeout{60'000};
};

}  // namespace typetune
