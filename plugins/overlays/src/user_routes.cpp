#include "app.hpp"
#include "features.hpp"

namespace valory::plugins::overlays {

void registerUserRoutes(App& app) {
    (void)app;
}

}  // namespace valory::plugins::overlays
