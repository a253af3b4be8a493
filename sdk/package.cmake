# Install rules of the SDK package (included by sdk/CMakeLists.txt):
#   <prefix>/include/valory/{*.h,cpp/*.hpp,testkit/*.hpp}
#   <prefix>/lib/libvalory_testkit.a
#   <prefix>/lib/cmake/ValorySDK/{ValorySDKConfig,ValorySDKConfigVersion,ValorySDKTargets}.cmake
#   <prefix>/lib/cmake/ValorySDK/{ValoryPluginHelpers.cmake,valory_plugin.map}
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The package version is the ABI version read from abi.h (the header is the single source of truth).
file(STRINGS "${CMAKE_CURRENT_SOURCE_DIR}/include/valory/abi.h" _valory_abi_lines
     REGEX "^#define VALORY_ABI_(MAJOR|MINOR) [0-9]+")
foreach(_line IN LISTS _valory_abi_lines)
  if(_line MATCHES "^#define VALORY_ABI_(MAJOR|MINOR) ([0-9]+)")
    set(VALORY_ABI_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
set(VALORY_SDK_VERSION "${VALORY_ABI_MAJOR}.${VALORY_ABI_MINOR}")
set(VALORY_SDK_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ValorySDK")

set_target_properties(valory_sdk PROPERTIES EXPORT_NAME sdk)
install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/include/valory"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT sdk
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
set(_valory_sdk_targets valory_sdk)
if(TARGET valory_testkit)
  list(APPEND _valory_sdk_targets valory_testkit)
  install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/testkit/include/valory"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT sdk
          FILES_MATCHING PATTERN "*.hpp")
endif()
install(TARGETS ${_valory_sdk_targets} EXPORT ValorySDKTargets COMPONENT sdk
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT ValorySDKTargets NAMESPACE Valory:: DESTINATION "${VALORY_SDK_CMAKE_DIR}" COMPONENT sdk)

configure_package_config_file("${CMAKE_CURRENT_SOURCE_DIR}/cmake/ValorySDKConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/ValorySDKConfig.cmake"
  INSTALL_DESTINATION "${VALORY_SDK_CMAKE_DIR}")
# Same major, and at least the requested minor (a plugin built for 1.0 builds with SDK 1.x).
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/ValorySDKConfigVersion.cmake"
  VERSION "${VALORY_SDK_VERSION}" COMPATIBILITY SameMajorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/ValorySDKConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/ValorySDKConfigVersion.cmake"
  "${CMAKE_CURRENT_SOURCE_DIR}/cmake/ValoryPluginHelpers.cmake"
  "${CMAKE_CURRENT_SOURCE_DIR}/cmake/valory_plugin.map"
  DESTINATION "${VALORY_SDK_CMAKE_DIR}" COMPONENT sdk)
