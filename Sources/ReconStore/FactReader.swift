import Foundation
import Exact
import PGClient
import ReconRules

/// Reads the `billing` input as of an instant, in bulk: a handful of queries per run, never one
/// per subject. Rows timed after `asOf` are not read at all (they have not happened yet); a
/// payment, activation, first cash or campaign after `asOf` is read as null by the rules.
public struct FactReader {
    let connection: Connection
    let asOf: Instant
    /// The planner's cost per account read under which a later night reads the rows without a
    /// time at once rather than probing each account for them (`untimedRowsAreIndexed`).
    var untimedReadCostPerAccount: Int64 = 4

    public init(connection: Connection, asOf: Instant) {
        self.connection = connection
        self.asOf = asOf
    }

    /// Accounts, integrations of the programs' partners, codes and enrolments visible as of
    /// `asOf`, validated. Each table is one binary `COPY` (a platform has hundreds of thousands of
    /// accounts and integrations, and a result object per row cost a later night a third of its
    /// time); `as_of` and the partner list are bound through `set_config`.
    public func readSubjects(programs: [Program]) throws -> Facts {
        var facts = Facts()
        try bindSettings(partners: Self.partners(of: programs))
        try readAccounts(Self.accountsCopy, into: &facts)
        var partner = RepeatedText()
        try connection.copyOutBinary(Self.integrationsCopy) { row in
            collect(InputValidation.integration(try Self.rawIntegration(row, partner: &partner), accounts: facts.accounts),
                    into: &facts.integrations, &facts.rejections)
        }
        // Growing by doubling leaves up to half the array spare; a platform has 200,000 of these.
        facts.integrations = facts.integrations.withUnsafeBufferPointer { Array($0) }
        let promoPrograms = Self.promoProgramIDs(programs)
        try connection.copyOutBinary(Self.codesCopy) { row in
            collect(InputValidation.promoCode(try Self.rawCode(row), accounts: facts.accounts, programIDs: promoPrograms),
                    into: &facts.codes, &facts.rejections)
        }
        try readEnrollments(Self.enrollmentsCopy, into: &facts)
        return facts
    }

    /// Accounts from `sql` (the columns of `accountsCopy`), validated into `facts`.
    func readAccounts(_ sql: String, into facts: inout Facts) throws {
        try connection.copyOutBinary(sql) { row in Self.add(try Self.rawAccount(row), to: &facts) }
        facts.accounts.shrinkToFit()
    }

    /// An account row validated into `facts`: the account, or its rejection (and its id marked
    /// rejected, so that rows of that account are not also rejected as of an unknown account).
    static func add(_ raw: RawAccount, to facts: inout Facts) {
        switch InputValidation.account(raw) {
        case let .success(account): facts.accounts.add(account)
        case let .failure(error):
            facts.rejections.append(error.rejection)
            if let id = raw.accountID { facts.accounts.markRejected(id) }
        }
    }

    /// A row of `accountColumns`.
    static func rawAccount(_ row: BinaryCopyRow) throws -> RawAccount {
        RawAccount(
            accountID: try row.int64(0), country: try row.text(1), currency: try row.text(2), origin: try row.text(3),
            status: try row.text(4), policyViolation: try row.bool(5), safetyFlagged: try row.bool(6),
            paymentMode: try row.text(7), registeredAt: try row.instant(8), firstCashAt: try row.instant(9))
    }

    /// Enrolments from `sql` (the columns of `enrollmentsCopy`), validated into `facts`.
    func readEnrollments(_ sql: String, into facts: inout Facts) throws {
        var raws: [RawEnrollment] = []
        try connection.copyOutBinary(sql) { row in raws.append(try Self.rawEnrollment(row)) }
        Self.validate(enrollments: raws, into: &facts)
    }

    /// Enrolment rows validated against `facts.accounts`, into `facts`, grouped by account.
    static func validate<Raws: Sequence<RawEnrollment>>(enrollments raws: Raws, into facts: inout Facts) {
        var enrollments: [Enrollment] = []
        for raw in raws {
            collect(InputValidation.enrollment(raw, accounts: facts.accounts), into: &enrollments, &facts.rejections)
        }
        facts.enrollments = Dictionary(grouping: enrollments, by: \.accountID)
    }

    /// A row of `enrollmentColumns`.
    static func rawEnrollment(_ row: BinaryCopyRow) throws -> RawEnrollment {
        RawEnrollment(accountID: try row.int64(0), promotion: try row.text(1), enrolledAt: try row.instant(2))
    }

    /// A row of `integrationsCopy`, its partner's text kept from the row before when the bytes
    /// are the same.
    static func rawIntegration(_ row: BinaryCopyRow, partner: inout RepeatedText) throws -> RawIntegration {
        RawIntegration(
            integrationID: try row.int64(0), partner: try partner.text(row, 1), merchantID: try row.text(2),
            storeCountry: try row.text(3), accountID: try row.int64(4), accountCreatedViaIntegration: try row.bool(5),
            setUpAt: try row.instant(6), firstCampaignAt: try row.instant(7))
    }

    /// The planner's estimate of `table`'s rows (0 for a view, or a table never analysed), at
    /// most ten million: for sizing an array before a read.
    func estimatedRows(of table: String) throws -> Int {
        let estimate = try connection.execute("""
            SELECT coalesce((SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = to_regclass($1)), 0)
            """, [table]).rows.first?.decode(0, as: Int64.self) ?? 0
        return Int(min(estimate, 10_000_000))
    }

    static func rawCode(_ row: BinaryCopyRow) throws -> RawPromoCode {
        RawPromoCode(
            code: try row.text(0), programID: try row.text(1), recipientAccountID: try row.int64(2),
            receivedAt: try row.instant(3), activatedByAccountID: try row.int64(4), activatedAt: try row.instant(5),
            cashBalanceAtActivation: try row.text(6))
    }

    static func promoProgramIDs(_ programs: [Program]) -> Set<String> {
        Set(programs.filter { $0.kind == .promoCodeSpendMatch }.map(\.id))
    }

    /// Streams the selected bills and top-ups ordered by account, validated, and hands each
    /// account's valid rows to `body` in one piece; rejected rows go to `reject`. Memory holds one
    /// account's rows at a time. Every row read is validated, so a bad row among them is always
    /// recorded; rows the selection leaves out are not read at all.
    public func streamSpend(accounts: AccountLookup, knownAccounts: Int? = nil, _ selection: SpendSelection,
                            reject: (Rejection, RawSpendRow) throws -> Void,
                            body: (_ accountID: Int64, _ rows: [SpendRow]) throws -> Void) throws {
        var current: Int64?
        var buffer: [SpendRow] = []
        func flush() throws {
            if let current, !buffer.isEmpty { try body(current, buffer) }
            buffer.removeAll(keepingCapacity: true)
        }
        let keepsRows = selection.keepsRows
        var cache = SpendRowAccountCache()
        let read = try prepareSpendRead(selection, knownAccounts: knownAccounts ?? accounts.count)
        try withAccountOrderPlan(read.inAccountOrder) {
            try connection.copyOutBinary("COPY (\(read.select)) TO STDOUT (FORMAT binary)") { row in
                if let plain = Self.plainSpendRow(row, source: read.source, accounts: accounts, cache: &cache) {
                    if plain.accountID != current {
                        try flush()
                        current = plain.accountID
                    }
                    if keepsRows { buffer.append(plain) }
                    return
                }
                let raw = try Self.rawSpendRow(row, source: read.source)
                if raw.accountID != current {
                    try flush()
                    current = raw.accountID
                }
                switch InputValidation.spendRow(raw, accounts: accounts, cache: &cache) {
                case let .success(spend): if keepsRows { buffer.append(spend) }
                case let .failure(error): try reject(error.rejection, raw)
                }
            }
        }
        try flush()
        if let untimed = read.untimedSelect {
            // Rows without a time are always rejected, whatever their account's order, and count
            // for nothing: read after the others, so the first spend row comes sooner (this read
            // was a step of its own before the stream on both readers).
            try withUntimedRowsPlan {
                try connection.copyOutBinary("COPY (\(untimed)) TO STDOUT (FORMAT binary)") { row in
                    let raw = try Self.rawSpendRow(row, source: read.source)
                    guard case let .failure(error) = InputValidation.spendRow(raw, accounts: accounts, cache: &cache) else {
                        throw DataError("a spend row without a time passed validation")
                    }
                    try reject(error.rejection, raw)
                }
            }
        }
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

    /// A spend row that plainly keeps the contract, built straight from the wire: every
    /// required value there, its currency's bytes those of its account's currency, its amounts
    /// plain non-negative numbers with no more decimals than the currency has, tax and credit
    /// within the amount. Nil when any of that does not hold, for `rawSpendRow` and
    /// `InputValidation.spendRow` to judge: they accept exactly the rows this accepts, with the
    /// same values, and reject the rest with their reasons (`PlainSpendRowTests`). Most rows
    /// are plain, and building the intermediate `RawSpendRow` (a string, three decimal readings)
    /// for each was most of the reading threads' own work.
    static func plainSpendRow(_ row: BinaryCopyRow, source known: SpendRow.Source?, accounts: AccountLookup,
                              cache: inout SpendRowAccountCache) -> SpendRow? {
        let first = known == nil ? 1 : 0
        let source: SpendRow.Source
        if let known {
            source = known
        } else {
            switch try? row.byte(0) {
            case UInt8(ascii: "b"): source = .bill
            case UInt8(ascii: "t"): source = .topup
            default: return nil
            }
        }
        guard let id = try? row.int64(first), let accountID = try? row.int64(first + 1),
              let currency = cache.currency(of: accountID, in: accounts),
              (try? row.text(first + 2, equals: currency.code)) == true,
              let at = try? row.instant(first + 3),
              let amount = row.plainMinorUnits(first + 4, exponent: currency.exponent),
              let tax = row.plainMinorUnits(first + 5, exponent: currency.exponent),
              let credit = row.plainMinorUnits(first + 6, exponent: currency.exponent),
              case let (taxAndCredit, false) = tax.addingReportingOverflow(credit), taxAndCredit <= amount
        else { return nil }
        let paidAt: Instant?   // NULL (unpaid, or a top-up's) is plain too
        do { paidAt = try row.instant(first + 7) } catch { return nil }
        return SpendRow(source: source, id: id, accountID: accountID, at: at, amount: amount, tax: tax, credit: credit,
                        paidAt: source == .bill ? paidAt : nil)
    }

    /// A row of every spend read's columns: after a `'b'`/`'t'` tag, or without one from a read
    /// of the one table `source`.
    static func rawSpendRow(_ row: BinaryCopyRow, source: SpendRow.Source?) throws -> RawSpendRow {
        let first = source == nil ? 1 : 0
        return RawSpendRow(
            source: try source ?? (row.byte(0) == UInt8(ascii: "b") ? .bill : .topup), id: try row.int64(first),
            accountID: try row.int64(first + 1), currency: try row.text(first + 2), at: try row.instant(first + 3),
            amount: try row.decimal(first + 4), tax: try row.decimal(first + 5), credit: try row.decimal(first + 6),
            paidAt: try row.instant(first + 7))
    }
}

/// Which spend rows a read asks the database for.
public enum SpendSelection {
    /// Each listed account's rows timed inside its span (and its rows without a time or with an
    /// infinite one, which are rejected): what the rules can look at (`SpendSpan`), from both
    /// tables or from one of them (`SplitSpendRead`). The nightly run and reruns.
    case spans([AccountSpan], from: SpendTables = .both)
    /// Every row of the listed accounts, whenever timed: `explain` shows them all.
    case wholeAccounts([Int64])
    /// Every visible row of `billing`, validated and dropped: `audit`.
    case everything

    var keepsRows: Bool {
        if case .everything = self { return false }
        return true
    }
}

/// Which of the two spend tables a span read asks for.
public enum SpendTables: Sendable {
    case both
    case bills
    case topups

    var readsBills: Bool { self != .topups }
    /// The one table read, or nil for both.
    var source: SpendRow.Source? {
        switch self {
        case .both: return nil
        case .bills: return .bill
        case .topups: return .topup
        }
    }
    var readsTopups: Bool { self != .bills }
}

/// One account and the span of spend time its subjects' rules can look at.
public struct AccountSpan: Sendable, Equatable {
    public var accountID: Int64
    public var span: SpendSpan

    public init(accountID: Int64, span: SpendSpan) {
        self.accountID = accountID
        self.span = span
    }
}

extension FactReader {
    /// `as_of` (and the partners of the partner programs, as a JSON array) for the `COPY`
    /// statements, which take no parameters: bound here, read back with `current_setting`.
    func bindSettings(partners: [String]? = nil) throws {
        try connection.execute("SELECT set_config('spend_recon.as_of', $1, false)", [asOf.iso8601])
        if let partners {
            let json = String(decoding: try JSONEncoder().encode(partners), as: UTF8.self)
            try connection.execute("SELECT set_config('spend_recon.partners', $1, false)", [json])
        }
        // JIT compilation costs more than it saves on these scans (measured: see docs/PERFORMANCE.md).
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
        // The index is built after the rows are in (one sorted build instead of 195,000
        // inserts into it: 78 ms against 107 ms for the first night's spans), and only the
        // column the plans join on is analysed.
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
    /// once per statement (an InitPlan) rather than parsing the setting's text again on every row
    /// (measured: the later nights' read took 45% less).
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
    /// them, once for the whole table. Measured against the merge join with the span as its
    /// filter, which fetched every row to test it (session 8 to 10): docs/PERFORMANCE.md.
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

func collect<T>(_ outcome: InputValidation.Outcome<T>, into values: inout [T], _ rejections: inout [Rejection]) {
    switch outcome {
    case let .success(value): values.append(value)
    case let .failure(error): rejections.append(error.rejection)
    }
}

/// A session's temporary table of account ids that a read joins to.
enum AccountIDTable {
    /// `explain`'s accounts (`FactReader.wholeAccountsSelect`).
    case wholeAccounts
    /// A later night's needed accounts (`FactReader+Unsettled`).
    case factAccounts

    /// The table's name and columns: constants of this file, never outside values.
    var name: String {
        switch self {
        case .wholeAccounts: return "spend_recon_accounts"
        case .factAccounts: return "spend_recon_fact_accounts"
        }
    }
}

extension FactReader {
    /// Empties `table` (creating it in this session if needed) and copies `ids` in.
    /// The ids must be distinct; the table has no key, so the copy maintains no index.
    func loadAccountIDs<IDs: Sequence<Int64>>(_ ids: IDs, into table: AccountIDTable) throws {
        try connection.executeScript("""
            SET client_min_messages = warning;
            CREATE TEMP TABLE IF NOT EXISTS \(table.name) (account_id bigint NOT NULL);
            TRUNCATE \(table.name);
            RESET client_min_messages;
            """)
        try connection.copyInBinary("COPY \(table.name) FROM STDIN (FORMAT binary)") { writer in
            for id in ids {
                try writer.beginRow(fields: 1)
                writer.int64(id)
            }
        }
        // No `ANALYZE`: both tables are only ever the driving side of a hashed `IN` or of a
        // nested loop, which the planner picks from the table's size in pages alone (checked
        // with EXPLAIN at 30,000 ids), and analysing them took 5 ms of a later night's chain.
    }
}
