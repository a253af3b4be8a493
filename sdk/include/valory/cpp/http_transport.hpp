// Valory SDK C++ wrapper: the one seam between a plugin's upstream logic and the network.
//
// Logic classes (an API client, a token refresher) take an HttpTransport&: in the plugin it is an
// HttpClientTransport over http.client/1; in unit tests a scripted fake that answers from a table,
// so the logic is tested without the host and without sockets.
#pragma once

#include <utility>

#include "valory/cpp/http_client.hpp"

namespace valory::sdk {

class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    /// Sends one request; throws HttpClientError as HttpClient::request() does.
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// The production transport: every call goes through the host's http.client/1.
class HttpClientTransport final : public HttpTransport {
  public:
    explicit HttpClientTransport(HttpClient client) : client_(std::move(client)) {}
    HttpResponse send(const HttpRequest& request) override { return client_.request(request); }

  private:
    HttpClient client_;
};

}  // namespace valory::sdk
