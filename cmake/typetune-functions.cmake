# CMake functions for projects that keep search spaces in headers: check them in CI with a
# compiler and Boost alone, and write their docs at build time. Included by typetune's package
# config (find_package(typetune)) and by typetune's own build. docs/cmake.md describes both.
#
#   typetune_check_spaces(TARGET <name> HEADERS <header>...
#                         [INCLUDE_DIRECTORIES <dir>...] [LINK_LIBRARIES <target>...])
#     Each header becomes a generated translation unit that includes it alone, compiled into the
#     OBJECT library <name>: nothing is linked, and only typetune::space (the DSL and its checks,
#     Boost.Hana) is on the include path. A space header checks its spaces itself, with
#     `static_assert(tt::fits(space, build))` or `static_assert(tt::fits<params>(space))`, so a
#     mistake is a compile error that names the parameter. A header with no such check is refused
#     at configure time, naming the header.
#
#   typetune_add_space_docs(NAME <name> HEADER <header> SPACE <qualified::space>
#                           OUTPUT_DIR <dir> [TITLE <text>] [ALL]
#                           [INCLUDE_DIRECTORIES <dir>...] [LINK_LIBRARIES <target>...])
#     Builds a small generator (typetune::desc) that lowers <qualified::space> and writes, at build
#     time, <dir>/<name>.md (a table per scope), <name>.json (space_desc::to_json), <name>.dot
#     (the branch and repeat structure) and, when Graphviz's `dot` is found, <name>.svg. The
#     custom target <name>_space_docs builds them (part of `all` with ALL).
include_guard(GLOBAL)

function(_typetune_absolute_paths out)
  set(paths "")
  foreach(path IN LISTS ARGN)
    cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    list(APPEND paths "${path}")
  endforeach()
  set(${out} "${paths}" PARENT_SCOPE)
endfunction()

function(typetune_check_spaces)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TARGET" "HEADERS;INCLUDE_DIRECTORIES;LINK_LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "typetune_check_spaces: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET OR NOT arg_HEADERS)
    message(FATAL_ERROR "typetune_check_spaces: TARGET <name> and HEADERS <header>... are required")
  endif()
  if(NOT TARGET typetune::space)
    message(FATAL_ERROR "typetune_check_spaces needs typetune::space: find_package(typetune COMPONENTS space)")
  endif()
  _typetune_absolute_paths(headers ${arg_HEADERS})
  set(generated_dir "${CMAKE_CURRENT_BINARY_DIR}/typetune_check_spaces/${arg_TARGET}")
  set(sources "")
  foreach(header IN LISTS headers)
    if(NOT EXISTS "${header}")
      message(FATAL_ERROR "typetune_check_spaces(${arg_TARGET}): no header ${header}")
    endif()
    # The convention the check relies on: without a fits() assertion a header compiles and
    # proves nothing, which a CI job must not pass silently.
    file(READ "${header}" text)
    if(NOT text MATCHES "static_assert[ \t\r\n]*\\([^;]*fits[ \t\r\n]*[<(]")
      message(FATAL_ERROR
        "typetune_check_spaces(${arg_TARGET}): ${header} checks no space: add "
        "static_assert(tt::fits(space, build)) (or tt::fits<params>(space)) for each of its spaces")
    endif()
    get_filename_component(stem "${header}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${stem}" stem)
    string(MD5 digest "${header}")
    string(SUBSTRING "${digest}" 0 8 digest)
    set(source "${generated_dir}/check_${stem}_${digest}.cpp")
    file(CONFIGURE OUTPUT "${source}" CONTENT
"// Written by typetune_check_spaces(TARGET ${arg_TARGET}): compiles one space header alone, so
// that its static_assert(tt::fits(...)) checks run. Regenerated at configure time; do not edit.
#include \"${header}\"
" @ONLY)
    list(APPEND sources "${source}")
  endforeach()
  add_library(${arg_TARGET} OBJECT ${sources})
  target_link_libraries(${arg_TARGET} PRIVATE typetune::space ${arg_LINK_LIBRARIES})
  target_include_directories(${arg_TARGET} PRIVATE ${arg_INCLUDE_DIRECTORIES})
  target_compile_features(${arg_TARGET} PRIVATE cxx_std_20)
  set_property(TARGET ${arg_TARGET} APPEND PROPERTY TYPETUNE_SPACE_HEADERS ${headers})
endfunction()

function(typetune_add_space_docs)
  cmake_parse_arguments(PARSE_ARGV 0 arg "ALL" "NAME;HEADER;SPACE;OUTPUT_DIR;TITLE"
                        "INCLUDE_DIRECTORIES;LINK_LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "typetune_add_space_docs: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required NAME HEADER SPACE OUTPUT_DIR)
    if(NOT arg_${required})
      message(FATAL_ERROR "typetune_add_space_docs: ${required} is required")
    endif()
  endforeach()
  if(NOT arg_NAME MATCHES "^[A-Za-z0-9_.-]+$")
    message(FATAL_ERROR "typetune_add_space_docs: NAME '${arg_NAME}' must be a plain file name")
  endif()
  if(NOT TARGET typetune::desc)
    message(FATAL_ERROR "typetune_add_space_docs needs typetune::desc: find_package(typetune COMPONENTS desc)")
  endif()
  if(NOT arg_TITLE)
    set(arg_TITLE "${arg_SPACE}")
  endif()
  _typetune_absolute_paths(header "${arg_HEADER}")
  cmake_path(ABSOLUTE_PATH arg_OUTPUT_DIR BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" NORMALIZE)
  if(NOT EXISTS "${header}")
    message(FATAL_ERROR "typetune_add_space_docs(${arg_NAME}): no header ${header}")
  endif()

  # The title goes into C++ source as a raw string: it may hold quotes, not the delimiter.
  if(arg_TITLE MATCHES "\\)typetune\"")
    message(FATAL_ERROR "typetune_add_space_docs(${arg_NAME}): TITLE may not contain )typetune\"")
  endif()
  set(generator ${arg_NAME}_space_docs_generator)
  set(source "${CMAKE_CURRENT_BINARY_DIR}/typetune_space_docs/${arg_NAME}.cpp")
  file(CONFIGURE OUTPUT "${source}" CONTENT
"// Written by typetune_add_space_docs(NAME ${arg_NAME}): lowers @arg_SPACE@ and writes its docs
// into the directory given as the first argument. Regenerated at configure time; do not edit.
#include <exception>
#include <iostream>

#include \"@header@\"

#include <typetune/desc/render.hpp>
#include <typetune/describe.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << \"usage: \" << argv[0] << \" <output directory>\\n\";
    return 2;
  }
  try {
    typetune::write_space_docs(typetune::describe(@arg_SPACE@), argv[1], \"@arg_NAME@\", R\"typetune(@arg_TITLE@)typetune\");
  } catch (const std::exception& e) {
    std::cerr << \"@arg_NAME@: \" << e.what() << '\\n';
    return 1;
  }
  return 0;
}
" @ONLY)
  add_executable(${generator} "${source}")
  target_link_libraries(${generator} PRIVATE typetune::desc typetune::space ${arg_LINK_LIBRARIES})
  target_include_directories(${generator} PRIVATE ${arg_INCLUDE_DIRECTORIES})
  target_compile_features(${generator} PRIVATE cxx_std_20)

  set(base "${arg_OUTPUT_DIR}/${arg_NAME}")
  set(outputs "${base}.md" "${base}.json" "${base}.dot")
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${generator} "${arg_OUTPUT_DIR}"
    # The generator leaves a file that is already right untouched; the build wants it newer.
    COMMAND ${CMAKE_COMMAND} -E touch_nocreate ${outputs}
    DEPENDS ${generator}
    COMMENT "Writing the docs of ${arg_SPACE} into ${arg_OUTPUT_DIR}"
    VERBATIM)
  find_program(TYPETUNE_DOT_EXECUTABLE dot DOC "Graphviz's dot, to render the spaces' graphs as SVG")
  if(TYPETUNE_DOT_EXECUTABLE)
    add_custom_command(OUTPUT "${base}.svg"
      COMMAND "${TYPETUNE_DOT_EXECUTABLE}" -Tsvg "${base}.dot" -o "${base}.svg"
      DEPENDS "${base}.dot"
      COMMENT "Rendering ${arg_NAME}.dot as SVG"
      VERBATIM)
    list(APPEND outputs "${base}.svg")
  endif()
  set(all "")
  if(arg_ALL)
    set(all ALL)
  endif()
  add_custom_target(${arg_NAME}_space_docs ${all} DEPENDS ${outputs})
  set_target_properties(${arg_NAME}_space_docs PROPERTIES TYPETUNE_SPACE_DOCS "${outputs}")
endfunction()
