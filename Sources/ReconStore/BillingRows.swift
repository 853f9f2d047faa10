import PGClient
import ReconRules

/// Each `billing` row type's columns beside the decoder that reads them, in the same order:
/// the one column list every SELECT of that type interpolates (`FactStatements`,
/// `SpendStatements`). Casts pin each column to the type its binary decoder expects, whatever
/// the deployment's view declares.
enum BillingRows {
    static let accountColumns = """
        account_id::int8, country::text, currency::text, origin::text, status::text, policy_violation::bool,
        safety_flagged::bool, payment_mode::text, registered_at::timestamptz, first_cash_at::timestamptz
        """

    static func account(_ row: BinaryCopyRow) throws -> RawAccount {
        RawAccount(
            accountID: try row.int64(0), country: try row.text(1), currency: try row.text(2), origin: try row.text(3),
            status: try row.text(4), policyViolation: try row.bool(5), safetyFlagged: try row.bool(6),
            paymentMode: try row.text(7), registeredAt: try row.instant(8), firstCashAt: try row.instant(9))
    }

    static let integrationColumns = """
        integration_id::int8, partner::text, merchant_id::text, store_country::text, account_id::int8,
        account_created_via_integration::bool, set_up_at::timestamptz, first_campaign_at::timestamptz
        """

    static func integration(_ row: BinaryCopyRow) throws -> RawIntegration {
        RawIntegration(
            integrationID: try row.int64(0), partner: try row.text(1), merchantID: try row.text(2),
            storeCountry: try row.text(3), accountID: try row.int64(4), accountCreatedViaIntegration: try row.bool(5),
            setUpAt: try row.instant(6), firstCampaignAt: try row.instant(7))
    }

    static let codeColumns = """
        code::text, program_id::text, recipient_account_id::int8, received_at::timestamptz,
        activated_by_account_id::int8, activated_at::timestamptz, cash_balance_at_activation::text
        """

    static func code(_ row: BinaryCopyRow) throws -> RawPromoCode {
        RawPromoCode(
            code: try row.text(0), programID: try row.text(1), recipientAccountID: try row.int64(2),
            receivedAt: try row.instant(3), activatedByAccountID: try row.int64(4), activatedAt: try row.instant(5),
            cashBalanceAtActivation: try row.text(6))
    }

    static let enrollmentColumns = "account_id::int8, promotion::text, enrolled_at::timestamptz"

    static func enrollment(_ row: BinaryCopyRow) throws -> RawEnrollment {
        RawEnrollment(accountID: try row.int64(0), promotion: try row.text(1), enrolledAt: try row.instant(2))
    }

    /// A bill (`s`) as a spend row; a payment after `as_of` reads as unpaid. A read of both
    /// tables puts a `'b'` tag before these; a read of the bills alone has none (one text
    /// column less to send and read per row).
    static let billColumns = """
        s.bill_id::int8, s.account_id::int8, s.currency::text, s.spend_at::timestamptz, s.amount::numeric,
        s.tax_amount::numeric, s.credit_amount::numeric,
        CASE WHEN s.paid_at <= \(FactReader.asOfSetting) THEN s.paid_at::timestamptz END
        """

    /// A top-up consumption (`s`) as a spend row, with no payment time; tagged `'t'` in a read
    /// of both tables.
    static let topupColumns = """
        s.consumption_id::int8, s.account_id::int8, s.currency::text, s.consumed_at::timestamptz,
        s.amount::numeric, s.tax_amount::numeric, s.credit_amount::numeric, NULL::timestamptz
        """

    /// A row of `billColumns` or `topupColumns`: after a `'b'`/`'t'` tag, or without one from a
    /// read of the one table `source`. The fast path (`plainSpendRow`) reads the same columns.
    static func spendRow(_ row: BinaryCopyRow, source: SpendRow.Source?) throws -> RawSpendRow {
        let first = source == nil ? 1 : 0
        return RawSpendRow(
            source: try source ?? (row.byte(0) == UInt8(ascii: "b") ? .bill : .topup), id: try row.int64(first),
            accountID: try row.int64(first + 1), currency: try row.text(first + 2), at: try row.instant(first + 3),
            amount: try row.decimal(first + 4), tax: try row.decimal(first + 5), credit: try row.decimal(first + 6),
            paidAt: try row.instant(first + 7))
    }

    /// A credit application (`a`), as settling reads it after the outbox entry's columns.
    static let creditApplicationColumns = """
        a.application_id::int8, a.credit_ref::text, a.account_id::int8, a.currency::text, a.amount::numeric,
        a.applied_at::timestamptz, a.reversed_at::timestamptz
        """

    /// The `creditApplicationColumns` starting at column `first`.
    static func creditApplication(_ row: BinaryCopyRow, from first: Int) throws -> RawCreditApplication {
        RawCreditApplication(
            applicationID: try row.int64(first), creditRef: try row.text(first + 1), accountID: try row.int64(first + 2),
            currency: try row.text(first + 3), amount: try row.decimal(first + 4), appliedAt: try row.instant(first + 5),
            reversedAt: try row.instant(first + 6))
    }
}
