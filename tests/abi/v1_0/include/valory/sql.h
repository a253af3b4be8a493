/* Valory SDK — service `sql/1`: PostgreSQL for plugins (provided by the `persistence` plugin).
 *
 * Acquire it as ("sql", 1, 0) and declare it in the manifest's `requires`. All SQL is
 * parameterised: statements use $1..$n placeholders and parameters travel as text, never spliced
 * into the SQL string.
 *
 * Parameters: an array of valory_str. `data == NULL` means SQL NULL; `data != NULL, size == 0` is
 * the empty string. Text parameters must not contain NUL bytes (PostgreSQL text cannot).
 *
 * Connections: each call without a transaction borrows a pooled connection for the call only
 * (autocommit). begin() pins one connection until commit()/rollback(). Calls flagged
 * VALORY_SQL_STALE_OK may be served by a read replica (if configured) and may miss writes made
 * moments ago by any host; everything else goes to the primary (read-your-writes).
 *
 * Error categories (valory_error.status; the message carries the SQLSTATE as "[SQLSTATE xxxxx]"
 * when the server sent one):
 *  - VALORY_ERR_CONFLICT          unique violation (23505), exclusion violation (23P01).
 *  - VALORY_ERR_INVALID_ARGUMENT  the caller's data or SQL: check/not-null/foreign-key violations
 *                                 (23xxx), data exceptions (22xxx), syntax/undefined objects (42xxx),
 *                                 wrong parameter count, unknown prepared statement name.
 *  - VALORY_ERR_TIMEOUT           statement timeout / query canceled (57014), lock timeout (55P03).
 *  - VALORY_ERR_RETRYABLE         serialization failure (40001), deadlock (40P01): the transaction
 *                                 was rolled back; run it again from the start.
 *  - VALORY_ERR_UNAVAILABLE       the database could not be reached or went away, and the outcome
 *                                 is known: nothing was committed (connect failure, broken
 *                                 connection before a statement was sent, inside an explicit
 *                                 transaction before commit, or on a call flagged read-only),
 *                                 08xxx, 57P01-57P03, 53300 (too many connections), and no pooled
 *                                 connection free within the acquire timeout (the message says
 *                                 "timed out"; nothing was sent, so a retry is safe).
 *  - VALORY_ERR_UNKNOWN_OUTCOME   the connection broke after an autocommit write or a COMMIT was
 *                                 sent: it may or may not have committed. Never a success, never
 *                                 a clean failure; the caller must check (idempotent retry or read).
 *  - VALORY_ERR_STATE             migrations pending and auto_migrate is off; transaction misuse.
 *  - VALORY_ERR_INTERNAL          anything else (the message says what).
 *
 * Memory: results are owned by the provider until result_release(); every valory_str obtained
 * from a result stays valid until then. Results do not pin a connection.
 */
#ifndef VALORY_SQL_H
#define VALORY_SQL_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_SQL_SERVICE "sql"
#define VALORY_SQL_MAJOR 1
#define VALORY_SQL_MINOR 0

typedef struct valory_sql_result valory_sql_result; /* opaque: one statement's result */
typedef struct valory_sql_tx valory_sql_tx;         /* opaque: one open transaction */

/* Call flags (bit set). Unknown bits are rejected with VALORY_ERR_INVALID_ARGUMENT. */
enum {
    VALORY_SQL_STALE_OK = 1u << 0, /* a read replica may serve this read (implies READ_ONLY) */
    VALORY_SQL_READ_ONLY = 1u << 1 /* the statement writes nothing: a broken connection during
                                      it is VALORY_ERR_UNAVAILABLE, not UNKNOWN_OUTCOME */
};

/* Transaction flags for begin(). */
enum {
    VALORY_SQL_TX_READ_COMMITTED = 0, /* default isolation */
    VALORY_SQL_TX_REPEATABLE_READ = 1u << 0,
    VALORY_SQL_TX_SERIALIZABLE = 1u << 1,
    VALORY_SQL_TX_READ_ONLY = 1u << 2, /* BEGIN ... READ ONLY */
    VALORY_SQL_TX_STALE_OK = 1u << 3   /* read-only transaction a replica may serve */
};

/* One migration of an owner's set. Versions are positive, unique within the owner and applied
 * in ascending order, each in its own transaction. In the array passed to migrate(), elements
 * are `struct_size` bytes apart (all equal to the first's), so the struct can grow. The checksum is computed
 * by the provider over `sql`; an applied version whose SQL changed is refused (VALORY_ERR_CONFLICT). */
typedef struct valory_sql_migration {
    uint32_t struct_size;
    int64_t version;
    valory_str name; /* short human description, e.g. "create users" */
    valory_str sql;  /* one or more statements, no parameters */
} valory_sql_migration;

typedef struct valory_sql_api {
    uint32_t struct_size;

    /* Executes one statement with $n text parameters. `tx` NULL = autocommit on a pooled
     * connection; otherwise runs inside that transaction (flags STALE_OK is then ignored).
     * On success *result receives a result (also for statements returning no rows).
     * Required: yes. Ownership: sql and params borrowed; *result owned by the caller until
     * result_release(). Threads: any; one tx is used by one thread at a time. Since: 1.0 */
    valory_status (*exec)(void* self, valory_sql_tx* tx, valory_str sql, const valory_str* params,
                          size_t param_count, uint32_t flags, valory_sql_result** result, valory_error* err);

    /* Declares a named prepared statement for every pooled connection (prepared lazily on each).
     * Re-declaring a name with the same SQL is a no-op; with different SQL it fails with
     * VALORY_ERR_CONFLICT. Names are shared by all consumers: prefix them with your plugin id.
     * Required: yes. Ownership: name and sql copied. Threads: any. Since: 1.0 */
    valory_status (*prepare)(void* self, valory_str name, valory_str sql, valory_error* err);

    /* Executes a statement declared with prepare(); otherwise as exec(). Unknown name:
     * VALORY_ERR_INVALID_ARGUMENT. Required: yes. Ownership: as exec(). Threads: any. Since: 1.0 */
    valory_status (*exec_prepared)(void* self, valory_sql_tx* tx, valory_str name, const valory_str* params,
                                   size_t param_count, uint32_t flags, valory_sql_result** result,
                                   valory_error* err);

    /* Starts a transaction on a connection pinned until commit() or rollback().
     * Required: yes. Ownership: *tx owned by the caller; it must end with exactly one commit() or
     * rollback(). Threads: any. Since: 1.0 */
    valory_status (*begin)(void* self, uint32_t tx_flags, valory_sql_tx** tx, valory_error* err);

    /* Commits and frees `tx` (whatever the outcome). A broken connection while committing is
     * VALORY_ERR_UNKNOWN_OUTCOME. After a failed statement the transaction is aborted and commit()
     * rolls back and reports VALORY_ERR_STATE. Required: yes. Ownership: tx invalid afterwards.
     * Threads: the thread using tx. Since: 1.0 */
    valory_status (*commit)(void* self, valory_sql_tx* tx, valory_error* err);

    /* Rolls back and frees `tx`; never fails from the caller's point of view (a broken
     * connection rolls back by itself). Required: yes. Ownership: tx invalid afterwards.
     * Threads: the thread using tx. Since: 1.0 */
    void (*rollback)(void* self, valory_sql_tx* tx);

    /* Result accessors. Rows and columns are 0-based; out-of-range indexes return 0 / an empty
     * string / non-zero is_null. Values are PostgreSQL's text representation.
     * Required: yes. Ownership: returned strings valid until result_release(). Threads: any
     * (a result is immutable). Since: 1.0 */
    size_t (*result_rows)(void* self, const valory_sql_result* result);
    size_t (*result_columns)(void* self, const valory_sql_result* result);
    valory_str (*result_column_name)(void* self, const valory_sql_result* result, size_t column);
    int32_t (*result_is_null)(void* self, const valory_sql_result* result, size_t row, size_t column);
    valory_str (*result_value)(void* self, const valory_sql_result* result, size_t row, size_t column);
    /* Rows affected by INSERT/UPDATE/DELETE (and rows of SELECT); 0 when not applicable. */
    uint64_t (*result_affected)(void* self, const valory_sql_result* result);

    /* Frees a result. NULL is a no-op. Required: yes. Ownership: result invalid afterwards.
     * Threads: any. Since: 1.0 */
    void (*result_release)(void* self, valory_sql_result* result);

    /* Applies `owner`'s pending migrations (call it from your own start()). Records applied
     * versions with checksums in the provider's table; each migration runs in one transaction
     * under pg_advisory_xact_lock(owner), so concurrent hosts apply each version once.
     * Fails with VALORY_ERR_CONFLICT if an applied version's checksum or name changed (nothing
     * applied), VALORY_ERR_STATE if migrations are pending and the admin turned auto_migrate off
     * (message says to run `valory-host run persistence migrate`), VALORY_ERR_UNAVAILABLE when the
     * database is down. In check run mode nothing is applied (pending ones are only reported).
     * *applied_count (may be NULL) receives how many were applied by this call; `applied`
     * (may be NULL) receives one line "<version> <name>\n" per applied migration.
     * Required: yes. Ownership: all inputs borrowed. Threads: any (normally the control thread,
     * in start()). Since: 1.0 */
    valory_status (*migrate)(void* self, valory_str owner, const valory_sql_migration* migrations,
                             size_t migration_count, size_t* applied_count, valory_writer* applied,
                             valory_error* err);
} valory_sql_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_SQL_H */
