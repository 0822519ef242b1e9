# Included from tests/CMakeLists.txt. Adds the consumer tests: the library is built (fixture
# setup), the project is installed into a temporary prefix, and tests/consumer is configured,
# built and run against that prefix with find_package(typetune).

set(_tt_consumer_dir ${CMAKE_CURRENT_LIST_DIR})
set(_tt_consumer_work ${PROJECT_BINARY_DIR}/consumer-test)

# Ctest normally runs after a full build; this makes sure of it for the installed targets.
add_test(NAME "consumer: build typetune"
         COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --config $<CONFIG>
                 --target typetune_engine $<$<TARGET_EXISTS:typetune_torch>:typetune_torch>
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
