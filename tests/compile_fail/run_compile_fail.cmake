# Runs one compile-fail case: the case must NOT compile, and every `// EXPECT: <regex>` line
# in its header must match a single line among the first LINES lines of the compiler's output
# (stdout and stderr together). Anything else is a failure, so the harness can fail.
#
#   cmake -DCOMPILER=g++ -DSTD_FLAG=-std=c++20 -DINCLUDE_DIRS="a|b" -DSOURCE=case.cpp
#         [-DLINES=25] -P run_compile_fail.cmake
#
# Regexes are CMake regular expressions (ERE-like: `\{`, `\(`, `\[` escape; no `\n`, no `;`).
# The compiler runs with LC_ALL=C, so its quotes are plain ASCII apostrophes.
cmake_minimum_required(VERSION 3.25)

foreach(required COMPILER SOURCE)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "compile_fail harness: -D${required}=... is required")
  endif()
endforeach()
if(NOT LINES)
  set(LINES 25)
endif()

# Fails the run; the one-line "compile_fail: reason: <tag>" (never word-wrapped, unlike the
# FATAL_ERROR text) is what selfcheck.cmake looks for.
function(harness_fail tag text)
  message("compile_fail: reason: ${tag}")
  message(FATAL_ERROR "${text}")
endfunction()

file(STRINGS "${SOURCE}" expect_lines REGEX "^// EXPECT: ")
set(expects "")
foreach(line IN LISTS expect_lines)
  string(REGEX REPLACE "^// EXPECT: *" "" re "${line}")
  string(STRIP "${re}" re)
  if(NOT re STREQUAL "")
    list(APPEND expects "${re}")
  endif()
endforeach()
if(NOT expects)
  harness_fail(no-expectation "compile_fail harness: ${SOURCE} has no `// EXPECT: <regex>` line")
endif()

set(include_flags "")
if(INCLUDE_DIRS)
  string(REPLACE "|" ";" include_list "${INCLUDE_DIRS}")
  foreach(dir IN LISTS include_list)
    if(NOT dir STREQUAL "")
      list(APPEND include_flags "-I${dir}")
    endif()
  endforeach()
endif()

set(ENV{LC_ALL} C)
set(ENV{LANG} C)
execute_process(
  COMMAND "${COMPILER}" ${STD_FLAG} -fsyntax-only -fno-diagnostics-color ${include_flags} "${SOURCE}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

if(rc EQUAL 0)
  harness_fail(compiled "compile_fail: FAILED: ${SOURCE} compiled without error, but it must not compile")
endif()

# Walk the first LINES lines; each regex must match one of them on its own.
set(unmatched ${expects})
set(head "")
set(rest "${output}")
foreach(i RANGE 1 ${LINES})
  if(rest STREQUAL "")
    break()
  endif()
  string(FIND "${rest}" "\n" newline)
  if(newline EQUAL -1)
    set(line "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${newline} line)
    math(EXPR after "${newline} + 1")
    string(SUBSTRING "${rest}" ${after} -1 rest)
  endif()
  string(APPEND head "${line}\n")
  set(still "")
  foreach(re IN LISTS unmatched)
    if(NOT line MATCHES "${re}")
      list(APPEND still "${re}")
    endif()
  endforeach()
  set(unmatched ${still})
endforeach()

if(unmatched)
  set(report "")
  set(tag too-late)
  foreach(re IN LISTS unmatched)
    if(output MATCHES "${re}")
      string(APPEND report "\n  ${re}\n    (found only after line ${LINES}, or across lines)")
    else()
      string(APPEND report "\n  ${re}\n    (not found in the output)")
      set(tag no-match)
    endif()
  endforeach()
  string(CONCAT text "compile_fail: FAILED: ${SOURCE} failed to compile (exit ${rc}), but its "
                     "diagnostic does not match within the first ${LINES} lines:${report}\n"
                     "--- first ${LINES} lines of the compiler's output ---\n${head}---")
  harness_fail(${tag} "${text}")
endif()

list(LENGTH expects n)
message(STATUS "compile_fail: ok: ${SOURCE} fails to compile, and its first ${LINES} lines match ${n} expected pattern(s)")
