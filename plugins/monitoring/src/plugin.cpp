// monitoring: request metrics, /metrics (Prometheus), /health/live + /health/ready, alerts.
// Thin adapter: settings -> Monitor, event subscriptions, routes, the evaluation job, the webhook.
// Nothing depends on this plugin; disabled, it has no subscription, so the host's publish path
// returns at its subscriber-count check.
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include "access_guard.hpp"
#include "monitor.hpp"
#include "valory/cpp/http_client.hpp"
#include "valory/cpp/plugin.hpp"
#include "valory/plugin_health.h"

namespace valory::plugins::monitoring {

class MonitoringPlugin : public sdk::Plugin {
  public:
    MonitoringPlugin(sdk::Host host, const sdk::CreateArgs& args) : sdk::Plugin(std::move(host)) {
        Settings s;
        try {
            s = Settings::fromJson(args.settings);
        } catch (const std::invalid_argument& e) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, std::string("monitoring settings: ") + e.what());
        }
        guard_ = std::make_unique<AccessGuard>(s);
        sdk::Host h = this->host();
        monitor_ = std::make_unique<Monitor>(std::move(s),
                                             [h](valory_log_level l, const std::string& m) { h.log(l, m); });
        serving_ = args.serving();
    }

    void start() override {
        const Settings& s = monitor_->settings();
        health_ = host().acquire(VALORY_PLUGIN_HEALTH_SERVICE, VALORY_PLUGIN_HEALTH_MAJOR,
                                 VALORY_PLUGIN_HEALTH_MINOR);
        if (!s.webhookUrl.empty()) client_ = host().acquire<sdk::HttpClient>();
        if (!s.accessLog.empty() && serving_) {
            std::filesystem::path target = s.accessLog;
            if (s.accessLog != "stdout" && target.is_relative())
                target = std::filesystem::path(host().dataDir()) / target;
            try {
                monitor_->openAccessLog(target.string());
            } catch (const std::exception& e) {
                throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, e.what());
            }
        }
        subs_.push_back(
            host().subscribe(VALORY_EVENT_REQUEST_FINISHED, [this](valory_event_type, const void* ev) {
                monitor_->onRequest(*static_cast<const valory_request_finished_event*>(ev));
            }));
        subs_.push_back(host().subscribe(VALORY_EVENT_CUSTOM, [this](valory_event_type, const void* ev) {
            monitor_->onCustom(*static_cast<const valory_custom_event*>(ev));
        }));
        routes_.push_back(host().route("GET", "/metrics", [this](const sdk::Request& rq, sdk::Response& rs) {
            if (!authorized(rq, rs)) return;
            rs.status(200).header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            rs.body(monitor_->exposition(visit(), {{"version", host().hostInfo("host.version")},
                                                   {"instance", host().hostInfo("host.instance_id")}}));
        }));
        routes_.push_back(host().route("GET", "/alerts", [this](const sdk::Request& rq, sdk::Response& rs) {
            if (!authorized(rq, rs)) return;
            rs.json(monitor_->alerts());
        }));
        routes_.push_back(host().route("GET", "/health/live", [](const sdk::Request&, sdk::Response& rs) {
            rs.json({{"status", "ok"}});
        }));
        routes_.push_back(
            host().route("GET", "/health/ready", [this](const sdk::Request& rq, sdk::Response& rs) {
                auto [code, body] = Monitor::readiness(healthReport());
                // Details (plugin states, dependency errors) only for authorised readers; a load
                // balancer needs only the code.
                if (guard_->check(rq.clientAddress(), rq.header("Authorization")) !=
                    AccessGuard::Verdict::Allowed)
                    body.erase("plugins");
                rs.json(body, code);
            }));
        if (serving_)
            job_ = host().job("monitoring.alerts", s.evaluateInterval, std::chrono::milliseconds(0),
                              [this] { evaluate(); });
    }

    void stop() override {
        job_ = {};
        routes_.clear();
        subs_.clear();
    }

  private:
    bool authorized(const sdk::Request& rq, sdk::Response& rs) const {
        switch (guard_->check(rq.clientAddress(), rq.header("Authorization"))) {
            case AccessGuard::Verdict::Allowed:
                return true;
            case AccessGuard::Verdict::NoCredentials:
                rs.header("WWW-Authenticate", "Bearer realm=\"valory-monitoring\"");
                rs.error(401, "unauthorized", "send the admin token as 'Authorization: Bearer <token>'");
                return false;
            case AccessGuard::Verdict::Forbidden:
                break;
        }
        rs.error(403, "forbidden", "this client may not read monitoring data");
        return false;
    }

    VisitedFamilies visit() const {
        VisitedFamilies families;
        host().api()->metrics->visit(
            host().handle(),
            [](void* user, const valory_metric_sample* s) {
                if (s) collectSample(*static_cast<VisitedFamilies*>(user), *s);
            },
            &families);
        return families;
    }

    nlohmann::json healthReport() const {
        const auto* api = health_.as<valory_plugin_health_api>();
        std::string text;
        valory_writer w = sdk::stringWriter(&text);
        valory_error err = sdk::makeError();
        if (api->report(health_.self(), &w, &err) != VALORY_OK) return nullptr;
        return nlohmann::json::parse(text, nullptr, false);
    }

    void evaluate() {
        const auto transitions = monitor_->evaluate(AlertEngine::Clock::now(), visit());
        if (!client_) return;
        for (const auto& t : transitions) {
            try {
                auto r = client_->post(monitor_->settings().webhookUrl, t.payload.dump(),
                                       {{"Content-Type", "application/json"}},
                                       monitor_->settings().webhookTimeout);
                if (!r.ok())
                    host().warn("alert webhook answered HTTP " + std::to_string(r.status) + " for " + t.rule);
            } catch (const std::exception& e) {
                host().warn("alert webhook failed for " + t.rule + ": " + e.what());
            }
        }
    }

    std::unique_ptr<AccessGuard> guard_;
    std::unique_ptr<Monitor> monitor_;
    bool serving_ = false;
    sdk::ServiceRef health_;
    std::optional<sdk::HttpClient> client_;
    std::vector<sdk::Subscription> subs_;
    std::vector<sdk::Route> routes_;
    sdk::Job job_;
};

}  // namespace valory::plugins::monitoring

VALORY_PLUGIN(valory::plugins::monitoring::MonitoringPlugin, "monitoring", "1.0.0")
