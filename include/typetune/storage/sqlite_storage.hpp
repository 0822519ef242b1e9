// The SQLite backend (target typetune::storage, its dialect typetune::storage_sqlite): one file
// holds any number of studies, shared by every process that opens it (WAL journal, one write
// transaction per call).
#pragma once

#include <filesystem>
#include <memory>

#include "typetune/engine/trial_storage.hpp"
#include "typetune/storage/storage_options.hpp"

namespace typetune {

// The schema version this build writes and reads. A file with a newer one is refused.
inline constexpr int sqlite_schema_version = 2;

// Opens (or creates) the study database at `path`. Throws storage_error, having changed nothing:
// not_found for a missing file or directory, or an empty file or empty database, where
// create_if_missing is off (read_only turns it off), not_typetune for a file that is not an
// SQLite database or one whose tables are not typetune's, newer_schema for a database written
// by a newer typetune, io when SQLite fails. Opened read-only, nothing is written, and with
// options.snapshot nothing is created beside the file either (see storage_options.hpp).
[[nodiscard]] std::shared_ptr<trial_storage> open_sqlite_storage(const std::filesystem::path& path,
                                                                 const storage_options& options = {});

}  // namespace typetune
