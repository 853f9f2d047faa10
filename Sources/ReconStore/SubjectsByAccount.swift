import Exact
import ReconRules

/// The subjects to evaluate, grouped by account in one flat array (sorted by account, the
/// order the spend read delivers accounts in) with each account's range: no array per account.
/// An account is taken once; what is left at the end are accounts without spend rows.
struct SubjectsByAccount {
    private var subjects: [SubjectWork]
    private var ranges: [Int64: Range<Int>] = [:]
    /// Every account with a subject, ascending.
    let accountIDs: [Int64]
    /// Subjects not taken yet.
    private(set) var remaining: Int

    init(_ listed: consuming [SubjectWork]) {
        // In place (the caller hands its array over); the standard library's sort is stable, so
        // within an account programs and subjects keep the order they were listed in.
        listed.sort { $0.accountID < $1.accountID }
        subjects = listed
        remaining = self.subjects.count
        var accountIDs: [Int64] = []
        var start = 0
        while start < self.subjects.count {
            let account = self.subjects[start].accountID
            var end = start + 1
            while end < self.subjects.count, self.subjects[end].accountID == account { end += 1 }
            ranges[account] = start..<end
            accountIDs.append(account)
            start = end
        }
        self.accountIDs = accountIDs
    }

    var isEmpty: Bool { subjects.isEmpty }
    var accountCount: Int { ranges.count }
    /// The account's subjects, once: nil when it has none or was taken before.
    mutating func take(_ accountID: Int64) -> ArraySlice<SubjectWork>? {
        guard let range = ranges.removeValue(forKey: accountID) else { return nil }
        remaining -= range.count
        return subjects[range]
    }

    /// The account's subjects without taking them.
    subscript(accountID: Int64) -> ArraySlice<SubjectWork> {
        ranges[accountID].map { subjects[$0] } ?? []
    }

    /// Accounts not taken yet, in ascending order.
    var untakenAccountIDs: [Int64] { Array(ranges.keys).sorted() }

    /// Each account's span of spend time as of `asOf`: the hull of its subjects' spans, in
    /// ascending account order. Accounts whose subjects can look at no row are left out.
    func spans(asOf: Instant, accounts: AccountLookup) -> [AccountSpan] {
        var result: [AccountSpan] = []
        result.reserveCapacity(ranges.count)
        var start = 0
        while start < subjects.count {
            let accountID = subjects[start].accountID
            var end = start + 1
            while end < subjects.count, subjects[end].accountID == accountID { end += 1 }
            if let account = accounts.account(accountID),
               let span = SpendSpan.hull(subjects[start..<end].lazy.map { $0.spendSpan(asOf: asOf, account: account) }) {
                result.append(AccountSpan(accountID: accountID, span: span))
            }
            start = end
        }
        return result
    }
}
