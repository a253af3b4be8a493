#include "exposition.hpp"

#include <charconv>
#include <cmath>

namespace valory::plugins::monitoring::prom {

std::string escapeLabelValue(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escapeHelp(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string formatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

namespace {
bool nameChar(char c, bool first, bool colon) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
    if (colon && c == ':') return true;
    return !first && c >= '0' && c <= '9';
}
}  // namespace

bool validMetricName(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!nameChar(name[i], i == 0, true)) return false;
    return true;
}

bool validLabelName(std::string_view name) noexcept {
    if (name.empty() || name.substr(0, 2) == "__") return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!nameChar(name[i], i == 0, false)) return false;
    return true;
}

void Writer::family(std::string_view name, std::string_view help, std::string_view type) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += escapeHelp(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void Writer::sample(std::string_view name, const Labels& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
        out_ += '{';
        bool first = true;
        for (const auto& [k, v] : labels) {
            if (!first) out_ += ',';
            first = false;
            out_ += k;
            out_ += "=\"";
            out_ += escapeLabelValue(v);
            out_ += '"';
        }
        out_ += '}';
    }
    out_ += ' ';
    out_ += formatValue(value);
    out_ += '\n';
}

void Writer::histogram(std::string_view name, const Labels& labels, const std::vector<double>& upperBounds,
                       const std::vector<unsigned long long>& cumulative, double sum) {
    const std::string bucket = std::string(name) + "_bucket";
    Labels l = labels;
    l.emplace_back("le", "");
    for (std::size_t i = 0; i <= upperBounds.size() && i < cumulative.size(); ++i) {
        l.back().second = i < upperBounds.size() ? formatValue(upperBounds[i]) : "+Inf";
        sample(bucket, l, static_cast<double>(cumulative[i]));
    }
    sample(std::string(name) + "_sum", labels, sum);
    sample(std::string(name) + "_count", labels,
           cumulative.empty() ? 0.0 : static_cast<double>(cumulative.back()));
}

}  // namespace valory::plugins::monitoring::prom
