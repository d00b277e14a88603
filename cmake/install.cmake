# install.cmake: libredflag as an installable library. Builds the shared library
# (libredflag.so.N, from the same objects as the static one, exporting only what the public
# headers declare: see exports.cmake) and installs the command (and redflag-server, which it
# runs for serve and users), both libraries, the public
# headers under include/redflag/, redflag.pc, the CMake package (find_package(redflag)) and
# the bundled list; `cpack` (or the `package` target) makes a Debian package of it all.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RF_PUBLIC_HEADERS
  ${CMAKE_SOURCE_DIR}/base/rf_base.h
  ${CMAKE_SOURCE_DIR}/lists/rf_lists.h
  ${CMAKE_SOURCE_DIR}/audit/rf_audit.h
  ${CMAKE_SOURCE_DIR}/importers/rf_importers.h
  ${CMAKE_SOURCE_DIR}/engine/rf_engine.h
  ${CMAKE_SOURCE_DIR}/ownership/rf_ownership.h
  ${CMAKE_SOURCE_DIR}/reports/rf_reports.h
  ${CMAKE_SOURCE_DIR}/session/rf_session.h)

set(RF_EXPORTS_MAP ${CMAKE_BINARY_DIR}/libredflag.map)
string(REPLACE ";" "|" rf_headers_arg "${RF_PUBLIC_HEADERS}") # one argument on the command line
add_custom_command(
  OUTPUT ${RF_EXPORTS_MAP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${RF_EXPORTS_MAP} -DHEADERS=${rf_headers_arg}
          -P ${CMAKE_SOURCE_DIR}/cmake/exports.cmake
  DEPENDS ${RF_PUBLIC_HEADERS} ${CMAKE_SOURCE_DIR}/cmake/exports.cmake
  COMMENT "Listing the public functions of libredflag"
  VERBATIM)
add_custom_target(libredflag_exports DEPENDS ${RF_EXPORTS_MAP})

# The shared library: every object of the static one, linked whole, behind the version script.
# (CMake wants a source of the target's own: an empty file, the code is all in libredflag.)
file(WRITE ${CMAKE_BINARY_DIR}/libredflag_shared.c
  "/* libredflag.so: its code is the static library's objects, linked whole. */\n"
  "typedef int rf_shared_library_has_no_code_of_its_own; /* ISO C: no empty file */\n")
add_library(libredflag_shared SHARED ${CMAKE_BINARY_DIR}/libredflag_shared.c)
add_dependencies(libredflag_shared libredflag_exports)
set_target_properties(libredflag_shared PROPERTIES
  OUTPUT_NAME redflag
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${RF_EXPORTS_MAP}
  EXPORT_NAME redflag)
target_link_libraries(libredflag_shared PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,libredflag>")
target_link_options(libredflag_shared PRIVATE
  "LINKER:--version-script=${RF_EXPORTS_MAP}" "LINKER:--no-undefined")
target_include_directories(libredflag_shared INTERFACE
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/redflag>)

configure_file(${CMAKE_SOURCE_DIR}/cmake/redflag.h.in ${CMAKE_BINARY_DIR}/include/redflag.h @ONLY)
file(RELATIVE_PATH RF_PC_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" /p)
configure_file(${CMAKE_SOURCE_DIR}/cmake/redflag.pc.in ${CMAKE_BINARY_DIR}/redflag.pc @ONLY)

install(TARGETS redflag RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS redflag-server RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/redflag)
install(TARGETS libredflag_shared EXPORT redflagTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS libredflag ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(header IN LISTS RF_PUBLIC_HEADERS)
  # kept in their module folders: the headers include each other as ../lists/rf_lists.h
  get_filename_component(dir ${header} DIRECTORY)
  get_filename_component(module ${dir} NAME)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/redflag/${module})
endforeach()
install(FILES ${CMAKE_BINARY_DIR}/include/redflag.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/redflag)
install(FILES ${CMAKE_BINARY_DIR}/redflag.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${CMAKE_SOURCE_DIR}/lists/data/consolidated_2022-05.csv.gz
  DESTINATION ${CMAKE_INSTALL_DATADIR}/redflag)

set(RF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/redflag)
install(EXPORT redflagTargets NAMESPACE redflag:: DESTINATION ${RF_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/redflagConfig.cmake.in
  ${CMAKE_BINARY_DIR}/redflagConfig.cmake INSTALL_DESTINATION ${RF_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/redflagConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/redflagConfig.cmake ${CMAKE_BINARY_DIR}/redflagConfigVersion.cmake
  DESTINATION ${RF_CMAKE_DIR})

# The Debian package: dependencies from dpkg-shlibdeps, so it names exactly the libraries
# the programs and the shared library link, and libcurl4, which `lists update` opens when it
# downloads (importers/update.c).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME redflag)
set(CPACK_PACKAGE_CONTACT "redflag developers <redflag@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "export-control screening of purchase orders and BOMs against official lists")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
