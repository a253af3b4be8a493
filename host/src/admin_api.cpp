#include "admin_api.hpp"

#include "control_loop.hpp"
#include "http/http_exchange.hpp"
#include "http/router.hpp"

#include <nlohmann/json.hpp>

namespace valory::host {

namespace {

void sendJson(valory_response& resp, int status, const nlohmann::json& body) {
    resp.status = status;
    resp.setHeader("Content-Type", "application/json");
    resp.setHeader("Cache-Control", "no-store");
    resp.body = body.dump();
}

const std::string* param(const valory_request& req, const std::string& name) {
    for (const auto& [k, v] : req.params)
        if (k == name) return &v;
    return nullptr;
}

}  // namespace

AdminApi::AdminApi(PluginManager& plugins, ControlLoop& control, Reload reload, std::string token)
    : plugins_(plugins), control_(control), reload_(std::move(reload)), token_(std::move(token)) {}

bool AdminApi::constantTimeEquals(std::string_view a, std::string_view b) {
    const std::size_t n = a.size() > b.size() ? a.size() : b.size();
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

bool AdminApi::install(Router& router, std::string& message) {
    return router.addRoute("host", "GET", "/admin/plugins", &AdminApi::onList, this, nullptr, message) ==
               VALORY_OK &&
           router.addRoute("host", "POST", "/admin/plugins/{id}/{action}", &AdminApi::onPluginAction, this,
                           nullptr, message) == VALORY_OK &&
           router.addRoute("host", "POST", "/admin/config/reload", &AdminApi::onReload, this, nullptr,
                           message) == VALORY_OK;
}

bool AdminApi::authorized(const valory_request& req, valory_response& resp) const {
    const auto header = req.header("Authorization");
    static const std::string kScheme = "Bearer ";
    if (!header || header->size() <= kScheme.size() ||
        !iequals(std::string_view(*header).substr(0, 7), kScheme)) {
        resp.jsonError(401, "unauthorized", "the admin API needs 'Authorization: Bearer <admin token>'");
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"valory-admin\"");
        return false;
    }
    if (!constantTimeEquals(std::string_view(*header).substr(kScheme.size()), token_)) {
        resp.jsonError(403, "forbidden", "wrong admin token");
        return false;
    }
    return true;
}

void AdminApi::answer(valory_response& resp, const std::optional<PluginManager::ChangeResult>& result) const {
    if (!result) {
        resp.jsonError(503, "unavailable", "the host is stopping");
        resp.setHeader("Retry-After", "1");
        return;
    }
    if (result->ok()) {
        sendJson(resp, 200, {{"result", "ok"}, {"changes", result->changes}});
        return;
    }
    const char* code = result->status == 404   ? "not_found"
                       : result->status == 422 ? "config_refused"
                                               : "refused";
    std::string message;
    for (const auto& r : result->refusals) message += (message.empty() ? "" : "; ") + r;
    sendJson(resp, result->status, {{"error", code}, {"message", message}, {"reasons", result->refusals}});
}

valory_status AdminApi::onList(void* user, const valory_request* req, valory_response* resp, valory_error*) {
    auto* self = static_cast<AdminApi*>(user);
    if (!self->authorized(*req, *resp)) return VALORY_OK;
    sendJson(*resp, 200, self->plugins_.describe());
    return VALORY_OK;
}

valory_status AdminApi::onPluginAction(void* user, const valory_request* req, valory_response* resp,
                                       valory_error*) {
    auto* self = static_cast<AdminApi*>(user);
    if (!self->authorized(*req, *resp)) return VALORY_OK;
    const std::string* id = param(*req, "id");
    const std::string* action = param(*req, "action");
    if (!id || !action || (*action != "enable" && *action != "disable" && *action != "restart")) {
        resp->jsonError(404, "not_found", "unknown admin action (use enable, disable or restart)");
        return VALORY_OK;
    }
    const std::string target = *id, what = *action;
    PluginManager& plugins = self->plugins_;
    auto result = self->control_.call<PluginManager::ChangeResult>([&plugins, target, what] {
        if (what == "restart") return plugins.restart(target);
        return plugins.setEnabled(target, what == "enable");
    });
    self->answer(*resp, result);
    return VALORY_OK;
}

valory_status AdminApi::onReload(void* user, const valory_request* req, valory_response* resp,
                                 valory_error*) {
    auto* self = static_cast<AdminApi*>(user);
    if (!self->authorized(*req, *resp)) return VALORY_OK;
    auto result = self->control_.call<PluginManager::ChangeResult>(self->reload_);
    self->answer(*resp, result);
    return VALORY_OK;
}

}  // namespace valory::host
