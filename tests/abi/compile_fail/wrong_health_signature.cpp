// Must NOT compile: health() has the wrong signature, which the wrapper would otherwise ignore and
// leave the health slot empty. The test `abi_wrong_slot_signature_refused` expects the message.
#include "valory/cpp/plugin.hpp"

class WrongHealth : public valory::sdk::Plugin {
  public:
    WrongHealth(valory::sdk::Host host, const valory::sdk::CreateArgs&) : Plugin(std::move(host)) {}
    bool health() { return true; }
};

VALORY_PLUGIN(WrongHealth, "wrong_health", "1.0.0")
