import Exact

/// A Swift type that can be decoded from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// The SQL types this Swift type accepts; anything else is a decoding error.
    static func accepts(_ oid: UInt32) -> Bool
    /// Decodes the text, or returns nil when it is not a valid value of this type.
    static func decode(postgresText text: String) throws(DecodingProblem) -> Self
}

/// Why a cell could not be decoded; the row turns it into a `PostgresError` naming the column.
public struct DecodingProblem: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

extension String: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { TypeOID.texts.contains(oid) }
    public static func decode(postgresText text: String) throws(DecodingProblem) -> String { text }
}

extension Int64: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { TypeOID.integers.contains(oid) }
    public static func decode(postgresText text: String) throws(DecodingProblem) -> Int64 {
        guard let value = Int64(text) else { throw DecodingProblem("not a 64-bit integer") }
        return value
    }
}

extension Int: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { TypeOID.integers.contains(oid) }
    public static func decode(postgresText text: String) throws(DecodingProblem) -> Int {
        guard let value = Int(text) else { throw DecodingProblem("not an integer") }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == TypeOID.bool }
    public static func decode(postgresText text: String) throws(DecodingProblem) -> Bool {
        switch text {
        case "t": return true
        case "f": return false
        default: throw DecodingProblem("not a boolean")
        }
    }
}

extension Instant: PostgresDecodable {
    /// Only `timestamptz`: a `timestamp` without time zone is not an instant.
    public static func accepts(_ oid: UInt32) -> Bool { oid == TypeOID.timestamptz }
    public static func decode(postgresText text: String) throws(DecodingProblem) -> Instant {
        if text == "infinity" || text == "-infinity" { throw DecodingProblem("infinite timestamp") }
        guard let instant = Instant(iso8601: text) else { throw DecodingProblem("not a timestamp") }
        return instant
    }
}

extension ExactDecimal: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == TypeOID.numeric || TypeOID.integers.contains(oid) }
    public static func decode(postgresText text: String) throws(DecodingProblem) -> ExactDecimal {
        do {
            return try ExactDecimal(parsing: text)
        } catch {
            throw DecodingProblem("numeric \(error)")
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool {
        switch oid {
        case TypeOID.int8Array, TypeOID.int4Array: return Element.accepts(TypeOID.int8)
        case TypeOID.textArray: return Element.accepts(TypeOID.text)
        default: return false
        }
    }

    public static func decode(postgresText text: String) throws(DecodingProblem) -> [Element] {
        var elements: [Element] = []
        for item in try ArrayLiteral.parse(text) {
            guard let item else { throw DecodingProblem("NULL array element") }
            elements.append(try Element.decode(postgresText: item))
        }
        return elements
    }
}

/// PostgreSQL's one-dimensional array text format: `{a,"b c",NULL}`.
enum ArrayLiteral {
    static func parse(_ text: String) throws(DecodingProblem) -> [String?] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.first == "{", scalars.last == "}" else { throw DecodingProblem("not an array literal") }
        var items: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if index == end { return [] }
        while index <= end {
            var item = ""
            var quoted = false
            if scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < end, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    guard index < end else { throw DecodingProblem("unterminated array element") }
                    item.unicodeScalars.append(scalars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < end, scalars[index] != "," {
                    if scalars[index] == "{" { throw DecodingProblem("multi-dimensional array") }
                    item.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            items.append(!quoted && item == "NULL" ? nil : item)
            guard index == end || scalars[index] == "," else { throw DecodingProblem("malformed array literal") }
            index += 1
        }
        return items
    }
}
