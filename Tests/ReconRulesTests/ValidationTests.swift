import Exact
import ReconRules
import XCTest

final class ValidationTests: XCTestCase {
    var accounts: AccountLookup = {
        var lookup = AccountLookup()
        lookup.add(Account(id: 1, country: "US", currency: usd, registeredAt: t("2025-01-01"), firstCashAt: nil))
        lookup.add(Account(id: 2, country: "JP", currency: jpy, registeredAt: t("2025-01-01"), firstCashAt: nil))
        lookup.markRejected(3)
        return lookup
    }()

    func problem(_ raw: RawSpendRow) -> String? {
        if case let .failure(error) = InputValidation.spendRow(raw, accounts: accounts) { return error.rejection.problem }
        return nil
    }

    func bill(account: Int64? = 1, currency: String? = "USD", amount: String? = "10.00", tax: String? = "1.00",
              credit: String? = "0", at: Instant? = t("2025-11-01")) -> RawSpendRow {
        RawSpendRow(source: .bill, id: 5, accountID: account, currency: currency, at: at, amount: amount, tax: tax,
                    credit: credit, paidAt: nil)
    }

    func testEveryRejectionClassOfTheContract() {
        XCTAssertNil(problem(bill()))
        XCTAssertEqual(problem(bill(amount: nil)), "null_amount")
        XCTAssertEqual(problem(bill(at: nil)), "null_spend_at")
        XCTAssertEqual(problem(bill(account: nil)), "null_account_id")
        XCTAssertEqual(problem(bill(amount: "-1.00")), "negative_amount")
        XCTAssertEqual(problem(bill(tax: "-0.01")), "negative_tax_amount")
        XCTAssertEqual(problem(bill(amount: "10.00", tax: "5.00", credit: "5.01")), "tax_and_credit_exceed_amount")
        XCTAssertNil(problem(bill(amount: "10.00", tax: "10.00", credit: "0")), "tax equal to amount is allowed")
        XCTAssertEqual(problem(bill(amount: "10.001")), "too_many_decimals_amount")
        XCTAssertEqual(problem(bill(currency: "GBP")), "currency_differs_from_account")
        XCTAssertEqual(problem(bill(currency: "XYZ")), "unknown_currency")
        XCTAssertEqual(problem(bill(account: 42)), "unknown_account")
        XCTAssertEqual(problem(bill(account: 3)), "account_rejected")
        XCTAssertEqual(problem(bill(amount: "NaN")), "not_a_number_amount")
        XCTAssertEqual(problem(bill(amount: "99999999999999999999")), "overflow_amount")
    }

    /// A stream's rows share one `SpendRowAccountCache`: every row, whatever came before it,
    /// gets the outcome it gets on its own (the order of the checks included: an unknown currency
    /// is reported before an unknown account).
    func testTheStreamsAccountCacheNeverChangesAnOutcome() {
        func outcome(_ result: InputValidation.Outcome<SpendRow>) -> String {
            switch result {
            case let .success(row): return "ok \(row.accountID) \(row.amount) \(row.tax)"
            case let .failure(error): return error.rejection.problem
            }
        }
        let rows = [
            bill(), bill(currency: "GBP"), bill(currency: "XYZ"), bill(), bill(currency: nil),
            bill(account: 2, currency: "JPY", amount: "10000", tax: "0"), bill(account: 2), bill(account: 2, currency: "JPY", amount: "1.5", tax: "0"),
            bill(account: 42), bill(account: 42, currency: "XYZ"), bill(account: 42, currency: "JPY"),
            bill(account: 3), bill(account: 3, currency: "XYZ"), bill(account: 1), bill(account: 1, currency: "JPY"),
            bill(account: nil), bill(account: 1, currency: "USD", amount: "3.00", tax: "0"),
        ]
        var cache = SpendRowAccountCache()
        let streamed = rows.map { outcome(InputValidation.spendRow($0, accounts: accounts, cache: &cache)) }
        let alone = rows.map { outcome(InputValidation.spendRow($0, accounts: accounts)) }
        XCTAssertEqual(streamed, alone)
        XCTAssertEqual(alone[2], "unknown_currency")
        XCTAssertEqual(alone[9], "unknown_currency")
        XCTAssertEqual(alone[10], "unknown_account")
        XCTAssertEqual(alone[14], "currency_differs_from_account")
        XCTAssertEqual(alone[16], "ok 1 300 0")
    }

    func testJPYHasNoMinorDigits() {
        XCTAssertNil(problem(bill(account: 2, currency: "JPY", amount: "10000", tax: "0")))
        XCTAssertEqual(problem(bill(account: 2, currency: "JPY", amount: "100.5", tax: "0")), "too_many_decimals_amount")
        if case let .success(row) = InputValidation.spendRow(bill(account: 2, currency: "JPY", amount: "10000", tax: "0"), accounts: accounts) {
            XCTAssertEqual(row.qualifying, 10_000)
        } else { XCTFail() }
    }

    func testExtremeButValidAmountsAreExact() {
        guard case let .success(row) = InputValidation.spendRow(
            bill(amount: "10000000000000.00", tax: "0.01", credit: "0"), accounts: accounts) else { return XCTFail() }
        XCTAssertEqual(row.qualifying, 1_000_000_000_000_000 - 1)
    }

    func testAccountsIntegrationsAndCodesAreValidatedToo() {
        let raw = RawAccount(accountID: 9, country: "US", currency: "ZZZ", origin: "self_serve", status: "approved",
                             policyViolation: false, safetyFlagged: false, paymentMode: "manual", registeredAt: t("2025-01-01"), firstCashAt: nil)
        if case let .failure(error) = InputValidation.account(raw) { XCTAssertEqual(error.rejection.problem, "unknown_currency") } else { XCTFail() }
        let integration = RawIntegration(integrationID: 4, partner: "woocommerce", merchantID: "m", storeCountry: "US", accountID: 77,
                                         accountCreatedViaIntegration: false, setUpAt: t("2025-01-01"), firstCampaignAt: nil)
        if case let .failure(error) = InputValidation.integration(integration, accounts: accounts) {
            XCTAssertEqual(error.rejection, Rejection(table: "partner_integrations", key: "4", problem: "unknown_account"))
        } else { XCTFail() }
        let code = RawPromoCode(code: "C", programID: "nope", recipientAccountID: 2, receivedAt: t("2025-01-01"),
                                activatedByAccountID: nil, activatedAt: nil, cashBalanceAtActivation: nil)
        if case let .failure(error) = InputValidation.promoCode(code, accounts: accounts, programIDs: ["promo-jp-10000"]) {
            XCTAssertEqual(error.rejection.problem, "unknown_program")
        } else { XCTFail() }
    }
}
