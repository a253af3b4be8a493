#include "openapi.hpp"

#include "stats_feature.hpp"

#include <string>
#include <tuple>
#include <vector>

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

json detailError(const char* description) {
    return {{"description", description},
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Detail"}}}}}}}};
}
json okJson(const char* description, const json& schema) {
    return {{"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
}
json ref(const char* name) {
    return {{"$ref", std::string("#/components/schemas/") + name}};
}

void add(json& doc, const char* path, const char* method, json op) {
    doc["paths"][path][method] = std::move(op);
}

json build() {
    json doc = {
        {"openapi", "3.0.3"},
        {"info",
         {{"title", "VALORY"},
          {"description", "Valory API: Twitch login, overlay settings and rank data for OBS overlays"},
          {"version", "2.0.0"}}},
        {"paths", json::object()}};
    doc["components"]["securitySchemes"]["session"] = {
        {"type", "apiKey"},
        {"in", "cookie"},
        {"name", "Authorization"},
        {"description", "The session token (a JWT, no 'Bearer ' prefix) set by /api/auth/callback"}};
    auto& schemas = doc["components"]["schemas"];
    schemas["Detail"] = {
        {"type", "object"},
        {"properties",
         {{"detail",
           {{"oneOf", json::array({{{"type", "string"}},
                                   {{"type", "array"},
                                    {"items",
                                     {{"type", "object"},
                                      {"properties",
                                       {{"loc", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                                        {"msg", {{"type", "string"}}},
                                        {"type", {{"type", "string"}}}}}}}}})}}}}},
        {"required", {"detail"}}};

    // ---- utils ------------------------------------------------------------------------------
    add(doc, "/api/utils/ping", "get",
        {{"summary", "Liveness and basic facts"},
         {"tags", {"utils"}},
         {"responses",
          {{"200", okJson("pong", {{"type", "object"},
                                   {"properties",
                                    {{"ping", {{"type", "string"}}},
                                     {"status", {{"type", "string"}}},
                                     {"timestamp", {{"type", "string"}, {"format", "date-time"}}},
                                     {"uptime", {{"type", "number"}, {"description", "seconds since start"}}},
                                     {"scheduler_running", {{"type", "boolean"}}},
                                     {"redis_connected", {{"type", "boolean"}}}}}})}}}});
    add(doc, "/api/utils/health", "get",
        {{"summary", "Readiness: database and cache checks"},
         {"tags", {"utils"}},
         {"responses",
          {{"200", okJson("healthy (status ok or degraded)", {{"type", "object"}})},
           {"503", okJson("the database is unreachable", {{"type", "object"}})}}}});
    add(doc, "/api/openapi.json", "get",
        {{"summary", "This document"},
         {"tags", {"utils"}},
         {"responses", {{"200", okJson("OpenAPI 3 document", {{"type", "object"}})}}}});

    // ---- schemas of the account and overlay routes ---------------------------------------------
    schemas["Message"] = {{"type", "object"}, {"properties", {{"message", {{"type", "string"}}}}}};
    schemas["UserProfile"] = {
        {"type", "object"},
        {"properties",
         {{"id", {{"type", "integer"}}},
          {"twitch_id", {{"type", "string"}}},
          {"broadcaster_type", {{"type", "string"}, {"enum", {"", "affiliate", "partner"}}}},
          {"twitch_display_name", {{"type", "string"}, {"nullable", true}}},
          {"username", {{"type", "string"}}},
          {"avatar_url", {{"type", "string"}, {"nullable", true}}},
          {"overlay_id", {{"type", "string"}, {"format", "uuid"}}},
          {"riot_id", {{"type", "string"}, {"nullable", true}}},
          {"has_hdev_api_key", {{"type", "boolean"}}},
          {"hdev_api_key_masked", {{"type", "string"}, {"nullable", true}}}}}};
    json settingsProps = json::object();
    json publicProps = json::object();
    const json colour = {{"type", "string"}, {"pattern", "^#[0-9A-Fa-f]{6}$"}};
    const json style = {{"type", "string"}, {"enum", {"old", "new", "minimal", "new_v2"}}};
    const json font = {{"type", "string"},
                       {"enum",
                        {"Roboto",
                         "Open Sans",
                         "Montserrat",
                         "Lato",
                         "Poppins",
                         "Inter",
                         "DM Sans",
                         "Public Sans",
                         "Manrope",
                         "Sora",
                         "Outfit",
                         "Urbanist",
                         "Space Grotesk",
                         "Geist",
                         "JetBrains Mono",
                         "Space Mono",
                         "Geist Mono",
                         "Lora",
                         "Rajdhani",
                         "Gabarito",
                         "Oxanium",
                         "Russo one",
                         "Bricolage Grotesque",
                         "Onest"}}};
    const json flag = {{"type", "boolean"}};
    const std::vector<std::tuple<const char*, const char*, json>> fields = {
        {"overlayStyle", "overlay_style", style},
        {"backgroundColor", "background_color", colour},
        {"disabledBackground", "disabled_background", flag},
        {"disabledBorder", "disabled_border", flag},
        {"disabledBackgroundGradient", "disabled_background_gradient", flag},
        {"disabledGlowEffect", "disabled_glow_effect", flag},
        {"disabledPeakRankIcon", "disabled_peak_rank_icon", flag},
        {"disabledLeaderboardPlace", "disabled_leaderboard_place", flag},
        {"disabledPeakRR", "disabled_peak_rr", flag},
        {"textColor", "text_color", colour},
        {"primaryTextColor", "primary_color", colour},
        {"overlayFont", "overlay_font", font},
        {"winColor", "win_color", colour},
        {"loseColor", "lose_color", colour},
        {"disabledWinLose", "disabled_win_lose", flag},
        {"disabledLastMatchPoints", "disabled_last_match_points", flag},
        {"disabledProgress", "disabled_progress", flag},
        {"progressColor", "progress_color", colour},
        {"progressBgColor", "progress_bg_color", colour}};
    for (const auto& [api, column, schema] : fields) {
        settingsProps[api] = schema;
        publicProps[column] = schema;
    }
    schemas["OverlaySettingsUpdate"] = {
        {"type", "object"},
        {"description", "Any non-empty subset of the 19 settings; null or absent = unchanged"},
        {"properties", settingsProps}};
    json stored = settingsProps;
    stored["id"] = {{"type", "string"}, {"format", "uuid"}};
    stored["user_id"] = {{"type", "integer"}};
    stored["created_at"] = {{"type", "string"}, {"format", "date-time"}};
    stored["updated_at"] = {{"type", "string"}, {"format", "date-time"}};
    schemas["OverlaySettings"] = {{"type", "object"}, {"properties", stored}};
    publicProps["id"] = {{"type", "string"}, {"format", "uuid"}};
    publicProps["riot_id"] = {{"type", "string"}, {"nullable", true}};
    schemas["PublicOverlay"] = {
        {"type", "object"},
        {"description", "The overlay's settings for the OBS page; colours upper-case; never a key"},
        {"properties", publicProps}};

    const json session = json::array({{{"session", json::array()}}});
    const json unauthorized = detailError("no, invalid, expired or ended session");
    const json csrf403 = detailError("Origin not allowed");
    const json csrf415 = detailError("Content-Type must be application/json");
    auto jsonBodyOf = [](const json& schema) {
        return json{{"required", true}, {"content", {{"application/json", {{"schema", schema}}}}}};
    };

    // ---- auth ---------------------------------------------------------------------------------
    add(doc, "/api/auth/login/twitch", "get",
        {{"summary", "Start the Twitch login"},
         {"tags", {"auth"}},
         {"description", "302 to Twitch's authorize page; sets the HttpOnly twitch_state cookie"},
         {"responses",
          {{"302", {{"description", "redirect to Twitch"}}},
           {"500", detailError("Failed to initiate OAuth login")}}}});
    add(doc, "/api/auth/callback", "get",
        {{"summary", "Twitch login callback"},
         {"tags", {"auth"}},
         {"parameters",
          json::array({{{"name", "code"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
                       {{"name", "state"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
                       {{"name", "error"}, {"in", "query"}, {"schema", {{"type", "string"}}}}})},
         {"responses",
          {{"302", {{"description", "logged in: sets the session cookie, redirects to after_login_url"}}},
           {"400", detailError("denied, missing parameters, state missing, mismatched, replayed or expired")},
           {"502", detailError("Twitch refused the code or is unreachable")}}}});
    add(doc, "/api/auth/logout", "post",
        {{"summary", "End the session server-side and clear the cookie"},
         {"tags", {"auth"}},
         {"responses", {{"200", okJson("logged out", ref("Message"))}, {"403", csrf403}, {"415", csrf415}}}});

    // ---- users --------------------------------------------------------------------------------
    add(doc, "/api/users/me", "get",
        {{"summary", "The logged-in streamer"},
         {"tags", {"users"}},
         {"security", session},
         {"responses", {{"200", okJson("profile", ref("UserProfile"))}, {"401", unauthorized}}}});
    add(doc, "/api/users/me/riotid", "post",
        {{"summary", "Link a Riot ID (resolved through HenrikDev)"},
         {"tags", {"users"}},
         {"security", session},
         {"requestBody",
          jsonBodyOf({{"type", "object"},
                      {"required", {"riot_id"}},
                      {"properties", {{"riot_id", {{"type", "string"}, {"example", "Café Crème#ÉTÉ"}}}}}})},
         {"responses",
          {{"200", okJson("linked", ref("Message"))},
           {"400", detailError("Riot ID is empty")},
           {"401", unauthorized},
           {"403", csrf403},
           {"404", detailError("User not found.")},
           {"415", csrf415},
           {"422", detailError("not a Riot ID")},
           {"429", detailError("Too many requests. Please wait.")},
           {"502", detailError("HenrikDev unreachable")}}}});
    add(doc, "/api/users/me/hdev_api_key", "post",
        {{"summary", "Store the streamer's own HenrikDev key (checked upstream; shown masked only)"},
         {"tags", {"users"}},
         {"security", session},
         {"requestBody", jsonBodyOf({{"type", "object"},
                                     {"required", {"hdev_api_key"}},
                                     {"properties", {{"hdev_api_key", {{"type", "string"}}}}}})},
         {"responses",
          {{"200", okJson("stored", ref("Message"))},
           {"400", detailError("empty, or refused by HenrikDev")},
           {"401", unauthorized},
           {"403", csrf403},
           {"415", csrf415},
           {"422", detailError("not in HDEV-… format")},
           {"429", detailError("Too many requests. Please wait.")},
           {"502", detailError("HenrikDev unreachable")}}}});

    // ---- overlay settings ---------------------------------------------------------------------
    add(doc, "/api/users/me/overlay", "post",
        {{"summary", "Save overlay settings (partial upsert)"},
         {"tags", {"overlay"}},
         {"security", session},
         {"requestBody", jsonBodyOf(ref("OverlaySettingsUpdate"))},
         {"responses",
          {{"200",
            okJson("saved", {{"type", "object"},
                             {"properties",
                              {{"message", {{"type", "string"}}}, {"settings", ref("OverlaySettings")}}}})},
           {"400", detailError("No overlay settings provided")},
           {"401", unauthorized},
           {"403", csrf403},
           {"415", csrf415},
           {"422", detailError("one entry per invalid field: loc [\"body\", field]")}}}});
    add(doc, "/api/users/me/overlay", "get",
        {{"summary", "The streamer's overlay settings"},
         {"tags", {"overlay"}},
         {"security", session},
         {"responses", {{"200", okJson("settings", ref("OverlaySettings"))}, {"401", unauthorized}}}});
    add(doc, "/api/overlay/{overlay_id}", "get",
        {{"summary", "Public overlay settings (for the OBS page)"},
         {"tags", {"overlay"}},
         {"parameters",
          json::array({{{"name", "overlay_id"},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}, {"format", "uuid"}}}},
                       {{"name", "If-None-Match"}, {"in", "header"}, {"schema", {{"type", "string"}}}}})},
         {"responses",
          {{"200", okJson("settings; ETag and Cache-Control set", ref("PublicOverlay"))},
           {"304", {{"description", "not modified (If-None-Match matched the ETag)"}}},
           {"404", detailError("Overlay not found")},
           {"422", detailError("overlay_id is not a UUID")}}}});

    // ---- pages (pages.cpp) ---------------------------------------------------------------------
    const json html = {{"description", "the page"},
                       {"content", {{"text/html", {{"schema", {{"type", "string"}}}}}}}};
    const json overlayIdParam = {{"name", "id"},
                                 {"in", "path"},
                                 {"required", true},
                                 {"schema", {{"type", "string"}, {"format", "uuid"}}}};
    json beaconIdParam = overlayIdParam;
    beaconIdParam["name"] = "overlay_id";
    add(doc, "/", "get", {{"summary", "Landing page"}, {"tags", {"pages"}}, {"responses", {{"200", html}}}});
    add(doc, "/dashboard", "get",
        {{"summary", "The streamer's dashboard (log in, Riot ID, overlay settings with live preview)"},
         {"tags", {"pages"}},
         {"responses", {{"200", html}}}});
    add(doc, "/overlay/{id}", "get",
        {{"summary", "The OBS browser-source page of an overlay (transparent background)"},
         {"tags", {"pages"}},
         {"parameters", json::array({overlayIdParam})},
         {"responses",
          {{"200", html}, {"404", {{"description", "malformed id: the page in its error state"}}}}}});
    add(doc, "/api/overlay/{overlay_id}/frontend-load", "post",
        {{"summary",
          "The OBS page's load report (navigator.sendBeacon), published as event overlays.frontend_load"},
         {"tags", {"pages"}},
         {"parameters", json::array({beaconIdParam})},
         {"requestBody",
          {{"required", true},
           {"content",
            {{"application/json",
              {{"schema",
                {{"type", "object"},
                 {"properties",
                  {{"overlay_id", {{"type", "string"}, {"format", "uuid"}}},
                   {"first_render_ms", {{"type", "number"}, {"minimum", 0}}},
                   {"poll_failures", {{"type", "integer"}, {"minimum", 0}}}}},
                 {"required", {"first_render_ms", "poll_failures"}}}}}}}}}},
         {"responses",
          {{"204", {{"description", "accepted"}}},
           {"403", detailError("Origin not allowed")},
           {"415", detailError("not JSON")},
           {"422", detailError("malformed report")},
           {"429", detailError("more than one report per overlay per interval")}}}});
    // ---- rank data, session reset, showcase (stats_feature.cpp) ---------------------------------
    documentStatsRoutes(doc);
    return doc;
}

}  // namespace

const json& openapiDocument() {
    static const json doc = build();
    return doc;
}

}  // namespace valory::plugins::overlays
