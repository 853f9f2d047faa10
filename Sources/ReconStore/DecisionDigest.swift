import Exact
import ReconRules

/// The digest of an open subject's decision, stored beside it (`recon.subject_status.decision_digest`)
/// so that a later night can tell whether its new decision changed without reading the stored
/// one back: SipHash-2-4-128 of the decision's columns (`DecisionWriter.decisionColumnNames`:
/// every column but `as_of`, `run_id` and the digest) in a canonical form of their own (`Input`).
///
/// Why: reading the open subjects' 29 decision columns back every night takes a sequential scan
/// of the whole table; their keys and digests come from a partial index of the open rows. And
/// why not the digest of the COPY row itself: each amount's `numeric` send form is base-10000
/// digit groups, which would be made again for every open subject compared; the canonical form
/// takes the amount's integer as it is.
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

    /// The digest of `bytes`.
    init(of bytes: UnsafeRawBufferPointer) {
        (first, second) = SipHash128.hash(bytes, key0: Self.key0, key1: Self.key1)
    }

    /// The digest of a decision's columns, made in `input` (reused from one decision to the next).
    init(of decision: Decision, using input: inout Input) {
        input.reset()
        DecisionWriter.appendDecisionColumns(decision, to: &input)
        self = input.bytes.withUnsafeBytes { DecisionDigest(of: $0) }
    }

    /// The bytes a decision's digest is taken of: each column's value as a type mark and its
    /// bytes (little-endian integers; a text's UTF-8 after its 32-bit length; an amount's
    /// exponent, then its minor units), a NULL as a mark of its own. The columns come in a fixed
    /// order and each value's length follows from its mark, so two different decisions never
    /// give the same bytes.
    struct Input: DecisionColumnSink {
        private(set) var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(512) }

        mutating func reset() { bytes.removeAll(keepingCapacity: true) }

        mutating func text(_ value: String?) {
            guard var value else { return bytes.append(0) }
            bytes.append(1)
            // In one copy from the string's contiguous UTF-8 (the element-wise append of a
            // `String.UTF8View` was a third of the digest's time).
            value.withUTF8 { utf8 in
                put(UInt32(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func int64(_ value: Int64?) {
            guard let value else { return bytes.append(0) }
            bytes.append(2)
            put(UInt64(bitPattern: value))
        }

        mutating func int32(_ value: Int32?) {
            guard let value else { return bytes.append(0) }
            bytes.append(3)
            put(UInt32(bitPattern: value))
        }

        mutating func bool(_ value: Bool?) {
            guard let value else { return bytes.append(0) }
            bytes.append(value ? 5 : 4)
        }

        mutating func instant(_ value: Instant?) {
            guard let value else { return bytes.append(0) }
            bytes.append(6)
            put(UInt64(bitPattern: value.microsecondsSinceEpoch))
        }

        mutating func money(_ minorUnits: Int64?, exponent: Int) {
            guard let minorUnits else { return bytes.append(0) }
            bytes.append(7)
            bytes.append(UInt8(truncatingIfNeeded: exponent))
            put(UInt64(bitPattern: minorUnits))
        }

        private mutating func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
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
