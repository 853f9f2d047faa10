import Exact
import PGClient
import XCTest

final class DecodingTests: XCTestCase {
    var db: Connection!

    override func setUpWithError() throws {
        db = try connect(try freshDatabase().conninfo)
    }

    func numeric(_ literal: String) throws -> ExactDecimal {
        try db.execute("SELECT $1::numeric", [literal])[0].decode(0, as: ExactDecimal.self)
    }

    func testNumericZeroNegativeAndEighteenDigits() throws {
        XCTAssertEqual(try numeric("0").minorUnits(exponent: 2), 0)
        XCTAssertEqual(try numeric("-12.34").minorUnits(exponent: 2), -1234)
        XCTAssertEqual(try numeric("123456789012345678").minorUnits(exponent: 0), 123_456_789_012_345_678)
        XCTAssertEqual(try numeric("1234567890123456.78").minorUnits(exponent: 2), 123_456_789_012_345_678)
        XCTAssertEqual(try numeric("10000").minorUnits(exponent: 0), 10000)
        XCTAssertEqual(try numeric("1.230").minorUnits(exponent: 3), 1230)
        XCTAssertEqual(try numeric("500.00").minorUnits(exponent: 2), 50000, "trailing zeros are not extra decimals")
    }

    func testNumericScaleAboveCurrencyDigitsIsAnError() throws {
        XCTAssertThrowsError(try numeric("12.345").minorUnits(exponent: 2)) { error in
            XCTAssertEqual(error as? ExactDecimal.Problem, .tooManyDecimals(allowed: 2))
        }
        XCTAssertThrowsError(try numeric("100.5").minorUnits(exponent: 0))
        // Past 64 bits the value is refused as it is decoded, never rounded.
        XCTAssertThrowsError(try numeric("99999999999999999999")) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .decoding)
            XCTAssertTrue((error as? PostgresError)?.message.contains("overflow") == true)
        }
    }

    func testNumericNaNIsAnErrorNamingColumnAndTypes() throws {
        let row = try db.execute("SELECT 'NaN'::numeric AS amount")[0]
        XCTAssertThrowsError(try row.decode(0, as: ExactDecimal.self)) { error in
            let pgError = error as? PostgresError
            XCTAssertEqual(pgError?.kind, .decoding)
            XCTAssertEqual(pgError?.columnName, "amount")
            XCTAssertTrue(pgError?.message.contains("numeric") == true)
            XCTAssertTrue(pgError?.message.contains("ExactDecimal") == true)
        }
    }

    func testWrongSwiftTypeNamesColumnSQLTypeAndSwiftType() throws {
        let row = try db.execute("SELECT 'x'::text AS merchant")[0]
        XCTAssertThrowsError(try row.decode(0, as: Int64.self)) { error in
            let message = (error as? PostgresError)?.message ?? ""
            XCTAssertTrue(message.contains("merchant") && message.contains("text") && message.contains("Int64"), message)
        }
    }

    func testNullIsExplicit() throws {
        let row = try db.execute("SELECT NULL::bigint")[0]
        XCTAssertNil(try row.decodeIfPresent(0, as: Int64.self))
        XCTAssertThrowsError(try row.decode(0, as: Int64.self))
    }

    func testScalarTypesAndArrays() throws {
        let row = try db.execute("SELECT $1::bigint, $2::int, $3::text, $4::bool, $5::bigint[], $6::text[]",
                                 [Int64.max, 42, "héllo, \"world\"", true, [Int64(1), 2, 3], ["a,b", "c\"d", "e\\f"]])[0]
        XCTAssertEqual(try row.decode(0, as: Int64.self), Int64.max)
        XCTAssertEqual(try row.decode(1, as: Int.self), 42)
        XCTAssertEqual(try row.decode(2, as: String.self), "héllo, \"world\"")
        XCTAssertEqual(try row.decode(3, as: Bool.self), true)
        XCTAssertEqual(try row.decode(4, as: [Int64].self), [1, 2, 3])
        XCTAssertEqual(try row.decode(5, as: [String].self), ["a,b", "c\"d", "e\\f"])
    }

    func testTimestamptzRoundTripsAtMicrosecondsInTwoTimeZones() throws {
        let instant = Instant(year: 2025, month: 12, day: 1, hour: 23, minute: 59, second: 59, microsecond: 123_456)!
        for zone in ["UTC", "Asia/Tokyo", "America/Los_Angeles"] {
            try db.execute("SELECT set_config('TimeZone', $1, false)", [zone])
            let row = try db.execute("SELECT $1::timestamptz, ($1::timestamptz)::text", [instant])[0]
            XCTAssertEqual(try row.decode(0, as: Instant.self), instant, zone)
            // The server's own rendering in that zone parses back to the same instant.
            XCTAssertEqual(Instant(iso8601: try row.decode(1, as: String.self)), instant, zone)
        }
        let parsed = try db.execute("SELECT '2025-12-02 08:59:59.123456+09'::timestamptz")[0].decode(0, as: Instant.self)
        XCTAssertEqual(parsed, instant)
    }

    func testTimestampWithoutTimeZoneIsNotAnInstant() throws {
        let row = try db.execute("SELECT '2025-01-01 00:00:00'::timestamp")[0]
        XCTAssertThrowsError(try row.decode(0, as: Instant.self))
    }
}
