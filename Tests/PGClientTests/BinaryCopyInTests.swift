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

/// The `numeric`, `int4` and `text[]` encoders, checked against the server's own text.
final class BinaryCopyInEncodingTests: XCTestCase {
    func testNumericsArriveExactlyWithTheirScaleAndArraysAndInt4Too() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE t (seq bigint, amount numeric, tier integer, reasons text[])")
        var values: [(Int64, Int)] = []
        for scale in 0...8 {
            for minor in [0, 1, -1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 10_001, 12_345_678, 100_000_000, -50_000,
                          Int64.max, Int64.min, Int64.max - 1, 1_000_000_000_000_000_000] as [Int64] {
                values.append((minor, scale))
            }
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<3000 { values.append((Int64.random(in: Int64.min...Int64.max, using: &random) >> Int.random(in: 0...62), Int.random(in: 0...8))) }
        let arrays: [[String]] = [[], ["recent_spend"], ["a", "b,c", "d\"e", "", "ünï", "{x}"]]
        try db.copyInBinary("COPY t FROM STDIN (FORMAT binary)") { writer in
            for (index, (minor, scale)) in values.enumerated() {
                try writer.beginRow(fields: 4)
                writer.int64(Int64(index))
                writer.numeric(minorUnits: minor, scale: scale)
                writer.int32(index % 4 == 0 ? nil : Int32(index) - 1500)
                writer.textArray(arrays[index % arrays.count])
            }
        }
        let rows = try db.execute("SELECT amount::text, tier, reasons FROM t ORDER BY seq").rows
        XCTAssertEqual(rows.count, values.count)
        for (index, row) in rows.enumerated() {
            let (minor, scale) = values[index]
            XCTAssertEqual(try row.decode(0, as: String.self), Self.text(minor, scale: scale), "\(minor) at scale \(scale)")
            XCTAssertEqual(try row.decodeIfPresent(1, as: Int.self), index % 4 == 0 ? nil : index - 1500)
            XCTAssertEqual(try row.decode(2, as: [String].self), arrays[index % arrays.count])
        }
    }

    /// What PostgreSQL prints for minor × 10^-scale with `scale` decimals (written out here by
    /// hand, independent of the encoder).
    static func text(_ minor: Int64, scale: Int) -> String {
        let digits = String(minor.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let integer = padded.dropLast(scale)
        let fraction = padded.suffix(scale)
        return (minor < 0 ? "-" : "") + integer + (scale > 0 ? "." + fraction : "")
    }
}
