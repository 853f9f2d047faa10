import CLibPQ

extension Connection {
    /// Runs a query in libpq's single-row mode and hands each row to `body` as it arrives, so
    /// memory stays flat however many rows the query returns. If `body` throws, the query is
    /// cancelled on the server and the error is rethrown.
    public func stream(_ sql: String, _ parameters: [PostgresEncodable?] = [], _ body: (Row) throws -> Void) throws {
        try refuseWhileStreaming(sql)
        isStreaming = true
        defer { isStreaming = false }
        let texts = parameters.map { $0?.postgresText }
        let sent = withCStringArray(texts) { values in
            PQsendQueryParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw makeConnectionError(query: sql) }
        guard PQsetSingleRowMode(handle) == 1 else {
            drainResults()
            throw PostgresError(kind: .usage, message: "could not enter single-row mode", query: sql)
        }
        var failure: Error?
        while let result = PQgetResult(handle) {
            if failure != nil {
                PQclear(result)
                continue
            }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                let row = QueryResult(handle: result, query: sql)
                do {
                    try body(row[0])
                } catch {
                    failure = error
                    cancel()
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                PQclear(result)
            default:
                failure = makeError(result, query: sql)
                PQclear(result)
            }
        }
        if let failure { throw failure }
        if PQstatus(handle) != CONNECTION_OK { throw makeConnectionError(query: sql) }
    }

    func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
