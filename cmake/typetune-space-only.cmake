# Included by the top-level CMakeLists.txt when TYPETUNE_SPACE_ONLY is ON: installs the headers,
# typetune::space and the package config, so that a CI job with a compiler, CMake and Boost
# alone can use find_package(typetune COMPONENTS space) and typetune_check_spaces. Nothing is
# built; the runtime layers, tests and examples are left out.
include(CMakePackageConfigHelpers)
set(_tt_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/typetune)
install(DIRECTORY include/typetune DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS typetune_space EXPORT typetune-space-targets)
install(EXPORT typetune-space-targets NAMESPACE typetune:: DESTINATION ${_tt_cmake_dir})
configure_package_config_file(cmake/typetune-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/typetune-config.cmake
  INSTALL_DESTINATION ${_tt_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/typetune-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/typetune-config.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/typetune-config-version.cmake
  cmake/typetune-functions.cmake
  DESTINATION ${_tt_cmake_dir})
message(STATUS "typetune: TYPETUNE_SPACE_ONLY: typetune::space and the package config alone")
