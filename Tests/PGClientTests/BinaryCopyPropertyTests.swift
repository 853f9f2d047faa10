import Exact
import PGClient
import SampleData
import XCTest

/// `copyOutBinary` against the server's own text for the same values: random numerics of every
/// shape (up to 40 digits, down to 10^-40, trailing zeros, signs, NaN, ±Infinity, NULL) read the
/// same value from the binary send format as from the text, and written-as text matches; random
/// timestamptz values (and ±infinity, NULL) read the same instant.
final class BinaryCopyPropertyTests: XCTestCase {
    static let seed: UInt64 = 20261122

    func testBinaryNumericsReadAsTheirTextDoes() throws {
        let db = try connect(try freshDatabase().conninfo)
        var random = SeededRandom(seed: Self.seed)
        var texts: [String] = ["0", "0.000", "-0.0", "NaN", "Infinity", "-Infinity", "9223372036854775807",
                                "-9223372036854775807", "9223372036854775808", "922337203685477580.70", "0.0000000000000000001",
                                "10000", "100000000000000000000", "1.5000", "12345678901234567890123456789.5"]
        for _ in 0..<4000 {
            let digits = Int(random.int(1...40))
            var text = random.chance(perMille: 300) ? "-" : ""
            for position in 0..<digits { text.append(String(random.int(position == 0 ? 1...9 : 0...9))) }
            let point = Int(random.int(0...Int64(digits)))
            if point < digits { text.insert(".", at: text.index(text.endIndex, offsetBy: -(digits - point))) }
            if text.hasSuffix(".") { text.removeLast() }
            if text.hasPrefix(".") || text.hasPrefix("-.") { text = text.replacingOccurrences(of: ".", with: "0.") }
            if random.chance(perMille: 200) { text += (text.contains(".") ? "" : ".") + String(repeating: "0", count: Int(random.int(1...5))) }
            if random.chance(perMille: 100) { text = "0." + String(repeating: "0", count: Int(random.int(1...40))) + "7" }
            texts.append(text)
        }
        try db.execute("CREATE TEMP TABLE v (n int, x numeric)")
        try db.execute("INSERT INTO v SELECT n, t::numeric FROM unnest($1::text[]) WITH ORDINALITY u(t, n)", [texts])
        try db.execute("INSERT INTO v VALUES (0, NULL)")
        var compared = 0, values = 0, refused = 0
        try db.copyOutBinary("COPY (SELECT n, x, x::text FROM v ORDER BY n) TO STDOUT (FORMAT binary)") { row in
            let binary = try row.decimal(1)
            let serverText = try row.text(2)
            XCTAssertEqual(binary == nil, serverText == nil)
            guard let binary, let serverText else { return }
            let fromText = DecimalReading(text: serverText)
            XCTAssertEqual(binary.value, fromText.value, "seed \(Self.seed): \(serverText)")
            switch binary.value {
            case .success:
                XCTAssertEqual(binary.text, serverText, "written as")
                values += 1
            case .failure(.notANumber), .failure(.infinite):
                XCTAssertEqual(binary.text, serverText)
                refused += 1
            case .failure:
                refused += 1
            }
            compared += 1
        }
        XCTAssertEqual(compared, texts.count)
        print("binary copy figures: numerics=\(compared) exact=\(values) refused=\(refused)")
    }

    func testBinaryTimestampsReadAsTheirTextDoes() throws {
        let db = try connect(try freshDatabase().conninfo)
        var random = SeededRandom(seed: Self.seed + 1)
        let low = Instant(year: 1800, month: 1, day: 1)!.microsecondsSinceEpoch
        let high = Instant(year: 2399, month: 12, day: 31)!.microsecondsSinceEpoch
        let texts: [String] = ["infinity", "-infinity"]
            + (0..<3000).map { _ in Instant(microsecondsSinceEpoch: random.int(low...high)).iso8601 }
        try db.execute("CREATE TEMP TABLE t (n int, at timestamptz, id bigint)")
        try db.execute("INSERT INTO t SELECT n, x::timestamptz, n * 1000000007 FROM unnest($1::text[]) WITH ORDINALITY u(x, n)", [texts])
        try db.execute("INSERT INTO t VALUES (0, NULL, 0)")
        var rows = 0
        try db.copyOutBinary("COPY (SELECT n::int8, at, at::text, id FROM t ORDER BY n) TO STDOUT (FORMAT binary)") { row in
            XCTAssertEqual(row.count, 4)
            let n = try XCTUnwrap(try row.int64(0))
            XCTAssertEqual(try row.int64(3), n * 1_000_000_007)
            XCTAssertEqual(try row.instant(1), try row.text(2).flatMap(Instant.init(iso8601:)), "seed \(Self.seed + 1) row \(n)")
            rows += 1
        }
        XCTAssertEqual(rows, texts.count + 1)
    }

    func testABinaryCopyOfTheWrongTypeIsADecodingErrorNotAGuess() throws {
        let db = try connect(try freshDatabase().conninfo)
        XCTAssertThrowsError(try db.copyOutBinary("COPY (SELECT 1::int4) TO STDOUT (FORMAT binary)") { row in
            _ = try row.int64(0)
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .decoding)
        }
        // The connection is usable afterwards.
        XCTAssertEqual(try db.execute("SELECT 2")[0].decode(0, as: Int.self), 2)
    }
}
