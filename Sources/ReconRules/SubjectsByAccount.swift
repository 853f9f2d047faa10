import Exact

/// The subjects to evaluate, grouped by account in one flat array (sorted by account, the
/// order the spend read delivers accounts in) with each account's range: no array per account.
/// An account is taken once; what is left at the end are accounts without spend rows.
public struct SubjectsByAccount {
    private var subjects: [SubjectWork]
    /// Every account with a subject, ascending, and its subjects' range in `subjects`.
    public let accountIDs: [Int64]
    private let ranges: [Range<Int>]
    private var taken: [Bool]
    /// Where the next `take` looks first: accounts are taken in ascending order as the spend
    /// stream passes them, so a look-up is nearly always one comparison. (A dictionary of
    /// 195,000 ranges, built and probed once each, was a tenth of the first night's evaluating
    /// thread before its first spend row.)
    private var cursor = 0
    /// Subjects not taken yet.
    public private(set) var remaining: Int
    public private(set) var accountCount: Int

    public init(_ listed: consuming [SubjectWork]) {
        // In place (the caller hands its array over); the standard library's sort is stable, so
        // within an account programs and subjects keep the order they were listed in.
        listed.sort { $0.accountID < $1.accountID }
        subjects = listed
        remaining = self.subjects.count
        var accountIDs: [Int64] = []
        var ranges: [Range<Int>] = []
        var start = 0
        while start < self.subjects.count {
            let account = self.subjects[start].accountID
            var end = start + 1
            while end < self.subjects.count, self.subjects[end].accountID == account { end += 1 }
            accountIDs.append(account)
            ranges.append(start..<end)
            start = end
        }
        self.accountIDs = accountIDs
        self.ranges = ranges
        taken = [Bool](repeating: false, count: accountIDs.count)
        accountCount = accountIDs.count
    }

    public var isEmpty: Bool { subjects.isEmpty }

    private func index(of accountID: Int64) -> Int? {
        if cursor < accountIDs.count, accountIDs[cursor] == accountID { return cursor }
        var low = 0, high = accountIDs.count
        while low < high {
            let middle = (low + high) / 2
            if accountIDs[middle] < accountID { low = middle + 1 } else { high = middle }
        }
        return low < accountIDs.count && accountIDs[low] == accountID ? low : nil
    }

    /// The account's subjects, once: nil when it has none or was taken before.
    public mutating func take(_ accountID: Int64) -> ArraySlice<SubjectWork>? {
        guard let index = index(of: accountID), !taken[index] else { return nil }
        taken[index] = true
        cursor = index + 1
        remaining -= ranges[index].count
        accountCount -= 1
        return subjects[ranges[index]]
    }

    /// The account's subjects without taking them.
    public subscript(accountID: Int64) -> ArraySlice<SubjectWork> {
        guard let index = index(of: accountID), !taken[index] else { return [] }
        return subjects[ranges[index]]
    }

    /// Accounts not taken yet, in ascending order.
    public var untakenAccountIDs: [Int64] { accountIDs.indices.filter { !taken[$0] }.map { accountIDs[$0] } }

    /// Each account's span of spend time as of `asOf`: the hull of its subjects' spans, in
    /// ascending account order. Accounts whose subjects can look at no row are left out.
    public func spans(asOf: Instant, accounts: AccountLookup) -> [AccountSpan] {
        spans(of: 0..<subjects.count, asOf: asOf, accounts: accounts)
    }

    /// The spans of the accounts whose subjects lie in `bounds` (which starts and ends at an
    /// account's boundary).
    private func spans(of bounds: Range<Int>, asOf: Instant, accounts: AccountLookup) -> [AccountSpan] {
        var result: [AccountSpan] = []
        result.reserveCapacity(bounds.count)
        var start = bounds.lowerBound
        while start < bounds.upperBound {
            let accountID = subjects[start].accountID
            var end = start + 1
            while end < bounds.upperBound, subjects[end].accountID == accountID { end += 1 }
            if let account = accounts.account(accountID) {
                var hull: SpendSpan?
                for index in start..<end {
                    hull = SpendSpan.hull(hull, subjects[index].spendSpan(asOf: asOf, account: account))
                }
                if let hull { result.append(AccountSpan(accountID: accountID, span: hull)) }
            }
            start = end
        }
        return result
    }
}
