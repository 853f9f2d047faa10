import Exact

/// The validated accounts, and which account ids were rejected themselves.
///
/// Accounts sit in an array with a dictionary of positions beside it: a dictionary keeps a
/// quarter of its buckets empty and doubles, and an account is over a hundred bytes, so holding
/// them in the dictionary itself cost twice the memory at a platform's 200,000 accounts.
public struct AccountLookup: Sendable {
    private var storage: [Account] = []
    /// Each account's position in `storage`, by id: in `dense` when its id falls in the dense
    /// range (once `shrinkToFit` has made one), else here.
    private var positions: [Int64: Int32] = [:]
    /// Position per id − `denseBase` (-1: no such account), when a platform's ids are close
    /// enough together (`shrinkToFit`).
    ///
    /// Why: a night looks an account up for every integration it validates, every span it
    /// computes and every account the spend stream reaches, several times per subject; in a
    /// dictionary each lookup hashes the id and misses the cache twice. An array indexed by the
    /// id misses once and hashes nothing.
    private var dense: [Int32] = []
    private var denseBase: Int64 = 0
    public private(set) var rejected: Set<Int64> = []

    /// The widest id range indexed densely: `denseSpread` slots per account, at least
    /// `denseMinimum`, at most `denseMaximum` (32 MB of slots): a first night, which looks up
    /// every account, holds the array; a later night's few needed accounts spread over the same
    /// range keep the dictionary.
    static let denseSpread = 32
    static let denseMinimum = 65_536
    static let denseMaximum = 1 << 23

    public init() {}

    public var count: Int { storage.count }

    public mutating func add(_ account: Account) {
        if let position = position(account.id) {
            storage[position] = account
            return
        }
        let position = Int32(storage.count)
        storage.append(account)
        if let slot = denseSlot(account.id) { dense[slot] = position } else { positions[account.id] = position }
    }

    public mutating func markRejected(_ id: Int64) { rejected.insert(id) }

    /// Drops the spare capacity that growing by doubling left (up to half the array), once
    /// every account is in, and indexes the accounts by id in an array when their ids lie close
    /// enough together (`dense`). Accounts added later still go in.
    public mutating func shrinkToFit() {
        storage = storage.withUnsafeBufferPointer { Array($0) }
        guard let low = storage.lazy.map(\.id).min(), let high = storage.lazy.map(\.id).max() else { return }
        let (spread, overflow) = high.subtractingReportingOverflow(low)
        let limit = min(max(storage.count * Self.denseSpread, Self.denseMinimum), Self.denseMaximum)
        guard !overflow, spread < Int64(limit) else { return }
        dense = [Int32](repeating: -1, count: Int(spread) + 1)
        denseBase = low
        for (position, account) in storage.enumerated() {
            dense[Int(account.id - low)] = Int32(position)
        }
        positions = [:]
    }

    public func account(_ id: Int64) -> Account? {
        position(id).map { storage[$0] }
    }

    /// The account's currency, without copying the rest of the account.
    public func currency(of id: Int64) -> Currency? {
        position(id).map { storage[$0].currency }
    }

    /// Why a row pointing at this account cannot count, or nil when the account is fine.
    func problem(_ id: Int64) -> String? {
        if position(id) != nil { return nil }
        return rejected.contains(id) ? "account_rejected" : "unknown_account"
    }

    private func position(_ id: Int64) -> Int? {
        if let slot = denseSlot(id) {
            let position = dense[slot]
            return position < 0 ? nil : Int(position)
        }
        return positions[id].map(Int.init)
    }

    /// The slot of `id` in `dense`, when there is one for it.
    private func denseSlot(_ id: Int64) -> Int? {
        guard !dense.isEmpty else { return nil }
        let (offset, overflow) = id.subtractingReportingOverflow(denseBase)
        guard !overflow, offset >= 0, offset < Int64(dense.count) else { return nil }
        return Int(offset)
    }
}
