// The HTML pages of the overlays plugin (OBS overlay, dashboard, landing page) and the overlay's
// load-time beacon: the pure parts, without the host, unit tested directly. pages.cpp wires them
// to routes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

/// The "pages" settings of plugin.json (defaults mirror the schema, which rejects unknown keys).
struct PagesConfig {
    int pollS = 30;               ///< how often the overlay polls stats and settings
    int minPollS = 5;             ///< lower bound for the ?poll= URL option
    bool googleFonts = false;     ///< true: fonts not served by the host come from Google Fonts
    bool branding = true;         ///< the "show stats with Valory" strip under the overlay
    int brandingShowS = 30;       ///< strip visible this long ...
    int brandingHideS = 300;      ///< ... then hidden this long, repeating
    std::string emblemTemplate;   ///< e.g. "https://cdn.example/tiers/{tier}.png"; empty = our SVGs
    bool remoteAvatars = false;   ///< landing page: load streamer avatars from Twitch's CDN
    int beaconIntervalMs = 2000;  ///< at most one load report per overlay this often

    /// From the plugin settings' "pages" object (absent = defaults); throws std::invalid_argument.
    static PagesConfig fromSettings(const nlohmann::json& settings);
    /// The part the pages' scripts read (no secrets here: it is embedded in public HTML).
    nlohmann::json publicJson() const;
};

/// JSON safe to embed in an HTML <script type="application/json"> element: '<', '>', '&' and
/// U+2028/2029 are escaped, so no value can close the element.
std::string jsonForHtml(const nlohmann::json& value);

/// The page templates built by web/build_web.cmake (<web dir>/pages/<name>.html), loaded once.
class PageSet {
  public:
    /// No pages (route tables collected without a host).
    PageSet() = default;
    /// Loads every page; throws std::runtime_error naming a missing or unreadable file.
    explicit PageSet(const std::filesystem::path& webDir);
    /// The page with {{config}} replaced by `config`; throws std::out_of_range for an unknown page.
    std::string render(const std::string& page, const nlohmann::json& config) const;

  private:
    std::map<std::string, std::string> templates_;
};

/// The load report of the overlay page (navigator.sendBeacon body):
/// {"overlay_id": "<uuid>", "first_render_ms": N, "poll_failures": N}.
struct FrontendLoad {
    std::string overlayId;
    int64_t firstRenderMs = 0;
    int64_t pollFailures = 0;
    nlohmann::json payload() const;
};
/// Parses and checks a report for the overlay of the URL; nullopt with `error` set when invalid.
std::optional<FrontendLoad> parseFrontendLoad(std::string_view body, const std::string& overlayId,
                                              std::string& error);

/// At most one accepted report per key per interval; bounded memory (old keys are dropped).
class BeaconLimiter {
  public:
    explicit BeaconLimiter(std::chrono::milliseconds interval, size_t maxKeys = 10000)
        : interval_(interval), maxKeys_(maxKeys) {}
    bool allow(const std::string& key, std::chrono::steady_clock::time_point now);

  private:
    std::chrono::milliseconds interval_;
    size_t maxKeys_;
    std::mutex mutex_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_;
};

}  // namespace valory::plugins::overlays
