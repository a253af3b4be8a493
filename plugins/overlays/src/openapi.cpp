#include "openapi.hpp"

#include "stats_feature.hpp"

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
    documentStatsRoutes(doc);
    (void)detailError;
    (void)ref;
    return doc;
}

}  // namespace

const json& openapiDocument() {
    static const json doc = build();
    return doc;
}

}  // namespace valory::plugins::overlays
