#include "access_log.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "valory/cpp/strings.hpp"

namespace valory::plugins::monitoring {

AccessLog::AccessLog(const std::string& target) {
    if (target == "stdout") {
        file_ = stdout;
        return;
    }
    file_ = std::fopen(target.c_str(), "a");
    if (!file_) throw std::runtime_error("access_log: cannot open '" + target + "': " + std::strerror(errno));
    owned_ = true;
}

AccessLog::~AccessLog() {
    if (owned_ && file_) std::fclose(file_);
}

std::string AccessLog::line(const valory_request_finished_event& ev, long long nowMs) {
    using sdk::view;
    const std::time_t secs = static_cast<std::time_t>(nowMs / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char ts[40];
    const std::size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(nowMs % 1000));
    nlohmann::json j = {{"ts", ts},
                        {"method", std::string(view(ev.method))},
                        {"route", std::string(view(ev.route))},
                        {"status", ev.status},
                        {"duration_us", ev.duration_us},
                        {"bytes_in", ev.bytes_in},
                        {"bytes_out", ev.bytes_out},
                        {"client", std::string(view(ev.client_address))},
                        {"plugin", std::string(view(ev.plugin_id))},
                        {"request_id", std::string(view(ev.request_id))}};
    // Replace invalid UTF-8 rather than throw: a client-chosen request id must not break the log.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AccessLog::write(const valory_request_finished_event& ev) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::string l = line(ev, static_cast<long long>(now));
    l += '\n';
    std::lock_guard lock(mutex_);
    std::fwrite(l.data(), 1, l.size(), file_);
    std::fflush(file_);
}

}  // namespace valory::plugins::monitoring
