// The fake's HTTPS listener with the throwaway CA of the `certs` fixture: a client that trusts the
// CA (VERIFY_STRICT, host name checked) gets answers; one trusting another CA is refused.
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "valory_fakes/fake_process.hpp"

using namespace valory::fakes::testing;

namespace {

std::string certsDir() {
    const char* d = std::getenv("VALORY_CERTS_DIR");
    if (!d || !*d) throw std::runtime_error("VALORY_CERTS_DIR is not set (CTest fixture `certs`)");
    return d;
}

int httpsGet(int port, const std::string& caFile, const std::string& host) {
    Poco::Net::Context::Ptr ctx(new Poco::Net::Context(Poco::Net::Context::CLIENT_USE, "", "", caFile,
                                                       Poco::Net::Context::VERIFY_STRICT, 9, false));
    Poco::Net::HTTPSClientSession s(host, static_cast<Poco::UInt16>(port), ctx);
    s.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", "/valorant/v1/account/MAGICX/1337", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "HDEV-00000000-0000-4000-8000-00000000demo");
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    return resp.getStatus();
}

TEST(FakeTls, TrustedCaPassesOtherCaFails) {
    const std::string dir = certsDir();
    Poco::Net::initializeSSL();
    Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject(
        new Poco::Net::RejectCertificateHandler(false));
    Poco::Net::SSLManager::instance().initializeClient(
        nullptr, reject,
        new Poco::Net::Context(Poco::Net::Context::CLIENT_USE, "", "", dir + "/ca.pem",
                               Poco::Net::Context::VERIFY_STRICT));
    ServerProcess fake(
        VALORY_FAKE_BIN,
        {"--seed", VALORY_FAKE_SEED, "--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"},
        true);
    EXPECT_EQ(httpsGet(fake.tlsPort(), dir + "/ca.pem", "localhost"), 200);
    EXPECT_EQ(httpsGet(fake.tlsPort(), dir + "/ca.pem", "127.0.0.1"), 200);
    EXPECT_ANY_THROW(httpsGet(fake.tlsPort(), dir + "/other-ca.pem", "localhost"));
    // the same state behind both listeners
    FakeControl control(fake.port());
    EXPECT_GE(control.counters()["connections"]["https"].get<int>(), 2);
    EXPECT_EQ(control.family("henrik_account"), 2);
    Poco::Net::uninitializeSSL();
}

}  // namespace
