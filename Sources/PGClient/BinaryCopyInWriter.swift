import Exact

/// Buffers rows in COPY's binary format (the send format of each column type) and sends them in
/// large chunks. Each row starts with `beginRow(fields:)` and must then append exactly that many
/// fields, in column order, each of the column's exact type (`int8`, `timestamptz`, `text`,
/// `bool`): the server checks the lengths and rejects the whole COPY on a mismatch.
public struct BinaryCopyInWriter {
    private var buffer: [UInt8] = []
    private let send: ([UInt8]) -> Bool
    private static let chunkSize = 1 << 18
    /// "PGCOPY\n\377\r\n\0", then 32-bit flags and header-extension length, both zero.
    private static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [UInt8](repeating: 0, count: 8)

    init(send: @escaping ([UInt8]) -> Bool) {
        self.send = send
        buffer.reserveCapacity(Self.chunkSize + 4096)
        buffer.append(contentsOf: Self.header)
    }

    public mutating func beginRow(fields: Int) throws {
        if buffer.count >= Self.chunkSize { try flush() }
        appendBigEndian(UInt16(fields))
    }

    /// An `int8` field; nil for NULL.
    public mutating func int64(_ value: Int64?) {
        guard let value else { return null() }
        appendBigEndian(UInt32(8))
        appendBigEndian(UInt64(bitPattern: value))
    }

    /// A `timestamptz` field; nil for NULL.
    public mutating func instant(_ value: Instant?) {
        guard let value else { return null() }
        appendBigEndian(UInt32(8))
        appendBigEndian(UInt64(bitPattern: value.microsecondsSinceEpoch - BinaryCopyRow.microsecondsFrom1970To2000))
    }

    /// A `text` field (UTF-8); nil for NULL.
    public mutating func text(_ value: String?) {
        guard let value else { return null() }
        let utf8 = value.utf8
        appendBigEndian(UInt32(utf8.count))
        buffer.append(contentsOf: utf8)
    }

    /// A `boolean` field; nil for NULL.
    public mutating func bool(_ value: Bool?) {
        guard let value else { return null() }
        appendBigEndian(UInt32(1))
        buffer.append(value ? 1 : 0)
    }

    public mutating func null() {
        appendBigEndian(UInt32.max)
    }

    /// The trailer (a field count of -1), then everything buffered.
    mutating func finish() throws {
        appendBigEndian(UInt16.max)
        try flush()
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        guard send(buffer) else {
            throw PostgresError(kind: .connectionLost, message: "the connection broke during COPY")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }
}
