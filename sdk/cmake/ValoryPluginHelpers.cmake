# valory_add_plugin(<id> SOURCES ... [LINK ...] [MANIFEST file] [TESTS ...] [INCLUDES ...])
#
# Builds plugin <id> as a shared library exporting only `valory_plugin_entry_v1`: hidden visibility,
# -fvisibility-inlines-hidden, a linker version script, -Wl,--no-undefined. The manifest is copied
# beside the library into ${VALORY_PLUGIN_OUTPUT_DIR}/<id>/. TESTS are GoogleTest sources compiled
# into <id>_test against the SDK test kit. Shared by the in-tree build and the installed package.
include_guard(GLOBAL)

set(_VALORY_HELPERS_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(valory_add_plugin id)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MANIFEST" "SOURCES;LINK;TESTS;INCLUDES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "valory_add_plugin(${id}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "valory_add_plugin(${id}): SOURCES is required")
  endif()
  if(NOT ARG_MANIFEST)
    set(ARG_MANIFEST "${CMAKE_CURRENT_SOURCE_DIR}/plugin.json")
  endif()
  if(NOT IS_ABSOLUTE "${ARG_MANIFEST}")
    set(ARG_MANIFEST "${CMAKE_CURRENT_SOURCE_DIR}/${ARG_MANIFEST}")
  endif()
  if(NOT EXISTS "${ARG_MANIFEST}")
    message(FATAL_ERROR "valory_add_plugin(${id}): manifest ${ARG_MANIFEST} not found")
  endif()
  if(NOT DEFINED VALORY_PLUGIN_OUTPUT_DIR)
    set(VALORY_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
  endif()

  set(target "valory_plugin_${id}")
  add_library(${target} MODULE ${ARG_SOURCES})
  set(outdir "${VALORY_PLUGIN_OUTPUT_DIR}/${id}")
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${id}"
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY "${outdir}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    LINK_DEPENDS "${_VALORY_HELPERS_DIR}/valory_plugin.map")
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_options(${target} PRIVATE -fvisibility=hidden -fvisibility-inlines-hidden)
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${_VALORY_HELPERS_DIR}/valory_plugin.map" "-Wl,--no-undefined")
  target_link_libraries(${target} PRIVATE Valory::sdk ${ARG_LINK})
  if(ARG_INCLUDES)
    target_include_directories(${target} PRIVATE ${ARG_INCLUDES})
  endif()
  if(COMMAND valory_warnings)
    valory_warnings(${target})
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "${ARG_MANIFEST}" "${outdir}/plugin.json"
    COMMENT "Copying manifest of plugin ${id}")

  if(ARG_TESTS AND TARGET Valory::testkit)
    add_executable(${id}_test ${ARG_TESTS})
    target_link_libraries(${id}_test PRIVATE Valory::testkit ${ARG_LINK} GTest::gtest_main)
    if(ARG_INCLUDES)
      target_include_directories(${id}_test PRIVATE ${ARG_INCLUDES})
    endif()
    gtest_discover_tests(${id}_test DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 LABELS "unit;plugin-${id}")
  endif()
endfunction()
