# CTest fixture `postgres`: one throwaway PostgreSQL cluster shared by every test that declares
# FIXTURES_REQUIRED postgres (label them `postgres` too). Tests read the DSN from the env file
# below (shell syntax, VALORY_PG_DSN=...), create their own database, and FAIL when it is missing.
# Tests that stop or restart a server start a private cluster with the same launcher.
set(VALORY_POSTGRES_LAUNCHER "${CMAKE_CURRENT_SOURCE_DIR}/postgres_launcher.sh" CACHE INTERNAL "")
set(VALORY_POSTGRES_ENV_FILE "${CMAKE_CURRENT_BINARY_DIR}/postgres.env" CACHE INTERNAL "")

add_test(NAME postgres_fixture_start
  COMMAND bash "${VALORY_POSTGRES_LAUNCHER}" start "${VALORY_POSTGRES_ENV_FILE}")
set_tests_properties(postgres_fixture_start PROPERTIES
  FIXTURES_SETUP postgres LABELS "postgres;fixture" TIMEOUT 180)

add_test(NAME postgres_fixture_stop
  COMMAND bash "${VALORY_POSTGRES_LAUNCHER}" stop "${VALORY_POSTGRES_ENV_FILE}")
set_tests_properties(postgres_fixture_stop PROPERTIES
  FIXTURES_CLEANUP postgres LABELS "postgres;fixture" TIMEOUT 120)
