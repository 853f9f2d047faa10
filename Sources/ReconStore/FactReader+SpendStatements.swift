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

    /// Casts pin each column to the type its binary decoder expects, whatever the deployment's
    /// view declares; `as_of` is a scalar subquery, evaluated once per statement.
    static let asOfSetting = "(SELECT current_setting('spend_recon.as_of')::timestamptz)"

    /// An account's columns, in the order `rawAccount` decodes them.
    static let accountColumns = """
        account_id::int8, country::text, currency::text, origin::text, status::text, policy_violation::bool,
                     safety_flagged::bool, payment_mode::text, registered_at::timestamptz, first_cash_at::timestamptz
        """

    static let accountsCopy = """
        COPY (SELECT \(accountColumns)
              FROM billing.ad_accounts WHERE registered_at <= \(asOfSetting) OR registered_at IS NULL
        ) TO STDOUT (FORMAT binary)
        """

    static let integrationsCopy = """
        COPY (SELECT integration_id::int8, partner::text, merchant_id::text, store_country::text, account_id::int8,
                     account_created_via_integration::bool, set_up_at::timestamptz, first_campaign_at::timestamptz
              FROM billing.partner_integrations
              WHERE (set_up_at <= \(asOfSetting) OR set_up_at IS NULL)
                AND (partner IS NULL OR partner = ANY (ARRAY(
                         SELECT jsonb_array_elements_text(current_setting('spend_recon.partners')::jsonb))))
        ) TO STDOUT (FORMAT binary)
        """

    static let codesCopy = """
        COPY (SELECT code::text, program_id::text, recipient_account_id::int8, received_at::timestamptz,
                     activated_by_account_id::int8, activated_at::timestamptz, cash_balance_at_activation::text
              FROM billing.promo_codes WHERE received_at <= \(asOfSetting) OR received_at IS NULL
        ) TO STDOUT (FORMAT binary)
        """

    /// An enrolment's columns, in the order `rawEnrollment` decodes them.
    static let enrollmentColumns = "account_id::int8, promotion::text, enrolled_at::timestamptz"

    static let enrollmentsCopy = """
        COPY (SELECT \(enrollmentColumns) FROM billing.promotion_enrollments
              WHERE enrolled_at <= \(asOfSetting) OR enrolled_at IS NULL
        ) TO STDOUT (FORMAT binary)
        """

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
            return SpendRead(select: Self.allSpendSelect)
        case let .wholeAccounts(accounts):
            try loadAccountIDs(accounts, into: .wholeAccounts)
            return SpendRead(select: Self.wholeAccountsSelect)
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
                return SpendRead(select: Self.spansInAccountOrderSelect(tables), untimedSelect: Self.untimedSelect(tables))
            }
            return SpendRead(select: Self.spansByIndexSelect(tables))
        }
        // Both tables in one statement would still be sorted again after their union, so the
        // index order is only worth following for one table at a time (`SplitSpendRead`).
        if tables != .both, try laidOutByAccount(tables) {
            return SpendRead(select: Self.spansInAccountOrderSelect(tables), inAccountOrder: true,
                             untimedSelect: Self.untimedSelect(tables))
        }
        return SpendRead(select: Self.spansByJoinSelect(tables))
    }

    /// Whether a read of `accounts` spans looks each account up in the `(account_id, time)`
    /// indexes rather than joining one pass over both tables. Once most subjects are final
    /// (every night after the first few), tomorrow costs what is still open, not all of history;
    /// while most accounts are open (the first night) one pass with a hash join is cheaper.
    static func readsSpansByIndex(accounts: Int, known: Int) -> Bool {
        accounts * 2 < known
    }

    /// Every visible bill and top-up, ordered by account (`audit`). A bill's `paid_at` after
    /// `as_of` reads as unpaid. `as_of` is read in a scalar subquery, which PostgreSQL evaluates
    /// once per statement (an InitPlan) rather than parsing the setting's text again on every row.
    static let allSpendSelect = """
        SELECT 'b'::text, bill_id::int8, account_id::int8, currency::text, spend_at::timestamptz, amount::numeric,
               tax_amount::numeric, credit_amount::numeric,
               CASE WHEN paid_at <= \(asOfSetting) THEN paid_at::timestamptz END
        FROM billing.billed_spend
        WHERE (spend_at <= \(asOfSetting) OR spend_at IS NULL)
        UNION ALL
        SELECT 't'::text, consumption_id::int8, account_id::int8, currency::text, consumed_at::timestamptz,
               amount::numeric, tax_amount::numeric, credit_amount::numeric, NULL::timestamptz
        FROM billing.topup_consumption
        WHERE (consumed_at <= \(asOfSetting) OR consumed_at IS NULL)
        ORDER BY 3 NULLS FIRST
        """

    /// The columns of a bill and a top-up, `s` being the row, in a read of `tables`: a read of
    /// both starts each row with a `'b'`/`'t'` tag, a read of one table (each of the night's two
    /// readers) has none, its rows' source being known (one text column less to send and read
    /// per row: `SpendRead.source`).
    static func billColumns(_ tables: SpendTables) -> String { (tables == .both ? "'b'::text, " : "") + billFields }
    static func topupColumns(_ tables: SpendTables) -> String { (tables == .both ? "'t'::text, " : "") + topupFields }

    static let billFields = """
        s.bill_id::int8, s.account_id::int8, s.currency::text, s.spend_at::timestamptz, s.amount::numeric,
        s.tax_amount::numeric, s.credit_amount::numeric, CASE WHEN s.paid_at <= \(asOfSetting) THEN s.paid_at::timestamptz END
        """
    static let topupFields = """
        s.consumption_id::int8, s.account_id::int8, s.currency::text, s.consumed_at::timestamptz,
        s.amount::numeric, s.tax_amount::numeric, s.credit_amount::numeric, NULL::timestamptz
        """

    /// A row of `billing.billed_spend` / `billing.topup_consumption` (`s`) timed inside its
    /// account's span (`w`) and by `as_of`.
    static let billInRange = "s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOfSetting)"
    static let topupInRange = "s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOfSetting)"
    /// A row without a time or with an infinite one (read to be rejected).
    static let billUntimed = "s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity')"
    static let topupUntimed = "s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity')"
    /// Either: what a span read asks for.
    static let billInSpan = "((\(billInRange)) OR \(billUntimed))"
    static let topupInSpan = "((\(topupInRange)) OR \(topupUntimed))"

    /// The first night on tables laid out by account (`withAccountOrderPlan`, one table at a
    /// time): per account, in account order, one range scan of the table's `(account_id, time)`
    /// index over the span, so that only the rows inside it are fetched from the table (the
    /// rows of an account are next to each other, so the fetches go page after page). Rows
    /// without a time or with an infinite one sort outside every range: `untimedSelect` reads
    /// them, once for the whole table. (A merge join with the span as its filter would fetch
    /// every row to test it.)
    static func spansInAccountOrderSelect(_ tables: SpendTables) -> String {
        perSpan(tables, bills: billInRange, topups: topupInRange)
    }

    /// The rows of the spans' accounts without a time or with an infinite one, which
    /// `spansInAccountOrderSelect` leaves out; read with `withUntimedRowsPlan`.
    static func untimedSelect(_ tables: SpendTables) -> String {
        let bills = """
            SELECT \(billColumns(tables)) FROM billing.billed_spend s
            WHERE (\(billUntimed)) AND s.account_id IN (SELECT account_id FROM spend_recon_spans)
            """
        let topups = """
            SELECT \(topupColumns(tables)) FROM billing.topup_consumption s
            WHERE (\(topupUntimed)) AND s.account_id IN (SELECT account_id FROM spend_recon_spans)
            """
        return unionAll(tables, bills: bills, topups: topups)
    }

    /// The first night on tables not laid out by account: one pass over each table read, joined
    /// to the spans, sorted by account and within it by time (so that the job's per-account sort
    /// in time order finds the rows already in order). Rows outside every span are never sent
    /// (about half of them on the benchmark's data).
    static func spansByJoinSelect(_ tables: SpendTables) -> String {
        let bills = """
            SELECT \(billColumns(tables)) FROM billing.billed_spend s JOIN spend_recon_spans w ON w.account_id = s.account_id
            WHERE \(billInSpan)
            """
        let topups = """
            SELECT \(topupColumns(tables)) FROM billing.topup_consumption s JOIN spend_recon_spans w ON w.account_id = s.account_id
            WHERE \(topupInSpan)
            """
        // By account, then time: columns 3 and 5 after the tag, 2 and 4 without it.
        return unionAll(tables, bills: bills, topups: topups) + (tables == .both ? "\nORDER BY 3, 5" : "\nORDER BY 2, 4")
    }

    /// Later nights: per open account, an index range scan on `(account_id, time)` over its span.
    static func spansByIndexSelect(_ tables: SpendTables) -> String {
        perSpan(tables, bills: billInSpan, topups: topupInSpan)
    }

    /// Per span in account order, the rows of its account that `bills` / `topups` (conditions on
    /// `s` and `w`) select, by the `(account_id, time)` index.
    private static func perSpan(_ tables: SpendTables, bills: String, topups: String) -> String {
        let bills = """
            SELECT \(billColumns(tables)) FROM billing.billed_spend s
            WHERE s.account_id = w.account_id AND \(bills)
            """
        let topups = """
            SELECT \(topupColumns(tables)) FROM billing.topup_consumption s
            WHERE s.account_id = w.account_id AND \(topups)
            """
        // `OFFSET 0` keeps the subquery a subquery: a single table's would otherwise be pulled up
        // into a plain join, which the planner turns into a hash join over the whole table.
        return "SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (\n" + unionAll(tables, bills: bills, topups: topups)
            + "\nOFFSET 0) x\nORDER BY w.account_id"
    }

    /// The statements of the tables asked for, as one.
    private static func unionAll(_ tables: SpendTables, bills: String, topups: String) -> String {
        switch tables {
        case .both: return bills + "\nUNION ALL\n" + topups
        case .bills: return bills
        case .topups: return topups
        }
    }

    /// `explain`: every visible row of the listed accounts, by index.
    static let wholeAccountsSelect = """
        SELECT x.* FROM spend_recon_accounts w CROSS JOIN LATERAL (
            SELECT \(billColumns(.both)) FROM billing.billed_spend s
            WHERE s.account_id = w.account_id AND (s.spend_at <= \(asOfSetting) OR s.spend_at IS NULL)
            UNION ALL
            SELECT \(topupColumns(.both)) FROM billing.topup_consumption s
            WHERE s.account_id = w.account_id AND (s.consumed_at <= \(asOfSetting) OR s.consumed_at IS NULL)
        ) x
        ORDER BY w.account_id
        """

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
