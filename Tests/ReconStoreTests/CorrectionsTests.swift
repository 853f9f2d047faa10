import Exact
import Foundation
import PGClient
import ReconStore
import XCTest

/// Support sees what reruns corrected: the export's appended columns carry the current tier and
/// credit (adjustments included) and the open discrepancies, `explain` lists both, and
/// `spend-recon discrepancies` lists and resolves them (recorded, never deleted).
final class CorrectionsTests: XCTestCase {
    var f: StoreFixture!

    /// Account 1 is adjusted from tier 1 to 2 by a late paid bill; account 2's bill is corrected
    /// down, which files a discrepancy against its grant.
    override func setUpWithError() throws {
        f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m-upgrade", account: 1)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "600.00")
        try f.account(2); try f.integration(102, merchant: "M-Steady Shop", account: 2)
        try f.bill(2, account: 2, at: "2025-11-05", amount: "700.00")
        try f.run(asOf: "2025-12-05")
        try f.bill(4, account: 1, at: "2025-11-20", amount: "950.00", paid: "2025-12-03")
        try f.db.execute("UPDATE billing.billed_spend SET amount = 300.00 WHERE bill_id = 2")
        let rerun = try runBinary(["rerun", "--db", f.conninfo, "--from", "2025-12-01", "--to", "2025-12-08", "--as-of", "2025-12-20"])
        XCTAssertEqual(rerun.code, 0, rerun.err)
        let again = try runBinary(["rerun", "--db", f.conninfo, "--from", "2025-12-01", "--to", "2025-12-08", "--as-of", "2025-12-20",
                                   "--json"])
        XCTAssertTrue(again.out.contains("\"discrepancies\" : 0"), "a second identical rerun files nothing new: \(again.out)")
    }

    private func exportRecords() throws -> [[String: String]] {
        let path = NSTemporaryDirectory() + "sr-corrections-\(getpid()).csv"
        defer { unlink(path) }
        let export = try runBinary(["export", "--db", f.conninfo, "--from", "2025-11-01", "--to", "2026-01-01", "--output", path])
        XCTAssertEqual(export.code, 0, export.err)
        let rows = try parseCSV(path)
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
    }

    func testTheExportCarriesTheCurrentCreditAndTheOpenDiscrepancy() throws {
        let records = try exportRecords()
        let upgraded = try XCTUnwrap(records.first { $0["integration_id"] == "101" })
        XCTAssertEqual(upgraded["tier"], "2", "the rerun's decision")
        XCTAssertEqual(upgraded["current_tier"], "2")
        XCTAssertEqual(upgraded["current_credit"], "1500.00")
        XCTAssertEqual(upgraded["open_discrepancies"], "")
        let corrected = try XCTUnwrap(records.first { $0["integration_id"] == "102" })
        XCTAssertEqual(corrected["current_credit"], "500.00")
        XCTAssertTrue(corrected["open_discrepancies"]?.hasPrefix("#") == true, "\(corrected)")
        XCTAssertTrue(corrected["open_discrepancies"]?.contains("found threshold_not_reached") == true, "\(corrected)")
    }

    func testDiscrepanciesAreListedAndResolvedOnceWithWhoAndWhy() throws {
        let open = try runBinary(["discrepancies", "--db", f.conninfo, "--open"])
        XCTAssertEqual(open.code, 0, open.err)
        XCTAssertTrue(open.out.contains("found threshold_not_reached"), open.out)
        let id = try f.db.execute("SELECT discrepancy_id FROM recon.discrepancies")[0].decode(0, as: Int64.self)

        let missingNote = try runBinary(["discrepancies", "--db", f.conninfo, "--resolve", "\(id)", "--by", "ana"])
        XCTAssertEqual(missingNote.code, 64, missingNote.err)
        let resolved = try runBinary(["discrepancies", "--db", f.conninfo, "--resolve", "\(id)", "--by", "ana",
                                      "--note", "TICKET-77: bill corrected by billing; credit stays"])
        XCTAssertEqual(resolved.code, 0, resolved.err)
        XCTAssertTrue(resolved.out.contains("resolved by ana"), resolved.out)
        let twice = try runBinary(["discrepancies", "--db", f.conninfo, "--resolve", "\(id)", "--by", "bob", "--note", "again"])
        XCTAssertEqual(twice.code, 64, twice.err)
        XCTAssertTrue(twice.err.contains("was resolved by ana"), twice.err)
        XCTAssertEqual(try runBinary(["discrepancies", "--db", f.conninfo, "--resolve", "999999", "--by", "x", "--note", "y"]).code, 64)

        XCTAssertTrue(try runBinary(["discrepancies", "--db", f.conninfo, "--open"]).out.contains("no open discrepancies"))
        XCTAssertTrue(try runBinary(["discrepancies", "--db", f.conninfo]).out.contains("TICKET-77"), "kept, with its note")
        XCTAssertEqual(try exportRecords().first { $0["integration_id"] == "102" }?["open_discrepancies"], "")
        // The resolution stays as recorded, even for the schema's owner.
        XCTAssertThrowsError(try f.db.execute("UPDATE recon.discrepancies SET resolved_by = 'mallory'"))
    }

    func testExplainListsTheCorrectionsAndFindsAMerchantAsSupportTypesIt() throws {
        let explained = try runBinary(["explain", "--db", f.conninfo, "--merchant", "WOOCOMMERCE:m-steadyshop", "--as-of", "2025-12-20"])
        XCTAssertEqual(explained.code, 0, explained.err)
        XCTAssertTrue(explained.out.contains("integration 102"), explained.out)
        XCTAssertTrue(explained.out.contains("discrepancy #"), explained.out)
        let upgraded = try runBinary(["explain", "--db", f.conninfo, "--integration", "101", "--as-of", "2025-12-20"])
        XCTAssertTrue(upgraded.out.contains("tier 1 -> 2, +1000.00 USD"), upgraded.out)
        XCTAssertTrue(upgraded.out.contains("as decided on 2025-12-04"), "judged as of its final instant: \(upgraded.out)")
    }
}
