extension Instant {
    /// `2025-12-01T00:00:00Z`, with `.ffffff` only when the instant has a fraction of a second.
    public var iso8601: String {
        let f = utcFields
        // Years 0...9999 (every instant the job meets) are written byte by byte into one
        // allocation: this runs for every time of every decision written.
        if (0...9999).contains(f.year) {
            let length = f.microsecond != 0 ? 27 : 20
            return String(unsafeUninitializedCapacity: length, initializingUTF8With: { bytes in
                var index = 0
                func put(_ value: Int, _ width: Int) {
                    var divisor = 1
                    for _ in 1..<width { divisor *= 10 }
                    var rest = value
                    while divisor > 0 {
                        bytes[index] = UInt8(ascii: "0") + UInt8(rest / divisor)
                        rest %= divisor
                        divisor /= 10
                        index += 1
                    }
                }
                func put(_ byte: Unicode.Scalar) {
                    bytes[index] = UInt8(ascii: byte)
                    index += 1
                }
                put(f.year, 4); put("-"); put(f.month, 2); put("-"); put(f.day, 2); put("T")
                put(f.hour, 2); put(":"); put(f.minute, 2); put(":"); put(f.second, 2)
                if f.microsecond != 0 { put("."); put(f.microsecond, 6) }
                put("Z")
                return index
            })
        }
        var text = pad(f.year, 4) + "-" + pad(f.month, 2) + "-" + pad(f.day, 2) + "T"
            + pad(f.hour, 2) + ":" + pad(f.minute, 2) + ":" + pad(f.second, 2)
        if f.microsecond != 0 { text += "." + pad(f.microsecond, 6) }
        return text + "Z"
    }

    /// Parses an ISO 8601 / RFC 3339 instant or a bare date (midnight UTC).
    ///
    /// Accepted: `2025-12-01`, `2025-12-01T10:00:00Z`, `2025-12-01 10:00:00.5+09:00`,
    /// `2025-12-01T10:00Z`, and PostgreSQL's own `2025-12-01 10:00:00+00`. A date-time without an
    /// offset is refused: an instant must say which one it is.
    public init?(iso8601 text: String) {
        // One pass over the UTF-8 bytes in place: this runs for every time of every spend row.
        let parsed = text.utf8.withContiguousStorageIfAvailable { Instant.parse(DigitScanner($0)) }
            ?? Array(text.utf8).withUnsafeBufferPointer { Instant.parse(DigitScanner($0)) }
        guard let parsed else { return nil }
        self = parsed
    }

    private static func parse(_ start: DigitScanner) -> Instant? {
        var scanner = start
        guard let year = scanner.number(digits: 4), scanner.take("-"),
              let month = scanner.number(digits: 2), scanner.take("-"),
              let day = scanner.number(digits: 2) else { return nil }
        if scanner.atEnd { return Instant(year: year, month: month, day: day) }
        guard scanner.take("T") || scanner.take("t") || scanner.take(" "),
              let hour = scanner.number(digits: 2), scanner.take(":"),
              let minute = scanner.number(digits: 2) else { return nil }
        var second = 0
        var microsecond = 0
        if scanner.take(":") {
            guard let s = scanner.number(digits: 2) else { return nil }
            second = s
            if scanner.take(".") || scanner.take(",") {
                guard let fraction = scanner.fraction() else { return nil }
                microsecond = fraction
            }
        }
        guard let offset = scanner.utcOffsetSeconds(), scanner.atEnd,
              let local = Instant(year: year, month: month, day: day, hour: hour, minute: minute,
                                  second: second, microsecond: microsecond) else { return nil }
        return local.adding(seconds: -Int64(offset))
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// A tiny cursor over ASCII digits and separators, on bytes borrowed for one parse.
struct DigitScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard index < bytes.count, UInt32(bytes[index]) == scalar.value else { return false }
        index += 1
        return true
    }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for i in index..<(index + digits) {
            let b = bytes[i]
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        index += digits
        return value
    }

    /// One to six fractional digits as microseconds; more than six is refused (not rounded).
    mutating func fraction() -> Int? {
        var value = 0
        var count = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            guard count < 6 else { return nil }
            value = value * 10 + Int(bytes[index] - 48)
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<6 { value *= 10 }
        return value
    }

    /// `Z`, `+HH`, `+HHMM`, `+HH:MM` or `+HH:MM:SS`; nil when there is none or it is malformed.
    mutating func utcOffsetSeconds() -> Int? {
        if take("Z") || take("z") { return 0 }
        let sign: Int
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let hours = number(digits: 2), hours <= 23 else { return nil }
        var minutes = 0
        var seconds = 0
        if take(":") {
            guard let m = number(digits: 2) else { return nil }
            minutes = m
            if take(":") {
                guard let s = number(digits: 2) else { return nil }
                seconds = s
            }
        } else if !atEnd {
            guard let m = number(digits: 2) else { return nil }
            minutes = m
        }
        guard minutes < 60, seconds < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60 + seconds)
    }
}
