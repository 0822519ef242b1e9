# Self-check of the docs/spaces drift test: it must pass on an unedited copy of the committed
# docs and fail, naming the space and what changed, on copies edited as a change of the space
# would edit them (a bound in the JSON, a row of the page, a node of the picture).
#   cmake -DDRIFT=<space_docs_drift> -DCOMMITTED=<docs/spaces> -DGENERATED=<build's docs> -DWORK_DIR=<dir> -P drift_selfcheck.cmake
cmake_minimum_required(VERSION 3.25)
set(space fashion_mlp)
file(REMOVE_RECURSE ${WORK_DIR})

# copy(<case>): a fresh copy of the committed docs of the space.
function(copy case)
  file(MAKE_DIRECTORY ${WORK_DIR}/${case})
  foreach(ext md json dot svg)
    file(COPY ${COMMITTED}/${space}.${ext} DESTINATION ${WORK_DIR}/${case})
  endforeach()
endfunction()

# edit(<case> <ext> <from> <to>): replaces the first <from> in the copy, which must hold it.
function(edit case ext from to)
  set(file ${WORK_DIR}/${case}/${space}.${ext})
  file(READ ${file} text)
  string(FIND "${text}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "drift selfcheck: ${space}.${ext} has no '${from}' to edit")
  endif()
  string(LENGTH "${from}" length)
  string(SUBSTRING "${text}" 0 ${at} before)
  math(EXPR after_at "${at} + ${length}")
  string(SUBSTRING "${text}" ${after_at} -1 after)
  file(WRITE ${file} "${before}${to}${after}")
endfunction()

# expect(<case> <rc> <regex>): the drift check on the copy exits with <rc>, saying <regex>.
function(expect case rc regex)
  execute_process(COMMAND ${DRIFT} ${WORK_DIR}/${case} ${GENERATED} ${space}
                  RESULT_VARIABLE got OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("---- ${case} (exit ${got}) ----\n${out}")
  if(NOT got EQUAL rc)
    message(FATAL_ERROR "drift selfcheck: ${case}: the check exited ${got}, not ${rc}")
  endif()
  if(NOT out MATCHES "${regex}")
    message(FATAL_ERROR "drift selfcheck: ${case}: the output does not say '${regex}'")
  endif()
endfunction()

copy(unchanged)
expect(unchanged 0 "matches the build for 1 spaces")

copy(bound)
edit(bound json "\"high\": 350" "\"high\": 400")
expect(bound 1 "fashion_mlp: parameter dense_bot differs \\(docs/spaces -> build\\): high 400 -> 350\n")

copy(row)
edit(row md "| `dense_bot` | int | [50, 350]" "| `dense_bot` | int | [50, 300]")
expect(row 1 "fashion_mlp: fashion_mlp\\.md differs from the build's: line [0-9]+: committed '\\| `dense_bot` \\| int \\| \\[50, 300\\]")

copy(picture)
edit(picture svg "<title>p9</title>" "<title>p10</title>")
expect(picture 1 "fashion_mlp: fashion_mlp\\.svg was not drawn from the current graph: nodes missing from it: p9; nodes the graph no longer has: p10")
message(STATUS "drift selfcheck: an edited copy of docs/spaces fails the drift check, naming the space and the change")
