/// An exact decimal number `coefficient × 10^-scale`, parsed from text, never through floating point.
///
/// Trailing fractional zeros are dropped on parsing, so `12.340` and `12.34` are the same value.
public struct ExactDecimal: Hashable, Sendable, CustomStringConvertible {
    public let coefficient: Int64
    public let scale: Int

    public enum Problem: Error, Equatable, Sendable {
        case malformed
        case notANumber
        case infinite
        case overflow
        case tooManyDecimals(allowed: Int)
    }

    public init(coefficient: Int64, scale: Int) {
        self.coefficient = coefficient
        self.scale = scale
    }

    /// Parses `-123.4500`, `0`, `NaN` (an error), `Infinity` (an error).
    public init(parsing text: String) throws(Problem) {
        // One pass over the UTF-8 bytes in place: this runs for every amount of every spend row.
        let parsed = text.utf8.withContiguousStorageIfAvailable { Self.parse($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { Self.parse($0) }
        switch parsed {
        case let .success((coefficient, scale)):
            self.coefficient = coefficient
            self.scale = scale
        case let .failure(problem):
            switch text {
            case "NaN": throw .notANumber
            case "Infinity", "-Infinity", "+Infinity": throw .infinite
            default: throw problem
            }
        }
    }

    /// Parses UTF-8 bytes in place, as `init(parsing:)` does text.
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(Problem) {
        switch Self.parse(bytes) {
        case let .success((coefficient, scale)):
            self.coefficient = coefficient
            self.scale = scale
        case let .failure(problem):
            throw problem
        }
    }

    /// `[sign] digits [. digits]` with at least one digit on some side of the point and at
    /// least one after it when there is a point. Trailing fractional zeros do not count towards
    /// the scale (nor towards overflow).
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int64, Int), Problem> {
        let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var value: Int64 = 0
        func push(_ digit: UInt8) -> Bool {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(Int64(digit - zero))
            value = next
            return !o1 && !o2
        }
        let integerStart = index
        while index < bytes.count, bytes[index] >= zero, bytes[index] <= nine {
            guard push(bytes[index]) else { return .failure(.overflow) }
            index += 1
        }
        var digits = index - integerStart
        var scale = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index] >= zero, bytes[index] <= nine { index += 1 }
            guard index > fractionStart else { return .failure(.malformed) }
            digits += index - fractionStart
            var significantEnd = index
            while significantEnd > fractionStart, bytes[significantEnd - 1] == zero { significantEnd -= 1 }
            for position in fractionStart..<significantEnd {
                guard push(bytes[position]) else { return .failure(.overflow) }
            }
            scale = significantEnd - fractionStart
        }
        guard index == bytes.count, digits > 0 else { return .failure(.malformed) }
        return .success((negative ? -value : value, scale))
    }

    /// The value in integer minor units of a currency with `exponent` minor digits.
    /// More non-zero decimals than the exponent allows is an error, never a rounding.
    public func minorUnits(exponent: Int) throws(Problem) -> Int64 {
        if scale <= exponent {
            guard let factor = Self.powerOfTen(exponent - scale) else { throw .overflow }
            let (result, overflow) = coefficient.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw .overflow }
            return result
        }
        guard let divisor = Self.powerOfTen(scale - exponent), coefficient % divisor == 0 else {
            throw .tooManyDecimals(allowed: exponent)
        }
        return coefficient / divisor
    }

    public var description: String {
        Self.format(minorUnits: coefficient, exponent: scale)
    }

    /// `1234` with exponent 2 → `12.34`; exponent 0 → `1234`; `-5` with exponent 3 → `-0.005`.
    public static func format(minorUnits: Int64, exponent: Int) -> String {
        let magnitude = minorUnits.magnitude
        var digits = String(magnitude)
        if exponent > 0 {
            if digits.count <= exponent {
                digits = String(repeating: "0", count: exponent - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -exponent))
        }
        return minorUnits < 0 ? "-" + digits : digits
    }

    static func powerOfTen(_ n: Int) -> Int64? {
        guard n >= 0, n <= 18 else { return nil }
        var value: Int64 = 1
        for _ in 0..<n { value *= 10 }
        return value
    }
}
