// The PostgreSQL backend (target typetune::storage, its dialect typetune::storage_postgres): one
// database (its current schema) holds any number of studies, shared by every process on every
// machine that connects to it.
#pragma once

#include <memory>
#include <string>

#include "typetune/engine/trial_storage.hpp"
#include "typetune/storage/storage_options.hpp"

namespace typetune {

// The schema version this build writes and reads. A database with a newer one is refused.
inline constexpr int postgres_schema_version = 2;

// Connects to `conninfo` (a libpq URI, postgresql://user@host:port/db?sslmode=..., or a
// key=value connection string) and checks, or in an empty schema creates, typetune's tables.
// Throws storage_error, having changed nothing: not_found for a database that does not exist or
// an empty one when create_if_missing is off, not_typetune for a schema with tables that are
// not typetune's, newer_schema for one written by a newer typetune, io when the server cannot
// be reached or fails. options.busy_timeout bounds how long a call waits for a study's lock.
[[nodiscard]] std::shared_ptr<trial_storage> open_postgres_storage(const std::string& conninfo,
                                                                   const storage_options& options = {});

}  // namespace typetune
