# The spaces-only CI job, end to end: installs typetune into WORK_DIR/prefix as the job in
# docs/ci/check-spaces.yml does (TYPETUNE_SPACE_ONLY, with Eigen, nlohmann-json, Threads and
# Torch disabled: nothing but Boost) or, with -DINSTALL_FROM=build, the whole built project; then
# configures tests/consumer/spaces against it with find_package(typetune COMPONENTS space) and
# Eigen, nlohmann-json, Threads and Torch disabled, and checks that
#   1. the team's space headers build (typetune_check_spaces), with no LibTorch or Eigen include
#      directory on their command lines;
#   2. the compiler's dependency output (-MD, as Ninja or Make keep it) lists the space headers
#      and Boost.Hana, and no LibTorch, Eigen or typetune runtime header;
#   3. the same project with a misspelt builder field (`momentm`) fails to build, and the
#      compiler's diagnostics (not a quoted source line) name the field.
#   cmake -DPROJECT_SOURCE_DIR=... -DPROJECT_BINARY_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=...
#         [-DINSTALL_FROM=space-only|build] [-DCONFIG=Release]
#         [-DGENERATOR=Ninja] [-DCXX_COMPILER=g++] [-DCXX_FLAGS=...] [-DSELFCHECK=ON]
#         -P run_spaces_consumer.cmake
cmake_minimum_required(VERSION 3.25)

foreach(required PROJECT_SOURCE_DIR PROJECT_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR)
  if(NOT ${required})
    message(FATAL_ERROR "spaces consumer: -D${required}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Headers a spaces-only job must never read.
set(forbidden "/torch/|/ATen/|/c10/|/caffe2/|/[Ee]igen3?/|typetune/engine/|typetune/torch/|typetune/study\\.hpp")

function(run what result output)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("---- spaces consumer: ${what} (exit ${rc}) ----\n${out}")
  set(${result} ${rc} PARENT_SCOPE)
  set(${output} "${out}" PARENT_SCOPE)
endfunction()
function(must what)
  run("${what}" rc out ${ARGN})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "spaces consumer: FAILED to ${what} (exit ${rc})")
  endif()
endfunction()

set(without_runtime -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_Threads=ON -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON)
if(INSTALL_FROM STREQUAL "build")
  must("install the built typetune into ${prefix}"
       ${CMAKE_COMMAND} --install ${PROJECT_BINARY_DIR} --prefix ${prefix} --config ${CONFIG})
else()
  set(space_only ${WORK_DIR}/typetune-space-only)
  set(args -S ${PROJECT_SOURCE_DIR} -B ${space_only} -DTYPETUNE_SPACE_ONLY=ON ${without_runtime})
  if(GENERATOR)
    list(APPEND args -G ${GENERATOR})
  endif()
  must("configure typetune with TYPETUNE_SPACE_ONLY (Boost alone)" ${CMAKE_COMMAND} ${args})
  must("install the space-only typetune into ${prefix}" ${CMAKE_COMMAND} --install ${space_only} --prefix ${prefix})
  file(GLOB runtime_targets ${prefix}/*/cmake/typetune/typetune-engine-targets.cmake
       ${prefix}/*/cmake/typetune/typetune-desc-targets.cmake)
  if(runtime_targets)
    message(FATAL_ERROR "spaces consumer: FAILED: the space-only install has runtime targets: ${runtime_targets}")
  endif()
endif()
if(NOT EXISTS ${prefix}/lib/cmake/typetune/typetune-functions.cmake AND
   NOT EXISTS ${prefix}/lib64/cmake/typetune/typetune-functions.cmake)
  file(GLOB_RECURSE _functions ${prefix}/*/typetune-functions.cmake)
  if(NOT _functions)
    message(FATAL_ERROR "spaces consumer: FAILED: the install has no typetune-functions.cmake")
  endif()
endif()

function(configure build)
  set(args -S ${CONSUMER_SOURCE_DIR} -B ${build} "-DCMAKE_PREFIX_PATH=${prefix}" "-DTYPETUNE_EXPECTED_PREFIX=${prefix}"
      "-DCMAKE_BUILD_TYPE=${CONFIG}" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
      # Boost alone: the runtime layers' dependencies may not even be looked for.
      ${without_runtime} ${ARGN})
  if(GENERATOR)
    list(APPEND args -G ${GENERATOR})
  endif()
  if(CXX_COMPILER)
    list(APPEND args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
  endif()
  if(CXX_FLAGS)
    list(APPEND args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
  endif()
  must("configure ${build}" ${CMAKE_COMMAND} ${args})
endfunction()

# 1. The team's spaces build. (With -DSELFCHECK=ON, a header that reads Eigen joins them, and
# step 2 must fail.)
set(build ${WORK_DIR}/build)
set(units 2)
if(SELFCHECK)
  configure(${build} -DTYPETUNE_CONSUMER_READS_EIGEN=ON)
  set(units 3)
else()
  configure(${build})
endif()
must("build the space checks" ${CMAKE_COMMAND} --build ${build} --config ${CONFIG} --target team_spaces)

file(READ ${build}/compile_commands.json commands)
string(JSON count LENGTH "${commands}")
set(checked_units 0)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON file GET "${commands}" ${i} file)
  string(JSON command GET "${commands}" ${i} command)
  if(NOT file MATCHES "typetune_check_spaces/team_spaces/")
    continue()
  endif()
  math(EXPR checked_units "${checked_units} + 1")
  separate_arguments(words UNIX_COMMAND "${command}")
  set(next_is_dir OFF)
  foreach(word IN LISTS words)
    if(next_is_dir OR word MATCHES "^-(I|isystem|iquote|idirafter)")
      if(word MATCHES "torch|[Ee]igen")
        message(FATAL_ERROR "spaces consumer: FAILED: ${file} is compiled with the include directory ${word}")
      endif()
    endif()
    set(next_is_dir OFF)
    if(word MATCHES "^-(I|isystem|iquote|idirafter)$")
      set(next_is_dir ON)
    endif()
  endforeach()
endforeach()
if(NOT checked_units EQUAL units)
  message(FATAL_ERROR "spaces consumer: FAILED: ${checked_units} check units in compile_commands.json, not ${units}")
endif()

# 2. The compiler's dependency output. Ninja keeps it in its log (ninja -t deps); the Makefile
# generators keep the compiler's .d files beside the objects.
set(deps "")
if(GENERATOR MATCHES "Ninja")
  file(STRINGS ${build}/CMakeCache.txt make_program REGEX "^CMAKE_MAKE_PROGRAM:")
  string(REGEX REPLACE "^[^=]*=" "" make_program "${make_program}")
  run("list the compiler's dependencies" rc deps ${make_program} -C ${build} -t deps)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "spaces consumer: FAILED: ninja -t deps exited ${rc}")
  endif()
else()
  file(GLOB_RECURSE depfiles ${build}/CMakeFiles/team_spaces.dir/*.d)
  foreach(depfile IN LISTS depfiles)
    file(READ ${depfile} text)
    string(APPEND deps "${depfile}:\n${text}\n")
  endforeach()
endif()
foreach(needed "mlp_space\\.hpp" "cnn_space\\.hpp" "boost/hana/" "typetune/space/space\\.hpp")
  if(NOT deps MATCHES "${needed}")
    message(FATAL_ERROR "spaces consumer: FAILED: the dependency output does not list ${needed}; it is not the compiler's")
  endif()
endforeach()
string(REGEX MATCHALL "[^ \t\r\n\\\\:]*(${forbidden})[^ \t\r\n\\\\]*" read_forbidden "${deps}")
if(read_forbidden)
  list(REMOVE_DUPLICATES read_forbidden)
  list(JOIN read_forbidden "\n  " read_forbidden)
  message(FATAL_ERROR "spaces consumer: FAILED: checking the spaces read\n  ${read_forbidden}")
endif()
string(REGEX MATCHALL "[ \t\n]/[^ \t\r\n\\]+" headers "${deps}")
list(LENGTH headers header_count)
message(STATUS "spaces consumer: the check units read ${header_count} headers in all, none of LibTorch, Eigen or typetune's runtime")

# 3. A misspelt builder field fails the build, and the diagnostics name it.
set(typo_build ${WORK_DIR}/build-typo)
configure(${typo_build} -DTYPETUNE_CONSUMER_TYPO=ON)
run("build the space checks with a misspelt field" rc out
    ${CMAKE_COMMAND} --build ${typo_build} --config ${CONFIG} --target team_spaces_typo)
if(rc EQUAL 0)
  message(FATAL_ERROR "spaces consumer: FAILED: the space with the misspelt field `momentm` built")
endif()
# The compiler's own lines, without the source lines it quotes ("  18 |   double momentm;").
string(REPLACE "\n" ";" lines "${out}")
set(named OFF)
set(seen 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^ *[0-9]* *\\|")
    continue()
  endif()
  if(line MATCHES "typo_space\\.hpp|error|In instantiation|required from")
    math(EXPR seen "${seen} + 1")
  endif()
  if(seen GREATER 0 AND seen LESS 25 AND line MATCHES "momentm")
    set(named ON)
    break()
  endif()
endforeach()
if(NOT named)
  message(FATAL_ERROR "spaces consumer: FAILED: the build failed, but the compiler's first diagnostics do not name `momentm`")
endif()
if(NOT out MATCHES "typo_space\\.hpp")
  message(FATAL_ERROR "spaces consumer: FAILED: the failure is not in typo_space.hpp")
endif()
message(STATUS "spaces consumer: ok")
