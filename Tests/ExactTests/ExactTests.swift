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
