import Exact
import PGClient
import SampleData
import XCTest

/// The decoders under random values from the real server: numeric text of every shape the
/// server prints (signs, scales, trailing zeros, up to 18 digits) and timestamptz across four
/// centuries at microsecond precision come back exact, and what cannot fit is an error.
final class DecoderPropertyTests: XCTestCase {
    static let seed: UInt64 = 20261121

    func testRandomNumericsDecodeExactlyOrFailLoudly() throws {
        let db = try connect(try freshDatabase().conninfo)
        var random = SeededRandom(seed: Self.seed)
        var values: [(minor: Int64, scale: Int)] = []
        for _ in 0..<3000 {
            let digits = random.int(1...18)
            var magnitude: Int64 = 1
            for _ in 1..<digits { magnitude *= 10 }
            let coefficient = random.int(0..<magnitude) * (random.chance(perMille: 300) ? -1 : 1)
            values.append((coefficient, Int(random.int(0...6))))
        }
        // One round trip for all of them: text in, the server's numeric text out.
        let texts = values.map { ExactDecimal.format(minorUnits: $0.minor, exponent: $0.scale) }
        let rows = try db.execute("SELECT t::numeric, (t::numeric * 10)::numeric(40, 7) FROM unnest($1::text[]) WITH ORDINALITY u(t, n) ORDER BY n",
                                  [texts]).rows
        XCTAssertEqual(rows.count, values.count)
        var tooPrecise = 0, overflowed = 0
        for ((minor, scale), row) in zip(values, rows) {
            let decimal = try row.decode(0, as: ExactDecimal.self)
            XCTAssertEqual(try decimal.minorUnits(exponent: scale), minor, "seed \(Self.seed): \(minor) at scale \(scale)")
            if scale > 0, minor % 10 != 0 {
                // One digit fewer than the value has: an error, never a rounded amount.
                XCTAssertThrowsError(try decimal.minorUnits(exponent: scale - 1)) { _ in tooPrecise += 1 }
            } else if scale > 0 {
                XCTAssertEqual(try decimal.minorUnits(exponent: scale - 1), minor / 10, "a trailing zero is no extra decimal")
            }
            // Times ten at scale 7: exact while it fits 64 bits, an overflow error when it does not.
            let scaled = try row.decode(1, as: ExactDecimal.self)
            let (expected, overflow) = minor.multipliedReportingOverflow(by: 10 * Self.power(7 - scale))
            if overflow {
                XCTAssertThrowsError(try scaled.minorUnits(exponent: 7)) { _ in overflowed += 1 }
            } else {
                XCTAssertEqual(try? scaled.minorUnits(exponent: 7), expected, "seed \(Self.seed): \(minor)e-\(scale) × 10")
            }
        }
        print("decoder figures: numerics=\(values.count) too_many_decimals_refused=\(tooPrecise) overflows_refused=\(overflowed)")
    }

    func testRandomInstantsRoundTripThroughTimestamptzAtMicroseconds() throws {
        let db = try connect(try freshDatabase().conninfo)
        var random = SeededRandom(seed: Self.seed + 1)
        let low = Instant(year: 1900, month: 1, day: 1)!.microsecondsSinceEpoch
        let high = Instant(year: 2299, month: 12, day: 31)!.microsecondsSinceEpoch
        let instants = (0..<3000).map { _ in Instant(microsecondsSinceEpoch: random.int(low...high)) }
        let rows = try db.execute("""
            SELECT t, t::text, extract(epoch FROM t)::numeric(30, 6)::text
            FROM unnest($1::timestamptz[]) WITH ORDINALITY u(t, n) ORDER BY n
            """, [instants.map(\.iso8601)]).rows
        for (instant, row) in zip(instants, rows) {
            XCTAssertEqual(try row.decode(0, as: Instant.self), instant, "seed \(Self.seed + 1)")
            XCTAssertEqual(Instant(iso8601: try row.decode(1, as: String.self)), instant, "server text parses back")
            let epoch = try ExactDecimal(parsing: try row.decode(2, as: String.self)).minorUnits(exponent: 6)
            XCTAssertEqual(epoch, instant.microsecondsSinceEpoch, "the server's own epoch agrees to the microsecond")
        }
        print("decoder figures: instants=\(instants.count) years=1900-2299 mismatches=0")
    }

    static func power(_ n: Int) -> Int64 {
        (0..<n).reduce(Int64(1)) { value, _ in value * 10 }
    }
}
