#include "config/secret_masker.hpp"

#include <algorithm>
#include <mutex>

namespace valory::host {

void SecretMasker::add(const std::string& secret) {
    if (secret.empty()) return;
    std::unique_lock lock(mutex_);
    if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
    secrets_.push_back(secret);
    // Longest first, so a secret containing another one is masked whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
    count_.store(secrets_.size(), std::memory_order_release);
}

std::string SecretMasker::mask(std::string_view text) const {
    std::string out(text);
    if (empty()) return out;
    std::shared_lock lock(mutex_);
    for (const auto& secret : secrets_) {
        std::size_t pos = 0;
        while ((pos = out.find(secret, pos)) != std::string::npos) {
            out.replace(pos, secret.size(), kMask);
            pos += kMask.size();
        }
    }
    return out;
}

SecretMasker& SecretMasker::global() {
    static SecretMasker instance;
    return instance;
}

}  // namespace valory::host
