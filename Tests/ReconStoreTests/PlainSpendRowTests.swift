@testable import ReconStore
import Exact
import PGClient
import ReconRules
import XCTest

/// The spend read's fast path (`BillingRows.plainSpendRow`) builds a row straight from the wire
/// and leaves anything unusual to the full validation. Over thousands of generated rows, good
/// and bad, sent by a real server in the read's own binary layout, the two must agree: every row
/// the fast path builds is exactly the row the full validation accepts, and every row the full
/// validation accepts the fast path builds too (else the fast path is not doing its job).
final class PlainSpendRowTests: XCTestCase {
    func testTheFastPathAndTheFullValidationAgreeOnEveryRow() throws {
        let f = try StoreFixture()
        var accounts = AccountLookup()
        accounts.add(Account(id: 1, country: "US", currency: Currency(code: "USD")!, registeredAt: t("2025-01-01T00:00:00Z"), firstCashAt: nil))
        accounts.add(Account(id: 2, country: "JP", currency: Currency(code: "JPY")!, registeredAt: t("2025-01-01T00:00:00Z"), firstCashAt: nil))
        accounts.add(Account(id: 3, country: "KW", currency: Currency(code: "KWD")!, registeredAt: t("2025-01-01T00:00:00Z"), firstCashAt: nil))
        accounts.markRejected(4)

        var random = SystemRandomNumberGenerator()
        func amount() -> String? {
            switch Int.random(in: 0..<40, using: &random) {
            case 0: return nil
            case 1: return "NaN"
            case 2: return "Infinity"
            case 3: return "-Infinity"
            case 4: return "-" + plain()
            case 5: return "0"
            case 6: return "0.000"
            case 7: return "99999999999999999999"
            case 8: return "92233720368547758.07"
            case 9: return "92233720368547758.08"
            case 10: return "1e-30"
            case 11: return "123456789012.3456"
            default: return plain()
            }
        }
        func plain() -> String {
            let whole = String(Int64.random(in: 0...(Bool.random(using: &random) ? 99_999 : 9_999_999_999), using: &random))
            let decimals = Int.random(in: 0...(Bool.random(using: &random) ? 2 : 5), using: &random)
            guard decimals > 0 else { return whole }
            var fraction = String(Int.random(in: 0..<Int(pow(10, Double(decimals))), using: &random))
            fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
            return whole + "." + fraction
        }
        let currencies: [String?] = ["USD", "USD", "USD", "JPY", "KWD", "GBP", "XXX", "usd", nil]
        let accountIDs: [Int64?] = [1, 1, 1, 2, 2, 3, 3, 4, 99, nil]
        let times: [String?] = ["2025-11-05T10:00:00Z", "2025-11-05T10:00:00Z", "2025-11-05T10:00:00Z", nil, "infinity",
                                "-infinity"]
        try f.db.execute("""
            CREATE TEMP TABLE generated (id bigint, account_id bigint, currency text, at timestamptz, amount numeric,
                                         tax numeric, credit numeric, paid_at timestamptz)
            """)
        let own: [Int64: String] = [1: "USD", 2: "JPY", 3: "KWD", 4: "USD"]
        for index in 0..<4000 {
            let account = accountIDs.randomElement(using: &random)!
            // Mostly the account's own currency and a time, so that many rows are plain.
            let currency = Int.random(in: 0..<4, using: &random) > 0 ? account.flatMap { own[$0] }
                : currencies.randomElement(using: &random)!
            let at = Int.random(in: 0..<4, using: &random) > 0 ? times[0] : times.randomElement(using: &random)!
            let tax = Int.random(in: 0..<3, using: &random) == 0 ? amount() : "0"
            let credit = Int.random(in: 0..<3, using: &random) == 0 ? amount() : "0"
            try f.db.execute("INSERT INTO generated VALUES ($1, $2, $3, $4::timestamptz, $5::numeric, $6::numeric, $7::numeric, $8::timestamptz)",
                             [index % 97 == 0 ? nil : Int64(index), account, currency, at, amount(),
                              tax, credit, times.randomElement(using: &random)!])
        }

        var fast = 0, full = 0, rejected = 0
        for source in [SpendRow.Source?.none, .bill, .topup] {
            let tag = source == nil ? "'b'::text, " : ""
            var cache = SpendRowAccountCache()
            try f.db.copyOutBinary("""
                COPY (SELECT \(tag)id::int8, account_id::int8, currency::text, at, amount, tax, credit, paid_at
                      FROM generated ORDER BY account_id, id) TO STDOUT (FORMAT binary)
                """) { row in
                let plain = BillingRows.plainSpendRow(row, source: source, accounts: accounts, cache: &cache)
                let raw = try BillingRows.spendRow(row, source: source)
                switch InputValidation.spendRow(raw, accounts: accounts) {
                case let .success(valid):
                    full += 1
                    XCTAssertEqual(plain, valid, "\(raw)")
                case let .failure(error):
                    rejected += 1
                    XCTAssertNil(plain, "the fast path built a row the validation rejects (\(error.rejection.problem)): \(raw)")
                }
                if plain != nil { fast += 1 }
            }
        }
        XCTAssertEqual(fast, full)
        XCTAssertGreaterThan(full, 1000, "plenty of rows take the fast path")
        XCTAssertGreaterThan(rejected, 1000, "plenty of rows are left to the full validation")
    }

    func testPlainMinorUnitsAtEachExponent() throws {
        let f = try StoreFixture()
        let cases: [(String, Int, Int64?)] = [
            ("12.30", 2, 1230), ("12.300", 2, 1230), ("12.345", 2, nil), ("12.345", 3, 12345), ("10000", 0, 10000),
            ("10000.5", 0, nil), ("0", 2, 0), ("0.00", 0, 0), ("-1", 2, nil), ("NaN", 2, nil), ("Infinity", 0, nil),
            ("92233720368547758.07", 2, Int64.max), ("92233720368547758.08", 2, nil), ("100000000", 2, 10_000_000_000),
            ("0.0001", 4, 1), ("0.00001", 4, nil), ("123456789012345678", 0, 123_456_789_012_345_678),
            ("1e20", 0, nil), ("1e-30", 2, nil), ("5.5000", 1, 55),
        ]
        for (text, exponent, expected) in cases {
            var got: Int64??
            try f.db.copyOutBinary("COPY (SELECT '\(text)'::numeric) TO STDOUT (FORMAT binary)") { row in
                got = row.plainMinorUnits(0, exponent: exponent)
            }
            XCTAssertEqual(got, .some(expected), "\(text) at \(exponent)")
        }
    }
}
