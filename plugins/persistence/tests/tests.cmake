# Tests of the persistence plugin. Server tests need the CTest fixture `postgres`
# (tests/support/postgres.cmake) and FAIL when it is missing.
set(_pg_env "${CMAKE_BINARY_DIR}/tests/support/postgres.env")
set(_pg_launcher "${PROJECT_SOURCE_DIR}/tests/support/postgres_launcher.sh")
set(_pg_defs
  VALORY_PG_ENV_FILE_DEFAULT="${_pg_env}"
  VALORY_PG_LAUNCHER="${_pg_launcher}")

add_executable(persistence_unit_test tests/unit_test.cpp)
target_link_libraries(persistence_unit_test PRIVATE persistence_core GTest::gtest_main)
valory_warnings(persistence_unit_test)
gtest_discover_tests(persistence_unit_test DISCOVERY_TIMEOUT 60 TEST_PREFIX "persistence."
  PROPERTIES TIMEOUT 60 LABELS unit)

add_executable(persistence_migrate_helper tests/migrate_helper.cpp)
target_link_libraries(persistence_migrate_helper PRIVATE persistence_core)
target_compile_definitions(persistence_migrate_helper PRIVATE ${_pg_defs})

add_executable(persistence_pg_test tests/sql_service_test.cpp tests/migrator_test.cpp)
target_link_libraries(persistence_pg_test PRIVATE persistence_core GTest::gtest_main)
target_compile_definitions(persistence_pg_test PRIVATE ${_pg_defs}
  PERSISTENCE_MIGRATE_HELPER="$<TARGET_FILE:persistence_migrate_helper>")
add_dependencies(persistence_pg_test persistence_migrate_helper)
valory_warnings(persistence_pg_test)
gtest_discover_tests(persistence_pg_test DISCOVERY_TIMEOUT 60 TEST_PREFIX "persistence."
  PROPERTIES TIMEOUT 300 LABELS postgres FIXTURES_REQUIRED postgres
             ENVIRONMENT "VALORY_PG_ENV_FILE=${_pg_env}")

# The schema/EXPLAIN suite seeds 100k rows once per process: one CTest entry for the whole suite.
add_executable(persistence_schema_test tests/schema_explain_test.cpp)
target_link_libraries(persistence_schema_test PRIVATE persistence_core GTest::gtest_main)
target_compile_definitions(persistence_schema_test PRIVATE ${_pg_defs})
valory_warnings(persistence_schema_test)
add_test(NAME persistence.ValorySchema COMMAND persistence_schema_test)
set_tests_properties(persistence.ValorySchema PROPERTIES TIMEOUT 600 LABELS postgres
  FIXTURES_REQUIRED postgres ENVIRONMENT "VALORY_PG_ENV_FILE=${_pg_env}")

if(TARGET Valory::testkit)
  add_executable(persistence_plugin_test tests/plugin_test.cpp tests/fixture_owner_plugin.cpp)
  target_link_libraries(persistence_plugin_test PRIVATE Valory::testkit PkgConfig::PQXX GTest::gtest_main ${CMAKE_DL_LIBS})
  target_compile_definitions(persistence_plugin_test PRIVATE ${_pg_defs}
    PERSISTENCE_PLUGIN_SO="$<TARGET_FILE:valory_plugin_persistence>"
    PERSISTENCE_MANIFEST="${CMAKE_CURRENT_SOURCE_DIR}/plugin.json")
  add_dependencies(persistence_plugin_test valory_plugin_persistence)
  valory_warnings(persistence_plugin_test)
  gtest_discover_tests(persistence_plugin_test DISCOVERY_TIMEOUT 60 TEST_PREFIX "persistence."
    PROPERTIES TIMEOUT 300 LABELS postgres FIXTURES_REQUIRED postgres
               ENVIRONMENT "VALORY_PG_ENV_FILE=${_pg_env}")
endif()
