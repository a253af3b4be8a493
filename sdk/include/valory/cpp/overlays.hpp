// Valory SDK C++ wrapper: facade over the service `overlays/1` (valory/overlays.h).
//
//   auto overlays = host.acquire<valory::sdk::Overlays>();
//   nlohmann::json s = overlays.statsByLogin("magicx");
//   say(s["tier"]["name"], s["rr"], s["session"]["wins"]);
//
// Failures throw valory::sdk::Error with the service's status (see overlays.h).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "valory/cpp/error.hpp"
#include "valory/cpp/service_facade.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/overlays.h"

namespace valory::sdk {

template <>
struct ServiceTraits<valory_overlays_api> {
    static constexpr std::string_view kName = VALORY_OVERLAYS_SERVICE;
    static constexpr uint32_t kMajor = VALORY_OVERLAYS_MAJOR;
    static bool complete(const valory_overlays_api* v) noexcept {
        return VALORY_HAS_FIELD(v, valory_overlays_api, stats) && v->stats;
    }
};

class Overlays : public ServiceFacade<valory_overlays_api> {
  public:
    using ServiceFacade::ServiceFacade;

    nlohmann::json statsById(std::string_view overlayId, std::chrono::milliseconds deadline = {}) const {
        return stats(overlayId, {}, deadline);
    }
    nlohmann::json statsByLogin(std::string_view twitchLogin, std::chrono::milliseconds deadline = {}) const {
        return stats({}, twitchLogin, deadline);
    }

  private:
    nlohmann::json stats(std::string_view id, std::string_view login,
                         std::chrono::milliseconds deadline) const {
        valory_overlays_query q{};
        q.struct_size = sizeof q;
        q.overlay_id = str(id);
        q.twitch_login = str(login);
        q.deadline_ms = millis(deadline);
        return nlohmann::json::parse(written(api_->stats, q, "overlays stats"));
    }
};

}  // namespace valory::sdk
