// Must NOT compile: command() takes its arguments by value of the wrong type.
#include "valory/cpp/plugin.hpp"

class WrongCommand : public valory::sdk::Plugin {
  public:
    WrongCommand(valory::sdk::Host host, const valory::sdk::CreateArgs&) : Plugin(std::move(host)) {}
    std::string command(const std::string& name, int args) { return name + std::to_string(args); }
};

VALORY_PLUGIN(WrongCommand, "wrong_command", "1.0.0")
