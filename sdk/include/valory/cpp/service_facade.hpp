// Valory SDK C++ wrapper: the plumbing every service facade shares (sql::Database, Cache, HttpClient,
// Twitch, Riot).
//
// A facade is a ServiceFacade<Api> whose ServiceTraits<Api> name the service and its major, and say
// which vtable a provider must offer (struct_size and the required slots). So every facade
//   - is acquired the same way: host.acquire<valory::sdk::Cache>() (or tryAcquire<...>()),
//   - owns its acquisition: the ServiceRef is released when the last copy of the facade goes (and
//     in any case by the wrapper after the plugin's stop()),
//   - checks the vtable once, when it is built, and throws one Error(VALORY_ERR_VERSION) naming the
//     service when the provider's vtable is missing, too short or lacks a required function.
//
// Adding a facade for a service `foo/1` (valory/foo.h):
//   template <> struct ServiceTraits<valory_foo_api> {
//       static constexpr std::string_view kName = VALORY_FOO_SERVICE;
//       static constexpr uint32_t kMajor = VALORY_FOO_MAJOR;
//       static bool complete(const valory_foo_api* v) noexcept {
//           return VALORY_HAS_FIELD(v, valory_foo_api, last_required) && v->first && v->last_required;
//       }
//   };
//   class Foo : public ServiceFacade<valory_foo_api> {
//     public:
//       using ServiceFacade::ServiceFacade;
//       ...  // calls api()->fn(self(), ...)
//   };
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "valory/cpp/error.hpp"
#include "valory/cpp/strings.hpp"

namespace valory::sdk {

/// Specialised beside each facade: kName, kMajor and complete(const Api*) (see the file comment).
template <class Api>
struct ServiceTraits;

/// Anything an acquisition can come from: valory::sdk::ServiceRef, testkit::FakeHost::Acquired.
template <class Ref, class Api>
concept ServiceSource = requires(const Ref& r) {
    { r.template as<Api>() } -> std::convertible_to<const Api*>;
    { r.self() } -> std::convertible_to<void*>;
};

template <class Api>
class ServiceFacade {
  public:
    using Traits = ServiceTraits<Api>;
    /// The service's registry name and major, as in the provider's manifest ("sql", 1).
    static constexpr std::string_view kName = Traits::kName;
    static constexpr uint32_t kMajor = Traits::kMajor;
    static_assert(kName.data()[kName.size()] == '\0', "ServiceTraits::kName must be a string literal");

    /// Empty: operator bool is false until a service is assigned.
    ServiceFacade() = default;
    /// Takes ownership of an acquisition, held as long as this facade or a copy of it lives.
    template <ServiceSource<Api> Ref>
    explicit ServiceFacade(Ref ref) : api_(ref.template as<Api>()), self_(ref.self()) {
        validate(api_);
        holder_ = std::make_shared<Ref>(std::move(ref));
    }
    /// Non-owning: the caller keeps the service acquired while the facade is used.
    ServiceFacade(const Api* api, void* self) : api_(api), self_(self) { validate(api_); }

    const Api* api() const noexcept { return api_; }
    void* self() const noexcept { return self_; }
    explicit operator bool() const noexcept { return api_ != nullptr; }
    /// Drops this copy's hold on the service (the reference is released with the last copy).
    void reset() noexcept {
        api_ = nullptr;
        self_ = nullptr;
        holder_.reset();
    }

  protected:
    /// Calls a slot of the common shape fn(self, args, out, err) and returns what it wrote to `out`;
    /// a failure throws Error with `what` before the service's message.
    template <class Args>
    std::string written(valory_status (*fn)(void*, const Args*, valory_writer*, valory_error*),
                        const Args& args, const char* what) const {
        std::string out;
        valory_writer w = stringWriter(&out);
        valory_error err = makeError();
        check(fn(self_, &args, &w, &err), err, what);
        return out;
    }
    /// A duration as the ABI's milliseconds (0 = the service's default; negative counts as 0).
    static uint64_t millis(std::chrono::milliseconds d) noexcept {
        return d.count() > 0 ? static_cast<uint64_t>(d.count()) : 0;
    }

    const Api* api_ = nullptr;
    void* self_ = nullptr;

  private:
    static void validate(const Api* api) {
        if (api && Traits::complete(api)) return;
        std::string what = std::string(kName) + "/" + std::to_string(kMajor);
        throw Error(
            VALORY_ERR_VERSION,
            what + (api ? ": the provider's vtable is older than this SDK's or lacks a required function"
                        : ": no vtable (NULL)"));
    }

    std::shared_ptr<void> holder_;
};

}  // namespace valory::sdk
