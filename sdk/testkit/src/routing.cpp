// Routing and decoding of the fake host (see routing.hpp).
#include "routing.hpp"

#include <algorithm>
#include <set>

namespace valory::testkit::detail {

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool validParamName(const std::string& n) {
    if (n.empty()) return false;
    auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    if (!alpha(n[0])) return false;
    return std::all_of(n.begin(), n.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}
}  // namespace

std::string percentDecode(std::string_view in, bool plusIsSpace) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%' && i + 2 < in.size()) {
            int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plusIsSpace && c == '+' ? ' ' : c);
    }
    return out;
}

StringPairs parseQuery(std::string_view query) {
    StringPairs out;
    size_t pos = 0;
    while (pos <= query.size()) {
        size_t amp = query.find('&', pos);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view part = query.substr(pos, amp - pos);
        if (!part.empty()) {
            size_t eq = part.find('=');
            out.emplace_back(
                percentDecode(part.substr(0, eq), true),
                eq == std::string_view::npos ? std::string() : percentDecode(part.substr(eq + 1), true));
        }
        pos = amp + 1;
    }
    return out;
}

void parseCookies(std::string_view header, StringPairs& out) {
    size_t pos = 0;
    while (pos < header.size()) {
        size_t semi = header.find(';', pos);
        if (semi == std::string_view::npos) semi = header.size();
        std::string_view part = header.substr(pos, semi - pos);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) {
            size_t eq = part.find('=');
            std::string_view name = eq == std::string_view::npos ? part : part.substr(0, eq);
            std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            out.emplace_back(std::string(name), std::string(value));
        }
        pos = semi + 1;
    }
}

RequestPath RequestPath::split(std::string_view rawPath) {
    RequestPath p;
    p.trailing = rawPath.size() > 1 && rawPath.back() == '/';
    if (rawPath.size() <= 1) return p;
    const size_t end = p.trailing ? rawPath.size() - 1 : rawPath.size();
    size_t pos = 1;
    while (pos <= end) {
        size_t slash = rawPath.find('/', pos);
        if (slash == std::string_view::npos || slash > end) slash = end;
        p.segments.push_back(percentDecode(rawPath.substr(pos, slash - pos)));
        pos = slash + 1;
    }
    return p;
}

bool PathTemplate::parse(const std::string& text, PathTemplate& out, std::string& message) {
    out = PathTemplate{};
    if (text.empty() || text.front() != '/') {
        message = "path template must start with '/': \"" + text + "\"";
        return false;
    }
    if (text.find_first_of("?#") != std::string::npos) {
        message = "path template must not contain '?' or '#': \"" + text + "\"";
        return false;
    }
    if (text == "/") return true;
    out.trailingSlash = text.back() == '/';
    const std::string body = text.substr(1, text.size() - 1 - (out.trailingSlash ? 1 : 0));
    std::set<std::string> names;
    size_t pos = 0;
    while (true) {
        size_t slash = body.find('/', pos);
        std::string seg = body.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        if (seg.empty()) {
            message = "path template has an empty segment: \"" + text + "\"";
            return false;
        }
        Segment s;
        if (seg.front() == '{') {
            if (seg.back() != '}' || seg.size() < 3) {
                message = "bad parameter segment \"" + seg + "\" in \"" + text + "\"";
                return false;
            }
            std::string name = seg.substr(1, seg.size() - 2);
            s.kind = Param;
            if (name.back() == '*') {
                name.pop_back();
                s.kind = Rest;
                if (slash != std::string::npos || out.trailingSlash) {
                    message = "{" + name + "*} must be the last segment of \"" + text + "\"";
                    return false;
                }
            }
            if (!validParamName(name)) {
                message = "bad parameter name \"" + name + "\" in \"" + text + "\"";
                return false;
            }
            if (!names.insert(name).second) {
                message = "parameter \"" + name + "\" appears twice in \"" + text + "\"";
                return false;
            }
            s.text = name;
        } else {
            if (seg.find_first_of("{}") != std::string::npos) {
                message = "braces must span a whole segment: \"" + text + "\"";
                return false;
            }
            s.text = percentDecode(seg);
        }
        out.segments.push_back(std::move(s));
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return true;
}

bool PathTemplate::match(const RequestPath& path, bool trailing, StringPairs* params) const {
    const auto& segs = path.segments;
    const size_t fixed = hasRest() ? segments.size() - 1 : segments.size();
    if (hasRest()) {
        if (segs.size() <= fixed && !(segs.size() == fixed && trailing)) return false;
    } else if (segs.size() != fixed || trailing != trailingSlash) {
        return false;
    }
    for (size_t i = 0; i < fixed; ++i) {
        const auto& s = segments[i];
        if (s.kind == Literal && s.text != segs[i]) return false;
        if (s.kind == Param && segs[i].empty()) return false;
    }
    if (params) {
        params->clear();
        for (size_t i = 0; i < fixed; ++i)
            if (segments[i].kind == Param) params->emplace_back(segments[i].text, segs[i]);
        if (hasRest()) {
            std::string rest;
            for (size_t i = fixed; i < segs.size(); ++i) rest += (i == fixed ? "" : "/") + segs[i];
            if (trailing) rest += "/";
            params->emplace_back(segments.back().text, rest);
        }
    }
    return true;
}

bool PathTemplate::moreSpecificThan(const PathTemplate& other) const {
    const size_t n = std::min(segments.size(), other.segments.size());
    for (size_t i = 0; i < n; ++i)
        if (segments[i].kind != other.segments[i].kind) return segments[i].kind < other.segments[i].kind;
    return segments.size() > other.segments.size();
}

bool validMethod(const std::string& m) {
    if (m.empty() || m.size() > 20) return false;
    return std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace valory::testkit::detail
