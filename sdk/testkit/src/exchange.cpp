// The fake host's request/response exchange: what a handler reads of a request and writes to its
// response (the accessor half of valory_http_api), and the test's Response helpers.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "exchange.hpp"
#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

const FakeRequestData* rq(const valory_request* q) {
    return reinterpret_cast<const FakeRequestData*>(q);
}
FakeResponseData* rs(valory_response* p) {
    return reinterpret_cast<FakeResponseData*>(p);
}

valory_str reqMethod(const valory_request* q) {
    return str(rq(q)->spec.method);
}
valory_str reqTarget(const valory_request* q) {
    return str(rq(q)->spec.target);
}
valory_str reqPath(const valory_request* q) {
    return str(rq(q)->path);
}
valory_str reqRoute(const valory_request* q) {
    return str(rq(q)->route);
}
valory_str pathParam(const valory_request* q, const char* name, int32_t* found) {
    for (auto& [k, v] : rq(q)->params)
        if (name && k == name) {
            if (found) *found = 1;
            return str(v);
        }
    if (found) *found = 0;
    return valory_str{nullptr, 0};
}
size_t queryParams(const valory_request* q, const valory_kv** out) {
    if (out) *out = rq(q)->queryKv.data();
    return rq(q)->queryKv.size();
}
size_t headersFn(const valory_request* q, const valory_kv** out) {
    if (out) *out = rq(q)->headerKv.data();
    return rq(q)->headerKv.size();
}
valory_str header(const valory_request* q, const char* name, int32_t* found) {
    for (auto& [k, v] : rq(q)->spec.headers)
        if (name && iequals(k, name)) {
            if (found) *found = 1;
            return str(v);
        }
    if (found) *found = 0;
    return valory_str{nullptr, 0};
}
size_t cookies(const valory_request* q, const valory_kv** out) {
    if (out) *out = rq(q)->cookieKv.data();
    return rq(q)->cookieKv.size();
}
valory_str body(const valory_request* q) {
    return str(rq(q)->spec.body);
}
valory_str peerAddress(const valory_request* q) {
    return str(rq(q)->spec.peerAddress);
}
valory_str clientAddress(const valory_request* q) {
    return str(rq(q)->spec.clientAddress);
}
valory_str scheme(const valory_request* q) {
    return str(rq(q)->spec.scheme);
}
valory_str hostFn(const valory_request* q) {
    return str(rq(q)->spec.host);
}
valory_str requestId(const valory_request* q) {
    return str(rq(q)->spec.requestId);
}

// http: response
void setStatus(valory_response* p, int32_t status) {
    rs(p)->status = status;
}
void setHeader(valory_response* p, valory_str name, valory_str value) {
    auto& hs = rs(p)->headers;
    std::string n = toString(name);
    hs.erase(std::remove_if(hs.begin(), hs.end(), [&](const auto& kv) { return iequals(kv.first, n); }),
             hs.end());
    hs.emplace_back(n, toString(value));
}
void addHeader(valory_response* p, valory_str name, valory_str value) {
    rs(p)->headers.emplace_back(toString(name), toString(value));
}
void appendBody(valory_response* p, valory_str data) {
    rs(p)->body.append(data.data ? data.data : "", data.size);
}
valory_status sendFile(valory_response* p, const char* path, const char* contentType, valory_error* err) {
    std::ifstream in(path ? path : "", std::ios::binary);
    if (!in)
        return fail(err, VALORY_ERR_NOT_FOUND,
                    std::string("send_file: cannot open ") + (path ? path : "(null)"));
    std::ostringstream ss;
    ss << in.rdbuf();
    rs(p)->body = ss.str();
    rs(p)->file = path;
    std::string ct = contentType ? contentType : "application/octet-stream";
    setHeader(p, valory_str_from("Content-Type"), str(ct));
    return VALORY_OK;
}
valory_status unsupported(valory_response*, valory_error* err) {
    return fail(err, VALORY_ERR_UNSUPPORTED, "deferred responses are not implemented by ABI 1.0 hosts");
}
valory_status streamWrite(valory_response*, valory_str, valory_error* err) {
    return fail(err, VALORY_ERR_UNSUPPORTED, "streaming responses are not implemented by ABI 1.0 hosts");
}

}  // namespace

void addExchangeFunctions(valory_http_api& hp) {
    hp.request_method = reqMethod;
    hp.request_target = reqTarget;
    hp.request_path = reqPath;
    hp.request_route = reqRoute;
    hp.path_param = pathParam;
    hp.query_params = queryParams;
    hp.headers = headersFn;
    hp.header = header;
    hp.cookies = cookies;
    hp.body = body;
    hp.peer_address = peerAddress;
    hp.client_address = clientAddress;
    hp.scheme = scheme;
    hp.host = hostFn;
    hp.request_id = requestId;
    hp.set_status = setStatus;
    hp.set_header = setHeader;
    hp.add_header = addHeader;
    hp.append_body = appendBody;
    hp.send_file = sendFile;
    hp.defer = unsupported;
    hp.complete = unsupported;
    hp.stream_write = streamWrite;
}

std::optional<std::string> Response::header(const std::string& name) const {
    for (auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return std::nullopt;
}

std::vector<std::string> Response::headerAll(const std::string& name) const {
    std::vector<std::string> out;
    for (auto& [k, v] : headers)
        if (iequals(k, name)) out.push_back(v);
    return out;
}

}  // namespace valory::testkit
