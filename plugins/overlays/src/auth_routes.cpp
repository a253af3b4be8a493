#include "app.hpp"
#include "features.hpp"

namespace valory::plugins::overlays {

void registerAuthRoutes(App& app) {
    (void)app;
}

}  // namespace valory::plugins::overlays
