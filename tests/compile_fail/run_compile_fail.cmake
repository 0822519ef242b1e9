# Runs one compile-fail case: the case must NOT compile, and every `// EXPECT: <regex>` line
# in its header must match a single line among the first LINES lines of the compiler's output
# (stdout and stderr together). Two optional header lines tighten that:
#   // ONE-ERROR       exactly one line of the output is an error (`file:line:col: error: ...`)
#   // MAX-LINES: <n>  the whole output has at most n lines (and the EXPECT lines are read there)
# Anything else is a failure, so the harness can fail.
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
file(STRINGS "${SOURCE}" one_error_lines REGEX "^// ONE-ERROR *$")
file(STRINGS "${SOURCE}" max_lines_lines REGEX "^// MAX-LINES: *[0-9]+ *$")
set(max_lines "")
if(max_lines_lines)
  list(GET max_lines_lines 0 max_lines)
  string(REGEX REPLACE "^// MAX-LINES: *([0-9]+) *$" "\\1" max_lines "${max_lines}")
  if(max_lines LESS LINES)
    set(LINES ${max_lines})
  endif()
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

# The whole output, line by line, for the budget and the count of errors. A line is an error
# when g++ says so after its location ("x.cpp:8:23: error: "), not when a type in it is
# spelt typetune::error::...
# (Walked with string(FIND): a CMake list would not split inside an unbalanced `[`.)
set(line_count 0)
set(error_count 0)
set(error_lines "")
set(rest "${output}")
while(NOT rest STREQUAL "")
  string(FIND "${rest}" "\n" newline)
  if(newline EQUAL -1)
    set(line "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${newline} line)
    math(EXPR after "${newline} + 1")
    string(SUBSTRING "${rest}" ${after} -1 rest)
  endif()
  math(EXPR line_count "${line_count} + 1")
  if(line MATCHES ": (fatal )?error: " OR line MATCHES "^(fatal )?error: ")
    math(EXPR error_count "${error_count} + 1")
    string(APPEND error_lines "\n  ${line}")
  endif()
endwhile()
if(one_error_lines AND NOT error_count EQUAL 1)
  harness_fail(too-many-errors
               "compile_fail: FAILED: ${SOURCE} must fail with ONE error, but g++ reported ${error_count}:${error_lines}\n--- output ---\n${output}---")
endif()
if(NOT max_lines STREQUAL "" AND line_count GREATER max_lines)
  harness_fail(too-long
               "compile_fail: FAILED: ${SOURCE} must fail within ${max_lines} lines of output, but g++ wrote ${line_count}:\n--- output ---\n${output}---")
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
set(budget "")
if(one_error_lines)
  string(APPEND budget ", with one error")
endif()
if(NOT max_lines STREQUAL "")
  string(APPEND budget " in ${line_count} of at most ${max_lines} lines")
endif()
message(STATUS "compile_fail: ok: ${SOURCE} fails to compile${budget}, and its first ${LINES} lines match ${n} expected pattern(s)")
