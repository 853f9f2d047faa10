/// An error from the database layer.
///
/// It carries the SQLSTATE and every diagnostic field the server sent. Its `description` names
/// only the kind, the SQLSTATE and schema object names, never values, so it is safe to log;
/// `debugDescription` adds message, detail, hint and query for a human at a terminal.
public struct PostgresError: Error, Sendable {
    public enum Kind: String, Sendable {
        /// Could not connect (server down, bad credentials, unknown host).
        case connection
        /// The conninfo string or URI itself is malformed: a usage error, nothing was tried.
        case conninfo
        /// The connection broke while in use (server restarted, session terminated).
        case connectionLost
        /// The server rejected a statement.
        case server
        /// A value could not be decoded into the Swift type asked for.
        case decoding
        /// The layer was used against its contract (e.g. a COPY statement that did not start COPY).
        case usage
    }

    public var kind: Kind
    public var sqlState: String?
    public var severity: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var position: String?
    public var context: String?
    public var internalQuery: String?
    public var schemaName: String?
    public var tableName: String?
    public var columnName: String?
    public var dataTypeName: String?
    public var constraintName: String?
    /// The statement that failed (our own SQL text: parameters are never part of it).
    public var query: String?

    public init(kind: Kind, message: String, sqlState: String? = nil, query: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.query = query
    }

    /// A serialization failure or deadlock: the whole transaction may be retried as it was.
    public var isSafeToRetry: Bool {
        sqlState == "40001" || sqlState == "40P01"
    }

    /// True when the server could not be reached or the connection broke.
    public var isConnectionProblem: Bool {
        kind == .connection || kind == .connectionLost
            || sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } == true
    }

    /// The server cancelled the statement: `statement_timeout`, `lock_timeout` or
    /// `idle_in_transaction_session_timeout` ran out (or an operator cancelled it).
    public var isTimeout: Bool {
        sqlState == Self.queryCanceled || sqlState == "55P03" || sqlState == "25P03"
    }

    public static let uniqueViolation = "23505"
    public static let queryCanceled = "57014"
}

extension PostgresError: CustomStringConvertible {
    public var description: String {
        var text = "PostgresError.\(kind.rawValue)"
        if let sqlState { text += " SQLSTATE \(sqlState)" }
        if let constraintName { text += " constraint \(constraintName)" }
        if let tableName { text += " table \(schemaName.map { $0 + "." } ?? "")\(tableName)" }
        if let columnName { text += " column \(columnName)" }
        if kind == .connection || kind == .conninfo || kind == .connectionLost || kind == .decoding || kind == .usage {
            // Our own text (redacted for connections), holds no row data.
            text += ": \(message)"
        }
        return text
    }
}

extension PostgresError: CustomDebugStringConvertible {
    public var debugDescription: String {
        var lines = [description, "message: \(message)"]
        if let detail { lines.append("detail: \(detail)") }
        if let hint { lines.append("hint: \(hint)") }
        if let context { lines.append("context: \(context)") }
        if let query { lines.append("query: \(query)") }
        return lines.joined(separator: "\n")
    }
}
