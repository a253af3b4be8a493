// ServiceFacade: name and major as constants, host().acquire<Facade>() owning the reference (released
// with the last copy), and the one vtable check at construction.
#include <gtest/gtest.h>

#include <cstddef>

#include "valory/cpp/cache.hpp"
#include "valory/cpp/http_client.hpp"
#include "valory/cpp/plugin.hpp"
#include "valory/cpp/riot.hpp"
#include "valory/cpp/sql.hpp"
#include "valory/cpp/twitch.hpp"
#include "valory/testkit/fake_host.hpp"

namespace sdk = valory::sdk;
using valory::testkit::FakeHost;

static_assert(sdk::sql::Database::kName == "sql" && sdk::sql::Database::kMajor == 1);
static_assert(sdk::Cache::kName == "cache" && sdk::HttpClient::kName == "http.client");
static_assert(sdk::Twitch::kName == "twitch" && sdk::Riot::kName == "riot" && sdk::Riot::kMajor == 1);

namespace {

valory_status answer(void*, const valory_riot_query* q, valory_writer* out, valory_error*) {
    sdk::writeTo(out, "{\"name\": \"" + std::string(sdk::view(q->name)) + "\"}");
    return VALORY_OK;
}
const valory_riot_api kRiot{sizeof(valory_riot_api), answer, answer, answer};

/// Holds a Riot facade acquired by type; the command "drop" lets its last copy go.
class Consumer : public sdk::Plugin {
  public:
    Consumer(sdk::Host host, const sdk::CreateArgs&) : Plugin(std::move(host)) {}
    void start() override {
        auto first = host().acquire<sdk::Riot>();
        riot_ = first;  // a copy shares the one reference
    }
    void stop() override {}
    std::string command(const std::string& name, const std::vector<std::string>&) {
        if (name == "drop") riot_.reset();
        if (name == "call") return riot_.account(sdk::RiotQuery::byRiotId("Nrk", "sun")).dump();
        return {};
    }

  private:
    sdk::Riot riot_;
};

const char* kManifest = R"({"id": "consumer", "version": "1.0.0", "abi": "1.0", "library": "x.so",
  "requires": [{"service": "riot", "major": 1}], "optional": [], "provides": []})";

uint64_t holdersOfRiot(const FakeHost& host) {
    for (const auto& s : host.services())
        if (s.name == "riot") return s.holders;
    return 0;
}

}  // namespace

TEST(ServiceFacade, AcquireByTypeOwnsTheReferenceUntilTheLastCopyGoes) {
    FakeHost host;
    host.provideService("riot", 1, 0, &kRiot, nullptr);
    auto p = host.load(sdk::detail::descriptorFor<Consumer>("consumer", "1.0.0"), kManifest);
    p.start();
    EXPECT_EQ(holdersOfRiot(host), 1u);
    EXPECT_EQ(nlohmann::json::parse(p.command("call"))["name"], "Nrk");
    p.command("drop");
    EXPECT_EQ(holdersOfRiot(host), 0u);
}

TEST(ServiceFacade, AnIncompleteVtableIsOneVersionErrorNamingTheService) {
    auto expectRefused = [](auto make, const char* needle) {
        try {
            make();
            ADD_FAILURE() << "accepted an incomplete vtable";
        } catch (const sdk::Error& e) {
            EXPECT_EQ(e.status(), VALORY_ERR_VERSION);
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    valory_riot_api shorter = kRiot;
    shorter.struct_size = static_cast<uint32_t>(offsetof(valory_riot_api, matches));
    expectRefused([&] { sdk::Riot(&shorter, nullptr); }, "riot/1: the provider's vtable");
    valory_riot_api missing = kRiot;
    missing.rank = nullptr;
    expectRefused([&] { sdk::Riot(&missing, nullptr); }, "riot/1");
    expectRefused([] { sdk::sql::Database(nullptr, nullptr); }, "sql/1: no vtable");
    EXPECT_NO_THROW(sdk::Riot(&kRiot, nullptr));
    EXPECT_FALSE(sdk::Cache());  // default: empty until assigned
}
