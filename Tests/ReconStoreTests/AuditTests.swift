import Foundation
@testable import ReconStore
import XCTest

/// `spend-recon audit` also checks what the job wrote: a subject stored `granted` must have its
/// grant row (a night writes both in one transaction, so a missing one means a hand edit).
final class AuditTests: XCTestCase {
    func testAuditReportsAGrantedStatusWithoutItsGrantRow() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 30)
        try f.run(asOf: "2025-12-11")
        let clean = try runBinary(["audit", "--db", f.conninfo, "--as-of", "2025-12-11"])
        XCTAssertEqual(clean.code, 0, clean.err)
        XCTAssertTrue(clean.out.contains("granted without a grant row: 0"), clean.out)

        let victim = try f.db.execute("SELECT program_id, subject_key FROM recon.credit_grants ORDER BY 2 LIMIT 1")[0]
        let (program, key) = (try victim.decode(0, as: String.self), try victim.decode(1, as: String.self))
        try f.db.execute("DELETE FROM recon.credit_grants WHERE program_id = $1 AND subject_key = $2", [program, key])
        let found = try runBinary(["audit", "--db", f.conninfo, "--as-of", "2025-12-11"])
        XCTAssertEqual(found.code, 0, found.err)
        XCTAssertTrue(found.out.contains("granted without a grant row: 1"), found.out)
        XCTAssertTrue(found.out.contains("\(program) \(key)"), found.out)
        XCTAssertTrue(found.err.contains("granted subjects without a grant row"), found.err)
    }
}
