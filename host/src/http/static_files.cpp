#include "http/static_files.hpp"

#include "http/router.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace valory::host {

namespace {

bool safeRelative(const std::string& rel) {
    if (rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos) return false;
    std::size_t pos = 0;
    while (pos <= rel.size()) {
        std::size_t slash = rel.find('/', pos);
        if (slash == std::string::npos) slash = rel.size();
        const std::string seg = rel.substr(pos, slash - pos);
        if (seg == ".." || seg == ".") return false;
        pos = slash + 1;
    }
    return true;
}

bool acceptsGzip(const valory_request& req) {
    auto ae = req.header("Accept-Encoding");
    if (!ae) return false;
    // Simple token check; "gzip;q=0" is treated as a refusal.
    std::string v = *ae;
    std::size_t p = v.find("gzip");
    if (p == std::string::npos) return false;
    std::size_t q = v.find("q=0", p);
    std::size_t comma = v.find(',', p);
    return !(q != std::string::npos && (comma == std::string::npos || q < comma) &&
             (q + 3 >= v.size() || v[q + 3] != '.'));
}

}  // namespace

std::string StaticFiles::contentTypeFor(const std::string& path) {
    static const std::pair<const char*, const char*> kTypes[] = {{".html", "text/html; charset=utf-8"},
                                                                 {".htm", "text/html; charset=utf-8"},
                                                                 {".css", "text/css; charset=utf-8"},
                                                                 {".js", "text/javascript; charset=utf-8"},
                                                                 {".mjs", "text/javascript; charset=utf-8"},
                                                                 {".json", "application/json"},
                                                                 {".svg", "image/svg+xml"},
                                                                 {".png", "image/png"},
                                                                 {".jpg", "image/jpeg"},
                                                                 {".jpeg", "image/jpeg"},
                                                                 {".gif", "image/gif"},
                                                                 {".webp", "image/webp"},
                                                                 {".ico", "image/x-icon"},
                                                                 {".woff", "font/woff"},
                                                                 {".woff2", "font/woff2"},
                                                                 {".ttf", "font/ttf"},
                                                                 {".txt", "text/plain; charset=utf-8"},
                                                                 {".map", "application/json"},
                                                                 {".wasm", "application/wasm"},
                                                                 {".xml", "application/xml"}};
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const auto& [e, t] : kTypes)
        if (ext == e) return t;
    return "application/octet-stream";
}

std::string StaticFiles::httpDate(long long unixSeconds) {
    std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

long long StaticFiles::parseHttpDate(const std::string& text) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end) return -1;
    return static_cast<long long>(timegm(&tm));
}

void StaticFiles::serve(const StaticMount& mount, const std::string& relativeIn, const valory_request& req,
                        valory_response& resp) {
    std::string relative = relativeIn;
    if (!safeRelative(relative)) {
        resp.jsonError(404, "not_found", "no such file");
        return;
    }
    std::string file = mount.directory + "/" + relative;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!(mount.flags & VALORY_STATIC_INDEX_HTML)) {
            resp.jsonError(404, "not_found", "no such file");
            return;
        }
        if (!relative.empty() && relative.back() != '/') {
            // Directory without its slash: redirect so relative links resolve.
            resp.jsonError(307, "redirect", "use " + req.path + "/");
            resp.setHeader("Location", req.path + "/");
            return;
        }
        file += (file.back() == '/' ? "" : "/") + std::string("index.html");
        if (::stat(file.c_str(), &st) != 0) {
            resp.jsonError(404, "not_found", "no such file");
            return;
        }
    }
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        resp.jsonError(404, "not_found", "no such file");
        return;
    }
    std::string served = file;
    bool gzipped = false;
    struct stat gst {};
    if (acceptsGzip(req) && ::stat((file + ".gz").c_str(), &gst) == 0 && S_ISREG(gst.st_mode)) {
        served = file + ".gz";
        gzipped = true;
    }
    const struct stat& sst = gzipped ? gst : st;
    const long long mtime = static_cast<long long>(st.st_mtim.tv_sec);
    char etag[96];
    std::snprintf(etag, sizeof etag, "\"%llx-%llx-%llx%s\"", static_cast<unsigned long long>(st.st_size),
                  static_cast<unsigned long long>(st.st_mtim.tv_sec),
                  static_cast<unsigned long long>(st.st_mtim.tv_nsec), gzipped ? "-gz" : "");
    resp.headers.clear();
    resp.body.clear();
    resp.setHeader("ETag", etag);
    resp.setHeader("Last-Modified", httpDate(mtime));
    resp.setHeader("Cache-Control", (mount.flags & VALORY_STATIC_FINGERPRINTED)
                                        ? "public, max-age=31536000, immutable"
                                        : "no-cache");
    resp.setHeader("Vary", "Accept-Encoding");
    bool notModified = false;
    if (auto inm = req.header("If-None-Match")) {
        notModified = inm->find(etag) != std::string::npos || *inm == "*";
    } else if (auto ims = req.header("If-Modified-Since")) {
        long long since = parseHttpDate(*ims);
        notModified = since >= 0 && mtime <= since;
    }
    if (notModified) {
        resp.status = 304;
        return;
    }
    resp.status = 200;
    resp.filePath = served;
    resp.fileContentType = contentTypeFor(file);
    if (gzipped) resp.setHeader("Content-Encoding", "gzip");
    (void)sst;
}

}  // namespace valory::host
