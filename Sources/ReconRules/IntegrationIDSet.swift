/// A set of integration ids: one bit per id over the range they span while they are dense (as a
/// platform's ids are: assigned in sequence), a hash set once they are not.
///
/// Why: a later night looks up every integration of the platform among the final subjects'
/// ids (`FactReader.neededIntegrations`), and the P1/P6 rankings hold the 200,000 ids that come
/// first. In a hash set of 180,000 ids each lookup was a cache miss, a tenth of a later night's
/// time before its first spend row; the same ids as bits take 25 KB, which stay in the cache.
public struct IntegrationIDSet: Sendable {
    /// The ids `base ..< base + 64 * words.count`, one bit each, while `sparse` is nil.
    private var base: Int64 = 0
    private var words: [UInt64] = []
    private var sparse: Set<Int64>?
    public private(set) var count = 0

    public init() {}

    /// A range may hold at most this many bits per id present (and at least `minimumWords`
    /// words) before the ids go into a hash set instead: memory stays within a small multiple of
    /// the hash set's.
    static let bitsPerID = 64
    static let minimumWords = 1024

    public func contains(_ id: Int64) -> Bool {
        if let sparse { return sparse.contains(id) }
        guard let (word, bit) = position(of: id) else { return false }
        return words[word] & bit != 0
    }

    /// Adds `id`; true when it was not there yet.
    @discardableResult
    public mutating func insert(_ id: Int64) -> Bool {
        if sparse != nil { return insertSparse(id) }
        if position(of: id) == nil, !grow(toInclude: id) { return insertSparse(id) }
        guard let (word, bit) = position(of: id) else { return insertSparse(id) }
        guard words[word] & bit == 0 else { return false }
        words[word] |= bit
        count += 1
        return true
    }

    private func position(of id: Int64) -> (word: Int, bit: UInt64)? {
        guard id >= base else { return nil }
        let (offset, overflow) = id.subtractingReportingOverflow(base)
        guard !overflow, offset < Int64(words.count) * 64 else { return nil }
        return (Int(offset / 64), UInt64(1) << UInt64(offset % 64))
    }

    /// Widens the bit range to take `id` when the ids stay dense enough; false otherwise (or
    /// when the range would leave `Int64`).
    private mutating func grow(toInclude id: Int64) -> Bool {
        func sum(_ a: Int64, _ b: Int64) -> Int64? {
            let (value, overflow) = a.addingReportingOverflow(b)
            return overflow ? nil : value
        }
        // Word boundaries below the id, so ids in sequence fill whole words.
        let floor = id & ~63
        let low: Int64, high: Int64
        if words.isEmpty {
            guard let end = sum(floor, 64 * Int64(Self.minimumWords)) else { return false }
            (low, high) = (floor, end)
        } else {
            guard let top = sum(base, Int64(words.count) * 64), let needed = sum(id, 1) else { return false }
            low = min(base, floor)
            // Grow by doubling, so that ids in sequence cost amortised constant time.
            high = max(top, needed, sum(base, Int64(words.count) * 128) ?? top)
        }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span > 0 else { return false }
        let wordsNeeded = (span + 63) / 64
        guard wordsNeeded <= max(Int64(Self.minimumWords), Int64(count + 1) * Int64(Self.bitsPerID) / 64) else { return false }
        var grown = [UInt64](repeating: 0, count: Int(wordsNeeded))
        let shift = words.isEmpty ? 0 : Int((base - low) / 64)
        for (index, word) in words.enumerated() where word != 0 { grown[index + shift] = word }
        base = low
        words = grown
        return true
    }

    private mutating func insertSparse(_ id: Int64) -> Bool {
        if sparse == nil {
            var set = Set<Int64>(minimumCapacity: count + 1)
            for (index, word) in words.enumerated() where word != 0 {
                for bit in 0..<64 where word & (UInt64(1) << UInt64(bit)) != 0 {
                    set.insert(base + Int64(index) * 64 + Int64(bit))
                }
            }
            sparse = set
            words = []
        }
        let inserted = sparse!.insert(id).inserted
        if inserted { count += 1 }
        return inserted
    }
}
