extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when anything throws.
    public func transaction<R>(_ body: () throws -> R) throws -> R {
        try transaction(begin: "BEGIN", body)
    }

    /// Runs `body` in a REPEATABLE READ transaction: every statement sees the database as of
    /// its first one, whatever commits meanwhile (COMMIT when it returns, ROLLBACK on error).
    public func snapshotTransaction<R>(_ body: () throws -> R) throws -> R {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ", body)
    }

    private func transaction<R>(begin: String, _ body: () throws -> R) throws -> R {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isHealthy { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Takes a session-level advisory lock if it is free; false when another session holds it.
    public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try execute("SELECT pg_try_advisory_lock($1::bigint)", [key])[0].decode(0, as: Bool.self)
    }

    public func advisoryUnlock(_ key: Int64) throws {
        try execute("SELECT pg_advisory_unlock($1::bigint)", [key])
    }

    /// The sessions holding the advisory lock `key`: pid, application name and since when.
    public func advisoryLockHolders(_ key: Int64) throws -> [(pid: Int64, application: String, since: String?)] {
        let sql = """
            SELECT a.pid::bigint, coalesce(a.application_name, ''), a.backend_start::text
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted
              AND l.classid::bigint = (($1::bigint >> 32) & 4294967295)
              AND l.objid::bigint = ($1::bigint & 4294967295) AND l.objsubid = 1
            """
        return try execute(sql, [key]).rows.map {
            (try $0.decode(0, as: Int64.self), try $0.decode(1, as: String.self), try $0.decodeIfPresent(2, as: String.self))
        }
    }

    /// Sets this session's `statement_timeout` (0 disables it).
    public func setStatementTimeout(milliseconds: Int) throws {
        try execute("SELECT set_config('statement_timeout', $1, false)", [String(milliseconds)])
    }
}
