// Internal to the test kit: the objects behind the opaque valory_request / valory_response that
// FakeHost::request() hands to a route handler.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "valory/testkit/fake_host.hpp"

namespace valory::testkit {

struct FakeRequestData {
    Request spec;
    std::string path, route;
    std::vector<std::pair<std::string, std::string>> params, query, cookies;
    std::vector<valory_kv> queryKv, headerKv, cookieKv;
};

struct FakeResponseData {
    int status = 200;
    Headers headers;
    std::string body;
    std::string file;
};

inline const valory_request* toRequest(const FakeRequestData* d) {
    return reinterpret_cast<const valory_request*>(d);
}
inline valory_response* toResponse(FakeResponseData* d) {
    return reinterpret_cast<valory_response*>(d);
}

/// Sets the request accessors and response writers of valory_http_api (the routing half is http.cpp's).
void addExchangeFunctions(valory_http_api& api);

}  // namespace valory::testkit
