# Installs the built typetune into WORK_DIR/prefix, then configures, builds and runs the
# consumer project (tests/consumer) against it. Any failing step fails the test.
#   cmake -DPROJECT_BINARY_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=... [-DCONFIG=Release]
#         [-DGENERATOR=Ninja] [-DCXX_COMPILER=g++] -P run_consumer.cmake
# With -DFROM_DEB=ON the prefix is the Debian package instead: `cpack -G DEB` packs the build
# tree into WORK_DIR/cpack, its control data is checked (the comma-separated Depends names in DEB_DEPENDS), its
# files are listed (nothing but typetune's own), lintian reads it where installed (any E: fails),
# `dpkg -x` unpacks it into WORK_DIR/root, usr/bin/typetune --help runs, and the prefix is
# WORK_DIR/root/usr.
#   cmake ... -DFROM_DEB=ON -DCPACK_COMMAND=cpack "-DDEB_DEPENDS=libc6,libboost-dev,..." -P ...
cmake_minimum_required(VERSION 3.25)

foreach(required PROJECT_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR)
  if(NOT ${required})
    message(FATAL_ERROR "consumer test: -D${required}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("---- consumer: ${what} ----\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer: FAILED to ${what} (exit ${rc})")
  endif()
endfunction()

if(FROM_DEB)
  include(${CMAKE_CURRENT_LIST_DIR}/unpack_deb.cmake)  # sets prefix to WORK_DIR/root/usr
else()
  step("install typetune into ${prefix}"
       ${CMAKE_COMMAND} --install ${PROJECT_BINARY_DIR} --prefix ${prefix} --config ${CONFIG})
endif()
if(NOT EXISTS ${prefix}/include/typetune/typetune.hpp)
  message(FATAL_ERROR "consumer: FAILED: the install has no include/typetune/typetune.hpp")
endif()

set(configure_args -S ${CONSUMER_SOURCE_DIR} -B ${build} "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DTYPETUNE_EXPECTED_PREFIX=${prefix}" "-DCMAKE_BUILD_TYPE=${CONFIG}"
    # Look only in the prefix (and the system), never in the package registry or a build tree.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(GENERATOR)
  list(APPEND configure_args -G ${GENERATOR})
endif()
if(CXX_COMPILER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
# The consumer compiles and links like the library it uses (a sanitized build needs the
# sanitizer runtime in the consumer too).
if(CXX_FLAGS)
  list(APPEND configure_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
endif()
if(WITH_TORCH AND FROM_DEB)
  # The package's torch component is found (libtorch-dev through its Depends), not compiled
  # against again: the prefix test above builds the torch consumer, ~a minute on 2 cores.
  list(APPEND configure_args -DTYPETUNE_CONSUMER_TORCH_FIND_ONLY=ON)
  set(WITH_TORCH OFF)
elseif(WITH_TORCH)
  list(APPEND configure_args -DTYPETUNE_CONSUMER_TORCH=ON)
endif()
step("configure the consumer" ${CMAKE_COMMAND} ${configure_args})
step("build the consumer" ${CMAKE_COMMAND} --build ${build} --config ${CONFIG})

set(exe ${build}/typetune_consumer)
if(NOT EXISTS ${exe})
  set(exe ${build}/${CONFIG}/typetune_consumer)
endif()
step("run the consumer" ${exe})
if(WITH_TORCH)
  step("run the torch consumer" ${build}/typetune_torch_consumer)
endif()
message(STATUS "consumer: ok")
