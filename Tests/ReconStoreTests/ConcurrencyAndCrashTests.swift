import Foundation
import PGClient
import PostgresSandbox
import ReconStore
import XCTest

final class ConcurrencyAndCrashTests: XCTestCase {
    func testASecondRunWhileTheLockIsHeldExits75AndSaysWhoHoldsIt() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m", account: 1)
        let holder = try Connection(conninfo: f.conninfo, logger: quietLogger())
        XCTAssertTrue(try holder.tryAdvisoryLock(RunLock.key))
        let result = try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(result.code, 75, result.err)
        XCTAssertTrue(result.err.contains("backend pid \(holder.backendPID)"), result.err)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0)
        try holder.advisoryUnlock(RunLock.key)
        XCTAssertEqual(try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo]).code, 0)
    }
}
