import Exact
import ReconRules
import XCTest

/// `billing.credit_applications` rows are held to the spend rows' money rules (SPEC section 8).
final class CreditApplicationValidationTests: XCTestCase {
    func raw(id: Int64? = 9, ref: String? = "grant:1", account: Int64? = 1, currency: String? = "USD", amount: String? = "500.00",
             applied: String? = "2025-12-05T00:00:00Z", reversed: String? = nil) -> RawCreditApplication {
        RawCreditApplication(applicationID: id, creditRef: ref, accountID: account, currency: currency,
                             amount: amount.map { DecimalReading(text: $0) }, appliedAt: applied.flatMap { Instant(iso8601: $0) },
                             reversedAt: reversed.flatMap { Instant(iso8601: $0) })
    }

    func problem(_ raw: RawCreditApplication) -> String? {
        if case let .failure(error) = InputValidation.creditApplication(raw) { return error.rejection.problem }
        return nil
    }

    func testAValidApplicationIsReadInMinorUnits() throws {
        let application = try InputValidation.creditApplication(raw(reversed: "2025-12-07T00:00:00Z")).get()
        XCTAssertEqual(application.amount, 50_000)
        XCTAssertEqual(application.creditRef, "grant:1")
        XCTAssertEqual(application.reversedAt, Instant(iso8601: "2025-12-07T00:00:00Z"))
        XCTAssertNil(problem(raw(ref: nil)), "credit applied by hand is unmatched, not rejected")
        XCTAssertNil(problem(raw(currency: "EUR")), "another currency than the credit's is a settlement issue")
        XCTAssertEqual(try InputValidation.creditApplication(raw(currency: "JPY", amount: "10000")).get().amount, 10_000)
    }

    func testRowsThatBreakTheMoneyRulesAreRejectedWithTheirProblem() {
        XCTAssertEqual(problem(raw(id: nil)), "null_application_id")
        XCTAssertEqual(problem(raw(account: nil)), "null_account_id")
        XCTAssertEqual(problem(raw(currency: nil)), "null_currency")
        XCTAssertEqual(problem(raw(currency: "XXY")), "unknown_currency")
        XCTAssertEqual(problem(raw(applied: nil)), "null_applied_at")
        XCTAssertEqual(problem(raw(amount: nil)), "null_amount")
        XCTAssertEqual(problem(raw(amount: "-1.00")), "negative_amount")
        XCTAssertEqual(problem(raw(amount: "NaN")), "not_a_number_amount")
        XCTAssertEqual(problem(raw(currency: "JPY", amount: "10000.5")), "too_many_decimals_amount")
        XCTAssertEqual(problem(raw(amount: "99999999999999999999")), "overflow_amount")
        XCTAssertEqual(InputValidation.creditApplication(raw(id: nil)).failureKey, "credit_applications null")
    }
}

private extension Result where Success == CreditApplication, Failure == InputValidation.RejectionError {
    var failureKey: String? {
        if case let .failure(error) = self { return "\(error.rejection.table) \(error.rejection.key)" }
        return nil
    }
}
