// The example's logic: a plain class, unit-tested without any host.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace valory::plugins::hello {

class Greeting {
  public:
    Greeting(std::string greeting, std::size_t maxNameLength)
        : greeting_(std::move(greeting)), maxNameLength_(maxNameLength) {}

    /// "<greeting>, <name>!"; throws std::invalid_argument for an empty or too long name.
    std::string greet(std::string_view name) const {
        if (name.empty()) throw std::invalid_argument("name is empty");
        if (name.size() > maxNameLength_)
            throw std::invalid_argument("name is longer than " + std::to_string(maxNameLength_) + " bytes");
        return greeting_ + ", " + std::string(name) + "!";
    }
    const std::string& greeting() const noexcept { return greeting_; }

  private:
    std::string greeting_;
    std::size_t maxNameLength_;
};

}  // namespace valory::plugins::hello
