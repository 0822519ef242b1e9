// Study attributes set after the search (trial_storage::set_study_attributes) on the in-memory
// store and on an SQLite file: the shared case of storage_cases.hpp on each.
#include <catch2/catch.hpp>

#include "storage_cases.hpp"
#include "storage_support.hpp"
#include "typetune/storage/open_storage.hpp"

using namespace typetune;
namespace cases = testing::cases;

TEST_CASE("memory: attributes set after the search are merged, read back and kept from the engine's keys", "[attributes]") {
  const auto storage = make_memory_storage();
  cases::study_attributes([&] { return storage; });
}

TEST_CASE("SQLite: attributes set after the search are merged, read back and kept from the engine's keys", "[attributes]") {
  testing::temp_dir dir;
  const auto url = dir.url("attributes.db");
  cases::study_attributes([&] { return open_storage(url); }, url);
}
