#include "openapi.hpp"

#include <string>

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
    (void)detailError;
    (void)ref;

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
    return doc;
}

}  // namespace

const json& openapiDocument() {
    static const json doc = build();
    return doc;
}

}  // namespace valory::plugins::overlays
