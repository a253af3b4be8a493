# CTest fixture `redis`: one throwaway Redis shared by every test that declares
# FIXTURES_REQUIRED redis (label them `redis` too). Tests read the URL from the env file below
# (shell syntax, VALORY_REDIS_URL=redis://127.0.0.1:<port>), use their own key namespace or DB
# index, and FAIL when it is missing. Tests that kill, restart or pause Redis start a private
# instance with the same launcher (its path is in the env file, VALORY_REDIS_LAUNCHER).
set(VALORY_REDIS_LAUNCHER "${CMAKE_CURRENT_SOURCE_DIR}/redis_launcher.sh" CACHE INTERNAL "")
set(VALORY_REDIS_ENV_FILE "${CMAKE_CURRENT_BINARY_DIR}/redis.env" CACHE INTERNAL "")
# What a test needs in its ENVIRONMENT property (the env file also names the launcher, for private
# instances): one variable, so it survives gtest_discover_tests(PROPERTIES ...).
set(VALORY_REDIS_TEST_ENVIRONMENT "VALORY_REDIS_ENV_FILE=${VALORY_REDIS_ENV_FILE}" CACHE INTERNAL "")

add_test(NAME redis_fixture_start
  COMMAND bash "${VALORY_REDIS_LAUNCHER}" start "${VALORY_REDIS_ENV_FILE}")
set_tests_properties(redis_fixture_start PROPERTIES
  FIXTURES_SETUP redis LABELS "redis;fixture" TIMEOUT 60)

add_test(NAME redis_fixture_stop
  COMMAND bash "${VALORY_REDIS_LAUNCHER}" stop "${VALORY_REDIS_ENV_FILE}")
set_tests_properties(redis_fixture_stop PROPERTIES
  FIXTURES_CLEANUP redis LABELS "redis;fixture" TIMEOUT 60)
