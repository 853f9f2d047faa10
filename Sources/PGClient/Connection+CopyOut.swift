import CLibPQ

extension Connection {
    /// Runs `COPY (query) TO STDOUT (FORMAT binary)` and hands each row to `body`, read in place
    /// (`BinaryCopyRow`): timestamps and numerics travel in PostgreSQL's send format, which
    /// costs the server less than text output and the client less than parsing text. Much
    /// cheaper per row than single-row mode (no result object per row), and memory holds one
    /// row at a time. COPY takes no parameters: pass values with `set_config` (bound) and read
    /// them with `current_setting` in the query. If `body` throws, the COPY is cancelled on the
    /// server and the error is rethrown.
    @discardableResult
    public func copyOutBinary(_ sql: String, _ body: (BinaryCopyRow) throws -> Void) throws -> Int {
        var parser = BinaryCopyParser()
        return try copyOutMessages(sql) { bytes in
            try parser.parse(bytes) { try body($0) }
        }
    }

    /// The COPY OUT loop. `handle` gets each CopyData message and says
    /// whether it was a row. If it throws, the COPY is cancelled and the error rethrown once the
    /// connection is idle again.
    private func copyOutMessages(_ sql: String, _ handle: (UnsafeRawBufferPointer) throws -> Bool) throws -> Int {
        try refuseWhileStreaming(sql)
        isStreaming = true
        defer { isStreaming = false }
        guard PQsendQueryParams(self.handle, sql, 0, nil, nil, nil, nil, 0) == 1 else { throw makeConnectionError(query: sql) }
        guard let first = PQgetResult(self.handle) else { throw makeConnectionError(query: sql) }
        guard PQresultStatus(first) == PGRES_COPY_OUT else {
            let error = PQresultStatus(first) == PGRES_FATAL_ERROR
                ? makeError(first, query: sql)
                : PostgresError(kind: .usage, message: "statement did not start COPY TO STDOUT", query: sql)
            PQclear(first)
            drainResults()
            throw error
        }
        PQclear(first)
        var rows = 0
        var failure: Error?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(self.handle, &buffer, 0)
            if length == -1 { break }
            if length < 0 { throw makeConnectionError(query: sql) }
            guard let buffer else { continue }
            defer { PQfreemem(buffer) }
            guard failure == nil else { continue }
            do {
                if try handle(UnsafeRawBufferPointer(start: buffer, count: Int(length))) { rows += 1 }
            } catch {
                failure = error
                cancel()
            }
        }
        var serverError: PostgresError?
        while let result = PQgetResult(self.handle) {
            if PQresultStatus(result) != PGRES_COMMAND_OK { serverError = serverError ?? makeError(result, query: sql) }
            PQclear(result)
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
        return rows
    }
}

/// COPY's binary format: a header (signature, flags, extension) before the first tuple, then
/// one tuple per CopyData message (a field count, then each field's length and bytes, -1 for
/// NULL), and a trailer (a field count of -1).
struct BinaryCopyParser {
    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]
    var sawHeader = false
    var sawTrailer = false
    var fields: [(start: Int, length: Int)] = []

    /// Parses one message; returns whether it held a tuple.
    mutating func parse(_ bytes: UnsafeRawBufferPointer, _ body: (BinaryCopyRow) throws -> Void) throws -> Bool {
        var offset = 0
        if !sawHeader {
            guard bytes.count >= 19, bytes.prefix(11).elementsEqual(Self.signature) else {
                throw BinaryCopyRow.problem("missing header")
            }
            let extensionLength = Int(BinaryCopyRow.bigEndianInt32(bytes, at: 15))
            guard extensionLength >= 0, bytes.count >= 19 + extensionLength else { throw BinaryCopyRow.problem("bad header") }
            offset = 19 + extensionLength
            sawHeader = true
            if offset == bytes.count { return false }
        }
        guard !sawTrailer, bytes.count >= offset + 2 else { throw BinaryCopyRow.problem("truncated tuple") }
        let fieldCount = Int(BinaryCopyRow.bigEndianInt16(bytes, at: offset))
        offset += 2
        if fieldCount == -1 {
            sawTrailer = true
            return false
        }
        // The field table is reused row after row and filled in place: appending to it was a
        // uniqueness and a capacity check per field, millions of them a night.
        let count = max(fieldCount, 0)
        if fields.count != count { fields = Array(repeating: (0, -1), count: count) }
        try fields.withUnsafeMutableBufferPointer { table in
            for index in 0..<count {
                guard bytes.count >= offset + 4 else { throw BinaryCopyRow.problem("truncated tuple") }
                let length = Int(BinaryCopyRow.bigEndianInt32(bytes, at: offset))
                offset += 4
                if length < 0 {
                    table[index] = (offset, -1)
                    continue
                }
                guard bytes.count >= offset + length else { throw BinaryCopyRow.problem("truncated field") }
                table[index] = (offset, length)
                offset += length
            }
            guard offset == bytes.count else { throw BinaryCopyRow.problem("bytes after a tuple") }
            try body(BinaryCopyRow(bytes: bytes, fields: UnsafeBufferPointer(table)))
        }
        return true
    }
}
