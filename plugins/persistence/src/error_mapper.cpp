#include "error_mapper.hpp"

#include <pqxx/except>

namespace valory::plugins::persistence {
namespace {

std::string clean(std::string msg) {
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    for (auto& c : msg)
        if (c == '\n') c = ' ';
    return msg;
}

bool brokenOutcomeUnknown(Phase phase) noexcept {
    return phase == Phase::AutocommitWrite || phase == Phase::Commit;
}

}  // namespace

valory_status ErrorMapper::fromSqlState(const std::string& s) noexcept {
    if (s.size() != 5) return VALORY_ERR_INTERNAL;
    const std::string cls = s.substr(0, 2);
    if (s == "23505" || s == "23P01") return VALORY_ERR_CONFLICT;
    if (s == "57014" || s == "55P03") return VALORY_ERR_TIMEOUT;
    if (s == "40001" || s == "40P01") return VALORY_ERR_RETRYABLE;
    if (cls == "08" || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300")
        return VALORY_ERR_UNAVAILABLE;
    if (s == "25P02") return VALORY_ERR_STATE;
    if (cls == "23" || cls == "22" || cls == "42" || s == "26000" || s == "0A000" || cls == "2F") {
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    return VALORY_ERR_INTERNAL;
}

sdk::Error ErrorMapper::map(const std::exception& e, Phase phase) {
    if (auto* err = dynamic_cast<const sdk::Error*>(&e)) return *err;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
        dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
        return sdk::Error(VALORY_ERR_UNKNOWN_OUTCOME,
                          "sql: connection lost while committing; the write may or may not have committed: " +
                              clean(e.what()));
    }
    // libpqxx 6.4 derives these from pqxx::failure, not sql_error: they carry no sqlstate(), so
    // the class is the only way to recognise 40001 / 40P01.
    if (dynamic_cast<const pqxx::serialization_failure*>(&e)) {
        return sdk::Error(VALORY_ERR_RETRYABLE,
                          "sql: " + clean(e.what()) + " [SQLSTATE 40001]; retry the transaction");
    }
    if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) {
        return sdk::Error(VALORY_ERR_RETRYABLE,
                          "sql: " + clean(e.what()) + " [SQLSTATE 40P01]; retry the transaction");
    }
    if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) {
        return sdk::Error(VALORY_ERR_RETRYABLE,
                          "sql: " + clean(e.what()) + " [SQLSTATE 40xxx]; retry the transaction");
    }
    if (dynamic_cast<const pqxx::too_many_connections*>(&e)) {
        return sdk::Error(VALORY_ERR_UNAVAILABLE, "sql: " + clean(e.what()) + " [SQLSTATE 53300]");
    }
    if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
        if (brokenOutcomeUnknown(phase)) {
            return sdk::Error(VALORY_ERR_UNKNOWN_OUTCOME,
                              std::string("sql: connection lost after the ") +
                                  (phase == Phase::Commit ? "COMMIT" : "statement") +
                                  " was sent; it may or may not have committed: " + clean(e.what()));
        }
        return sdk::Error(VALORY_ERR_UNAVAILABLE,
                          "sql: database unavailable (nothing was committed): " + clean(e.what()));
    }
    if (auto* se = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = se->sqlstate();
        valory_status st = fromSqlState(state);
        std::string msg =
            "sql: " + clean(se->what()) + " [SQLSTATE " + (state.empty() ? "none" : state) + "]";
        return sdk::Error(st, msg);
    }
    if (dynamic_cast<const pqxx::usage_error*>(&e) || dynamic_cast<const pqxx::argument_error*>(&e) ||
        dynamic_cast<const pqxx::conversion_error*>(&e) || dynamic_cast<const pqxx::range_error*>(&e)) {
        return sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "sql: " + clean(e.what()));
    }
    return sdk::Error(VALORY_ERR_INTERNAL, "sql: " + clean(e.what()));
}

sdk::Error ErrorMapper::map(const std::exception& e, Phase phase, bool connectionStillOpen) {
    // libpqxx 6.4 turns every class-08 error into broken_connection, even when the server merely
    // refused a message (08P01, e.g. a wrong number of parameters) and the connection is fine.
    if (connectionStillOpen && dynamic_cast<const pqxx::broken_connection*>(&e) &&
        !dynamic_cast<const pqxx::too_many_connections*>(&e)) {
        return sdk::Error(
            VALORY_ERR_INVALID_ARGUMENT,
            "sql: the server refused the statement (protocol error; wrong number of parameters?): " +
                clean(e.what()));
    }
    return map(e, phase);
}

sdk::Error ErrorMapper::mapCurrent(Phase phase) {
    try {
        throw;
    } catch (const std::exception& e) {
        return map(e, phase);
    } catch (...) {
        return sdk::Error(VALORY_ERR_INTERNAL, "sql: unknown exception");
    }
}

bool ErrorMapper::connectionBroken(const std::exception& e) noexcept {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
        dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
        return true;
    }
    if (auto* se = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& s = se->sqlstate();
        return s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" || s == "57P03";
    }
    return false;
}

}  // namespace valory::plugins::persistence
