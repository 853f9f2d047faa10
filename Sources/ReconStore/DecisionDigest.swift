/// The digest of an open subject's decision, stored beside it (`recon.subject_status.decision_digest`)
/// so that a later night can tell whether its new decision changed without reading the stored
/// one back: SipHash-2-4-128 of the decision's columns exactly as `DecisionWriter` writes them
/// (`DecisionWriter.decisionColumnNames`: every column but `as_of`, `run_id` and the digest).
///
/// Why: reading the open subjects' 29 decision columns back every night took a sequential scan
/// of the whole table and most of a server core for 0.1 s; their keys and digests come from a
/// partial index of the open rows in a fraction of that (docs/PERFORMANCE.md, session 15).
///
/// What a collision would cost: a night compares only a new decision that is pending without
/// reasons, and leaves it unwritten only when its digest equals the stored one. Two different
/// decisions sharing a 128-bit digest by accident is far beyond any platform's lifetime, and even
/// then the stored row would keep last night's progress until the decision changed again: a grant,
/// a reason or a final status is never compared, always written (docs/DECISIONS.md).
struct DecisionDigest: Hashable {
    let first: UInt64
    let second: UInt64

    static let byteCount = 16
    /// Fixed, so every process computes the same digest; public, since it authenticates nothing.
    private static let key0: UInt64 = 0x7370_656e_642d_7265   // "spend-re"
    private static let key1: UInt64 = 0x636f_6e2d_6f70_656e   // "con-open"

    /// The digest of `encoded`, a decision's columns in COPY's binary field form.
    init(of encoded: UnsafeRawBufferPointer) {
        (first, second) = SipHash128.hash(encoded, key0: Self.key0, key1: Self.key1)
    }

    /// A stored digest; nil for NULL (a row written before migration 008, or a final one) or a
    /// value of any other length, which then matches no decision.
    init?(stored bytes: UnsafeRawBufferPointer?) {
        guard let bytes, bytes.count == Self.byteCount else { return nil }
        first = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        second = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Its 16 bytes as stored: each half little-endian, the reference implementation's output.
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try withUnsafeBytes(of: (first.littleEndian, second.littleEndian)) { try body($0) }
    }
}
