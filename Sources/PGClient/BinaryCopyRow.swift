import Exact

/// One row of `COPY ... TO STDOUT (FORMAT binary)`, read in place: valid only inside the
/// callback it is handed to. Fields are decoded from PostgreSQL's binary send format, so no
/// timestamp or numeric text is produced on the server nor parsed here.
public struct BinaryCopyRow {
    let bytes: UnsafeRawBufferPointer
    /// Start and length of each field; length -1 for NULL.
    let fields: UnsafeBufferPointer<(start: Int, length: Int)>

    public var count: Int { fields.count }

    public func isNull(_ index: Int) -> Bool { fields[index].length < 0 }

    func field(_ index: Int, length expected: Int? = nil) throws(PostgresError) -> UnsafeRawBufferPointer? {
        guard index < fields.count else { throw Self.problem("no field \(index)") }
        let (start, length) = fields[index]
        guard length >= 0 else { return nil }
        if let expected, length != expected { throw Self.problem("field \(index) has \(length) bytes, expected \(expected)") }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
    }

    /// An `int8` field; nil for NULL.
    public func int64(_ index: Int) throws(PostgresError) -> Int64? {
        guard let field = try field(index, length: 8) else { return nil }
        return Self.bigEndianInt64(field, at: 0)
    }

    /// A `boolean` field; nil for NULL.
    public func bool(_ index: Int) throws(PostgresError) -> Bool? {
        guard let field = try field(index, length: 1) else { return nil }
        return field[0] != 0
    }

    /// A `text` field; nil for NULL.
    public func text(_ index: Int) throws(PostgresError) -> String? {
        guard let field = try field(index) else { return nil }
        return String(decoding: field, as: UTF8.self)
    }

    /// Whether a `text` field holds exactly `text` (false for NULL), compared in place: a reader
    /// that sees the same value row after row keeps the string it made once.
    public func text(_ index: Int, equals text: String) throws(PostgresError) -> Bool {
        guard let field = try field(index) else { return false }
        return text.utf8.withContiguousStorageIfAvailable { UnsafeRawBufferPointer($0).elementsEqual(field) }
            ?? text.utf8.elementsEqual(field)
    }

    /// The raw bytes of a field (nil for NULL), valid only inside `body`.
    public func withBytes<T>(_ index: Int, _ body: (UnsafeRawBufferPointer?) throws -> T) throws -> T {
        try body(try field(index))
    }

    /// The first byte of a one-byte `text` or `"char"` field (a tag); nil for NULL or empty.
    public func byte(_ index: Int) throws(PostgresError) -> UInt8? {
        guard let field = try field(index), !field.isEmpty else { return nil }
        return field[0]
    }

    /// A `timestamptz` field; nil for NULL and for `±infinity`, which name no instant (the text
    /// format's `infinity` does not parse as an instant either).
    public func instant(_ index: Int) throws(PostgresError) -> Instant? {
        guard let field = try field(index, length: 8) else { return nil }
        let micros = Self.bigEndianInt64(field, at: 0)
        guard micros != .max, micros != .min else { return nil }
        let (value, overflow) = micros.addingReportingOverflow(Self.microsecondsFrom1970To2000)
        return overflow ? nil : Instant(microsecondsSinceEpoch: value)
    }

    /// A `numeric` field; nil for NULL. The value is exactly what parsing the numeric's text
    /// would give: the same trailing-zero rule, `NaN` and `Infinity` refused, out of 64-bit
    /// range an overflow.
    public func decimal(_ index: Int) throws(PostgresError) -> DecimalReading? {
        guard let field = try field(index) else { return nil }
        guard field.count >= 8 else { throw Self.problem("numeric field \(index) is too short") }
        let digitCount = Int(Self.bigEndianInt16(field, at: 0))
        let weight = Int(Self.bigEndianInt16(field, at: 2))
        let sign = UInt16(bitPattern: Self.bigEndianInt16(field, at: 4))
        let displayScale = Int(Self.bigEndianInt16(field, at: 6))
        guard digitCount >= 0, field.count == 8 + 2 * digitCount else {
            throw Self.problem("numeric field \(index) has a bad length")
        }
        switch sign {
        case 0x0000, 0x4000: break
        case 0xC000: return DecimalReading(value: .failure(.notANumber), writtenScale: 0)
        case 0xD000: return DecimalReading(value: .failure(.infinite), writtenScale: 0)
        case 0xF000: return DecimalReading(value: .failure(.infinite), writtenScale: 0, unparsedText: "-Infinity")
        default: throw Self.problem("numeric field \(index) has an unknown sign")
        }
        let value = Self.exactValue(field, digitCount: digitCount, weight: weight, negative: sign == 0x4000)
        return DecimalReading(value: value, writtenScale: displayScale)
    }

    /// A `numeric` field as exact minor units at `exponent` decimals (12.30 at 2 is 1230), when
    /// it is a plain non-negative number with at most `exponent` decimals that fits in 64 bits;
    /// nil for anything else (NULL, NaN, infinite, negative, more decimals, out of range, bad
    /// bytes), which the caller then judges through `decimal(_:)`. The spend read's fast path:
    /// no `ExactDecimal` is made for the millions of plain amounts.
    public func plainMinorUnits(_ index: Int, exponent: Int) -> Int64? {
        guard index < fields.count, (0...18).contains(exponent) else { return nil }
        let (start, length) = fields[index]
        guard length >= 8 else { return nil }
        let field = UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
        let digitCount = Int(Self.bigEndianInt16(field, at: 0))
        let weight = Int(Self.bigEndianInt16(field, at: 2))
        guard Self.bigEndianInt16(field, at: 4) == 0, digitCount >= 0, digitCount <= 6, length == 8 + 2 * digitCount else {
            return nil
        }
        var minor: Int64 = 0
        for position in 0..<digitCount {
            let digit = Int64(Self.bigEndianInt16(field, at: 8 + 2 * position))
            guard (0..<10_000).contains(digit) else { return nil }
            // This group is worth digit × 10^(4 × its position), so digit × 10^power minor units.
            let power = 4 * (weight - position) + exponent
            let term: Int64
            if power >= 0 {
                guard power <= 18 else {
                    if digit == 0 { continue }
                    return nil
                }
                let (product, overflow) = digit.multipliedReportingOverflow(by: Self.powersOfTen[power])
                guard !overflow else { return nil }
                term = product
            } else {
                guard power > -4, digit % Self.powersOfTen[-power] == 0 else {
                    if digit == 0 { continue }
                    return nil
                }
                term = digit / Self.powersOfTen[-power]
            }
            let (sum, overflow) = minor.addingReportingOverflow(term)
            guard !overflow else { return nil }
            minor = sum
        }
        return minor
    }

    /// 10^0 through 10^18, as a literal (which the compiler lays out statically: no lazy
    /// initialisation checked on every access).
    static let powersOfTen: [Int64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
    ]

    /// Base-10000 digits to an `ExactDecimal`. Digit groups are aligned on the decimal point
    /// and stored without leading or trailing zero groups, so n groups hold at least 4n - 6
    /// significant decimal digits: seven or more (22+ digits) are out of 64-bit range, as the
    /// text parser finds too.
    static func exactValue(_ field: UnsafeRawBufferPointer, digitCount: Int, weight: Int,
                           negative: Bool) -> Result<ExactDecimal, ExactDecimal.Problem> {
        guard digitCount > 0 else { return .success(ExactDecimal(coefficient: 0, scale: 0)) }
        guard digitCount <= 6 else { return .failure(.overflow) }
        var magnitude: UInt128 = 0
        for position in 0..<digitCount {
            let digit = Self.bigEndianInt16(field, at: 8 + 2 * position)
            guard (0..<10_000).contains(digit) else { return .failure(.malformed) }
            magnitude = magnitude * 10_000 + UInt128(digit)
        }
        let limit = UInt128(Int64.max)
        // The last stored group's position: 0 = the units group, -1 = the first after the point.
        let lastPosition = weight - (digitCount - 1)
        var scale = 0
        if lastPosition > 0 {
            for _ in 0..<lastPosition {
                guard magnitude <= limit else { return .failure(.overflow) }
                magnitude *= 10_000
            }
        } else {
            scale = -4 * lastPosition
            while scale > 0, magnitude % 10 == 0 {
                magnitude /= 10
                scale -= 1
            }
        }
        guard magnitude <= limit else { return .failure(.overflow) }
        let coefficient = Int64(magnitude)
        return .success(ExactDecimal(coefficient: negative ? -coefficient : coefficient, scale: scale))
    }

    /// 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in microseconds since 1970.
    static let microsecondsFrom1970To2000: Int64 = 946_684_800 * 1_000_000

    // Callers check the length first; the loads are unaligned (a field starts anywhere).
    static func bigEndianInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
        precondition(offset >= 0 && offset + 8 <= bytes.count)
        return Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
    }

    static func bigEndianInt16(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int16 {
        precondition(offset >= 0 && offset + 2 <= bytes.count)
        return Int16(bitPattern: UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    static func bigEndianInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int32 {
        precondition(offset >= 0 && offset + 4 <= bytes.count)
        return Int32(bitPattern: UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    static func problem(_ message: String) -> PostgresError {
        PostgresError(kind: .decoding, message: "binary COPY: " + message)
    }
}
