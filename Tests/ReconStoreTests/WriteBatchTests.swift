import XCTest

/// Each batch of decisions is one transaction. Subjects with a stored row go `batchSize` to a
/// transaction; new subjects, copied straight in, five times as many (`newSubjectBatchFactor`).
final class WriteBatchTests: XCTestCase {
    func testNewSubjectsAreWrittenFiveBatchesWorthToATransactionAndStoredOnesOneBatchWorth() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 1000)
        // The first night: 1,000 new subjects at 20 a batch, so 100 to each of 10 transactions.
        let first = try f.run(asOf: "2025-11-20T00:00:00Z", batchSize: 20)
        XCTAssertEqual(first.written, 1000)
        XCTAssertEqual(try f.count("SELECT count(DISTINCT xmin::text) FROM recon.subject_status"), 10)
        // The next night rewrites the open ones that changed: 20 to a transaction.
        let changing = try f.count("SELECT count(*) FROM recon.subject_status WHERE NOT final")
        XCTAssertGreaterThan(changing, 100)
        let next = try f.run(asOf: "2025-12-20T00:00:00Z", batchSize: 20)
        XCTAssertGreaterThan(next.written, 100)
        let rewritten = try f.count("SELECT count(DISTINCT xmin::text) FROM recon.subject_status WHERE run_id = $1", [next.runID])
        XCTAssertEqual(rewritten, (next.written + 19) / 20, "written \(next.written)")
    }
}
