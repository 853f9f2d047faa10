import Exact
import PGClient
import ReconRules

/// Reads the `billing` input as of an instant, in bulk: a handful of queries per run, never one
/// per subject. Rows timed after `asOf` are not read at all (they have not happened yet); a
/// payment, activation, first cash or campaign after `asOf` is read as null by the rules.
public struct FactReader {
    let connection: Connection
    let asOf: Instant

    public init(connection: Connection, asOf: Instant) {
        self.connection = connection
        self.asOf = asOf
    }

    public func readSubjects(programs: [Program]) throws -> Facts {
        var facts = Facts()
        try connection.stream("""
            SELECT account_id, country, currency, origin, status, policy_violation, safety_flagged,
                   payment_mode, registered_at, first_cash_at
            FROM billing.ad_accounts WHERE registered_at <= $1 OR registered_at IS NULL
            """, [asOf]) { row in
            let raw = RawAccount(
                accountID: try row.decodeIfPresent(0), country: try row.decodeIfPresent(1), currency: try row.decodeIfPresent(2),
                origin: try row.decodeIfPresent(3), status: try row.decodeIfPresent(4), policyViolation: try row.decodeIfPresent(5),
                safetyFlagged: try row.decodeIfPresent(6), paymentMode: try row.decodeIfPresent(7),
                registeredAt: try row.decodeIfPresent(8), firstCashAt: try row.decodeIfPresent(9))
            switch InputValidation.account(raw) {
            case let .success(account): facts.accounts.add(account)
            case let .failure(error):
                facts.rejections.append(error.rejection)
                if let id = raw.accountID { facts.accounts.markRejected(id) }
            }
        }
        let partners = Array(Set(programs.filter { $0.kind == .partnerSpendMatch }.flatMap(\.partners))).sorted()
        try connection.stream("""
            SELECT integration_id, partner, merchant_id, store_country, account_id,
                   account_created_via_integration, set_up_at, first_campaign_at
            FROM billing.partner_integrations
            WHERE (set_up_at <= $1 OR set_up_at IS NULL) AND (partner = ANY($2::text[]) OR partner IS NULL)
            """, [asOf, partners]) { row in
            let raw = RawIntegration(
                integrationID: try row.decodeIfPresent(0), partner: try row.decodeIfPresent(1), merchantID: try row.decodeIfPresent(2),
                storeCountry: try row.decodeIfPresent(3), accountID: try row.decodeIfPresent(4),
                accountCreatedViaIntegration: try row.decodeIfPresent(5), setUpAt: try row.decodeIfPresent(6),
                firstCampaignAt: try row.decodeIfPresent(7))
            collect(InputValidation.integration(raw, accounts: facts.accounts), into: &facts.integrations, &facts.rejections)
        }
        let promoPrograms = Set(programs.filter { $0.kind == .promoCodeSpendMatch }.map(\.id))
        try connection.stream("""
            SELECT code, program_id, recipient_account_id, received_at, activated_by_account_id, activated_at,
                   cash_balance_at_activation::text
            FROM billing.promo_codes WHERE received_at <= $1 OR received_at IS NULL
            """, [asOf]) { row in
            let raw = RawPromoCode(
                code: try row.decodeIfPresent(0), programID: try row.decodeIfPresent(1), recipientAccountID: try row.decodeIfPresent(2),
                receivedAt: try row.decodeIfPresent(3), activatedByAccountID: try row.decodeIfPresent(4),
                activatedAt: try row.decodeIfPresent(5), cashBalanceAtActivation: try row.decodeIfPresent(6))
            collect(InputValidation.promoCode(raw, accounts: facts.accounts, programIDs: promoPrograms),
                    into: &facts.codes, &facts.rejections)
        }
        var enrollments: [Enrollment] = []
        try connection.stream("""
            SELECT account_id, promotion, enrolled_at FROM billing.promotion_enrollments
            WHERE enrolled_at <= $1 OR enrolled_at IS NULL
            """, [asOf]) { row in
            let raw = RawEnrollment(accountID: try row.decodeIfPresent(0), promotion: try row.decodeIfPresent(1),
                                    enrolledAt: try row.decodeIfPresent(2))
            collect(InputValidation.enrollment(raw, accounts: facts.accounts), into: &enrollments, &facts.rejections)
        }
        facts.enrollments = Dictionary(grouping: enrollments, by: \.accountID)
        return facts
    }

    /// Streams every visible bill and top-up ordered by account, validated, and hands each
    /// account's valid rows to `body` in one piece; rejected rows go to `reject`. Memory holds one
    /// account's rows at a time. Only accounts in `wanted` are buffered; the others are validated
    /// (so their bad rows are still recorded) and dropped.
    /// With `onlyAccounts`, only those accounts' rows are read (`explain`, and later nights once
    /// most subjects are final).
    public func streamSpend(accounts: AccountLookup, wanted: Set<Int64>, onlyAccounts: [Int64]? = nil,
                            reject: (Rejection, RawSpendRow) throws -> Void,
                            body: (_ accountID: Int64, _ rows: [SpendRow]) throws -> Void) throws {
        var current: Int64?
        var buffer: [SpendRow] = []
        func flush() throws {
            if let current, wanted.contains(current) { try body(current, buffer) }
            buffer.removeAll(keepingCapacity: true)
        }
        try prepareSpendRead(onlyAccounts: onlyAccounts)
        try connection.copyOutBinary(onlyAccounts == nil ? Self.allSpendCopy : Self.openSpendCopy) { row in
            let raw = RawSpendRow(
                source: try row.byte(0) == UInt8(ascii: "b") ? .bill : .topup, id: try row.int64(1),
                accountID: try row.int64(2), currency: try row.text(3), at: try row.instant(4),
                amount: try row.decimal(5), tax: try row.decimal(6), credit: try row.decimal(7), paidAt: try row.instant(8))
            if raw.accountID != current {
                try flush()
                current = raw.accountID
            }
            switch InputValidation.spendRow(raw, accounts: accounts) {
            case let .success(spend): if wanted.contains(spend.accountID) { buffer.append(spend) }
            case let .failure(error): try reject(error.rejection, raw)
            }
        }
        try flush()
    }
}

extension FactReader {
    /// The spend read runs as `COPY ... TO STDOUT (FORMAT binary)`: far cheaper per row than a
    /// result per row, and no timestamp or numeric text to produce on the server or parse here.
    /// COPY takes no parameters, so `as_of` is bound through `set_config` and the accounts to
    /// read go into a temporary table through COPY FROM: no value is ever spliced into the SQL.
    func prepareSpendRead(onlyAccounts: [Int64]?) throws {
        try connection.execute("SELECT set_config('spend_recon.as_of', $1, false)", [asOf.iso8601])
        // JIT compilation costs more than it saves on these scans (measured: see docs/PERFORMANCE.md).
        try connection.execute("SET jit = off")
        guard let onlyAccounts else { return }
        try connection.executeScript("""
            SET client_min_messages = warning;
            CREATE TEMP TABLE IF NOT EXISTS spend_recon_accounts (account_id bigint PRIMARY KEY);
            TRUNCATE spend_recon_accounts;
            RESET client_min_messages;
            """)
        try connection.copyIn("COPY spend_recon_accounts FROM STDIN") { writer in
            for account in onlyAccounts { try writer.appendRow([String(account)]) }
        }
        try connection.execute("ANALYZE spend_recon_accounts")
    }

    /// Every visible bill and top-up, ordered by account. A bill's `paid_at` after `as_of` reads
    /// as unpaid. `as_of` is read in a scalar subquery, which PostgreSQL evaluates once per
    /// statement (an InitPlan) rather than parsing the setting's text again on every row
    /// (measured: the later nights' read took 45% less).
    static let allSpendSelect = """
        SELECT 'b'::text, bill_id::int8, account_id::int8, currency::text, spend_at::timestamptz, amount::numeric,
               tax_amount::numeric, credit_amount::numeric,
               CASE WHEN paid_at <= (SELECT current_setting('spend_recon.as_of')::timestamptz) THEN paid_at::timestamptz END
        FROM billing.billed_spend
        WHERE (spend_at <= (SELECT current_setting('spend_recon.as_of')::timestamptz) OR spend_at IS NULL)
        UNION ALL
        SELECT 't'::text, consumption_id::int8, account_id::int8, currency::text, consumed_at::timestamptz,
               amount::numeric, tax_amount::numeric, credit_amount::numeric, NULL::timestamptz
        FROM billing.topup_consumption
        WHERE (consumed_at <= (SELECT current_setting('spend_recon.as_of')::timestamptz) OR consumed_at IS NULL)
        ORDER BY 3 NULLS FIRST
        """

    static let allSpendCopy = "COPY (\(allSpendSelect)) TO STDOUT (FORMAT binary)"

    /// The rows of the accounts in `spend_recon_accounts`, account by account: one index range
    /// scan per account on `(account_id, spend_at)` instead of a pass over all of history.
    static let openSpendSelect = """
        SELECT x.* FROM spend_recon_accounts w CROSS JOIN LATERAL (
            SELECT 'b'::text, bill_id::int8, account_id::int8, currency::text, spend_at::timestamptz, amount::numeric,
                   tax_amount::numeric, credit_amount::numeric,
                   CASE WHEN paid_at <= (SELECT current_setting('spend_recon.as_of')::timestamptz) THEN paid_at::timestamptz END
            FROM billing.billed_spend b
            WHERE b.account_id = w.account_id
              AND (spend_at <= (SELECT current_setting('spend_recon.as_of')::timestamptz) OR spend_at IS NULL)
            UNION ALL
            SELECT 't'::text, consumption_id::int8, account_id::int8, currency::text, consumed_at::timestamptz,
                   amount::numeric, tax_amount::numeric, credit_amount::numeric, NULL::timestamptz
            FROM billing.topup_consumption t
            WHERE t.account_id = w.account_id
              AND (consumed_at <= (SELECT current_setting('spend_recon.as_of')::timestamptz) OR consumed_at IS NULL)
        ) x
        ORDER BY w.account_id
        """
    static let openSpendCopy = "COPY (\(openSpendSelect)) TO STDOUT (FORMAT binary)"

    /// The plan PostgreSQL chooses for the spend read of a later night (the accounts with a
    /// subject still open), for `spend-recon bench --plans`.
    public static func explainSpendRead(connection: Connection, asOf: Instant) throws -> [String] {
        let open = try connection.execute("""
            SELECT coalesce(array_agg(DISTINCT account_id ORDER BY account_id), '{}') FROM recon.subject_status WHERE NOT final
            """)[0].decode(0, as: [Int64].self)
        let reader = FactReader(connection: connection, asOf: asOf)
        try reader.prepareSpendRead(onlyAccounts: open)
        return try connection.execute("EXPLAIN " + openSpendSelect).rows
            .map { try $0.decode(0, as: String.self) }
    }
}

private func collect<T>(_ outcome: InputValidation.Outcome<T>, into values: inout [T], _ rejections: inout [Rejection]) {
    switch outcome {
    case let .success(value): values.append(value)
    case let .failure(error): rejections.append(error.rejection)
    }
}
