import ReconRules

/// The spend read's statements, each written whole: one per shape of read and per table read
/// (the bills, the top-ups, or both with a `'b'`/`'t'` tag first). `FactReader.prepareSpendRead`
/// picks the shape; the accounts and their spans are in the session's `spend_recon_spans`
/// (copied in), `as_of` is bound with `set_config`, so no value is ever spliced into the SQL.
/// The column lists are the row types' (`BillingRows`).
enum SpendStatements {
    private static let asOf = FactReader.asOfSetting

    /// The first night on tables laid out by account (`withAccountOrderPlan`, one table at a
    /// time): per account, in account order, one range scan of the table's `(account_id, time)`
    /// index over the span, so only the rows inside it are fetched, page after page. Rows
    /// without a time or with an infinite one sort outside every range: `untimed` reads them.
    /// Later nights read it this way too when those rows are indexed
    /// (`FactReader.untimedRowsAreIndexed`). `OFFSET 0` keeps the subquery a subquery: a single
    /// table's would otherwise be pulled up into a hash join over the whole table.
    static func spansInAccountOrder(_ tables: SpendTables) -> String {
        switch tables {
        case .bills:
            return """
                SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (
                    SELECT \(BillingRows.billColumns) FROM billing.billed_spend s
                    WHERE s.account_id = w.account_id
                      AND s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOf)
                    OFFSET 0) x
                ORDER BY w.account_id
                """
        case .topups:
            return """
                SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (
                    SELECT \(BillingRows.topupColumns) FROM billing.topup_consumption s
                    WHERE s.account_id = w.account_id
                      AND s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOf)
                    OFFSET 0) x
                ORDER BY w.account_id
                """
        case .both:
            return """
                SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (
                    SELECT 'b'::text, \(BillingRows.billColumns) FROM billing.billed_spend s
                    WHERE s.account_id = w.account_id
                      AND s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOf)
                    UNION ALL
                    SELECT 't'::text, \(BillingRows.topupColumns) FROM billing.topup_consumption s
                    WHERE s.account_id = w.account_id
                      AND s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOf)
                    OFFSET 0) x
                ORDER BY w.account_id
                """
        }
    }

    /// Later nights: per open account, one probe of the `(account_id, time)` index for the rows
    /// of its span and those without a time (which are rejected).
    static func spansByIndex(_ tables: SpendTables) -> String {
        switch tables {
        case .bills:
            return """
                SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (
                    SELECT \(BillingRows.billColumns) FROM billing.billed_spend s
                    WHERE s.account_id = w.account_id
                      AND ((s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOf))
                           OR s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity'))
                    OFFSET 0) x
                ORDER BY w.account_id
                """
        case .topups:
            return """
                SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (
                    SELECT \(BillingRows.topupColumns) FROM billing.topup_consumption s
                    WHERE s.account_id = w.account_id
                      AND ((s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOf))
                           OR s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity'))
                    OFFSET 0) x
                ORDER BY w.account_id
                """
        case .both:
            return """
                SELECT x.* FROM spend_recon_spans w CROSS JOIN LATERAL (
                    SELECT 'b'::text, \(BillingRows.billColumns) FROM billing.billed_spend s
                    WHERE s.account_id = w.account_id
                      AND ((s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOf))
                           OR s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity'))
                    UNION ALL
                    SELECT 't'::text, \(BillingRows.topupColumns) FROM billing.topup_consumption s
                    WHERE s.account_id = w.account_id
                      AND ((s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOf))
                           OR s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity'))
                    OFFSET 0) x
                ORDER BY w.account_id
                """
        }
    }

    /// The first night on tables not laid out by account: one pass over each table read, joined
    /// to the spans, sorted by account and within it by time (so the job's per-account sort in
    /// time order finds the rows already in order). Rows outside every span are never sent.
    /// Ordered by account, then time: columns 2 and 4, or 3 and 5 after the tag.
    static func spansByJoin(_ tables: SpendTables) -> String {
        switch tables {
        case .bills:
            return """
                SELECT \(BillingRows.billColumns) FROM billing.billed_spend s
                JOIN spend_recon_spans w ON w.account_id = s.account_id
                WHERE ((s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOf))
                       OR s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity'))
                ORDER BY 2, 4
                """
        case .topups:
            return """
                SELECT \(BillingRows.topupColumns) FROM billing.topup_consumption s
                JOIN spend_recon_spans w ON w.account_id = s.account_id
                WHERE ((s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOf))
                       OR s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity'))
                ORDER BY 2, 4
                """
        case .both:
            return """
                SELECT 'b'::text, \(BillingRows.billColumns) FROM billing.billed_spend s
                JOIN spend_recon_spans w ON w.account_id = s.account_id
                WHERE ((s.spend_at >= w.from_at AND s.spend_at < w.until_at AND s.spend_at <= \(asOf))
                       OR s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity'))
                UNION ALL
                SELECT 't'::text, \(BillingRows.topupColumns) FROM billing.topup_consumption s
                JOIN spend_recon_spans w ON w.account_id = s.account_id
                WHERE ((s.consumed_at >= w.from_at AND s.consumed_at < w.until_at AND s.consumed_at <= \(asOf))
                       OR s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity'))
                ORDER BY 3, 5
                """
        }
    }

    /// The rows of the spans' accounts without a time or with an infinite one, which
    /// `spansInAccountOrder` leaves out; read with `withUntimedRowsPlan`.
    static func untimed(_ tables: SpendTables) -> String {
        switch tables {
        case .bills:
            return """
                SELECT \(BillingRows.billColumns) FROM billing.billed_spend s
                WHERE (s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity'))
                  AND s.account_id IN (SELECT account_id FROM spend_recon_spans)
                """
        case .topups:
            return """
                SELECT \(BillingRows.topupColumns) FROM billing.topup_consumption s
                WHERE (s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity'))
                  AND s.account_id IN (SELECT account_id FROM spend_recon_spans)
                """
        case .both:
            return """
                SELECT 'b'::text, \(BillingRows.billColumns) FROM billing.billed_spend s
                WHERE (s.spend_at IS NULL OR s.spend_at IN ('-infinity', 'infinity'))
                  AND s.account_id IN (SELECT account_id FROM spend_recon_spans)
                UNION ALL
                SELECT 't'::text, \(BillingRows.topupColumns) FROM billing.topup_consumption s
                WHERE (s.consumed_at IS NULL OR s.consumed_at IN ('-infinity', 'infinity'))
                  AND s.account_id IN (SELECT account_id FROM spend_recon_spans)
                """
        }
    }

    /// `audit`: every visible bill and top-up, ordered by account.
    static let everything = """
        SELECT 'b'::text, \(BillingRows.billColumns) FROM billing.billed_spend s
        WHERE s.spend_at <= \(asOf) OR s.spend_at IS NULL
        UNION ALL
        SELECT 't'::text, \(BillingRows.topupColumns) FROM billing.topup_consumption s
        WHERE s.consumed_at <= \(asOf) OR s.consumed_at IS NULL
        ORDER BY 3 NULLS FIRST
        """

    /// `explain`: every visible row of the accounts in `spend_recon_accounts`, by index.
    static let wholeAccounts = """
        SELECT x.* FROM spend_recon_accounts w CROSS JOIN LATERAL (
            SELECT 'b'::text, \(BillingRows.billColumns) FROM billing.billed_spend s
            WHERE s.account_id = w.account_id AND (s.spend_at <= \(asOf) OR s.spend_at IS NULL)
            UNION ALL
            SELECT 't'::text, \(BillingRows.topupColumns) FROM billing.topup_consumption s
            WHERE s.account_id = w.account_id AND (s.consumed_at <= \(asOf) OR s.consumed_at IS NULL)
        ) x
        ORDER BY w.account_id
        """
}
