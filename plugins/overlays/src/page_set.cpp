#include "page_set.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace valory::plugins::overlays {

namespace {

int intSetting(const nlohmann::json& o, const char* key, int fallback, int lo, int hi) {
    if (!o.contains(key)) return fallback;
    const auto& v = o[key];
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
        throw std::invalid_argument(std::string("pages.") + key + ": expected an integer in [" +
                                    std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(v.get<int64_t>());
}
bool boolSetting(const nlohmann::json& o, const char* key, bool fallback) {
    if (!o.contains(key)) return fallback;
    if (!o[key].is_boolean())
        throw std::invalid_argument(std::string("pages.") + key + ": expected true or false");
    return o[key].get<bool>();
}

}  // namespace

PagesConfig PagesConfig::fromSettings(const nlohmann::json& settings) {
    PagesConfig c;
    if (!settings.is_object() || !settings.contains("pages")) return c;
    const auto& p = settings["pages"];
    if (!p.is_object()) throw std::invalid_argument("pages: expected an object");
    c.pollS = intSetting(p, "poll_s", c.pollS, 1, 3600);
    c.minPollS = intSetting(p, "min_poll_s", c.minPollS, 1, 3600);
    c.googleFonts = boolSetting(p, "google_fonts", c.googleFonts);
    c.branding = boolSetting(p, "branding", c.branding);
    c.brandingShowS = intSetting(p, "branding_show_s", c.brandingShowS, 1, 86400);
    c.brandingHideS = intSetting(p, "branding_hide_s", c.brandingHideS, 0, 86400);
    c.remoteAvatars = boolSetting(p, "remote_avatars", c.remoteAvatars);
    c.beaconIntervalMs = intSetting(p, "beacon_interval_ms", c.beaconIntervalMs, 0, 3600000);
    if (p.contains("emblem_url_template")) {
        if (!p["emblem_url_template"].is_string())
            throw std::invalid_argument("pages.emblem_url_template: expected a string");
        c.emblemTemplate = p["emblem_url_template"].get<std::string>();
        if (!c.emblemTemplate.empty() && (c.emblemTemplate.rfind("https://", 0) != 0 ||
                                          c.emblemTemplate.find("{tier}") == std::string::npos))
            throw std::invalid_argument(
                "pages.emblem_url_template: expected an https:// URL containing {tier}");
    }
    if (c.minPollS > c.pollS) throw std::invalid_argument("pages.min_poll_s: must not exceed pages.poll_s");
    return c;
}

nlohmann::json PagesConfig::publicJson() const {
    return {{"pollS", pollS},
            {"minPollS", minPollS},
            {"googleFonts", googleFonts},
            {"branding", branding},
            {"brandingShowS", brandingShowS},
            {"brandingHideS", brandingHideS},
            {"emblemTemplate", emblemTemplate},
            {"remoteAvatars", remoteAvatars}};
}

std::string jsonForHtml(const nlohmann::json& value) {
    const std::string text = value.dump();
    std::string out;
    out.reserve(text.size() + 16);
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
                   (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
            out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

PageSet::PageSet(const std::filesystem::path& webDir) {
    for (const char* name : {"overlay", "dashboard", "index"}) {
        const auto file = webDir / "pages" / (std::string(name) + ".html");
        std::ifstream in(file, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot read page template " + file.string() +
                                     " (is the plugin built?)");
        std::ostringstream s;
        s << in.rdbuf();
        std::string text = s.str();
        if (text.find("{{config}}") == std::string::npos)
            throw std::runtime_error("page template " + file.string() + " has no {{config}} slot");
        templates_[name] = std::move(text);
    }
}

std::string PageSet::render(const std::string& page, const nlohmann::json& config) const {
    std::string text = templates_.at(page);
    const std::string slot = "{{config}}";
    const auto pos = text.find(slot);
    text.replace(pos, slot.size(), jsonForHtml(config));
    return text;
}

nlohmann::json FrontendLoad::payload() const {
    return {{"overlay_id", overlayId}, {"first_render_ms", firstRenderMs}, {"poll_failures", pollFailures}};
}

std::optional<FrontendLoad> parseFrontendLoad(std::string_view body, const std::string& overlayId,
                                              std::string& error) {
    if (body.size() > 1024) {
        error = "report too large";
        return std::nullopt;
    }
    auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
        error = "body must be a JSON object";
        return std::nullopt;
    }
    FrontendLoad r;
    r.overlayId = overlayId;
    if (j.contains("overlay_id") &&
        !(j["overlay_id"].is_string() && j["overlay_id"].get<std::string>() == overlayId)) {
        error = "overlay_id does not match the URL";
        return std::nullopt;
    }
    auto integer = [&](const char* key, int64_t hi, int64_t& out) {
        if (!j.contains(key) || !j[key].is_number() || j[key].get<double>() < 0 ||
            j[key].get<double>() > hi) {
            error = std::string(key) + " must be a number in [0, " + std::to_string(hi) + "]";
            return false;
        }
        out = static_cast<int64_t>(j[key].get<double>());
        return true;
    };
    if (!integer("first_render_ms", 3'600'000, r.firstRenderMs)) return std::nullopt;
    if (!integer("poll_failures", 1'000'000, r.pollFailures)) return std::nullopt;
    return r;
}

bool BeaconLimiter::allow(const std::string& key, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = last_.find(key);
    if (it != last_.end() && now - it->second < interval_) return false;
    if (it == last_.end() && last_.size() >= maxKeys_) {
        for (auto i = last_.begin(); i != last_.end();)
            i = now - i->second >= interval_ ? last_.erase(i) : std::next(i);
        if (last_.size() >= maxKeys_) return false;
    }
    last_[key] = now;
    return true;
}

}  // namespace valory::plugins::overlays
