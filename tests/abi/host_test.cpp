// ABI tests against the real valory-host: the refusal matrix, partial-failure cleanup, a throwing
// route handler, the non-optional failure policy, the golden v1.0 plugin and symbol isolation.
// Each case starts valory-host with --port 0 --port-file, reads its log and talks HTTP to it.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace fs = std::filesystem;
using valory::abitest::HostProcess;
using valory::abitest::writeFile;
using namespace std::chrono_literals;

namespace {

const std::string kFixtures = ABI_FIXTURE_DIR;

struct Plugin {
    std::string id;
    bool optional = true;
};

// A scratch folder with plugin folders, a config and a running host.
class HostRun {
  public:
    explicit HostRun(const std::string& name) {
        root_ = fs::temp_directory_path() / ("valory-abi-" + name + "-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "plugins");
        fs::create_directories(root_ / "plugins2");
        fs::create_directories(root_ / "markers");
        fs::create_directories(root_ / "data");
    }
    ~HostRun() {
        host_.reset();
        if (!::testing::Test::HasFailure()) fs::remove_all(root_);
    }
    fs::path root() const { return root_; }
    fs::path markers() const { return root_ / "markers"; }

    // Copies a built fixture (<fixtures>/<id>/{lib<id>.so,plugin.json}) into plugins/ (or plugins2/).
    void addBuilt(const std::string& id, bool second = false) {
        fs::path dst = root_ / (second ? "plugins2" : "plugins") / id;
        fs::create_directories(dst);
        for (auto& f : fs::directory_iterator(fs::path(kFixtures) / id))
            fs::copy_file(f.path(), dst / f.path().filename(), fs::copy_options::overwrite_existing);
    }
    // A plugin folder with a manifest and arbitrary bytes as its library.
    void addCrafted(const std::string& id, const std::string& libraryBytes) {
        fs::path dst = root_ / "plugins" / id;
        fs::create_directories(dst);
        nlohmann::json m{{"id", id},
                         {"version", "1.0.0"},
                         {"abi", "1.0"},
                         {"library", "lib" + id + ".so"},
                         {"description", "crafted"},
                         {"requires", nlohmann::json::array()},
                         {"optional", nlohmann::json::array()},
                         {"provides", nlohmann::json::array()}};
        writeFile((dst / "plugin.json").string(), m.dump(2));
        writeFile((dst / ("lib" + id + ".so")).string(), libraryBytes);
    }

    void writeConfig(const std::vector<Plugin>& plugins) {
        nlohmann::json cfg;
        cfg["server"] = {{"host", "127.0.0.1"}, {"port", 0}};
        cfg["plugin_path"] = {(root_ / "plugins").string(), (root_ / "plugins2").string()};
        cfg["data_dir"] = (root_ / "data").string();
        cfg["stop_deadline_s"] = 20;
        nlohmann::json ps = nlohmann::json::object();
        for (auto& p : plugins) ps[p.id] = {{"enabled", true}, {"optional", p.optional}};
        cfg["plugins"] = ps;
        writeFile((root_ / "valory.jsonc").string(), "// written by abi_host_test\n" + cfg.dump(2));
    }

    HostProcess& start() {
        host_ = std::make_unique<HostProcess>(
            ABI_HOST_BINARY,
            std::vector<std::string>{"--config", (root_ / "valory.jsonc").string(), "--port", "0",
                                     "--port-file", (root_ / "port").string()},
            std::map<std::string, std::string>{{"VALORY_TEST_MARKER_DIR", markers().string()}},
            (root_ / "host.log").string(), (root_ / "port").string());
        return *host_;
    }
    HostProcess& host() { return *host_; }

  private:
    fs::path root_;
    std::unique_ptr<HostProcess> host_;
};

std::string elfHeader(unsigned char elfClass, uint16_t machine) {
    std::string h(elfClass == 1 ? 52 : 64, '\0');
    h[0] = 0x7f;
    h[1] = 'E';
    h[2] = 'L';
    h[3] = 'F';
    h[4] = static_cast<char>(elfClass);  // EI_CLASS
    h[5] = 1;                            // little-endian
    h[6] = 1;                            // EV_CURRENT
    h[16] = 3;                           // e_type = ET_DYN
    h[18] = static_cast<char>(machine & 0xff);
    h[19] = static_cast<char>(machine >> 8);
    h[20] = 1;  // e_version
    return h + std::string(4096, '\0');
}

std::string describe(HostProcess& h) {
    return "\n--- valory-host log ---\n" + h.log();
}

// The one line the host writes for a refusal: names the plugin, the step and the fact.
void expectRefusal(HostProcess& h, const std::string& id, const std::string& step,
                   const std::string& factRegex) {
    std::string re = "plugin '" + id + "' refused at " + step + ": .*" + factRegex;
    EXPECT_TRUE(HostProcess::findLine(h.log(), re)) << "no log line matching /" << re << "/" << describe(h);
}

void expectOkStillServes(HostProcess& h) {
    auto r = h.get("/r_ok/ping");
    EXPECT_EQ(r.status, 200) << r.error << r.body << describe(h);
}

// --- the refusal matrix: one host with every broken fixture (optional) and r_ok ------------------
class RefusalMatrix : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        run_ = new HostRun("matrix");
        auto& r = *run_;
        r.addCrafted("r_notelf", "this is a text file, not a shared library\n");
        r.addCrafted("r_elf32", elfHeader(1, 3));      // ELFCLASS32, EM_386
        r.addCrafted("r_aarch64", elfHeader(2, 183));  // ELFCLASS64, EM_AARCH64
        for (const char* id : {"r_ok", "r_abi2_marker", "r_noentry", "r_major", "r_minor", "r_minor_desc",
                               "r_idmismatch", "r_dup", "r_cycle_a", "r_cycle_b", "r_missing_req",
                               "r_create_fail", "r_start_throw", "r_undeclared", "r_route_throw"})
            r.addBuilt(id);
        r.addBuilt("r_dup", /*second=*/true);
        std::vector<Plugin> ps;
        for (const char* id :
             {"r_ok", "r_notelf", "r_elf32", "r_aarch64", "r_abi2_marker", "r_noentry", "r_major", "r_minor",
              "r_minor_desc", "r_idmismatch", "r_dup", "r_cycle_a", "r_cycle_b", "r_missing_req",
              "r_create_fail", "r_start_throw", "r_undeclared", "r_route_throw"})
            ps.push_back({id, true});
        r.writeConfig(ps);
        ready_ = r.start().waitReady(60s);
    }
    static void TearDownTestSuite() {
        if (run_) {
            auto code = run_->host().stop(60s);
            EXPECT_EQ(code, 0) << describe(run_->host());
        }
        delete run_;
        run_ = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(ready_) << "valory-host did not become ready" << describe(host()); }
    HostProcess& host() { return run_->host(); }

    static HostRun* run_;
    static bool ready_;
};
HostRun* RefusalMatrix::run_ = nullptr;
bool RefusalMatrix::ready_ = false;

TEST_F(RefusalMatrix, NotAnElfFile) {
    expectRefusal(host(), "r_notelf", "elf-check", "not an ELF file");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, ElfOfTheWrongClass) {
    expectRefusal(host(), "r_elf32", "elf-check", "ELF class 32-bit, host 64-bit");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, ElfOfTheWrongMachine) {
    expectRefusal(host(), "r_aarch64", "elf-check", "ELF machine AArch64 \\(183\\), host x86-64");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, IncompatibleManifestAbiIsRefusedBeforeDlopen) {
    expectRefusal(host(), "r_abi2_marker", "abi-check", "ABI 2\\.0, host 1\\.x");
    // Its static constructor never ran...
    EXPECT_FALSE(fs::exists(run_->markers() / "r_abi2_marker.marker"));
    // ...while the same constructor did run in r_major, which is opened (control: markers work).
    EXPECT_TRUE(fs::exists(run_->markers() / "r_major.marker")) << describe(host());
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, MissingEntrySymbol) {
    expectRefusal(host(), "r_noentry", "entry", "valory_plugin_entry_v1' not found");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, DescriptorAbiMajorPlusOne) {
    expectRefusal(host(), "r_major", "abi-check", "ABI 2\\.0, host 1\\.x \\(descriptor\\)");
    EXPECT_EQ(host().get("/r_major/ping").status, 404);
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, MinorNewerThanTheHost) {
    expectRefusal(host(), "r_minor", "abi-check", "ABI 1\\.1, host 1\\.0");
    expectRefusal(host(), "r_minor_desc", "abi-check", "ABI 1\\.1, host 1\\.0 \\(descriptor\\)");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, DescriptorIdDiffersFromManifest) {
    expectRefusal(host(), "r_idmismatch", "descriptor",
                  "descriptor id 'someone_else' != manifest id 'r_idmismatch'");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, DuplicateId) {
    expectRefusal(host(), "r_dup", "discovery", "duplicate id");
    EXPECT_EQ(host().get("/r_dup/ping").status, 404);
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, DependencyCycle) {
    expectRefusal(host(), "r_cycle_a", "dependencies", "cycle");
    expectRefusal(host(), "r_cycle_b", "dependencies", "cycle");
    EXPECT_EQ(host().get("/r_cycle_a/ping").status, 404);
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, MissingRequiredService) {
    expectRefusal(host(), "r_missing_req", "dependencies", "nowhere\\.svc");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, CreateFails) {
    expectRefusal(host(), "r_create_fail", "create", "create refused on purpose");
    EXPECT_EQ(host().get("/r_create_fail/ping").status, 404);
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, StartThrowsAndLeavesNoRegistrationBehind) {
    expectRefusal(host(), "r_start_throw", "start", "start exploded on purpose");
    // The route it registered before throwing is gone...
    EXPECT_EQ(host().get("/r_start_throw/ping").status, 404);
    // ...and so is its service: r_ok (which lists it as optional) cannot acquire it.
    auto probe = host().get("/r_ok/probe");
    ASSERT_EQ(probe.status, 200) << probe.error << probe.body;
    auto j = nlohmann::json::parse(probe.body);
    EXPECT_EQ(j["acquired"], false) << probe.body;
    EXPECT_EQ(j["status"], "not_found") << probe.body;
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, UndeclaredAcquire) {
    expectRefusal(host(), "r_undeclared", "start", "undeclared service 'golden\\.adder/1'");
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, ThrowingRouteHandlerGetsJson500AndEverythingKeepsServing) {
    auto boom = host().get("/r_route_throw/boom");
    EXPECT_EQ(boom.status, 500) << boom.body;
    EXPECT_EQ(boom.headers["content-type"].rfind("application/json", 0), 0u) << boom.headers["content-type"];
    auto j = nlohmann::json::parse(boom.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << boom.body;
    EXPECT_EQ(j["error"], "internal");
    EXPECT_NE(j["message"].get<std::string>().find("handler exploded on purpose"), std::string::npos)
        << boom.body;
    EXPECT_EQ(boom.body.find("partial output"), std::string::npos);
    EXPECT_EQ(host().get("/r_route_throw/boom-int").status, 500);
    EXPECT_EQ(host().get("/r_route_throw/fine").status, 200);  // the plugin keeps serving
    EXPECT_TRUE(host().running());
    expectOkStillServes(host());
}

TEST_F(RefusalMatrix, EveryOptionalRefusalIsOneSkippedLine) {
    for (const char* id : {"r_notelf", "r_elf32", "r_aarch64", "r_abi2_marker", "r_noentry", "r_major",
                           "r_minor", "r_minor_desc", "r_idmismatch", "r_dup", "r_cycle_a", "r_cycle_b",
                           "r_missing_req", "r_create_fail", "r_start_throw", "r_undeclared"}) {
        std::string re = std::string("plugin '") + id + "' refused at .*; skipped \\(optional\\)";
        EXPECT_TRUE(HostProcess::findLine(host().log(), re)) << id << describe(host());
    }
}

// --- failure policy: a non-optional failure stops start-up -------------------------------------
TEST(FailurePolicy, NonOptionalFailureStopsStartupWithNonZeroExit) {
    HostRun run("nonoptional");
    run.addBuilt("r_ok");
    run.addBuilt("r_create_fail");
    run.writeConfig({{"r_ok", true}, {"r_create_fail", false}});
    auto& h = run.start();
    auto code = h.waitExit(60s);
    ASSERT_TRUE(code.has_value()) << "valory-host kept running" << describe(h);
    EXPECT_NE(*code, 0) << describe(h);
    EXPECT_TRUE(HostProcess::findLine(
        h.log(), "plugin 'r_create_fail' refused at create: .*create refused on purpose"))
        << describe(h);
    EXPECT_FALSE(HostProcess::findLine(h.log(), "r_create_fail.*skipped")) << describe(h);
}

TEST(FailurePolicy, NonOptionalRefusalBeforeDlopenAlsoStopsStartup) {
    HostRun run("nonoptional-elf");
    run.addCrafted("r_notelf", "not an ELF");
    run.addBuilt("r_ok");
    run.writeConfig({{"r_ok", true}, {"r_notelf", false}});
    auto& h = run.start();
    auto code = h.waitExit(60s);
    ASSERT_TRUE(code.has_value()) << describe(h);
    EXPECT_NE(*code, 0) << describe(h);
    EXPECT_TRUE(HostProcess::findLine(h.log(), "plugin 'r_notelf' refused at elf-check")) << describe(h);
}

// --- the golden v1.0 plugin on this host build ---------------------------------------------------
TEST(GoldenV1_0, LoadsCyclesAndServesItsServiceOnThisHost) {
    HostRun run("golden");
    run.addBuilt("golden");
    run.addBuilt("golden_caller");
    run.writeConfig({{"golden", false}, {"golden_caller", false}});
    auto& h = run.start();
    ASSERT_TRUE(h.waitReady(60s)) << describe(h);

    auto hello = h.get("/golden/hello");
    ASSERT_EQ(hello.status, 200) << hello.error << hello.body << describe(h);
    auto j = nlohmann::json::parse(hello.body);
    EXPECT_EQ(j["abi"], "1.0");
    EXPECT_EQ(j["method"], "GET");
    EXPECT_EQ(j["settings"]["label"], "golden");

    auto echo = h.get("/golden/echo/Ada");
    ASSERT_EQ(echo.status, 200) << echo.body;
    EXPECT_EQ(nlohmann::json::parse(echo.body)["name"], "Ada");

    // A v1.0 plugin calls a service through its frozen v1.0 header (http.client/1, to this host).
    auto fetch = h.get("/golden/fetch");
    ASSERT_EQ(fetch.status, 200) << fetch.body << describe(h);
    EXPECT_EQ(nlohmann::json::parse(fetch.body)["status"], 200);
    EXPECT_GT(nlohmann::json::parse(fetch.body)["bytes"].get<int>(), 20);

    auto sum = h.get("/golden-caller/add?a=2&b=40");
    ASSERT_EQ(sum.status, 200) << sum.body << describe(h);
    EXPECT_EQ(nlohmann::json::parse(sum.body)["sum"], 42);
    EXPECT_EQ(nlohmann::json::parse(sum.body)["calls"], 1);

    auto code = h.stop(60s);
    ASSERT_TRUE(code.has_value()) << describe(h);
    EXPECT_EQ(*code, 0) << describe(h);
    std::string log = h.log();
    auto at = [&](const std::string& s) { return log.find(s); };
    ASSERT_NE(at("golden: create"), std::string::npos) << describe(h);
    ASSERT_NE(at("golden: start"), std::string::npos) << describe(h);
    ASSERT_NE(at("golden: stop"), std::string::npos) << describe(h);
    ASSERT_NE(at("golden: destroy"), std::string::npos) << describe(h);
    EXPECT_LT(at("golden: create"), at("golden: start"));
    EXPECT_LT(at("golden: start"), at("golden: stop"));
    EXPECT_LT(at("golden: stop"), at("golden: destroy"));
    // The consumer stops before the provider it holds.
    auto callerStopped = at("plugin 'golden_caller' stopped");
    ASSERT_NE(callerStopped, std::string::npos) << describe(h);
    EXPECT_LT(callerStopped, at("golden: stop"));
}

// --- symbol isolation in one host process --------------------------------------------------------
TEST(SymbolIsolation, SameNamedInternalFunctionsStayPrivateToEachPlugin) {
    HostRun run("iso");
    run.addBuilt("iso_a");
    run.addBuilt("iso_b");
    run.writeConfig({{"iso_a", false}, {"iso_b", false}});
    auto& h = run.start();
    ASSERT_TRUE(h.waitReady(60s)) << describe(h);
    auto a = h.get("/iso_a/value");
    auto b = h.get("/iso_b/value");
    ASSERT_EQ(a.status, 200) << a.body << describe(h);
    ASSERT_EQ(b.status, 200) << b.body;
    EXPECT_EQ(nlohmann::json::parse(a.body)["value"], 1);
    EXPECT_EQ(nlohmann::json::parse(b.body)["value"], 2);
    EXPECT_EQ(h.stop(60s), 0) << describe(h);
}

}  // namespace
