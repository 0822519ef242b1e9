# Proves the compile-fail harness can fail: runs run_compile_fail.cmake on a case that must be
# rejected and passes only if the harness exits non-zero for the expected REASON (a regex over
# its output). Takes the same -D arguments as run_compile_fail.cmake, plus REASON.
cmake_minimum_required(VERSION 3.25)
if(NOT REASON)
  message(FATAL_ERROR "selfcheck: -DREASON=<regex> is required")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" "-DCOMPILER=${COMPILER}" "-DSTD_FLAG=${STD_FLAG}" "-DINCLUDE_DIRS=${INCLUDE_DIRS}"
          "-DSOURCE=${SOURCE}" "-DLINES=${LINES}" -P "${CMAKE_CURRENT_LIST_DIR}/run_compile_fail.cmake"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(rc EQUAL 0)
  message(FATAL_ERROR "selfcheck: FAILED: the harness accepted ${SOURCE}, which it must reject:\n${output}")
endif()
if(NOT output MATCHES "${REASON}")
  message(FATAL_ERROR "selfcheck: FAILED: the harness rejected ${SOURCE}, but not for the expected reason "
                      "(${REASON}):\n${output}")
endif()
message(STATUS "selfcheck: ok: the harness rejects ${SOURCE} (${REASON})")
