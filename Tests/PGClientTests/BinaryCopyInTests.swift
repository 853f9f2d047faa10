import Exact
import PGClient
import XCTest

/// `COPY ... FROM STDIN (FORMAT binary)`: how the nightly read sends its account spans.
final class BinaryCopyInTests: XCTestCase {
    func testEveryFieldArrivesExactlyWithNullsAsNull() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE t (seq bigint, id bigint, at timestamptz, label text, flag boolean)")
        let instants = [Instant(year: 1, month: 1, day: 1)!, Instant(year: 1999, month: 12, day: 31, hour: 23, minute: 59,
                                                                      second: 59, microsecond: 999_999)!,
                        Instant(year: 2000, month: 1, day: 1)!, Instant(year: 2026, month: 1, day: 20, microsecond: 1)!,
                        Instant(year: 9999, month: 12, day: 31)!]
        let labels = CopyOutTests.hostile
        let stored = try db.copyInBinary("COPY t FROM STDIN (FORMAT binary)") { writer in
            for i in 0..<20_000 {
                try writer.beginRow(fields: 5)
                writer.int64(Int64(i))
                writer.int64(i % 11 == 0 ? nil : Int64(i) * (i % 2 == 0 ? 1 : -1) * 1_000_000_007)
                writer.instant(i % 13 == 0 ? nil : instants[i % instants.count].adding(microseconds: Int64(i)))
                writer.text(i % 7 == 0 ? nil : labels[i % labels.count])
                writer.bool(i % 5 == 0 ? nil : i % 3 == 0)
            }
        }
        XCTAssertEqual(stored, 20_000)
        try db.execute("SET TimeZone = 'Asia/Tokyo'")
        var i = 0
        try db.copyOutBinary("COPY (SELECT id, at, label, flag FROM t ORDER BY seq) TO STDOUT (FORMAT binary)") { row in
            XCTAssertEqual(try row.int64(0), i % 11 == 0 ? nil : Int64(i) * (i % 2 == 0 ? 1 : -1) * 1_000_000_007)
            XCTAssertEqual(try row.instant(1), i % 13 == 0 ? nil : instants[i % instants.count].adding(microseconds: Int64(i)))
            XCTAssertEqual(try row.text(2), i % 7 == 0 ? nil : labels[i % labels.count], "row \(i)")
            XCTAssertEqual(try row.bool(3), i % 5 == 0 ? nil : i % 3 == 0)
            i += 1
        }
        XCTAssertEqual(i, 20_000)
        // The server agrees on the instants themselves, not only on the round trip.
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t WHERE at = '2000-01-01T00:00:00.000002Z'")[0].decode(0, as: Int.self),
                       1)
    }

    func testAWrongFieldCountFailsTheWholeCopyAndAThrowStoresNothing() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE t (id bigint, at timestamptz)")
        XCTAssertThrowsError(try db.copyInBinary("COPY t FROM STDIN (FORMAT binary)") { writer in
            try writer.beginRow(fields: 2); writer.int64(1); writer.instant(nil)
            try writer.beginRow(fields: 1); writer.int64(2)
        }) { error in XCTAssertEqual((error as? PostgresError)?.sqlState, "22P04") }
        struct Stop: Error {}
        XCTAssertThrowsError(try db.copyInBinary("COPY t FROM STDIN (FORMAT binary)") { writer in
            try writer.beginRow(fields: 2); writer.int64(1); writer.instant(nil)
            throw Stop()
        }) { error in XCTAssertTrue(error is Stop) }
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t")[0].decode(0, as: Int.self), 0)
    }
}
