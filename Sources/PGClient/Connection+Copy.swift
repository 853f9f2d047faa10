import CLibPQ

extension Connection {
    /// Runs `COPY ... FROM STDIN` (text format) and feeds it the rows `write` appends.
    /// Returns the number of rows the server stored. If `write` throws, the COPY is aborted and
    /// nothing it sent is kept.
    @discardableResult
    public func copyIn(_ sql: String, _ write: (inout CopyInWriter) throws -> Void) throws -> Int {
        try copyInStream(sql) { send in
            var writer = CopyInWriter(send: send)
            try write(&writer)
            try writer.flush()
        }
    }

    /// Runs `COPY ... FROM STDIN (FORMAT binary)` and feeds it the rows `write` appends: no
    /// timestamp or integer text for the server to parse. As `copyIn`, all or nothing.
    @discardableResult
    public func copyInBinary(_ sql: String, _ write: (inout BinaryCopyInWriter) throws -> Void) throws -> Int {
        try copyInStream(sql) { send in
            var writer = BinaryCopyInWriter(send: send)
            try write(&writer)
            try writer.finish()
        }
    }

    /// The COPY FROM STDIN exchange: start, let `feed` send data through the sender it is given,
    /// then end (or abort when `feed` throws) and collect the server's verdict.
    private func copyInStream(_ sql: String, _ feed: (@escaping ([UInt8]) -> Bool) throws -> Void) throws -> Int {
        let start = try execute(sql)
        guard PQresultStatus(start.handle) == PGRES_COPY_IN else {
            throw PostgresError(kind: .usage, message: "statement did not start COPY FROM STDIN", query: sql)
        }
        let send: ([UInt8]) -> Bool = { [handle] bytes in
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) == 1 }
            }
        }
        do {
            try feed(send)
        } catch {
            _ = PQputCopyEnd(handle, "aborted by spend-recon")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw makeConnectionError(query: sql) }
        var stored = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                stored = QueryResult(handle: result, query: sql).affectedRows
            } else {
                failure = failure ?? makeError(result, query: sql)
                PQclear(result)
            }
        }
        if let failure { throw failure }
        return stored
    }
}

/// Buffers rows in COPY's text format and sends them in large chunks.
public struct CopyInWriter {
    private var buffer: [UInt8] = []
    private let send: ([UInt8]) -> Bool
    private static let chunkSize = 1 << 18

    init(send: @escaping ([UInt8]) -> Bool) {
        self.send = send
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Appends one row; nil fields are SQL NULL. Backslash, tab, newline and CR are escaped.
    public mutating func appendRow(_ fields: [String?]) throws {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [92, UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [92, UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [92, UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.chunkSize { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        guard send(buffer) else {
            throw PostgresError(kind: .connectionLost, message: "the connection broke during COPY")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
