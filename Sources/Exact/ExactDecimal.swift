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
        switch text {
        case "NaN": throw .notANumber
        case "Infinity", "-Infinity", "+Infinity": throw .infinite
        default: break
        }
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        var integerPart = parts[0]
        var fractionPart = parts.count > 1 ? parts[1] : []
        guard !integerPart.isEmpty || !fractionPart.isEmpty else { throw .malformed }
        if parts.count > 1, fractionPart.isEmpty { throw .malformed }
        while let last = fractionPart.last, last == UInt8(ascii: "0") { fractionPart = fractionPart.dropLast() }
        while integerPart.count > 1, integerPart.first == UInt8(ascii: "0") { integerPart = integerPart.dropFirst() }
        var value: Int64 = 0
        for digit in integerPart + fractionPart {
            guard digit >= 48, digit <= 57 else { throw .malformed }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(Int64(digit - 48))
            guard !o1, !o2 else { throw .overflow }
            value = next
        }
        coefficient = negative ? -value : value
        scale = fractionPart.count
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
