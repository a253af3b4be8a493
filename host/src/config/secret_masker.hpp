// Known secret values (resolved from {"env"}/{"file"} references), replaced in every log line and
// listing the host produces.
#pragma once

#include <atomic>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace valory::host {

class SecretMasker {
  public:
    static constexpr std::string_view kMask = "***";

    /// Adds a secret; values shorter than 4 characters are still masked (admins choose them).
    void add(const std::string& secret);
    /// Returns `text` with every known secret replaced by "***".
    std::string mask(std::string_view text) const;
    bool empty() const { return count_.load(std::memory_order_acquire) == 0; }

    /// The process-wide instance (logging channels need it without plumbing).
    static SecretMasker& global();

  private:
    mutable std::shared_mutex mutex_;
    std::vector<std::string> secrets_;
    std::atomic<std::size_t> count_{0};
};

}  // namespace valory::host
