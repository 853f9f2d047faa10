import Exact
import ReconRules
import XCTest

/// The evaluate stage's one guard that no database read can reach: the stream delivers
/// accounts in ascending order, and an account below the previous one (a second piece of an
/// account) stops the pass rather than evaluate it twice or drop it.
final class EvaluationPassTests: XCTestCase {
    private struct Counted: DecisionSink {
        var decisions = 0
        mutating func decided(_ decision: consuming Decision) throws { decisions += 1 }
        mutating func rejected(_ rejection: Rejection) throws {}
    }

    func testAnAccountBelowThePreviousOneStopsThePass() throws {
        var pass = EvaluationPass(programs: [], facts: Facts(), asOf: Instant(iso8601: "2025-12-10")!)
        var sink = Counted()
        try pass.account(5, rows: [], into: &sink)
        XCTAssertThrowsError(try pass.account(3, rows: [], into: &sink)) { error in
            XCTAssertEqual((error as? SpendOrderError)?.description,
                           "spend read out of account order: account 3 after account 5")
        }
        XCTAssertThrowsError(try pass.account(5, rows: [], into: &sink), "the same account twice") { error in
            XCTAssertTrue(error is SpendOrderError)
        }
    }

    func testACheckpointThatThrowsStopsThePassBeforeTheAccount() throws {
        struct Stop: Error {}
        var pass = EvaluationPass(programs: [], facts: Facts(), asOf: Instant(iso8601: "2025-12-10")!)
        pass.checkpoint = { throw Stop() }
        var sink = Counted()
        XCTAssertThrowsError(try pass.account(1, rows: [], into: &sink)) { XCTAssertTrue($0 is Stop) }
    }
}
