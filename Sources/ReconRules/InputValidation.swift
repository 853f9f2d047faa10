import Exact

/// SPEC section 2: a row with a null where a value is required, a negative money value,
/// tax + credit > amount, more decimals than the currency allows, a currency other than the
/// account's, an unknown currency or an unknown account is rejected. The first problem found is
/// the one recorded.
public enum InputValidation {
    public typealias Outcome<T> = Result<T, RejectionError>

    /// Wraps a `Rejection` so it can travel in a `Result`.
    public struct RejectionError: Error, Equatable {
        public let rejection: Rejection
    }

    static func reject<T>(_ table: String, _ key: String, _ problem: String) -> Outcome<T> {
        .failure(RejectionError(rejection: Rejection(table: table, key: key, problem: problem)))
    }

    static func key(_ id: Int64?) -> String { id.map(String.init) ?? "null" }

    public static func account(_ raw: RawAccount) -> Outcome<Account> {
        let table = "ad_accounts"
        let key = key(raw.accountID)
        guard let id = raw.accountID else { return reject(table, key, "null_account_id") }
        guard let country = raw.country else { return reject(table, key, "null_country") }
        guard let code = raw.currency else { return reject(table, key, "null_currency") }
        guard let currency = Currency(code: code) else { return reject(table, key, "unknown_currency") }
        guard let origin = raw.origin else { return reject(table, key, "null_origin") }
        guard let status = raw.status else { return reject(table, key, "null_status") }
        guard let violation = raw.policyViolation else { return reject(table, key, "null_policy_violation") }
        guard let flagged = raw.safetyFlagged else { return reject(table, key, "null_safety_flagged") }
        guard let paymentMode = raw.paymentMode else { return reject(table, key, "null_payment_mode") }
        guard let registeredAt = raw.registeredAt else { return reject(table, key, "null_registered_at") }
        return .success(Account(id: id, country: country, currency: currency, origin: origin, status: status,
                                policyViolation: violation, safetyFlagged: flagged, paymentMode: paymentMode,
                                registeredAt: registeredAt, firstCashAt: raw.firstCashAt))
    }

    public static func integration(_ raw: RawIntegration, accounts: AccountLookup) -> Outcome<Integration> {
        let table = "partner_integrations"
        let key = key(raw.integrationID)
        guard let id = raw.integrationID else { return reject(table, key, "null_integration_id") }
        guard let partner = raw.partner else { return reject(table, key, "null_partner") }
        guard let merchant = raw.merchantID else { return reject(table, key, "null_merchant_id") }
        guard let storeCountry = raw.storeCountry else { return reject(table, key, "null_store_country") }
        guard let accountID = raw.accountID else { return reject(table, key, "null_account_id") }
        guard let viaIntegration = raw.accountCreatedViaIntegration else {
            return reject(table, key, "null_account_created_via_integration")
        }
        guard let setUpAt = raw.setUpAt else { return reject(table, key, "null_set_up_at") }
        if let problem = accounts.problem(accountID) { return reject(table, key, problem) }
        return .success(Integration(id: id, partner: partner, merchantID: merchant, storeCountry: storeCountry,
                                    accountID: accountID, accountCreatedViaIntegration: viaIntegration,
                                    setUpAt: setUpAt, firstCampaignAt: raw.firstCampaignAt))
    }

    public static func promoCode(_ raw: RawPromoCode, accounts: AccountLookup, programIDs: Set<String>) -> Outcome<PromoCode> {
        let table = "promo_codes"
        let key = raw.code ?? "null"
        guard let code = raw.code else { return reject(table, key, "null_code") }
        guard let programID = raw.programID else { return reject(table, key, "null_program_id") }
        guard programIDs.contains(programID) else { return reject(table, key, "unknown_program") }
        guard let recipient = raw.recipientAccountID else { return reject(table, key, "null_recipient_account_id") }
        guard let receivedAt = raw.receivedAt else { return reject(table, key, "null_received_at") }
        if raw.activatedAt != nil, raw.activatedByAccountID == nil {
            return reject(table, key, "null_activated_by_account_id")
        }
        if let problem = accounts.problem(recipient) { return reject(table, key, problem) }
        var balance: ExactDecimal?
        if let text = raw.cashBalanceAtActivation {
            guard let parsed = try? ExactDecimal(parsing: text) else {
                return reject(table, key, "malformed_cash_balance_at_activation")
            }
            balance = parsed
        }
        return .success(PromoCode(code: code, programID: programID, recipientAccountID: recipient, receivedAt: receivedAt,
                                  activatedByAccountID: raw.activatedByAccountID, activatedAt: raw.activatedAt,
                                  cashBalanceAtActivation: balance))
    }

    public static func spendRow(_ raw: RawSpendRow, accounts: AccountLookup) -> Outcome<SpendRow> {
        var cache = SpendRowAccountCache()
        return spendRow(raw, accounts: accounts, cache: &cache)
    }

    /// The same, remembering the last row's account in `cache`: a stream delivers rows account
    /// by account, and two hash lookups per row (account, currency code) were a tenth of the
    /// first night's job time.
    public static func spendRow(_ raw: RawSpendRow, accounts: AccountLookup,
                                cache: inout SpendRowAccountCache) -> Outcome<SpendRow> {
        let table = raw.source.rawValue
        guard let id = raw.id else { return reject(table, Self.key(raw.id), "null_\(raw.source == .bill ? "bill_id" : "consumption_id")") }
        guard let accountID = raw.accountID else { return reject(table, Self.key(raw.id), "null_account_id") }
        guard let code = raw.currency else { return reject(table, Self.key(raw.id), "null_currency") }
        guard let at = raw.at else { return reject(table, Self.key(raw.id), "null_\(raw.source == .bill ? "spend_at" : "consumed_at")") }
        let accountCurrency = cache.currency(of: accountID, in: accounts)
        let currency: Currency
        if let accountCurrency, accountCurrency.code == code {
            currency = accountCurrency
        } else {
            guard let known = Currency(code: code) else { return reject(table, Self.key(raw.id), "unknown_currency") }
            currency = known
        }
        // A missing account is the account's problem, else compare currencies.
        guard let accountCurrency else {
            return reject(table, Self.key(raw.id), accounts.problem(accountID) ?? "unknown_account")
        }
        guard accountCurrency == currency else { return reject(table, Self.key(raw.id), "currency_differs_from_account") }
        let amount: Int64, tax: Int64, credit: Int64
        switch Self.minorUnits(raw.amount, column: "amount", exponent: currency.exponent) {
        case let .success(value): amount = value
        case let .failure(problem): return reject(table, Self.key(raw.id), problem.rawValue)
        }
        switch Self.minorUnits(raw.tax, column: "tax_amount", exponent: currency.exponent) {
        case let .success(value): tax = value
        case let .failure(problem): return reject(table, Self.key(raw.id), problem.rawValue)
        }
        switch Self.minorUnits(raw.credit, column: "credit_amount", exponent: currency.exponent) {
        case let .success(value): credit = value
        case let .failure(problem): return reject(table, Self.key(raw.id), problem.rawValue)
        }
        guard let row = spendRow(source: raw.source, id: id, accountID: accountID, at: at, amount: amount, tax: tax,
                                 credit: credit, paidAt: raw.paidAt)
        else { return reject(table, Self.key(raw.id), "tax_and_credit_exceed_amount") }
        return .success(row)
    }

    /// The last of the contract for a spend row whose values are all there, in its account's
    /// currency and read as that currency's non-negative minor units: tax and credit within the
    /// amount (nil otherwise: `tax_and_credit_exceed_amount`), and a payment time on a bill only.
    /// `spendRow(_:accounts:cache:)` gets here by parsing text; the spend read's fast path
    /// (`BillingRows.plainSpendRow`) straight from the wire, for the rows that are plain.
    @inlinable
    public static func spendRow(source: SpendRow.Source, id: Int64, accountID: Int64, at: Instant, amount: Int64,
                                tax: Int64, credit: Int64, paidAt: Instant?) -> SpendRow? {
        let (taxAndCredit, overflow) = tax.addingReportingOverflow(credit)
        guard !overflow, taxAndCredit <= amount else { return nil }
        return SpendRow(source: source, id: id, accountID: accountID, at: at, amount: amount, tax: tax, credit: credit,
                        paidAt: source == .bill ? paidAt : nil)
    }

    /// A problem code, as recorded in `recon.rejected_rows`.
    struct ProblemCode: Error {
        let rawValue: String
    }

    /// A money column in the currency's minor units, or why it breaks the contract. Runs three
    /// times for every spend row, so it allocates nothing on the success path.
    static func minorUnits(_ reading: DecimalReading?, column: String, exponent: Int) -> Result<Int64, ProblemCode> {
        guard let reading else { return .failure(ProblemCode(rawValue: "null_\(column)")) }
        let minor: Int64
        switch reading.value {
        case let .success(decimal):
            do {
                minor = try decimal.minorUnits(exponent: exponent)
            } catch .tooManyDecimals {
                return .failure(ProblemCode(rawValue: "too_many_decimals_\(column)"))
            } catch {
                return .failure(ProblemCode(rawValue: "overflow_\(column)"))
            }
        case .failure(.overflow):
            return .failure(ProblemCode(rawValue: "overflow_\(column)"))
        case .failure:
            return .failure(ProblemCode(rawValue: "not_a_number_\(column)"))
        }
        guard minor >= 0 else { return .failure(ProblemCode(rawValue: "negative_\(column)")) }
        return .success(minor)
    }

    public static func enrollment(_ raw: RawEnrollment, accounts: AccountLookup) -> Outcome<Enrollment> {
        let table = "promotion_enrollments"
        let key = "\(key(raw.accountID))/\(raw.promotion ?? "null")/\(raw.enrolledAt?.iso8601 ?? "null")"
        guard let accountID = raw.accountID else { return reject(table, key, "null_account_id") }
        guard let promotion = raw.promotion else { return reject(table, key, "null_promotion") }
        guard let enrolledAt = raw.enrolledAt else { return reject(table, key, "null_enrolled_at") }
        if let problem = accounts.problem(accountID) { return reject(table, key, problem) }
        return .success(Enrollment(accountID: accountID, promotion: promotion, enrolledAt: enrolledAt))
    }
}
