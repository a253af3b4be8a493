// A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line must be
// a `# HELP`, a `# TYPE` or a sample; names and label names valid; label values correctly escaped;
// every sample belongs to the family declared right before it (TYPE first, families contiguous,
// never declared twice); no duplicate series; histograms have ascending `le`, cumulative counts
// that never decrease, a +Inf bucket equal to _count, and _sum. Returns the problems (empty = ok).
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace valory::testing::prom {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct Family {
    std::string name, type, help;
    std::vector<Sample> samples;
};

struct Parsed {
    std::vector<Family> families;
    std::vector<std::string> problems;

    const Family* family(const std::string& name) const {
        for (const auto& f : families)
            if (f.name == name) return &f;
        return nullptr;
    }
    /// The value of the first sample named `name` whose labels include `labels`; NaN if none.
    double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        for (const auto& f : families)
            for (const auto& s : f.samples) {
                if (s.name != name) continue;
                bool match = true;
                for (const auto& [k, v] : labels)
                    if (auto it = s.labels.find(k); it == s.labels.end() || it->second != v) match = false;
                if (match) return s.value;
            }
        return std::nan("");
    }
};

inline bool nameOk(const std::string& n, bool colon) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        const bool alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

inline bool parseFloat(const std::string& t, double& out) {
    if (t == "+Inf" || t == "Inf") return out = INFINITY, true;
    if (t == "-Inf") return out = -INFINITY, true;
    if (t == "NaN") return out = NAN, true;
    if (t.empty()) return false;
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return end && *end == '\0' && t.find_first_of("xXpP") == std::string::npos;
}

inline Parsed parse(const std::string& text) {
    Parsed p;
    auto problem = [&](std::size_t line, const std::string& what) {
        p.problems.push_back("line " + std::to_string(line) + ": " + what);
    };
    if (!text.empty() && text.back() != '\n') p.problems.push_back("the last line has no newline");
    std::set<std::string> declared, seen;
    std::istringstream in(text);
    std::string line;
    std::size_t n = 0;
    Family* current = nullptr;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) {
            problem(n, "empty line");
            continue;
        }
        if (line[0] == '#') {
            std::istringstream ls(line);
            std::string hash, kind, name;
            ls >> hash >> kind >> name;
            if (hash != "#" || (kind != "HELP" && kind != "TYPE")) {
                problem(n, "comment that is neither HELP nor TYPE");
                continue;
            }
            if (!nameOk(name, true)) problem(n, "bad metric name '" + name + "'");
            std::string rest;
            std::getline(ls, rest);
            if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
            if (kind == "HELP") {
                for (std::size_t i = 0; i < rest.size(); ++i)
                    if (rest[i] == '\\' &&
                        (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n')))
                        problem(n, "bad escape in HELP");
                    else if (rest[i] == '\\')
                        ++i;
                if (!current || current->name != name) {
                    if (declared.count(name)) problem(n, "family declared twice: " + name);
                    declared.insert(name);
                    p.families.push_back(Family{name, "", rest, {}});
                    current = &p.families.back();
                } else {
                    current->help = rest;
                }
            } else {
                if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" &&
                    rest != "untyped")
                    problem(n, "bad TYPE '" + rest + "'");
                if (!current || current->name != name) {
                    if (declared.count(name)) problem(n, "family declared twice: " + name);
                    declared.insert(name);
                    p.families.push_back(Family{name, rest, "", {}});
                    current = &p.families.back();
                } else {
                    if (!current->type.empty()) problem(n, "TYPE given twice for " + name);
                    if (!current->samples.empty()) problem(n, "TYPE after samples of " + name);
                    current->type = rest;
                }
            }
            continue;
        }
        // sample: name[{labels}] value
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
        Sample s;
        s.name = line.substr(0, i);
        if (!nameOk(s.name, true)) problem(n, "bad sample name '" + s.name + "'");
        std::string key = s.name + "{";
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                std::size_t eq = line.find('=', i);
                if (eq == std::string::npos) {
                    problem(n, "label without '='");
                    break;
                }
                const std::string lname = line.substr(i, eq - i);
                if (!nameOk(lname, false) || lname.rfind("__", 0) == 0)
                    problem(n, "bad label name '" + lname + "'");
                i = eq + 1;
                if (i >= line.size() || line[i] != '"') {
                    problem(n, "label value not quoted");
                    break;
                }
                ++i;
                std::string value;
                bool closed = false;
                while (i < line.size()) {
                    const char c = line[i];
                    if (c == '\\') {
                        if (i + 1 >= line.size()) break;
                        const char e = line[i + 1];
                        if (e == '\\')
                            value += '\\';
                        else if (e == '"')
                            value += '"';
                        else if (e == 'n')
                            value += '\n';
                        else
                            problem(n, std::string("bad escape \\") + e + " in a label value");
                        i += 2;
                        continue;
                    }
                    if (c == '"') {
                        closed = true;
                        ++i;
                        break;
                    }
                    value += c;
                    ++i;
                }
                if (!closed) {
                    problem(n, "unterminated label value");
                    break;
                }
                if (s.labels.count(lname)) problem(n, "label given twice: " + lname);
                s.labels[lname] = value;
                if (i < line.size() && line[i] == ',') ++i;
            }
            if (i >= line.size() || line[i] != '}') {
                problem(n, "labels not closed");
                continue;
            }
            ++i;
        }
        if (i >= line.size() || line[i] != ' ') {
            problem(n, "no space before the value");
            continue;
        }
        std::string rest = line.substr(i + 1), valueText = rest, ts;
        if (auto sp = rest.find(' '); sp != std::string::npos) {
            valueText = rest.substr(0, sp);
            ts = rest.substr(sp + 1);
        }
        if (!parseFloat(valueText, s.value)) problem(n, "bad value '" + valueText + "'");
        if (!ts.empty() && ts.find_first_not_of("-0123456789") != std::string::npos)
            problem(n, "bad timestamp");
        for (const auto& [k, v] : s.labels) key += k + "=" + v + ",";
        if (!seen.insert(key).second) problem(n, "duplicate series " + key);
        // Which family does it belong to?
        std::string base = s.name;
        if (current && current->type == "histogram") {
            for (const char* suffix : {"_bucket", "_sum", "_count"}) {
                const std::string suf = suffix;
                if (base.size() > suf.size() &&
                    base.compare(base.size() - suf.size(), suf.size(), suf) == 0 &&
                    base.substr(0, base.size() - suf.size()) == current->name) {
                    base = current->name;
                    break;
                }
            }
        }
        if (!current || current->name != base) {
            problem(n, "sample " + s.name +
                           " outside its family (declare HELP/TYPE first, keep families contiguous)");
            continue;
        }
        if (current->type.empty()) problem(n, "sample before TYPE of " + current->name);
        if (current->type == "histogram" && s.name == current->name)
            problem(n, "histogram sample without suffix");
        if (current->type == "counter" && s.value < 0) problem(n, "negative counter");
        current->samples.push_back(std::move(s));
    }
    // Histogram structure.
    for (const auto& f : p.families) {
        if (f.type != "histogram") continue;
        std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // series key -> (le, count)
        std::map<std::string, double> counts, sums;
        for (const auto& s : f.samples) {
            std::string k;
            for (const auto& [ln, lv] : s.labels)
                if (ln != "le") k += ln + "=" + lv + ",";
            if (s.name == f.name + "_bucket") {
                auto le = s.labels.find("le");
                double bound = 0;
                if (le == s.labels.end() || !parseFloat(le->second, bound)) {
                    p.problems.push_back(f.name + ": bucket without a valid le");
                    continue;
                }
                buckets[k].emplace_back(bound, s.value);
            } else if (s.name == f.name + "_count") {
                counts[k] = s.value;
            } else if (s.name == f.name + "_sum") {
                sums[k] = s.value;
            }
        }
        for (const auto& [k, b] : buckets) {
            for (std::size_t i = 1; i < b.size(); ++i) {
                if (!(b[i].first > b[i - 1].first))
                    p.problems.push_back(f.name + "{" + k + "}: le not ascending");
                if (b[i].second < b[i - 1].second)
                    p.problems.push_back(f.name + "{" + k + "}: bucket counts decrease");
            }
            if (b.empty() || !std::isinf(b.back().first))
                p.problems.push_back(f.name + "{" + k + "}: no +Inf bucket");
            if (!counts.count(k))
                p.problems.push_back(f.name + "{" + k + "}: no _count");
            else if (!b.empty() && b.back().second != counts[k])
                p.problems.push_back(f.name + "{" + k + "}: +Inf != _count");
            if (!sums.count(k)) p.problems.push_back(f.name + "{" + k + "}: no _sum");
        }
    }
    return p;
}

}  // namespace valory::testing::prom
