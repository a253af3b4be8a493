// The pages: GET / (landing), GET /dashboard, GET /overlay/{id} (the OBS page), the fingerprinted
// assets under /assets/ (a static mount: ETag, immutable, pre-gzipped) and
// POST /api/overlay/{id}/frontend-load, the OBS page's load report, published as the custom
// event "overlays.frontend_load" with {"overlay_id", "first_render_ms", "poll_failures"}.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "app.hpp"
#include "features.hpp"
#include "page_set.hpp"
#include "session_token.hpp"

namespace valory::plugins::overlays {

namespace {

struct PagesState {
    PagesConfig config;
    PageSet pages;
    BeaconLimiter limiter;

    PagesState(PagesConfig c, PageSet p)
        : config(std::move(c)),
          pages(std::move(p)),
          limiter(std::chrono::milliseconds(config.beaconIntervalMs)) {}
};

/// Everything from this host, plus the third parties the admin switched on (Google Fonts,
/// remote emblems or avatars).
std::string contentSecurityPolicy(const PagesConfig& c, bool framable) {
    std::string img = "'self' data:";
    if (!c.emblemTemplate.empty() || c.remoteAvatars) img += " https:";
    std::string style = "'self'", font = "'self'";
    if (c.googleFonts) {
        style += " https://fonts.googleapis.com";
        font += " https://fonts.gstatic.com";
    }
    return "default-src 'self'; script-src 'self'; connect-src 'self'; img-src " + img + "; style-src " +
           style + "; font-src " + font + "; base-uri 'none'; form-action 'self'" +
           (framable ? "" : "; frame-ancestors 'none'");
}

void sendPage(const sdk::Request& req, sdk::Response& resp, const PagesConfig& config,
              const std::string& body, int status, bool framable) {
    const std::string etag = etagOf(body);
    resp.header("Cache-Control", "no-cache");
    resp.header("ETag", etag);
    resp.header("X-Content-Type-Options", "nosniff");
    // The overlay URL is the streamer's capability: never leak it in a Referer.
    resp.header("Referrer-Policy", "no-referrer");
    resp.header("Content-Security-Policy", contentSecurityPolicy(config, framable));
    if (status == 200 && etagMatches(req, etag)) {
        resp.status(304);
        return;
    }
    resp.status(status);
    resp.header("Content-Type", "text/html; charset=utf-8");
    resp.body(body);
}

}  // namespace

void registerPageRoutes(App& app) {
    std::shared_ptr<PagesState> st;
    if (app.hosted) {
        const std::filesystem::path webDir = std::filesystem::path(app.host.hostInfo("plugin.dir")) / "web";
        st = std::make_shared<PagesState>(PagesConfig::fromSettings(app.host.settings()), PageSet(webDir));
        app.host.staticMount("/assets/", (webDir / "assets").string(), VALORY_STATIC_FINGERPRINTED);
    } else {
        st = std::make_shared<PagesState>(PagesConfig{}, PageSet{});
    }
    const nlohmann::json base = st->config.publicJson();

    app.routes.add("GET", "/", [st, base](const sdk::Request& req, sdk::Response& resp) {
        sendPage(req, resp, st->config, st->pages.render("index", base), 200, false);
    });
    app.routes.add("GET", "/dashboard", [st, base](const sdk::Request& req, sdk::Response& resp) {
        nlohmann::json cfg = base;
        cfg["saveDebounceMs"] = 1000;
        sendPage(req, resp, st->config, st->pages.render("dashboard", cfg), 200, false);
    });
    app.routes.add("GET", "/overlay/{id}", [st, base](const sdk::Request& req, sdk::Response& resp) {
        const std::string id(req.param("id").value_or(""));
        // A malformed id still gets the page (OBS then shows its error state), with a 404.
        const bool valid = isUuid(std::string_view(id));
        nlohmann::json cfg = base;
        cfg["overlayId"] = valid ? id : "";
        cfg["beaconUrl"] = valid ? "/api/overlay/" + id + "/frontend-load" : "";
        sendPage(req, resp, st->config, st->pages.render("overlay", cfg), valid ? 200 : 404, true);
    });

    app.routes.add(
        "POST", "/api/overlay/{overlay_id}/frontend-load",
        [st, &app](const sdk::Request& req, sdk::Response& resp) {
            const std::string id(req.param("overlay_id").value_or(""));
            if (!isUuid(std::string_view(id)))
                throw ApiError(422,
                               nlohmann::json::array(
                                   {fieldError("path", "overlay_id", "not a valid UUID", "uuid_parsing")}),
                               "overlay_id is not a UUID");
            requireSafeWrite(app, req);
            std::string error;
            auto report = parseFrontendLoad(req.body(), id, error);
            if (!report)
                throw ApiError(422, nlohmann::json::array({fieldError("body", "report", error)}), error);
            if (!st->limiter.allow(id, std::chrono::steady_clock::now())) {
                ApiError limited(429, "Too many load reports for this overlay");
                limited.headers.emplace_back("Retry-After",
                                             std::to_string((st->config.beaconIntervalMs + 999) / 1000));
                throw limited;
            }
            app.host.publish("overlays.frontend_load", report->payload());
            resp.status(204);
        });
}

}  // namespace valory::plugins::overlays
