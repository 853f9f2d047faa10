import Exact
import ReconRules
import XCTest

/// SPEC section 8's settlement of one handed-over credit, rule by rule, at its edges: exactly at
/// `due_by`, exactly at `expires_at`, a reversal exactly at `as_of`, an application exactly at
/// `as_of`.
final class SettlementTests: XCTestCase {
    let usd = Currency(code: "USD")!
    let eur = Currency(code: "EUR")!
    let due = Instant(iso8601: "2025-12-10T00:00:00Z")!
    let expiry = Instant(iso8601: "2026-01-30T00:00:00Z")!

    var entry: Settlement.Entry { .init(creditRef: "grant:7", accountID: 1, currency: usd, amount: 50_000, dueBy: due, expiresAt: expiry) }

    func at(_ text: String) -> Instant { Instant(iso8601: text)! }

    func application(_ id: Int64, account: Int64 = 1, currency: Currency? = nil, amount: Int64 = 50_000, at applied: String,
                     reversed: String? = nil) -> CreditApplication {
        CreditApplication(id: id, creditRef: "grant:7", accountID: account, currency: currency ?? usd, amount: amount,
                          appliedAt: at(applied), reversedAt: reversed.map(at))
    }

    func settle(_ applications: [CreditApplication], asOf: String) throws -> Settlement {
        try Settlement.settle(entry, applications: applications, asOf: at(asOf))
    }

    func testNothingAppliedIsAwaitingBeforeDueByAndOverdueFromExactlyDueBy() throws {
        XCTAssertEqual(try settle([], asOf: "2025-12-09T23:59:59.999999Z").status, .awaiting)
        XCTAssertEqual(try settle([], asOf: "2025-12-10T00:00:00Z").status, .overdue, "at due_by: overdue")
        // An application not yet made as of the night does not count.
        XCTAssertEqual(try settle([application(1, at: "2025-12-11")], asOf: "2025-12-10T12:00:00Z").status, .overdue)
    }

    func testAnApplicationExactlyAtAsOfIsLiveAndOneExactlyAtDueByIsOnTime() throws {
        let settled = try settle([application(1, at: "2025-12-10T00:00:00Z")], asOf: "2025-12-10T00:00:00Z")
        XCTAssertEqual(settled.status, .settled)
        XCTAssertEqual(settled.issues, [])
        XCTAssertEqual(settled.appliedAmount, 50_000)
        XCTAssertEqual(settled.appliedAt, due)
        XCTAssertEqual(settled.liveApplications, 1)
        let late = try settle([application(1, at: "2025-12-10T00:00:00.000001Z")], asOf: "2025-12-20")
        XCTAssertEqual(late.status, .settledLate)
        XCTAssertEqual(late.issues, [.late])
    }

    func testAReversalExactlyAtAsOfHasHappened() throws {
        let reversed = [application(1, at: "2025-12-05", reversed: "2025-12-12T00:00:00Z")]
        XCTAssertEqual(try settle(reversed, asOf: "2025-12-11T23:59:59Z").status, .settled, "before the reversal")
        let after = try settle(reversed, asOf: "2025-12-12T00:00:00Z")
        XCTAssertEqual(after.status, .overdue, "reversed at as_of: nothing live, and due_by has passed")
        XCTAssertEqual(after.liveApplications, 0)
        XCTAssertEqual(after.appliedAmount, 0)
    }

    func testAnApplicationExactlyAtExpiryIsAfterExpiry() throws {
        let justBefore = try settle([application(1, at: "2026-01-29T23:59:59.999999Z")], asOf: "2026-02-01")
        XCTAssertEqual(justBefore.issues, [.late])
        let atExpiry = try settle([application(1, at: "2026-01-30T00:00:00Z")], asOf: "2026-02-01")
        XCTAssertEqual(atExpiry.status, .mismatch)
        XCTAssertEqual(atExpiry.issues, [.afterExpiry, .late])
        var noExpiry = entry
        noExpiry.expiresAt = nil
        XCTAssertEqual(try Settlement.settle(noExpiry, applications: [application(1, at: "2026-03-01")], asOf: at("2026-04-01")).issues,
                       [.late])
    }

    func testDuplicatesShortAndOverAmountsAreEachAnIssue() throws {
        let twice = try settle([application(1, at: "2025-12-05"), application(2, at: "2025-12-06")], asOf: "2025-12-20")
        XCTAssertEqual(twice.status, .mismatch)
        XCTAssertEqual(twice.issues, [.amountOver, .duplicate])
        XCTAssertEqual(twice.appliedAmount, 100_000)
        XCTAssertEqual(try settle([application(1, amount: 49_999, at: "2025-12-05")], asOf: "2025-12-20").issues, [.amountShort])
        XCTAssertEqual(try settle([application(1, amount: 50_001, at: "2025-12-05")], asOf: "2025-12-20").issues, [.amountOver])
        // Two halves make the whole, but are still two applications.
        let halves = try settle([application(1, amount: 25_000, at: "2025-12-05"), application(2, amount: 25_000, at: "2025-12-06")],
                                asOf: "2025-12-20")
        XCTAssertEqual(halves.issues, [.duplicate])
    }

    func testMisroutedCreditCountsForNothingOnTheEntrysAccount() throws {
        let misrouted = try settle([application(1, account: 2, at: "2025-12-05")], asOf: "2025-12-20")
        XCTAssertEqual(misrouted.status, .mismatch)
        XCTAssertEqual(misrouted.issues, [.amountShort, .wrongAccount])
        XCTAssertEqual(misrouted.appliedAmount, 0, "M holds only the entry's account in its currency")
        XCTAssertEqual(misrouted.liveApplications, 1)
        let wrongCurrency = try settle([application(1, currency: eur, at: "2025-12-05")], asOf: "2025-12-20")
        XCTAssertEqual(wrongCurrency.issues, [.amountShort, .wrongCurrency])
    }

    func testIssuesAreListedAlphabetically() {
        XCTAssertEqual(Settlement.Issue.allCases.map(\.rawValue), Settlement.Issue.allCases.map(\.rawValue).sorted())
    }
}
