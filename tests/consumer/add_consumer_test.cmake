# Included from tests/CMakeLists.txt. Adds the consumer tests: the library is built (fixture
# setup), the project is installed into a temporary prefix, and tests/consumer is configured,
# built and run against that prefix with find_package(typetune).

set(_tt_consumer_dir ${CMAKE_CURRENT_LIST_DIR})
set(_tt_consumer_work ${PROJECT_BINARY_DIR}/consumer-test)

# Ctest normally runs after a full build; this makes sure of it for the installed targets
# (typetune_cli links every library but torch: the install step, and cpack's, need them all).
add_test(NAME "consumer: build typetune"
         COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --config $<CONFIG>
                 --target typetune_engine typetune_cli $<$<TARGET_EXISTS:typetune_torch>:typetune_torch>
         COMMAND_EXPAND_LISTS)
set_tests_properties("consumer: build typetune" PROPERTIES
                     FIXTURES_SETUP typetune_built LABELS "consumer" TIMEOUT 900)

add_test(NAME "consumer: install, find_package, build and run"
         COMMAND ${CMAKE_COMMAND}
                 "-DPROJECT_BINARY_DIR=${PROJECT_BINARY_DIR}"
                 "-DCONSUMER_SOURCE_DIR=${_tt_consumer_dir}"
                 "-DWORK_DIR=${_tt_consumer_work}"
                 "-DCONFIG=$<CONFIG>"
                 "-DGENERATOR=${CMAKE_GENERATOR}"
                 "-DCXX_COMPILER=${CMAKE_CXX_COMPILER}"
                 "-DCXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 "-DWITH_TORCH=$<TARGET_EXISTS:typetune_torch>"
                 -P ${_tt_consumer_dir}/run_consumer.cmake)
set_tests_properties("consumer: install, find_package, build and run" PROPERTIES
                     FIXTURES_REQUIRED typetune_built LABELS "consumer" TIMEOUT 900
                     RESOURCE_LOCK typetune_consumer_work)

# The Debian package (the CPack settings in the top-level CMakeLists.txt): `cpack -G DEB` packs
# the built tree (the install step only, nothing rebuilt), the package's Depends and files are
# checked, lintian reads it where installed (an E: fails), `dpkg -x` unpacks it, the packaged
# `typetune --help` runs, and the consumer is built against <root>/usr as against the prefix
# above. The Depends names expected: the shared libraries usr/bin/typetune links (libsqlite3,
# libpq where the PostgreSQL backend is built, cpp-httplib) and the -dev packages
# find_package(typetune) needs.
set(_tt_deb_expected libc6 libstdc++6 libsqlite3-0 libboost-dev nlohmann-json3-dev libeigen3-dev
    libsqlite3-dev)
if(TARGET typetune_storage_postgres)
  list(APPEND _tt_deb_expected libpq5 libpq-dev)
endif()
if(TARGET typetune_torch)
  list(APPEND _tt_deb_expected libtorch-dev zlib1g-dev librange-v3-dev)
endif()
get_target_property(_tt_cli_libs typetune_cli LINK_LIBRARIES)
string(TOLOWER "${_tt_cli_libs}" _tt_cli_libs)
if(_tt_cli_libs MATCHES "httplib")  # `typetune serve` links Debian's shared cpp-httplib
  list(APPEND _tt_deb_expected libcpp-httplib0.11)
endif()
list(JOIN _tt_deb_expected "," _tt_deb_expected)  # one argument: a ; would split it
add_test(NAME "package: cpack -G DEB, dpkg -x, find_package(typetune) from the package"
         COMMAND ${CMAKE_COMMAND}
                 "-DPROJECT_BINARY_DIR=${PROJECT_BINARY_DIR}"
                 "-DCONSUMER_SOURCE_DIR=${_tt_consumer_dir}"
                 "-DWORK_DIR=${PROJECT_BINARY_DIR}/package-test"
                 "-DCONFIG=$<CONFIG>"
                 "-DGENERATOR=${CMAKE_GENERATOR}"
                 "-DCXX_COMPILER=${CMAKE_CXX_COMPILER}"
                 "-DCXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 "-DWITH_TORCH=$<TARGET_EXISTS:typetune_torch>"
                 -DFROM_DEB=ON
                 "-DCPACK_COMMAND=${CMAKE_CPACK_COMMAND}"
                 "-DDEB_DEPENDS=${_tt_deb_expected}"
                 -P ${_tt_consumer_dir}/run_consumer.cmake)
set_tests_properties("package: cpack -G DEB, dpkg -x, find_package(typetune) from the package"
                     PROPERTIES FIXTURES_REQUIRED typetune_built LABELS "consumer;package" TIMEOUT 900)

# The spaces-only CI job: typetune installed with TYPETUNE_SPACE_ONLY and Boost alone (as
# docs/ci/check-spaces.yml does), find_package(typetune COMPONENTS space), typetune_check_spaces
# over a team's headers, no LibTorch or Eigen read, a misspelt field named.
add_test(NAME "consumer: spaces only, find_package(typetune COMPONENTS space) and typetune_check_spaces"
         COMMAND ${CMAKE_COMMAND}
                 "-DPROJECT_BINARY_DIR=${PROJECT_BINARY_DIR}"
                 "-DPROJECT_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
                 "-DCONSUMER_SOURCE_DIR=${_tt_consumer_dir}/spaces"
                 "-DWORK_DIR=${PROJECT_BINARY_DIR}/consumer-spaces-test"
                 "-DCONFIG=$<CONFIG>"
                 "-DGENERATOR=${CMAKE_GENERATOR}"
                 "-DCXX_COMPILER=${CMAKE_CXX_COMPILER}"
                 "-DCXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 -P ${_tt_consumer_dir}/run_spaces_consumer.cmake)
set_tests_properties("consumer: spaces only, find_package(typetune COMPONENTS space) and typetune_check_spaces"
                     PROPERTIES FIXTURES_REQUIRED typetune_built LABELS "consumer" TIMEOUT 900)
# Its self-check, on the whole built project's install: a space header that reads Eigen through
# the system include path is caught.
add_test(NAME "consumer: selfcheck: a space header that reads Eigen is caught"
         COMMAND ${CMAKE_COMMAND}
                 "-DPROJECT_BINARY_DIR=${PROJECT_BINARY_DIR}"
                 "-DPROJECT_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
                 "-DCONSUMER_SOURCE_DIR=${_tt_consumer_dir}/spaces"
                 "-DWORK_DIR=${PROJECT_BINARY_DIR}/consumer-spaces-selfcheck"
                 "-DCONFIG=$<CONFIG>"
                 "-DGENERATOR=${CMAKE_GENERATOR}"
                 "-DCXX_COMPILER=${CMAKE_CXX_COMPILER}"
                 "-DCXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 -DSELFCHECK=ON -DINSTALL_FROM=build
                 -P ${_tt_consumer_dir}/run_spaces_consumer.cmake)
set_tests_properties("consumer: selfcheck: a space header that reads Eigen is caught"
                     PROPERTIES FIXTURES_REQUIRED typetune_built LABELS "consumer" TIMEOUT 900
                     PASS_REGULAR_EXPRESSION "spaces consumer: FAILED: checking the spaces read[ \n]+[^ \n]*/eigen3/Eigen/Core")
