// The one seam between the Twitch logic and the network: everything goes through http.client/1 in
// the plugin, through a scripted fake in unit tests.
#pragma once

#include <utility>

#include "valory/cpp/http_client.hpp"

namespace valory::plugins::twitch {

class Transport {
  public:
    virtual ~Transport() = default;
    /// Throws sdk::HttpClientError as sdk::HttpClient::request() does.
    virtual sdk::HttpResponse send(const sdk::HttpRequest& request) = 0;
};

class HttpClientTransport final : public Transport {
  public:
    explicit HttpClientTransport(sdk::HttpClient client) : client_(std::move(client)) {}
    sdk::HttpResponse send(const sdk::HttpRequest& request) override { return client_.request(request); }

  private:
    sdk::HttpClient client_;
};

}  // namespace valory::plugins::twitch
