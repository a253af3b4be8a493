// valory-host: the Poco ServerApplication that wires config, plugins, HTTP server and signals.
#pragma once

#include <Poco/Util/ServerApplication.h>

#include <string>
#include <vector>

namespace valory::host {

class Application : public Poco::Util::ServerApplication {
  public:
    /// `runArgs` are the arguments after "run" on the command line (plugin, command, args...),
    /// split off before Poco parses options so command arguments may start with '-'.
    explicit Application(std::vector<std::string> runArgs = {}, bool runRequested = false);

    /// Exit codes.
    static constexpr int kExitOk = 0;
    static constexpr int kExitFailure = 1;  ///< start-up failure, --check problems, command failure
    static constexpr int kExitUsage = 64;   ///< bad command line

  protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

  private:
    int serve(class PluginManager& plugins, struct HostContext& context, class Config& config);
    /// --port and --plugin-path win over the file (at start-up and on every reload).
    void applyCommandLine(class Config& config) const;
    void printHelp();

    std::vector<std::string> runArgs_;
    bool runRequested_ = false;
    bool help_ = false;
    bool check_ = false;
    bool list_ = false;
    std::string configFile_;
    std::string configPath_;  ///< the file in use; empty with built-in defaults
    std::string portFile_;
    int port_ = -1;
    std::vector<std::string> pluginPaths_;
};

}  // namespace valory::host
