import Exact

/// A Swift value that can be sent as a bound parameter, in PostgreSQL's text format.
/// `nil` (an absent optional) is sent as SQL NULL.
public protocol PostgresEncodable {
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "true" : "false" }
}

extension Instant: PostgresEncodable {
    public var postgresText: String { iso8601 }
}

extension ExactDecimal: PostgresEncodable {
    public var postgresText: String { description }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// An array literal with every element quoted, e.g. `{"1","2"}`; the server casts it to the
    /// parameter's inferred array type.
    public var postgresText: String {
        "{" + map { element in
            var quoted = "\""
            for character in element.postgresText.unicodeScalars {
                if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(character)
            }
            return quoted + "\""
        }.joined(separator: ",") + "}"
    }
}
