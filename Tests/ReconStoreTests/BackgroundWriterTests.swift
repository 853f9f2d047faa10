import Exact
import PGClient
@testable import ReconStore
import ReconRules
import XCTest

/// Decision batches written by two writers at once (`BackgroundWriter`), as `spend-recon run`
/// writes them: every batch exactly once, each one whole or not at all, and the first failure
/// stops the rest and is what the run reports.
final class BackgroundWriterTests: XCTestCase {
    func testTwoWritersWriteEveryBatchOnceAndStopAtTheFirstFailure() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 60)
        let asOf = t("2025-12-11")
        let decisions = try f.evaluateEverySubject(asOf: asOf).decisions
        XCTAssertEqual(decisions.count, 60)
        let granted = decisions.filter { $0.status == .granted }.count
        XCTAssertGreaterThan(granted, 0)

        func twoWriters() throws -> BackgroundWriter {
            let runID = try RunRecorder(connection: f.db).start(kind: "run", asOf: asOf)
            let second = try Connection(conninfo: f.conninfo, logger: quietLogger())
            return BackgroundWriter(writers: [try DecisionWriter(connection: f.db, runID: runID, asOf: asOf),
                                              try DecisionWriter(connection: second, runID: runID, asOf: asOf)])
        }
        let batches = stride(from: 0, to: 60, by: 6).map { Array(decisions[$0..<$0 + 6]) }

        let writer = try twoWriters()
        for batch in batches { try writer.submit(WriteBatch(newSubjects: batch)) }
        XCTAssertEqual(try writer.finish().written.rows, 60)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 60)
        XCTAssertEqual(try f.count("SELECT count(DISTINCT subject_key) FROM recon.subject_status"), 60)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"), granted)

        // The third batch also carries the first batch's first subject: a unique violation that
        // fails that batch as a whole and stops the writers.
        try f.resetDecisions()
        let failing = try twoWriters()
        var poisoned = batches
        poisoned[2].append(batches[0][0])
        var failure: Error?
        do {
            for batch in poisoned { try failing.submit(WriteBatch(newSubjects: batch)) }
            _ = try failing.finish()
        } catch {
            failure = error
        }
        XCTAssertEqual((failure as? PostgresError)?.sqlState, "23505", "\(String(describing: failure))")
        failing.abandon()
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE subject_key = $1",
                                   [batches[0][0].subject.key]), 1, "written once, by the first batch")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE subject_key = ANY ($1)",
                                   [batches[2].map(\.subject.key)]), 0, "the failed batch left nothing")
        XCTAssertLessThan(try f.count("SELECT count(*) FROM recon.subject_status"), 60)
    }
}
