/// A point in absolute time: microseconds since 1970-01-01T00:00:00Z.
///
/// PostgreSQL's `timestamptz` has microsecond resolution, so an `Instant` holds every value the
/// database can, exactly. Calendar arithmetic is integer-only (no Foundation `Date`, no floating point).
public struct Instant: Hashable, Comparable, Sendable {
    public static let microsecondsPerSecond: Int64 = 1_000_000
    public static let microsecondsPerDay: Int64 = 86_400 * 1_000_000

    public let microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// This instant moved by whole 24-hour days (a day is 24 h, never a calendar day).
    public func adding(days: Int) -> Instant {
        Instant(microsecondsSinceEpoch: microsecondsSinceEpoch + Int64(days) * Instant.microsecondsPerDay)
    }

    public func adding(seconds: Int64) -> Instant {
        Instant(microsecondsSinceEpoch: microsecondsSinceEpoch + seconds * Instant.microsecondsPerSecond)
    }

    public func adding(microseconds: Int64) -> Instant {
        Instant(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }
}

extension Instant {
    /// Builds an instant from UTC calendar fields; nil when a field is out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        guard (1...12).contains(month), (1...CivilCalendar.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0...999_999).contains(microsecond) else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.init(microsecondsSinceEpoch: seconds * Instant.microsecondsPerSecond + Int64(microsecond))
    }

    /// UTC calendar fields of this instant.
    public var utcFields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int) {
        let perDay = Instant.microsecondsPerDay
        var days = microsecondsSinceEpoch / perDay
        var rest = microsecondsSinceEpoch % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let (year, month, day) = CivilCalendar.civilFromDays(days)
        let seconds = Int(rest / Instant.microsecondsPerSecond)
        return (year, month, day, seconds / 3600, (seconds / 60) % 60, seconds % 60,
                Int(rest % Instant.microsecondsPerSecond))
    }
}
