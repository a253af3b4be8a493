// Maps libpqxx exceptions to sql/1 error categories (valory_status + message with the SQLSTATE).
#pragma once

#include <exception>
#include <string>

#include "valory/cpp/error.hpp"

namespace valory::plugins::persistence {

/// Where the failure happened: decides whether a broken connection means "nothing happened"
/// (unavailable) or "a write may have committed" (unknown outcome).
enum class Phase {
    Connect,          // acquiring / opening a connection: nothing was sent
    InTransaction,    // a statement inside an explicit transaction: it rolls back by itself
    AutocommitRead,   // autocommit statement flagged read-only / stale_ok
    AutocommitWrite,  // autocommit statement that may write
    Commit            // COMMIT was sent
};

class ErrorMapper {
  public:
    /// Category of a SQLSTATE the server sent (five characters).
    static valory_status fromSqlState(const std::string& sqlstate) noexcept;
    /// Converts any exception thrown by libpqxx (or by us) into an sdk::Error.
    static sdk::Error map(const std::exception& e, Phase phase);
    /// map() for a failure on a connection that is still open afterwards (libpq status OK): a
    /// "broken_connection" then was a server-refused message, not a lost connection.
    static sdk::Error map(const std::exception& e, Phase phase, bool connectionStillOpen);
    /// map() of the exception being handled (call inside a catch block).
    static sdk::Error mapCurrent(Phase phase);
    /// True when the connection the exception came from must be discarded.
    static bool connectionBroken(const std::exception& e) noexcept;
};

}  // namespace valory::plugins::persistence
