import Exact
import PGClient
@testable import ReconStore
import XCTest

/// Later nights read only the spend of accounts with a subject still open.
final class IncrementalNightTests: XCTestCase {
    func testTheSwitchToOpenAccountsHappensOnceMostAccountsAreFinal() {
        XCTAssertFalse(FactReader.readsSpansByIndex(accounts: 100, known: 100))
        XCTAssertFalse(FactReader.readsSpansByIndex(accounts: 50, known: 100))
        XCTAssertTrue(FactReader.readsSpansByIndex(accounts: 49, known: 100))
        XCTAssertTrue(FactReader.readsSpansByIndex(accounts: 0, known: 100))
    }

    /// Ten merchants final after the first night, two still open: the second night reads only
    /// the open accounts' rows, still sees their new spend, and leaves the final ones alone —
    /// with the same tables as a single night evaluated from scratch over all rows.
    func testALaterNightReadsOpenAccountsAndDecidesAsAFullReadWould() throws {
        func seed(_ f: StoreFixture, withLateRows: Bool) throws {
            for i in Int64(1)...10 {
                try f.account(i)
                try f.integration(100 + i, merchant: "m-final-\(i)", account: i)
                try f.bill(1000 + i, account: i, at: "2025-11-05", amount: "5000.00") // top tier: granted at once
            }
            for i in Int64(11)...12 {
                try f.account(i, firstCash: "2025-12-01")
                try f.integration(100 + i, merchant: "m-open-\(i)", account: i, setUp: "2025-12-01", campaign: "2025-12-01")
            }
            try f.bill(1011, account: 11, at: "2025-12-03", amount: "600.00")
            if withLateRows {
                try f.bill(1012, account: 12, at: "2025-12-11", amount: "5000.00")             // new spend, open account
                try f.bill(1099, account: 3, at: "2025-12-11", amount: "-1.00")                // bad row, final account
            }
        }
        let nightly = try StoreFixture()
        try seed(nightly, withLateRows: false)
        let first = try nightly.run(asOf: "2025-12-11")
        XCTAssertEqual(first.count(.granted), 10)
        XCTAssertEqual(first.count(.pending), 2)
        try nightly.bill(1012, account: 12, at: "2025-12-11", amount: "5000.00")
        try nightly.bill(1099, account: 3, at: "2025-12-11", amount: "-1.00")
        let second = try nightly.run(asOf: "2025-12-12")
        XCTAssertEqual(second.evaluated, 2, "only the open subjects")
        XCTAssertEqual(second.skippedFinal, 10)
        XCTAssertEqual(try nightly.status("integration:112")?.status, "granted", "new spend of an open account is read")
        XCTAssertEqual(try nightly.count("SELECT count(*) FROM recon.rejected_rows WHERE source_key = '1099'"), 0,
                       "a final account's rows are no longer read (docs/DECISIONS.md)")

        let scratch = try StoreFixture()
        try seed(scratch, withLateRows: true)
        _ = try scratch.run(asOf: "2025-12-11")
        _ = try scratch.run(asOf: "2025-12-12")
        // Decisions and grants identical; only the rejected-row record differs (by design).
        assertSameSnapshot(try nightly.snapshot().filter { !$0.hasPrefix("3:") }, try scratch.snapshot().filter { !$0.hasPrefix("3:") })
    }
}
