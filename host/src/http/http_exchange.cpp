#include "http/http_exchange.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace valory::host {

bool isToken(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

bool isSafeHeaderValue(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string percentDecode(std::string_view in, bool plusIsSpace) {
    std::string out;
    out.reserve(in.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%' && i + 2 < in.size()) {
            int h = hex(in[i + 1]), l = hex(in[i + 2]);
            if (h >= 0 && l >= 0) {
                out.push_back(static_cast<char>(h * 16 + l));
                i += 2;
                continue;
            }
        }
        out.push_back(plusIsSpace && c == '+' ? ' ' : c);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t pos = 0;
    while (pos <= query.size()) {
        std::size_t amp = query.find('&', pos);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view part = query.substr(pos, amp - pos);
        if (!part.empty()) {
            std::size_t eq = part.find('=');
            if (eq == std::string_view::npos)
                out.emplace_back(percentDecode(part, true), std::string());
            else
                out.emplace_back(percentDecode(part.substr(0, eq), true),
                                 percentDecode(part.substr(eq + 1), true));
        }
        pos = amp + 1;
    }
    return out;
}

void parseCookies(std::string_view header, std::vector<std::pair<std::string, std::string>>& out) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t semi = header.find(';', pos);
        if (semi == std::string_view::npos) semi = header.size();
        std::string_view part = header.substr(pos, semi - pos);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) {
            std::size_t eq = part.find('=');
            std::string_view name = eq == std::string_view::npos ? part : part.substr(0, eq);
            std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            out.emplace_back(std::string(name), std::string(value));
        }
        pos = semi + 1;
    }
}

}  // namespace valory::host

std::optional<std::string> valory_request::header(const std::string& name) const {
    if (!headerSource) return std::nullopt;
    auto it = headerSource->find(name);
    if (it == headerSource->end()) return std::nullopt;
    return it->second;
}

void valory_response::setHeader(const std::string& name, const std::string& value) {
    removeHeader(name);
    headers.emplace_back(name, value);
}

void valory_response::addHeader(const std::string& name, const std::string& value) {
    headers.emplace_back(name, value);
}

const std::string* valory_response::findHeader(const std::string& name) const {
    for (const auto& [k, v] : headers)
        if (valory::host::iequals(k, name)) return &v;
    return nullptr;
}

void valory_response::removeHeader(const std::string& name) {
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const auto& kv) { return valory::host::iequals(kv.first, name); }),
                  headers.end());
}

void valory_response::jsonError(int32_t code, const std::string& errorCode, const std::string& message) {
    status = code;
    // Keep CORS/Allow style headers set by the router; drop what the handler set.
    headers.clear();
    filePath.clear();
    // The message may quote the request (a decoded path): invalid UTF-8 is replaced, never thrown.
    body = nlohmann::json{{"error", errorCode}, {"message", message}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    headers.emplace_back("Content-Type", "application/json");
}
