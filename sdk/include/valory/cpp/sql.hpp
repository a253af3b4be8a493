// Valory SDK C++ wrapper: typed facade over the `sql/1` service (valory/sql.h).
//
//   auto db = host.acquire<valory::sdk::sql::Database>();   // owns its sql/1 reference
//   auto r = db.exec("select name from users where id = $1", {userId});
//   if (r.rows() == 1 && !r.isNull(0, 0)) use(r.get(0, 0));
//   db.transaction([&](valory::sdk::sql::Tx& tx) {
//       tx.exec("update users set name = $1 where id = $2", {name, nullptr});
//   });
//   db.migrate("myplugin", {{1, "create users", "CREATE TABLE users (...)"}});
//
// Every failure throws valory::sdk::Error with the service's status (conflict, invalid_argument,
// timeout, retryable, unavailable, unknown_outcome, ...) and its message (which names the SQLSTATE).
#pragma once

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "valory/cpp/error.hpp"
#include "valory/cpp/service_facade.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/sql.h"

namespace valory::sdk {

template <>
struct ServiceTraits<valory_sql_api> {
    static constexpr std::string_view kName = VALORY_SQL_SERVICE;
    static constexpr uint32_t kMajor = VALORY_SQL_MAJOR;
    static bool complete(const valory_sql_api* v) noexcept {
        return VALORY_HAS_FIELD(v, valory_sql_api, migrate) && v->exec && v->prepare && v->exec_prepared &&
               v->begin && v->commit && v->rollback && v->result_rows && v->result_columns &&
               v->result_column_name && v->result_is_null && v->result_value && v->result_affected &&
               v->result_release && v->migrate;
    }
};

}  // namespace valory::sdk

namespace valory::sdk::sql {

/// One text parameter: a string (borrowed, must outlive the call), an owned rendering of a number
/// or bool, or SQL NULL (nullptr / std::nullopt).
class Param {
  public:
    Param(std::nullptr_t) noexcept : null_(true) {}
    Param(std::nullopt_t) noexcept : null_(true) {}
    Param(const char* s) noexcept
        : null_(s == nullptr), view_(s ? std::string_view(s) : std::string_view()) {}
    Param(std::string_view s) noexcept : view_(s) {}
    Param(const std::string& s) noexcept : view_(s) {}
    Param(bool b) : owned_(b ? "true" : "false"), isOwned_(true) {}
    template <class T,
              std::enable_if_t<
                  std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>, int> = 0>
    Param(T v) : isOwned_(true) {
        if constexpr (std::is_integral_v<T>) {
            char buf[32];
            auto res = std::to_chars(buf, buf + sizeof buf, v);
            owned_.assign(buf, res.ptr);
        } else {
            owned_ = std::to_string(v);
        }
    }
    template <class T>
    Param(const std::optional<T>& v) : Param(v ? Param(*v) : Param(nullptr)) {}

    bool isNull() const noexcept { return null_; }
    /// The parameter as it crosses the ABI: {NULL, 0} for SQL NULL, never NULL data otherwise.
    valory_str abi() const noexcept {
        if (null_) return valory_str{nullptr, 0};
        std::string_view v = isOwned_ ? std::string_view(owned_) : view_;
        // A non-NULL empty string must not look like NULL: use a static "" for data.
        return valory_str{v.data() ? v.data() : "", v.size()};
    }

  private:
    bool null_ = false;
    std::string_view view_;
    std::string owned_;
    bool isOwned_ = false;
};

using Params = std::vector<Param>;

/// Owning handle of one result (move-only). Values are PostgreSQL's text form.
class Result {
  public:
    Result() = default;
    Result(const valory_sql_api* api, void* self, valory_sql_result* r) noexcept
        : api_(api), self_(self), r_(r) {}
    Result(Result&& o) noexcept : api_(o.api_), self_(o.self_), r_(std::exchange(o.r_, nullptr)) {}
    Result& operator=(Result&& o) noexcept {
        if (this != &o) {
            reset();
            api_ = o.api_;
            self_ = o.self_;
            r_ = std::exchange(o.r_, nullptr);
        }
        return *this;
    }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    ~Result() { reset(); }

    size_t rows() const noexcept { return r_ ? api_->result_rows(self_, r_) : 0; }
    size_t columns() const noexcept { return r_ ? api_->result_columns(self_, r_) : 0; }
    bool empty() const noexcept { return rows() == 0; }
    uint64_t affected() const noexcept { return r_ ? api_->result_affected(self_, r_) : 0; }
    std::string_view columnName(size_t c) const noexcept {
        if (!r_) return {};
        return view(api_->result_column_name(self_, r_, c));
    }
    /// Column index by name; throws invalid_argument when absent.
    size_t column(std::string_view name) const {
        for (size_t c = 0, n = columns(); c < n; ++c)
            if (columnName(c) == name) return c;
        throw Error(VALORY_ERR_INVALID_ARGUMENT,
                    "sql: no column named '" + std::string(name) + "' in result");
    }
    bool isNull(size_t row, size_t c) const noexcept {
        return !r_ || api_->result_is_null(self_, r_, row, c) != 0;
    }
    /// The value (empty for NULL); valid while this Result lives.
    std::string_view get(size_t row, size_t c) const noexcept {
        if (!r_) return {};
        return view(api_->result_value(self_, r_, row, c));
    }
    std::string_view get(size_t row, std::string_view col) const { return get(row, column(col)); }
    std::optional<std::string> opt(size_t row, size_t c) const {
        if (isNull(row, c)) return std::nullopt;
        return std::string(get(row, c));
    }
    /// Integer value; throws invalid_argument on NULL or non-integer text.
    int64_t getInt(size_t row, size_t c) const {
        std::string_view v = get(row, c);
        int64_t out = 0;
        auto res = std::from_chars(v.data(), v.data() + v.size(), out);
        if (isNull(row, c) || res.ec != std::errc() || res.ptr != v.data() + v.size())
            throw Error(VALORY_ERR_INVALID_ARGUMENT,
                        "sql: value is not an integer: '" + std::string(v) + "'");
        return out;
    }
    /// PostgreSQL boolean text ("t"/"f").
    bool getBool(size_t row, size_t c) const { return get(row, c) == "t" || get(row, c) == "true"; }

    void reset() noexcept {
        if (r_) api_->result_release(self_, std::exchange(r_, nullptr));
    }

  private:
    const valory_sql_api* api_ = nullptr;
    void* self_ = nullptr;
    valory_sql_result* r_ = nullptr;
};

namespace detail {
inline std::vector<valory_str> toStrs(const Params& params) {
    std::vector<valory_str> out;
    out.reserve(params.size());
    for (const auto& p : params) out.push_back(p.abi());
    return out;
}
}  // namespace detail

/// An open transaction (only inside Database::transaction(), or from Database::begin()).
/// Destroying an uncommitted Tx rolls it back.
class Tx {
  public:
    Tx(const valory_sql_api* api, void* self, valory_sql_tx* tx) noexcept : api_(api), self_(self), tx_(tx) {}
    Tx(Tx&& o) noexcept : api_(o.api_), self_(o.self_), tx_(std::exchange(o.tx_, nullptr)) {}
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;
    Tx& operator=(Tx&&) = delete;
    ~Tx() { rollback(); }

    Result exec(std::string_view sql, const Params& params = {}) { return run(api_->exec, sql, params); }
    Result execPrepared(std::string_view name, const Params& params = {}) {
        return run(api_->exec_prepared, name, params);
    }
    void commit() {
        if (!tx_) throw Error(VALORY_ERR_STATE, "sql: transaction already ended");
        valory_error err = makeError();
        valory_status st = api_->commit(self_, std::exchange(tx_, nullptr), &err);
        check(st, err);
    }
    void rollback() noexcept {
        if (tx_) api_->rollback(self_, std::exchange(tx_, nullptr));
    }
    bool open() const noexcept { return tx_ != nullptr; }

  private:
    template <class Fn>
    Result run(Fn fn, std::string_view text, const Params& params) {
        if (!tx_) throw Error(VALORY_ERR_STATE, "sql: transaction already ended");
        auto strs = detail::toStrs(params);
        valory_error err = makeError();
        valory_sql_result* r = nullptr;
        valory_status st = fn(self_, tx_, str(text), strs.data(), strs.size(), 0, &r, &err);
        check(st, err);
        return Result(api_, self_, r);
    }

    const valory_sql_api* api_;
    void* self_;
    valory_sql_tx* tx_;
};

struct Migration {
    int64_t version;
    std::string name;
    std::string sql;
};

struct AppliedMigration {
    int64_t version;
    std::string name;
};

/// The sql/1 service. Copyable; copies share the acquisition, released with the last of them.
class Database : public ServiceFacade<valory_sql_api> {
  public:
    using ServiceFacade::ServiceFacade;

    /// Autocommit statement. flags: VALORY_SQL_STALE_OK, VALORY_SQL_READ_ONLY.
    Result exec(std::string_view sql, const Params& params = {}, uint32_t flags = 0) const {
        return run(api_->exec, sql, params, flags);
    }
    Result execPrepared(std::string_view name, const Params& params = {}, uint32_t flags = 0) const {
        return run(api_->exec_prepared, name, params, flags);
    }
    void prepare(std::string_view name, std::string_view sql) const {
        valory_error err = makeError();
        check(api_->prepare(self_, str(name), str(sql), &err), err);
    }
    Tx begin(uint32_t txFlags = 0) const {
        valory_error err = makeError();
        valory_sql_tx* tx = nullptr;
        check(api_->begin(self_, txFlags, &tx, &err), err);
        return Tx(api_, self_, tx);
    }
    /// Runs fn(Tx&) in a transaction and commits; rolls back on any exception (and rethrows).
    /// With maxAttempts > 1, reruns the whole transaction on VALORY_ERR_RETRYABLE.
    template <class F>
    auto transaction(F&& fn, uint32_t txFlags = 0, int maxAttempts = 1) const {
        for (int attempt = 1;; ++attempt) {
            try {
                Tx tx = begin(txFlags);
                if constexpr (std::is_void_v<std::invoke_result_t<F&, Tx&>>) {
                    fn(tx);
                    tx.commit();
                    return;
                } else {
                    auto value = fn(tx);
                    tx.commit();
                    return value;
                }
            } catch (const Error& e) {
                if (e.status() != VALORY_ERR_RETRYABLE || attempt >= maxAttempts) throw;
            }
        }
    }
    /// Applies the owner's pending migrations; returns those applied by this call.
    std::vector<AppliedMigration> migrate(std::string_view owner, const std::vector<Migration>& set) const {
        std::vector<valory_sql_migration> ms;
        ms.reserve(set.size());
        for (const auto& m : set)
            ms.push_back(
                valory_sql_migration{sizeof(valory_sql_migration), m.version, str(m.name), str(m.sql)});
        std::string text;
        valory_writer w = stringWriter(&text);
        valory_error err = makeError();
        size_t count = 0;
        check(api_->migrate(self_, str(owner), ms.data(), ms.size(), &count, &w, &err), err);
        std::vector<AppliedMigration> out;
        size_t pos = 0;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            if (nl == std::string::npos) nl = text.size();
            std::string_view line(text.data() + pos, nl - pos);
            size_t sp = line.find(' ');
            AppliedMigration a{
                0, std::string(sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1))};
            std::from_chars(line.data(), line.data() + (sp == std::string_view::npos ? line.size() : sp),
                            a.version);
            out.push_back(std::move(a));
            pos = nl + 1;
        }
        return out;
    }

  private:
    template <class Fn>
    Result run(Fn fn, std::string_view text, const Params& params, uint32_t flags) const {
        auto strs = detail::toStrs(params);
        valory_error err = makeError();
        valory_sql_result* r = nullptr;
        check(fn(self_, nullptr, str(text), strs.data(), strs.size(), flags, &r, &err), err);
        return Result(api_, self_, r);
    }
};

}  // namespace valory::sdk::sql
