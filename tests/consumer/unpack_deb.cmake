# Included by run_consumer.cmake with -DFROM_DEB=ON: packs the build tree with `cpack -G DEB`,
# checks the package (control data, file list, lintian), unpacks it with `dpkg -x` and sets
# `prefix` to its usr/, which the consumer is then built against. Uses run_consumer.cmake's
# step(); any failed check is a FATAL_ERROR naming what is wrong.
foreach(required CPACK_COMMAND DEB_DEPENDS)
  if(NOT ${required})
    message(FATAL_ERROR "package test: -D${required}=... is required with -DFROM_DEB=ON")
  endif()
endforeach()

# cpack runs the install step into its own staging folder under WORK_DIR: nothing is built, and
# the build tree is left as it was.
string(REPLACE "," ";" DEB_DEPENDS "${DEB_DEPENDS}")
set(cpack_dir ${WORK_DIR}/cpack)
step("pack the build tree (cpack -G DEB)"
     ${CPACK_COMMAND} -G DEB -C ${CONFIG} -B ${cpack_dir} --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake)
file(GLOB debs ${cpack_dir}/typetune_*.deb)
list(LENGTH debs n_debs)
if(NOT n_debs EQUAL 1)
  message(FATAL_ERROR "consumer: FAILED: cpack left ${n_debs} typetune_*.deb in ${cpack_dir}, not one: ${debs}")
endif()
set(deb ${debs})

# The control data: the package's name, and a Depends line naming every expected Debian package
# (the shared libraries usr/bin/typetune links, the -dev packages find_package(typetune) reads).
execute_process(COMMAND dpkg-deb -I ${deb} RESULT_VARIABLE rc OUTPUT_VARIABLE info ERROR_VARIABLE info)
message("---- consumer: dpkg-deb -I ${deb} ----\n${info}")
if(NOT rc EQUAL 0 OR NOT info MATCHES "\n Package: typetune\n")
  message(FATAL_ERROR "consumer: FAILED: dpkg-deb -I does not read a package named typetune (exit ${rc})")
endif()
if(NOT info MATCHES "\n Depends: ([^\n]*)")
  message(FATAL_ERROR "consumer: FAILED: the package has no Depends line")
endif()
# "a (>= 1), b | c" -> a;b;c
string(REGEX REPLACE " *\\([^)]*\\)" "" depends "${CMAKE_MATCH_1}")
string(REGEX REPLACE " *[,|] *" ";" depends "${depends}")
foreach(name IN LISTS DEB_DEPENDS)
  if(NOT name IN_LIST depends)
    message(FATAL_ERROR "consumer: FAILED: the package's Depends has no ${name}: ${depends}")
  endif()
endforeach()

# The file list: typetune's own files alone, owned by root with the usual modes. Anything from
# tests/, examples/ or bench/ (the release build has them) would not match.
execute_process(COMMAND dpkg-deb -c ${deb} RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE listing)
message("---- consumer: dpkg-deb -c ${deb} ----\n${listing}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer: FAILED: dpkg-deb -c ${deb} (exit ${rc})")
endif()
set(allowed
    "\\./(usr/((bin|include|lib|share|share/doc)/)?)?"  # parent folders
    "\\./usr/lib/[a-z0-9_]+-linux-[a-z0-9_]+/"           # the multiarch folder
    "\\./usr/bin/typetune"
    "\\./usr/include/typetune/.*"
    "\\./usr/lib/([^/]+/)?libtypetune_[a-z0-9_]+\\.a"
    "\\./usr/lib/([^/]+/)?cmake/(typetune/.*)?"
    "\\./usr/share/doc/typetune/.*"
    "\\./usr/share/man/(man1/(typetune\\.1\\.gz)?)?"
    "\\./usr/share/lintian/(overrides/(typetune)?)?")
string(REPLACE "\n" ";" lines "${listing}")
set(paths "")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  if(NOT line MATCHES "^([-d]rw[-x]r-[-x]r-[-x]) root/root +[0-9]+ [-0-9]+ [:0-9]+ ([^ ]+)$")
    message(FATAL_ERROR "consumer: FAILED: a package entry is not root's with mode 0644/0755: ${line}")
  endif()
  set(path ${CMAKE_MATCH_2})
  set(known FALSE)
  foreach(pattern IN LISTS allowed)  # one at a time: CMake's regex has 9 groups at most
    if(path MATCHES "^${pattern}$")
      set(known TRUE)
      break()
    endif()
  endforeach()
  if(NOT known)
    message(FATAL_ERROR "consumer: FAILED: the package holds ${path}, which is not typetune's "
                        "(a test, an example or a benchmark?)")
  endif()
  list(APPEND paths ${path})
endforeach()
foreach(needed ./usr/bin/typetune ./usr/include/typetune/typetune.hpp
        ./usr/share/doc/typetune/copyright ./usr/share/doc/typetune/changelog.Debian.gz
        ./usr/share/doc/typetune/README.md ./usr/share/man/man1/typetune.1.gz)
  if(NOT needed IN_LIST paths)
    message(FATAL_ERROR "consumer: FAILED: the package has no ${needed}")
  endif()
endforeach()
if(NOT paths MATCHES "/cmake/typetune/typetune-config\\.cmake(;|$)" OR NOT paths MATCHES "/libtypetune_engine\\.a(;|$)")
  message(FATAL_ERROR "consumer: FAILED: the package has no lib/.../cmake/typetune/typetune-config.cmake or libtypetune_engine.a")
endif()

# Lintian, where installed: an error (E:) fails the test; warnings and the rest are printed.
find_program(LINTIAN lintian)
if(LINTIAN)
  execute_process(COMMAND ${LINTIAN} --tag-display-limit 0 ${deb}  # = --no-tag-display-limit
                  RESULT_VARIABLE rc OUTPUT_VARIABLE lint ERROR_VARIABLE lint)
  message("---- consumer: lintian --tag-display-limit 0 ${deb} (exit ${rc}) ----\n${lint}")
  if(lint MATCHES "^E: " OR lint MATCHES "\nE: ")
    message(FATAL_ERROR "consumer: FAILED: lintian reports errors (E: above)")
  endif()
  if(rc GREATER 1)  # 1: errors found (caught above); 2: lintian could not run
    message(FATAL_ERROR "consumer: FAILED: lintian did not run (exit ${rc})")
  endif()
else()
  message("---- consumer: lintian is not installed: the package is not linted ----")
endif()

# Unpacked as dpkg would install it, under a temporary root.
set(root ${WORK_DIR}/root)
step("unpack the package into ${root} (dpkg -x)" dpkg -x ${deb} ${root})
set(prefix ${root}/usr)

# The command runs from the package: no build tree or RPATH needed.
execute_process(COMMAND ${prefix}/bin/typetune --help RESULT_VARIABLE rc OUTPUT_VARIABLE help ERROR_VARIABLE help)
message("---- consumer: ${prefix}/bin/typetune --help (exit ${rc}) ----\n${help}")
if(NOT rc EQUAL 0 OR NOT help MATCHES "Usage: [^\n]*typetune")
  message(FATAL_ERROR "consumer: FAILED: the packaged typetune --help did not print its usage (exit ${rc})")
endif()
find_program(READELF readelf)
if(READELF)
  execute_process(COMMAND ${READELF} -d ${prefix}/bin/typetune OUTPUT_VARIABLE dynamic)
  if(dynamic MATCHES "\\((RPATH|RUNPATH)\\)[^\n]*")
    message(FATAL_ERROR "consumer: FAILED: the packaged typetune has an embedded library path: ${CMAKE_MATCH_0}")
  endif()
endif()
