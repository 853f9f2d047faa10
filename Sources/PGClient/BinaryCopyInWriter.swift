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

    /// An `int4` field; nil for NULL.
    public mutating func int32(_ value: Int32?) {
        guard let value else { return null() }
        appendBigEndian(UInt32(4))
        appendBigEndian(UInt32(bitPattern: value))
    }

    /// A `numeric` field worth exactly `minorUnits` × 10^-`scale`, written with `scale` decimals
    /// (1230 at scale 2 is `12.30`, as the text would give it); nil for NULL.
    ///
    /// The send format is base-10000 digit groups aligned on the decimal point, without leading
    /// or trailing zero groups: `weight` is the position of the first group (0 = units), and
    /// `dscale` the number of decimals to display.
    public mutating func numeric(minorUnits: Int64?, scale: Int) {
        guard let minorUnits else { return null() }
        precondition((0...16).contains(scale), "numeric scale \(scale) out of range")
        // Pad the fraction to whole groups: the aligned integer's last group then ends on a
        // group boundary after the point. 19 digits × 10^3 fits in 128 bits with room to spare.
        let pad = (4 - scale % 4) % 4
        var aligned = UInt128(minorUnits.magnitude)
        for _ in 0..<pad { aligned *= 10 }
        let fractionGroups = (scale + pad) / 4
        var groups: [UInt16] = []   // least significant first
        groups.reserveCapacity(10)
        while aligned > 0 {
            groups.append(UInt16(aligned % 10_000))
            aligned /= 10_000
        }
        let trailingZeros = groups.prefix { $0 == 0 }.count
        let digits = groups.count - trailingZeros
        appendBigEndian(UInt32(8 + 2 * digits))
        appendBigEndian(UInt16(digits))
        appendBigEndian(UInt16(bitPattern: Int16(digits == 0 ? 0 : groups.count - 1 - fractionGroups)))
        appendBigEndian(UInt16(minorUnits < 0 ? 0x4000 : 0))
        appendBigEndian(UInt16(scale))
        for group in groups[trailingZeros...].reversed() { appendBigEndian(group) }
    }

    /// A `bytea` field; nil for NULL.
    public mutating func bytea(_ value: UnsafeRawBufferPointer?) {
        guard let value else { return null() }
        appendBigEndian(UInt32(value.count))
        buffer.append(contentsOf: value)
    }

    /// A one-dimensional `text[]` field without NULL elements (an empty array for none).
    public mutating func textArray(_ values: [String]) {
        var body: [UInt8] = []
        func put(_ value: UInt32) { withUnsafeBytes(of: value.bigEndian) { body.append(contentsOf: $0) } }
        put(values.isEmpty ? 0 : 1)   // dimensions
        put(0)                        // no NULL elements
        put(25)                       // element type: text
        if !values.isEmpty {
            put(UInt32(values.count))
            put(1)                    // lower bound
            for value in values {
                put(UInt32(value.utf8.count))
                body.append(contentsOf: value.utf8)
            }
        }
        appendBigEndian(UInt32(body.count))
        buffer.append(contentsOf: body)
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
