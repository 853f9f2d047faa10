import Exact
import PGClient
import XCTest

/// `COPY ... TO STDOUT`: the spend read's transport.
final class CopyOutTests: XCTestCase {
    static let hostile = ["plain", "tab\there", "line\nbreak", "cr\rreturn", "back\\slash", "\\N", "ünïcødé 店舗", "",
                          "'); DROP TABLE t; --", "\u{01}\u{7F}"]

    func testCopyOutReturnsEveryFieldExactlyWithNullsAsNil() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE t (id bigint, label text, amount numeric, at timestamptz)")
        let base = Instant(year: 2026, month: 1, day: 20)!
        try db.copyIn("COPY t FROM STDIN") { writer in
            for i in 0..<50_000 {
                let label = i % 7 == 0 ? nil : Self.hostile[i % Self.hostile.count]
                try writer.appendRow([String(i), label, ExactDecimal.format(minorUnits: Int64(i) * 101, exponent: 2),
                                      base.adding(microseconds: Int64(i) * 1_000_003).iso8601])
            }
        }
        try db.execute("SET TimeZone = 'Asia/Tokyo'") // instants survive any session time zone
        var count = 0
        let rows = try db.copyOutBinary("COPY (SELECT id, label, amount, at FROM t ORDER BY id) TO STDOUT (FORMAT binary)") { row in
            let i = count
            XCTAssertEqual(row.count, 4)
            XCTAssertEqual(try row.int64(0), Int64(i))
            XCTAssertEqual(try row.text(1), i % 7 == 0 ? nil : Self.hostile[i % Self.hostile.count], "row \(i)")
            XCTAssertEqual(row.plainMinorUnits(2, exponent: 2), Int64(i) * 101)
            XCTAssertEqual(try row.instant(3), base.adding(microseconds: Int64(i) * 1_000_003))
            count += 1
        }
        XCTAssertEqual(rows, 50_000)
        XCTAssertEqual(count, 50_000)
    }

    func testAConsumerErrorCancelsTheCopyAndLeavesTheConnectionUsable() throws {
        let db = try connect(try freshDatabase().conninfo)
        struct Stop: Error {}
        var seen = 0
        XCTAssertThrowsError(try db.copyOutBinary("COPY (SELECT g FROM generate_series(1, 5000000) g) TO STDOUT (FORMAT binary)") { _ in
            seen += 1
            if seen == 10 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop, "\($0)") }
        XCTAssertEqual(seen, 10)
        XCTAssertEqual(try db.execute("SELECT 41 + 1")[0].decode(0, as: Int.self), 42)
    }

    func testServerErrorsAndNonCopyStatementsAreReported() throws {
        let db = try connect(try freshDatabase().conninfo)
        XCTAssertThrowsError(try db.copyOutBinary("COPY (SELECT 1 / 0) TO STDOUT (FORMAT binary)") { _ in }) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "22012")
        }
        XCTAssertThrowsError(try db.copyOutBinary("SELECT 1") { _ in }) {
            XCTAssertEqual(($0 as? PostgresError)?.kind, .usage)
        }
        XCTAssertEqual(try db.execute("SELECT 1")[0].decode(0, as: Int.self), 1)
    }
}
