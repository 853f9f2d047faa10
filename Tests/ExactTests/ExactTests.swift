import Exact
import XCTest

final class ExactTests: XCTestCase {
    func testISO8601ParsesDatesInstantsAndOffsets() {
        XCTAssertEqual(Instant(iso8601: "2025-12-01")?.iso8601, "2025-12-01T00:00:00Z")
        XCTAssertEqual(Instant(iso8601: "2025-12-01T09:00:00+09:00")?.iso8601, "2025-12-01T00:00:00Z")
        XCTAssertEqual(Instant(iso8601: "2025-12-01 00:00:00.000001+00")?.iso8601, "2025-12-01T00:00:00.000001Z")
        XCTAssertEqual(Instant(iso8601: "1969-12-31T23:59:59.5Z")?.microsecondsSinceEpoch, -500_000)
        XCTAssertEqual(Instant(iso8601: "2024-02-29T12:00Z")?.iso8601, "2024-02-29T12:00:00Z")
        for bad in ["2025-13-01", "2025-02-30", "2025-12-01T10:00:00", "yesterday", "2025-12-01T25:00:00Z", "", "2025-12-01T10:00:00.1234567Z"] {
            XCTAssertNil(Instant(iso8601: bad), bad)
        }
    }

    /// The byte-by-byte formatter (years 0...9999) against the parser, at microsecond precision
    /// and on whole seconds, across ten millennia (a fixed LCG, so the cases are reproducible).
    func testISO8601FormattingRoundTripsAcrossTenMillennia() {
        let low = Instant(year: 0, month: 1, day: 1)!.microsecondsSinceEpoch
        let high = Instant(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999_999)!.microsecondsSinceEpoch
        var state: UInt64 = 20_261_122
        for round in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var micros = low + Int64(state >> 1 % UInt64(high - low + 1))
            if round % 2 == 0 { micros -= ((micros % 1_000_000) + 1_000_000) % 1_000_000 }
            let instant = Instant(microsecondsSinceEpoch: micros)
            let text = instant.iso8601
            XCTAssertEqual(Instant(iso8601: text), instant, text)
            XCTAssertEqual(text.utf8.count, micros % 1_000_000 == 0 ? 20 : 27, text)
        }
        XCTAssertEqual(Instant(year: 2026, month: 1, day: 20, microsecond: 5)!.iso8601, "2026-01-20T00:00:00.000005Z")
        XCTAssertEqual(Instant(year: 7, month: 3, day: 9, hour: 4, minute: 5, second: 6)!.iso8601, "0007-03-09T04:05:06Z")
        XCTAssertEqual(Instant(year: 10000, month: 1, day: 1)!.iso8601, "10000-01-01T00:00:00Z")
    }

    func testCalendarRoundTripsAcrossCenturies() {
        var instant = Instant(year: 1900, month: 1, day: 1)!
        let end = Instant(year: 2100, month: 12, day: 31)!
        while instant < end {
            XCTAssertEqual(Instant(iso8601: instant.iso8601), instant)
            instant = instant.adding(days: 13).adding(seconds: 3607)
        }
    }

    func testDecimalParsingAndFormatting() throws {
        XCTAssertEqual(try ExactDecimal(parsing: "-0.50").minorUnits(exponent: 2), -50)
        XCTAssertEqual(try ExactDecimal(parsing: "007").minorUnits(exponent: 3), 7000)
        XCTAssertEqual(ExactDecimal.format(minorUnits: 5, exponent: 3), "0.005")
        XCTAssertEqual(ExactDecimal.format(minorUnits: -123456, exponent: 2), "-1234.56")
        XCTAssertEqual(ExactDecimal.format(minorUnits: 10000, exponent: 0), "10000")
        XCTAssertEqual(ExactDecimal.format(minorUnits: Int64.min, exponent: 2), "-92233720368547758.08")
        for bad in ["", ".", "1.", "1e5", "1,5", "--1", "abc"] {
            XCTAssertThrowsError(try ExactDecimal(parsing: bad), bad)
        }
        XCTAssertThrowsError(try ExactDecimal(parsing: "NaN")) { XCTAssertEqual($0 as? ExactDecimal.Problem, .notANumber) }
        XCTAssertThrowsError(try ExactDecimal(parsing: "92233720368547758.08").minorUnits(exponent: 2)) {
            XCTAssertEqual($0 as? ExactDecimal.Problem, .overflow)
        }
    }
}
