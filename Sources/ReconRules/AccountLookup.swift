import Exact

/// The validated accounts, and which account ids were rejected themselves.
///
/// Accounts sit in an array with a dictionary of positions beside it: a dictionary keeps a
/// quarter of its buckets empty and doubles, and an account is over a hundred bytes, so holding
/// them in the dictionary itself cost twice the memory at a platform's 200,000 accounts.
public struct AccountLookup: Sendable {
    private var storage: [Account] = []
    /// Each account's position in `storage`, by id.
    private var positions: [Int64: Int32] = [:]
    public private(set) var rejected: Set<Int64> = []

    public init() {}

    public var count: Int { storage.count }

    public mutating func add(_ account: Account) {
        if let position = position(account.id) {
            storage[position] = account
            return
        }
        let position = Int32(storage.count)
        storage.append(account)
        positions[account.id] = position
    }

    public mutating func markRejected(_ id: Int64) { rejected.insert(id) }

    /// Drops the spare capacity that growing by doubling left (up to half the array), once
    /// every account is in. Accounts added later still go in.
    public mutating func shrinkToFit() {
        storage = storage.withUnsafeBufferPointer { Array($0) }
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
        positions[id].map(Int.init)
    }
}
