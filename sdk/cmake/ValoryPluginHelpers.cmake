# valory_add_plugin(<id> SOURCES ... [LINK ...] [MANIFEST file] [TESTS ...] [INCLUDES ...])
#
# Builds plugin <id> as a shared library exporting only `valory_plugin_entry_v1`: hidden visibility,
# -fvisibility-inlines-hidden, a linker version script, -Wl,--no-undefined. The manifest is copied
# beside the library into ${VALORY_PLUGIN_OUTPUT_DIR}/<id>/. TESTS are GoogleTest sources compiled
# into <id>_test together with the plugin's SOURCES (one OBJECT library) against the SDK test kit
# (Valory::testkit); VALORY_TEST_MANIFEST is defined to the manifest's path.
# Shared by the in-tree build and the installed package (find_package(ValorySDK)).
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

  # The plugin's sources are compiled once into an OBJECT library shared by the module and its
  # fake-host test, so the test exercises exactly the code that ships.
  set(target "valory_plugin_${id}")
  set(objects "valory_plugin_${id}_objects")
  add_library(${objects} OBJECT ${ARG_SOURCES})
  set_target_properties(${objects} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  target_compile_features(${objects} PUBLIC cxx_std_20)
  target_compile_options(${objects} PRIVATE -fvisibility=hidden
    $<$<COMPILE_LANGUAGE:CXX>:-fvisibility-inlines-hidden>)
  target_link_libraries(${objects} PUBLIC Valory::sdk ${ARG_LINK})
  if(ARG_INCLUDES)
    target_include_directories(${objects} PUBLIC ${ARG_INCLUDES})
  endif()
  if(COMMAND valory_warnings)
    valory_warnings(${objects})
  endif()

  add_library(${target} MODULE)
  set(outdir "${VALORY_PLUGIN_OUTPUT_DIR}/${id}")
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${id}"
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY "${outdir}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    # the manifest too: it is copied after the link, so a manifest edit must relink
    LINK_DEPENDS "${_VALORY_HELPERS_DIR}/valory_plugin.map;${ARG_MANIFEST}")
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${_VALORY_HELPERS_DIR}/valory_plugin.map" "-Wl,--no-undefined")
  target_link_libraries(${target} PRIVATE ${objects})
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "${ARG_MANIFEST}" "${outdir}/plugin.json"
    COMMENT "Copying manifest of plugin ${id}")

  if(ARG_TESTS AND (NOT DEFINED VALORY_BUILD_TESTS OR VALORY_BUILD_TESTS))
    if(NOT TARGET Valory::testkit)
      message(FATAL_ERROR "valory_add_plugin(${id}): TESTS need the SDK test kit (Valory::testkit)")
    endif()
    if(NOT TARGET GTest::gtest_main)
      find_package(GTest QUIET)
    endif()
    if(NOT TARGET GTest::gtest_main)
      message(FATAL_ERROR "valory_add_plugin(${id}): TESTS need GoogleTest (Debian: apt install libgtest-dev)")
    endif()
    include(GoogleTest)
    add_executable(${id}_test ${ARG_TESTS})
    target_link_libraries(${id}_test PRIVATE ${objects} Valory::testkit GTest::gtest_main)
    # The test can read the manifest with FakeHost::readFile(VALORY_TEST_MANIFEST).
    target_compile_definitions(${id}_test PRIVATE "VALORY_TEST_MANIFEST=\"${ARG_MANIFEST}\"")
    if(COMMAND valory_warnings)
      valory_warnings(${id}_test)
    endif()
    # One label only: gtest_discover_tests (CMake 3.25) cannot pass a list-valued property.
    gtest_discover_tests(${id}_test DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 LABELS unit)
  endif()
endfunction()
