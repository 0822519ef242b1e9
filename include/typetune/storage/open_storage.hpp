// Opens a study storage by URL (target typetune::storage): the one entry point through which
// programs, tt::storage{...} and the command line reach every backend.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "typetune/engine/trial_storage.hpp"
#include "typetune/storage/storage_options.hpp"

namespace typetune {

// A URL taken apart. Accepted forms:
//   ""  "memory:"                    a private in-memory store
//   "sqlite:///abs/path/study.db"    an SQLite file by absolute path
//   "sqlite://relative/study.db"     ... relative to the working directory
// optionally followed by "?mode=ro" (read only), "?mode=rw" (must exist), "?mode=rwc" (the
// default: created when missing) and "&timeout=SECONDS" (the busy timeout). Beware the
// SQLAlchemy (Optuna) habit: there "sqlite:///x.db" is relative; here it is /x.db.
struct storage_url {
  std::string scheme;          // "memory", "sqlite", "postgresql"
  std::filesystem::path path;  // sqlite: the file
  std::string rest;            // other schemes: everything after "scheme:", for their backend
  storage_options options;
};

// Throws storage_error (bad_url) naming what it could not read.
[[nodiscard]] storage_url parse_storage_url(std::string_view url, const storage_options& defaults = {});

// Opens the storage a URL names; `defaults` apply where the URL says nothing. Throws
// storage_error: bad_url for a scheme this build has no backend for, and whatever the backend
// throws (see sqlite_storage.hpp).
[[nodiscard]] std::shared_ptr<trial_storage> open_storage(std::string_view url, const storage_options& defaults = {});

}  // namespace typetune
