#include "sql_service.hpp"

#include <cstring>
#include <mutex>
#include <vector>

#include <pqxx/pqxx>
#include <pqxx/strconv>

#include "error_mapper.hpp"
#include "valory/cpp/error.hpp"

namespace valory::plugins::persistence {
/// One text parameter as libpqxx sees it: NULL when data is NULL.
struct TextParam {
    valory_str s;
};
}  // namespace valory::plugins::persistence

namespace pqxx {
template <>
struct string_traits<valory::plugins::persistence::TextParam> {
    using T = valory::plugins::persistence::TextParam;
    static constexpr const char* name() noexcept { return "valory_str"; }
    static constexpr bool has_null() noexcept { return true; }
    static bool is_null(const T& t) { return t.s.data == nullptr; }
    static T null() { return T{valory_str{nullptr, 0}}; }
    static std::string to_string(const T& t) { return std::string(t.s.data, t.s.size); }
};
}  // namespace pqxx

namespace valory::plugins::persistence {
namespace {

constexpr uint32_t kKnownFlags = VALORY_SQL_STALE_OK | VALORY_SQL_READ_ONLY;
constexpr uint32_t kKnownTxFlags = VALORY_SQL_TX_REPEATABLE_READ | VALORY_SQL_TX_SERIALIZABLE |
                                   VALORY_SQL_TX_READ_ONLY | VALORY_SQL_TX_STALE_OK;

std::vector<TextParam> toParams(const valory_str* params, size_t count) {
    if (count && !params) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: params is NULL but count > 0");
    std::vector<TextParam> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        if (params[i].data && std::memchr(params[i].data, '\0', params[i].size)) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: parameter $" + std::to_string(i + 1) +
                                                              " contains a NUL byte (not valid in text)");
        }
        out.push_back(TextParam{params[i]});
    }
    return out;
}

}  // namespace

SqlService::SqlService(std::shared_ptr<ConnectionPool> primary, std::shared_ptr<ConnectionPool> replica,
                       bool autoMigrate, MigrateMode mode)
    : primary_(std::move(primary)), replica_(std::move(replica)), migrator_(*primary_, autoMigrate, mode) {}

ConnectionPool::Lease SqlService::leaseFor(bool staleOk) {
    if (staleOk && replica_) {
        try {
            return replica_->acquire();
        } catch (const sdk::Error& e) {
            if (e.status() != VALORY_ERR_UNAVAILABLE) throw;
            // Replica down: the primary can serve a stale_ok read too.
        }
    }
    return primary_->acquire();
}

void SqlService::prepare(std::string_view name, std::string_view sql) {
    if (name.empty()) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: prepared statement name is empty");
    if (sql.empty()) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: prepared statement SQL is empty");
    std::unique_lock lock(preparedMutex_);
    auto [it, inserted] = prepared_.try_emplace(std::string(name), std::string(sql));
    if (!inserted && it->second != sql) {
        throw sdk::Error(VALORY_ERR_CONFLICT, "sql: prepared statement '" + std::string(name) +
                                                  "' already declared with different SQL");
    }
}

namespace {
/// Times one statement for the observer (success or failure).
template <class F>
pqxx::result observed(const SqlService::StatementObserver& observer, F&& body) {
    if (!observer) return body();
    const auto t0 = std::chrono::steady_clock::now();
    auto took = [&] {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    };
    try {
        pqxx::result r = body();
        observer(took(), true);
        return r;
    } catch (...) {
        observer(took(), false);
        throw;
    }
}
}  // namespace

pqxx::result SqlService::exec(valory_sql_tx* tx, std::string_view sql, const valory_str* params, size_t count,
                              uint32_t flags) {
    return observed(observer_, [&] { return run(tx, sql, params, count, flags, false); });
}

pqxx::result SqlService::execPrepared(valory_sql_tx* tx, std::string_view name, const valory_str* params,
                                      size_t count, uint32_t flags) {
    return observed(observer_, [&] { return run(tx, name, params, count, flags, true); });
}

pqxx::result SqlService::run(valory_sql_tx* tx, std::string_view text, const valory_str* params, size_t count,
                             uint32_t flags, bool prepared) {
    if (flags & ~kKnownFlags) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: unknown flags");
    if (text.empty()) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: empty statement");
    const std::vector<TextParam> args = toParams(params, count);
    const std::string* preparedSql = nullptr;
    std::string name;
    if (prepared) {
        name.assign(text);
        std::shared_lock lock(preparedMutex_);
        auto it = prepared_.find(name);
        if (it == prepared_.end()) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: no prepared statement named '" + name + "'");
        }
        preparedSql = &it->second;  // map nodes are stable and never erased
    }

    auto execute = [&](pqxx::nontransaction& w, PooledConnection& pc) {
        if (prepared) {
            if (pc.prepared.insert(name).second) pc.conn->prepare(name, *preparedSql);
            return w.exec_prepared(name, pqxx::prepare::make_dynamic_params(args));
        }
        return w.exec_params(std::string(text), pqxx::prepare::make_dynamic_params(args));
    };

    if (tx) {
        if (tx->failed || !tx->work) {
            throw sdk::Error(
                VALORY_ERR_STATE,
                "sql: the transaction was aborted by an earlier error; roll it back (or commit, which "
                "rolls back)");
        }
        try {
            return execute(*tx->work, tx->lease.pooled());
        } catch (const std::exception& e) {
            tx->failed = true;
            const bool open = tx->lease.conn().is_open();
            if (ErrorMapper::connectionBroken(e) && !open) tx->lease.markBroken();
            throw ErrorMapper::map(e, Phase::InTransaction, open);
        }
    }

    const bool staleOk = (flags & VALORY_SQL_STALE_OK) != 0;
    const bool readOnly = staleOk || (flags & VALORY_SQL_READ_ONLY) != 0;
    for (int attempt = 0;; ++attempt) {
        ConnectionPool::Lease lease = leaseFor(staleOk);
        std::unique_ptr<pqxx::nontransaction> w;  // destroyed before the lease is returned
        try {
            w = std::make_unique<pqxx::nontransaction>(lease.conn());
        } catch (const std::exception& e) {
            lease.markBroken();
            if (attempt == 0) continue;  // nothing was sent: one more try on another connection
            throw ErrorMapper::map(e, Phase::Connect);
        }
        try {
            return execute(*w, lease.pooled());
        } catch (const std::exception& e) {
            // (A failed PREPARE is retried by libpqxx on the statement's next use on this connection.)
            const bool open = lease.conn().is_open();
            if (ErrorMapper::connectionBroken(e) && !open) lease.markBroken();
            throw ErrorMapper::map(e, readOnly ? Phase::AutocommitRead : Phase::AutocommitWrite, open);
        }
    }
}

std::unique_ptr<valory_sql_tx> SqlService::begin(uint32_t txFlags) {
    if (txFlags & ~kKnownTxFlags)
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: unknown transaction flags");
    const bool staleOk = (txFlags & VALORY_SQL_TX_STALE_OK) != 0;
    std::string sql = "BEGIN ISOLATION LEVEL ";
    if (txFlags & VALORY_SQL_TX_SERIALIZABLE) {
        sql += "SERIALIZABLE";
    } else if (txFlags & VALORY_SQL_TX_REPEATABLE_READ) {
        sql += "REPEATABLE READ";
    } else {
        sql += "READ COMMITTED";
    }
    if (staleOk || (txFlags & VALORY_SQL_TX_READ_ONLY)) sql += " READ ONLY";

    auto tx = std::make_unique<valory_sql_tx>();
    tx->lease = leaseFor(staleOk);
    try {
        tx->work = std::make_unique<pqxx::nontransaction>(tx->lease.conn());
        tx->work->exec(sql);
    } catch (const std::exception& e) {
        if (ErrorMapper::connectionBroken(e)) tx->lease.markBroken();
        tx->work.reset();
        throw ErrorMapper::map(e, Phase::Connect);
    }
    return tx;
}

void SqlService::commit(std::unique_ptr<valory_sql_tx> tx) {
    if (!tx) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: commit of a NULL transaction");
    if (tx->failed) {
        rollback(std::move(tx));
        throw sdk::Error(VALORY_ERR_STATE,
                         "sql: the transaction was aborted by an earlier error and has been rolled back");
    }
    try {
        tx->work->exec("COMMIT");
    } catch (const std::exception& e) {
        if (ErrorMapper::connectionBroken(e) && !tx->lease.conn().is_open()) {
            tx->lease.markBroken();
        } else {
            // The server refused the COMMIT (e.g. serialization failure, deferred constraint):
            // it rolled back. Make sure the session is clean before the connection is reused.
            try {
                tx->work->exec("ROLLBACK");
            } catch (const std::exception&) {
                tx->lease.markBroken();
            }
        }
        tx->work.reset();
        throw ErrorMapper::map(e, Phase::Commit);
    }
    tx->work.reset();
}

void SqlService::rollback(std::unique_ptr<valory_sql_tx> tx) noexcept {
    if (!tx) return;
    if (tx->work) {
        try {
            tx->work->exec("ROLLBACK");
        } catch (const std::exception&) {
            tx->lease.markBroken();  // the server rolls back by itself when the connection drops
        }
    }
    tx->work.reset();
}

// ---- C vtable --------------------------------------------------------------------------------

namespace {

SqlService& svc(void* self) {
    return *static_cast<SqlService*>(self);
}
std::string_view view(valory_str s) {
    return {s.data ? s.data : "", s.size};
}

valory_status exitResult(pqxx::result r, valory_sql_result** out) {
    if (!out) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: result pointer is NULL");
    *out = new valory_sql_result{std::move(r)};
    return VALORY_OK;
}

valory_str fieldStr(const pqxx::field& f) {
    return valory_str{f.c_str(), f.size()};
}

const valory_sql_api kApi = {
    sizeof(valory_sql_api),
    // exec
    [](void* self, valory_sql_tx* tx, valory_str sql, const valory_str* params, size_t n, uint32_t flags,
       valory_sql_result** out, valory_error* err) -> valory_status {
        if (out) *out = nullptr;
        return sdk::guarded(err,
                            [&] { return exitResult(svc(self).exec(tx, view(sql), params, n, flags), out); });
    },
    // prepare
    [](void* self, valory_str name, valory_str sql, valory_error* err) -> valory_status {
        return sdk::guarded(err, [&] { svc(self).prepare(view(name), view(sql)); });
    },
    // exec_prepared
    [](void* self, valory_sql_tx* tx, valory_str name, const valory_str* params, size_t n, uint32_t flags,
       valory_sql_result** out, valory_error* err) -> valory_status {
        if (out) *out = nullptr;
        return sdk::guarded(
            err, [&] { return exitResult(svc(self).execPrepared(tx, view(name), params, n, flags), out); });
    },
    // begin
    [](void* self, uint32_t flags, valory_sql_tx** tx, valory_error* err) -> valory_status {
        if (tx) *tx = nullptr;
        return sdk::guarded(err, [&] {
            if (!tx) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: tx pointer is NULL");
            *tx = svc(self).begin(flags).release();
        });
    },
    // commit
    [](void* self, valory_sql_tx* tx, valory_error* err) -> valory_status {
        return sdk::guarded(err, [&] { svc(self).commit(std::unique_ptr<valory_sql_tx>(tx)); });
    },
    // rollback
    [](void* self, valory_sql_tx* tx) { svc(self).rollback(std::unique_ptr<valory_sql_tx>(tx)); },
    // result_rows
    [](void*, const valory_sql_result* r) -> size_t { return r ? static_cast<size_t>(r->r.size()) : 0; },
    // result_columns
    [](void*, const valory_sql_result* r) -> size_t { return r ? static_cast<size_t>(r->r.columns()) : 0; },
    // result_column_name
    [](void*, const valory_sql_result* r, size_t c) -> valory_str {
        if (!r || c >= static_cast<size_t>(r->r.columns())) return valory_str{"", 0};
        return valory_str_from(r->r.column_name(static_cast<pqxx::row::size_type>(c)));
    },
    // result_is_null
    [](void*, const valory_sql_result* r, size_t row, size_t c) -> int32_t {
        if (!r || row >= static_cast<size_t>(r->r.size()) || c >= static_cast<size_t>(r->r.columns()))
            return 1;
        return r->r[static_cast<pqxx::result::size_type>(row)][static_cast<pqxx::row::size_type>(c)].is_null()
                   ? 1
                   : 0;
    },
    // result_value
    [](void*, const valory_sql_result* r, size_t row, size_t c) -> valory_str {
        if (!r || row >= static_cast<size_t>(r->r.size()) || c >= static_cast<size_t>(r->r.columns())) {
            return valory_str{"", 0};
        }
        return fieldStr(
            r->r[static_cast<pqxx::result::size_type>(row)][static_cast<pqxx::row::size_type>(c)]);
    },
    // result_affected
    [](void*, const valory_sql_result* r) -> uint64_t {
        if (!r) return 0;
        const auto n = r->r.affected_rows();
        return n > 0 ? static_cast<uint64_t>(n) : static_cast<uint64_t>(r->r.size());
    },
    // result_release
    [](void*, valory_sql_result* r) { delete r; },
    // migrate
    [](void* self, valory_str owner, const valory_sql_migration* ms, size_t n, size_t* appliedCount,
       valory_writer* appliedOut, valory_error* err) -> valory_status {
        if (appliedCount) *appliedCount = 0;
        return sdk::guarded(err, [&] {
            if (n && !ms)
                throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "migrate: migrations is NULL but count > 0");
            std::vector<MigrationSpec> set;
            set.reserve(n);
            // Elements are struct_size bytes apart, so a caller built against a later minor (with a
            // larger struct) is read correctly.
            const size_t stride = n ? ms[0].struct_size : 0;
            if (n && stride < sizeof(valory_sql_migration)) {
                throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                                 "migrate: struct_size of valory_sql_migration too small");
            }
            const char* base = reinterpret_cast<const char*>(ms);
            for (size_t i = 0; i < n; ++i) {
                const auto* m = reinterpret_cast<const valory_sql_migration*>(base + i * stride);
                set.push_back({m->version, std::string(view(m->name)), std::string(view(m->sql))});
            }
            auto applied = svc(self).migrate(std::string(view(owner)), std::move(set));
            if (appliedCount) *appliedCount = applied.size();
            if (appliedOut && appliedOut->write) {
                for (const auto& a : applied) {
                    std::string line = std::to_string(a.version) + " " + a.name + "\n";
                    appliedOut->write(appliedOut->ctx, line.data(), line.size());
                }
            }
        });
    },
};

}  // namespace

const valory_sql_api* SqlService::vtable() noexcept {
    return &kApi;
}

}  // namespace valory::plugins::persistence
