import CLibPQ
import Foundation

/// Helpers for conninfo strings and URIs, parsed by libpq itself.
public enum Conninfo {
    /// The same connection settings as `conninfo` (a key=value string or a URI), as a key=value
    /// string with `overrides` applied, e.g. another `dbname`.
    public static func replacing(_ overrides: [String: String], in conninfo: String) throws -> String {
        var pairs: [(String, String)] = []
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "invalid connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(kind: .conninfo, message: ConninfoRedactor(conninfo: conninfo).redact(message))
        }
        defer { PQconninfoFree(options) }
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            let key = String(cString: keyword)
            if overrides[key] == nil, let value = cursor.pointee.val {
                pairs.append((key, String(cString: value)))
            }
            cursor += 1
        }
        pairs += overrides.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return pairs.map { "\($0.0)=\(quote($0.1))" }.joined(separator: " ")
    }

    /// Throws a `.conninfo` error when `conninfo` is a key=value string or a URI that libpq
    /// cannot parse (a plain word is a database name, which libpq takes as it is). The message is
    /// libpq's, with any password redacted.
    public static func check(_ conninfo: String) throws {
        let isURI = conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://")
        guard isURI || conninfo.contains("=") else { return }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "invalid connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(kind: .conninfo, message: ConninfoRedactor(conninfo: conninfo).redact(
                message.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        PQconninfoFree(options)
    }

    /// A conninfo value in single quotes with `\` and `'` escaped.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
