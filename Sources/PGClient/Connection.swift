import CLibPQ
import Foundation
import Logging

/// One libpq connection. Owns the `PGconn` and closes it on deinit.
///
/// Every statement goes through `PQexecParams` (or `PQsendQueryParams`) with its values bound as
/// parameters; the only unparameterised entry point is `executeScript`, for the project's own
/// migration files. The session runs in UTC with ISO dates so `timestamptz` text decodes exactly.
/// A connection is used from one thread at a time.
public final class Connection {
    let handle: OpaquePointer
    public let logger: Logger
    let redactor: ConninfoRedactor
    private let noticeSink: NoticeSink
    /// True while `stream` is reading a result. libpq would silently discard the rest of that
    /// result if another statement were sent on this connection, so every entry point refuses.
    var isStreaming = false

    /// Connects with a conninfo string (`host=... dbname=...`) or URI (`postgresql://...`);
    /// with nil, libpq's environment (PGHOST, PGDATABASE, PGSERVICE, .pgpass, ...) applies.
    public init(conninfo: String?, applicationName: String = "spend-recon", logger: Logger) throws {
        let redactor = ConninfoRedactor(conninfo: conninfo)
        var keywords: [String?] = []
        var values: [String?] = []
        if let conninfo, !conninfo.isEmpty {
            try Conninfo.check(conninfo)
            keywords.append("dbname")
            values.append(conninfo)
        }
        keywords += ["fallback_application_name", "client_encoding", nil]
        values += [applicationName, "UTF8", nil]
        let connection = withCStringArray(keywords) { keys in
            withCStringArray(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = redactor.redact(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            // A value libpq refuses before trying to connect (a port that is not a number, an
            // unknown sslmode) is a malformed conninfo, like one it cannot parse.
            let refused = message.hasPrefix("invalid ") && message.contains("for connection option")
            throw PostgresError(kind: refused ? .conninfo : .connection, message: Self.trimmed(message))
        }
        self.handle = connection
        self.logger = logger
        self.redactor = redactor
        self.noticeSink = NoticeSink(logger: logger)
        PQsetNoticeReceiver(connection, noticeReceiver, Unmanaged.passUnretained(noticeSink).toOpaque())
        try executeScript("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3")
    }

    deinit { PQfinish(handle) }

    /// The server process serving this connection (for `pg_terminate_backend` and lock reports).
    public var backendPID: Int32 { PQbackendPID(handle) }

    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Closes the connection and opens it again with the same parameters (libpq's `PQreset`),
    /// for a session the server terminated. Session state (settings, advisory locks) is gone.
    public func reset() throws {
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: Self.trimmed(redactor.redact(String(cString: PQerrorMessage(handle)))))
        }
        try executeScript("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3")
    }

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresEncodable?] = []) throws -> QueryResult {
        try refuseWhileStreaming(sql)
        let texts = parameters.map { $0?.postgresText }
        let result = withCStringArray(texts) { values in
            PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        return try checked(result, query: sql)
    }

    /// Runs several statements of the project's own SQL (migrations, session set-up) at once.
    /// Never pass text that holds an outside value: this path binds no parameters.
    public func executeScript(_ sql: String) throws {
        try refuseWhileStreaming(sql)
        _ = try checked(PQexec(handle, sql), query: sql)
    }

    /// Quotes an identifier the project generated itself (e.g. a throwaway database name).
    public func quoteIdentifier(_ identifier: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw makeConnectionError(query: nil)
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Asks the server to cancel whatever this connection is running.
    public func cancel() {
        guard let cancel = PQgetCancel(handle) else { return }
        defer { PQfreeCancel(cancel) }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
    }

    func refuseWhileStreaming(_ sql: String) throws {
        guard !isStreaming else {
            throw PostgresError(kind: .usage,
                                message: "a statement was sent while this connection is streaming a result; use a second connection",
                                query: sql)
        }
    }

    // MARK: - Results and errors

    func checked(_ result: OpaquePointer?, query: String) throws -> QueryResult {
        guard let result else { throw makeConnectionError(query: query) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_EMPTY_QUERY:
            return QueryResult(handle: result, query: query)
        default:
            let error = makeError(result, query: query)
            PQclear(result)
            throw error
        }
    }

    func makeError(_ result: OpaquePointer, query: String) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let lost = PQstatus(handle) != CONNECTION_OK
        var message = field(SR_PG_DIAG_MESSAGE_PRIMARY) ?? Self.trimmed(String(cString: PQresultErrorMessage(result)))
        if message.isEmpty { message = Self.trimmed(String(cString: PQerrorMessage(handle))) }
        var error = PostgresError(kind: lost ? .connectionLost : .server, message: redactor.redact(message),
                                  sqlState: field(SR_PG_DIAG_SQLSTATE), query: query)
        error.severity = field(SR_PG_DIAG_SEVERITY)
        error.detail = field(SR_PG_DIAG_MESSAGE_DETAIL)
        error.hint = field(SR_PG_DIAG_MESSAGE_HINT)
        error.position = field(SR_PG_DIAG_STATEMENT_POSITION)
        error.context = field(SR_PG_DIAG_CONTEXT)
        error.internalQuery = field(SR_PG_DIAG_INTERNAL_QUERY)
        error.schemaName = field(SR_PG_DIAG_SCHEMA_NAME)
        error.tableName = field(SR_PG_DIAG_TABLE_NAME)
        error.columnName = field(SR_PG_DIAG_COLUMN_NAME)
        error.dataTypeName = field(SR_PG_DIAG_DATATYPE_NAME)
        error.constraintName = field(SR_PG_DIAG_CONSTRAINT_NAME)
        return error
    }

    func makeConnectionError(query: String?) -> PostgresError {
        let message = redactor.redact(Self.trimmed(String(cString: PQerrorMessage(handle))))
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(kind: lost ? .connectionLost : .usage,
                             message: message.isEmpty ? "no result from libpq" : message, query: query)
    }

    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
