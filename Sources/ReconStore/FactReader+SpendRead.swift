import Foundation
import Exact
import PGClient
import ReconRules

extension FactReader {
    /// `as_of` (and the partners of the partner programs, as a JSON array) for the `COPY`
    /// statements, which take no parameters: bound here, read back with `current_setting`.
    func bindSettings(partners: [String]? = nil) throws {
        try connection.execute("SELECT set_config('spend_recon.as_of', $1, false)", [asOf.iso8601])
        if let partners {
            let json = String(decoding: try JSONEncoder().encode(partners), as: UTF8.self)
            try connection.execute("SELECT set_config('spend_recon.partners', $1, false)", [json])
        }
        // JIT compilation costs more than it saves on these short, simple scans.
        try connection.execute("SET jit = off")
    }

    /// `as_of` as the statements read it: a scalar subquery, evaluated once per statement.
    static let asOfSetting = "(SELECT current_setting('spend_recon.as_of')::timestamptz)"

    /// The spend read runs as `COPY ... TO STDOUT (FORMAT binary)`: far cheaper per row than a
    /// result per row, and no timestamp or numeric text to produce on the server or parse here.
    /// COPY takes no parameters, so `as_of` is bound through `set_config` and the accounts (with
    /// their spans) go into a temporary table through binary COPY FROM: no value is ever spliced
    /// into the SQL. Returns the query to stream (or explain), whether to run it with the plan
    /// that follows the tables' account order (`withAccountOrderPlan`), and the rows without a
    /// time to read after it when the query leaves them out.
    func prepareSpendRead(_ selection: SpendSelection, knownAccounts: Int) throws -> SpendRead {
        try bindSettings()
        switch selection {
        case .everything:
            return SpendRead(select: SpendStatements.everything)
        case let .wholeAccounts(accounts):
            try loadAccountIDs(accounts, into: .wholeAccounts)
            return SpendRead(select: SpendStatements.wholeAccounts)
        case let .spans(spans, tables):
            var read = try prepareSpanRead(spans, tables: tables, knownAccounts: knownAccounts)
            read.source = tables.source
            return read
        }
    }

    private func prepareSpanRead(_ spans: [AccountSpan], tables: SpendTables, knownAccounts: Int) throws -> SpendRead {
        // The index is built after the rows are in (one sorted build instead of an insert per
        // span), and only the column the plans join on is analysed.
        try connection.executeScript("""
            SET client_min_messages = warning;
            CREATE TEMP TABLE IF NOT EXISTS spend_recon_spans (
                account_id bigint NOT NULL, from_at timestamptz NOT NULL, until_at timestamptz NOT NULL);
            TRUNCATE spend_recon_spans;
            DROP INDEX IF EXISTS spend_recon_spans_account;
            RESET client_min_messages;
            """)
        try connection.copyInBinary("COPY spend_recon_spans FROM STDIN (FORMAT binary)") { writer in
            for entry in spans {
                try writer.beginRow(fields: 3)
                writer.int64(entry.accountID)
                writer.instant(entry.span.from)
                writer.instant(entry.span.until)
            }
        }
        try connection.execute("CREATE UNIQUE INDEX spend_recon_spans_account ON spend_recon_spans (account_id)")
        try connection.execute("ANALYZE spend_recon_spans (account_id)")
        if Self.readsSpansByIndex(accounts: spans.count, known: knownAccounts) {
            if try untimedRowsAreIndexed(tables, accounts: spans.count) {
                return SpendRead(select: SpendStatements.spansInAccountOrder(tables), untimedSelect: SpendStatements.untimed(tables))
            }
            return SpendRead(select: SpendStatements.spansByIndex(tables))
        }
        // Both tables in one statement would still be sorted again after their union, so the
        // index order is only worth following for one table at a time (`SplitSpendRead`).
        if tables != .both, try laidOutByAccount(tables) {
            return SpendRead(select: SpendStatements.spansInAccountOrder(tables), inAccountOrder: true,
                             untimedSelect: SpendStatements.untimed(tables))
        }
        return SpendRead(select: SpendStatements.spansByJoin(tables))
    }

    /// Whether a read of `accounts` spans looks each account up in the `(account_id, time)`
    /// indexes rather than joining one pass over both tables. Once most subjects are final
    /// (every night after the first few), tomorrow costs what is still open, not all of history;
    /// while most accounts are open (the first night) one pass with a hash join is cheaper.
    static func readsSpansByIndex(accounts: Int, known: Int) -> Bool {
        accounts * 2 < known
    }

    /// The plan PostgreSQL chooses for reading `spans` from `tables` (for `spend-recon bench
    /// --plans`): the statement the run would stream, prepared the same way, under EXPLAIN.
    public func explainSpendRead(_ spans: [AccountSpan], knownAccounts: Int, from tables: SpendTables = .both) throws -> [String] {
        let read = try prepareSpendRead(.spans(spans, from: tables), knownAccounts: knownAccounts)
        var lines = try withAccountOrderPlan(read.inAccountOrder) {
            try connection.execute("EXPLAIN " + read.select).rows.map { try $0.decode(0, as: String.self) }
        }
        if let untimed = read.untimedSelect {
            lines.append("-- and then, the rows without a time:")
            lines += try withUntimedRowsPlan {
                try connection.execute("EXPLAIN " + untimed).rows.map { try $0.decode(0, as: String.self) }
            }
        }
        return lines
    }
}

extension FactReader {
    /// A spend read as `prepareSpendRead` prepared it.
    struct SpendRead {
        /// The rows, ordered by account.
        var select: String
        /// Run with `withAccountOrderPlan`.
        var inAccountOrder = false
        /// Read after `select`, when it leaves out the rows without a time or with an infinite
        /// one (which are all rejected): their accounts' rows in no particular order.
        var untimedSelect: String?
        /// The one table read, whose rows then carry no tag column; nil for both (tagged).
        var source: SpendRow.Source?
    }
}
