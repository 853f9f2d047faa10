import CLibPQ
import Foundation

/// Removes passwords from text that may echo a connection string or URI.
///
/// It knows the password given in the conninfo and in `PGPASSWORD` and blanks every occurrence;
/// it also masks any `password=...` pair and the password part of a `scheme://user:pass@` URI.
public struct ConninfoRedactor: Sendable {
    private var secrets: [String]

    public init(conninfo: String?) {
        var secrets: [String] = []
        if let conninfo, let password = Self.password(in: conninfo) { secrets.append(password) }
        if let env = ProcessInfo.processInfo.environment["PGPASSWORD"], !env.isEmpty { secrets.append(env) }
        self.secrets = secrets.filter { !$0.isEmpty }
    }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets { result = result.replacingOccurrences(of: secret, with: "*****") }
        result = result.replacingOccurrences(
            of: #"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)"#, with: "$1*****", options: .regularExpression)
        result = result.replacingOccurrences(
            of: #"(://[^:/@\s]*:)[^@\s]*@"#, with: "$1*****@", options: .regularExpression)
        return result
    }

    /// The password keyword's value as libpq itself parses the conninfo string or URI.
    static func password(in conninfo: String) -> String? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if String(cString: keyword) == "password", let value = cursor.pointee.val {
                return String(cString: value)
            }
            cursor += 1
        }
        return nil
    }
}
