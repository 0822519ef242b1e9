# Checks which layer includes which, from the compiler's own dependency output (-MM): each file
# of a layer is preprocessed, and every header it reads, directly or not, is held against the
# layer's forbidden patterns. Run by CTest as:
#   cmake -DCXX=... -DSOURCE_DIR=... -DFLAGS=... -DLAYER=name -DFILES=a;b -DFORBIDDEN=re1;re2 -P check_layers.cmake
set(_failures "")
set(_checked 0)
separate_arguments(_flags UNIX_COMMAND "${FLAGS}")
foreach(_file IN LISTS FILES)
  execute_process(
    COMMAND ${CXX} -std=c++20 ${_flags} -MM -x c++ ${_file}
    WORKING_DIRECTORY ${SOURCE_DIR}
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _deps ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    string(APPEND _failures "\n  ${_file}: the compiler could not list its dependencies:\n${_err}")
    continue()
  endif()
  math(EXPR _checked "${_checked} + 1")
  string(REPLACE "\\\n" " " _deps "${_deps}")
  string(REGEX REPLACE "^[^:]*:" "" _deps "${_deps}")
  separate_arguments(_deps UNIX_COMMAND "${_deps}")
  foreach(_dep IN LISTS _deps)
    foreach(_pattern IN LISTS FORBIDDEN)
      if(_dep MATCHES "${_pattern}")
        string(APPEND _failures "\n  ${_file} reads ${_dep} (forbidden in the ${LAYER} layer: ${_pattern})")
      endif()
    endforeach()
  endforeach()
endforeach()
if(_checked EQUAL 0)
  message(FATAL_ERROR "layer ${LAYER}: no file was checked")
endif()
if(_failures)
  message(FATAL_ERROR "layer ${LAYER}: include rules broken:${_failures}")
endif()
message(STATUS "layer ${LAYER}: ${_checked} files, no forbidden include")
