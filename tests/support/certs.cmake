# CTest fixture `certs`: a throwaway CA and server certificates made with openssl (certs.sh) in the
# build tree. Tests that need them declare FIXTURES_REQUIRED certs and read the folder from
# VALORY_CERTS_DIR (set through the ENVIRONMENT test property); they fail when it is missing.
set(VALORY_CERTS_DIR "${CMAKE_CURRENT_BINARY_DIR}/certs" CACHE INTERNAL "")
add_test(NAME certs_fixture_make
  COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/certs.sh" "${VALORY_CERTS_DIR}")
set_tests_properties(certs_fixture_make PROPERTIES FIXTURES_SETUP certs LABELS "fixture;tls" TIMEOUT 120)
