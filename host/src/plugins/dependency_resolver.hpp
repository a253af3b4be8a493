// Orders plugins by their manifests' requires / optional / provides; refuses cycles, missing
// required services and plugins whose providers were refused (transitively).
#pragma once

#include "plugins/manifest.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace valory::host {

class DependencyResolver {
  public:
    struct Result {
        std::vector<std::string> order;              ///< start order of the accepted plugins
        std::map<std::string, std::string> refused;  ///< id -> fact (step "dependencies")
        std::map<std::string, std::string>
            providerOf;  ///< "service/major" -> plugin id ("host" for host services)
    };

    /// Host-provided services (name/major -> minor), e.g. http.client/1.
    void addHostService(const std::string& service, std::uint32_t major, std::uint32_t minor);

    /// Resolves the given candidates (already filtered to enabled, pre-checked plugins).
    /// `alreadyRefused` lists ids refused earlier (their services count as missing, with the reason
    /// "which was refused").
    Result resolve(const std::vector<const Manifest*>& candidates,
                   const std::map<std::string, const Manifest*>& alreadyRefused = {}) const;

  private:
    std::map<std::string, std::uint32_t> hostServices_;
};

}  // namespace valory::host
