import Exact
import PGClient
import XCTest

final class StreamingAndCopyTests: XCTestCase {
    func testCopyRoundTripOf100000Rows() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE bills (id bigint PRIMARY KEY, merchant text, amount numeric, paid_at timestamptz)")
        let base = Instant(year: 2025, month: 11, day: 1)!
        func merchant(_ i: Int) -> String { i % 1000 == 0 ? "m\t\(i)\n\\\"é" : "m\(i)" }
        let stored = try db.copyIn("COPY bills (id, merchant, amount, paid_at) FROM STDIN") { writer in
            for i in 0..<100_000 {
                try writer.appendRow([String(i), merchant(i), ExactDecimal.format(minorUnits: Int64(i * 7 + 1), exponent: 2),
                                      i % 3 == 0 ? nil : base.adding(microseconds: Int64(i)).iso8601])
            }
        }
        XCTAssertEqual(stored, 100_000)
        var count = 0
        try db.stream("SELECT id, merchant, amount, paid_at FROM bills ORDER BY id") { row in
            let i = count
            XCTAssertEqual(try row.decode(0, as: Int64.self), Int64(i))
            XCTAssertEqual(try row.decode(1, as: String.self), merchant(i))
            XCTAssertEqual(try row.decode(2, as: ExactDecimal.self).minorUnits(exponent: 2), Int64(i * 7 + 1))
            XCTAssertEqual(try row.decodeIfPresent(3, as: Instant.self), i % 3 == 0 ? nil : base.adding(microseconds: Int64(i)))
            count += 1
        }
        XCTAssertEqual(count, 100_000)
    }

    func testCopyAbortedByTheWriterKeepsNothing() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE t (v int)")
        struct Stop: Error {}
        XCTAssertThrowsError(try db.copyIn("COPY t FROM STDIN") { writer in
            try writer.appendRow(["1"])
            throw Stop()
        })
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t")[0].decode(0, as: Int.self), 0)
        XCTAssertTrue(db.isHealthy)
    }

    func testMillionRowStreamKeepsMemoryFlat() throws {
        let db = try connect(try freshDatabase().conninfo)
        var rows = 0
        var sum: Int64 = 0
        var residentAtStart = 0
        var residentPeak = 0
        try db.stream("SELECT g::bigint, repeat('x', 100) FROM generate_series(1, 1000000) g") { row in
            sum += try row.decode(0, as: Int64.self)
            rows += 1
            if rows == 50_000 { residentAtStart = residentBytes() }
            if rows % 50_000 == 0 { residentPeak = max(residentPeak, residentBytes()) }
        }
        XCTAssertEqual(rows, 1_000_000)
        XCTAssertEqual(sum, 500_000_500_000)
        // Holding the rows would take well over 100 MB; streaming stays within a few MB.
        let growth = residentPeak - residentAtStart
        print("streamed 1,000,000 rows; resident growth after the first 50,000: \(growth / 1024) KiB")
        XCTAssertLessThan(growth, 32 << 20)
    }

    func testStreamStoppedByTheConsumerCancelsAndLeavesConnectionUsable() throws {
        let db = try connect(try freshDatabase().conninfo)
        struct Enough: Error {}
        var seen = 0
        XCTAssertThrowsError(try db.stream("SELECT g FROM generate_series(1, 5000000) g") { _ in
            seen += 1
            if seen == 10 { throw Enough() }
        }) { XCTAssertTrue($0 is Enough) }
        XCTAssertEqual(try db.execute("SELECT 7")[0].decode(0, as: Int.self), 7)
    }
}

final class StreamingGuardTests: XCTestCase {
    /// libpq silently drops the rest of a streamed result when another statement is sent on the
    /// same connection; the layer must refuse instead of losing rows.
    func testAStatementDuringAStreamIsRefusedAndNoRowIsLost() throws {
        let db = try connect(try freshDatabase().conninfo)
        var seen = 0
        var refusal: PostgresError?
        try db.stream("SELECT g FROM generate_series(1, 1000) g") { _ in
            seen += 1
            if seen == 10 {
                do { try db.execute("SELECT 1") } catch { refusal = error as? PostgresError }
            }
        }
        XCTAssertEqual(seen, 1000)
        XCTAssertEqual(refusal?.kind, .usage)
        XCTAssertEqual(try db.execute("SELECT 2")[0].decode(0, as: Int.self), 2)
    }
}
