/// SipHash-2-4 with its 128-bit output (Aumasson and Bernstein): two compression rounds per
/// 8-byte block, four finalization rounds per 64-bit half of the output.
///
/// Why this function: a stored decision's digest must be the same in every process (Swift's
/// `Hasher` is seeded per process), wide enough that two different decisions never share one
/// by accident (128 bits), and fast on a few hundred bytes (`DecisionDigest`). The key is
/// fixed and public: the digest detects change, it authenticates nothing.
struct SipHash128 {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64

    init(key0: UInt64, key1: UInt64) {
        v0 = key0 ^ 0x736f_6d65_7073_6575
        v1 = key1 ^ 0x646f_7261_6e64_6f6d ^ 0xee   // the 128-bit variant marks v1 at the start
        v2 = key0 ^ 0x6c79_6765_6e65_7261
        v3 = key1 ^ 0x7465_6462_7974_6573
    }

    /// The two 64-bit halves of the digest of `bytes`, in output order (each written
    /// little-endian gives the reference implementation's 16 output bytes).
    static func hash(_ bytes: UnsafeRawBufferPointer, key0: UInt64, key1: UInt64) -> (UInt64, UInt64) {
        var state = SipHash128(key0: key0, key1: key1)
        let whole = bytes.count & ~7
        var offset = 0
        while offset < whole {
            state.compress(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        // The last block: the remaining bytes, little-endian, with the length's low byte on top.
        var last = UInt64(truncatingIfNeeded: bytes.count) << 56
        for index in 0..<(bytes.count - whole) {
            last |= UInt64(bytes[whole + index]) << (8 * UInt64(index))
        }
        state.compress(last)
        return state.finish()
    }

    private mutating func compress(_ block: UInt64) {
        v3 ^= block
        round()
        round()
        v0 ^= block
    }

    private mutating func finish() -> (UInt64, UInt64) {
        v2 ^= 0xee
        round(); round(); round(); round()
        let first = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xdd
        round(); round(); round(); round()
        return (first, v0 ^ v1 ^ v2 ^ v3)
    }

    private mutating func round() {
        v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
        v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
        v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
        v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
    }
}

private extension UInt64 {
    func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
