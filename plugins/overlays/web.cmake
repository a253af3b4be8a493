# The overlays plugin's pages and assets: `include(web.cmake)` after valory_add_plugin(overlays).
# build_web.cmake fingerprints and pre-gzips web/assets (and the Debian fonts found) into
# <plugin dir>/web, where src/pages.cpp mounts them.
file(GLOB_RECURSE VALORY_OVERLAYS_WEB_SOURCES CONFIGURE_DEPENDS
  "${CMAKE_CURRENT_SOURCE_DIR}/web/assets/*" "${CMAKE_CURRENT_SOURCE_DIR}/web/pages/*")
if(NOT DEFINED VALORY_PLUGIN_OUTPUT_DIR)
  set(VALORY_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
endif()
set(VALORY_OVERLAYS_WEB_DIR "${VALORY_PLUGIN_OUTPUT_DIR}/overlays/web")
add_custom_command(
  OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/web.stamp"
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_CURRENT_SOURCE_DIR}/web -DOUT=${VALORY_OVERLAYS_WEB_DIR}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/web/build_web.cmake
  COMMAND ${CMAKE_COMMAND} -E touch "${CMAKE_CURRENT_BINARY_DIR}/web.stamp"
  DEPENDS ${VALORY_OVERLAYS_WEB_SOURCES} "${CMAKE_CURRENT_SOURCE_DIR}/web/build_web.cmake"
  COMMENT "overlays: fingerprinting web assets"
  VERBATIM)
add_custom_target(overlays_web ALL DEPENDS "${CMAKE_CURRENT_BINARY_DIR}/web.stamp")
if(TARGET valory_plugin_overlays)
  add_dependencies(valory_plugin_overlays overlays_web)
endif()
