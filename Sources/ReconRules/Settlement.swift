import Exact

/// What became of one handed-over credit (`recon.credit_outbox` entry) as of an instant, by
/// SPEC section 8's rules: a pure function of the entry and the applications that name it.
public struct Settlement: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case awaiting
        case overdue
        case settled
        case settledLate = "settled_late"
        case mismatch
    }

    /// Declared in alphabetical order of their codes, the order they are listed in.
    public enum Issue: String, Sendable, CaseIterable, Comparable {
        case afterExpiry = "after_expiry"
        case amountOver = "amount_over"
        case amountShort = "amount_short"
        case duplicate
        case late
        case wrongAccount = "wrong_account"
        case wrongCurrency = "wrong_currency"

        public static func < (a: Issue, b: Issue) -> Bool { a.rawValue < b.rawValue }
    }

    /// What was handed over: the fields of an outbox entry that settling looks at.
    public struct Entry: Sendable, Equatable {
        public var creditRef: String
        public var accountID: Int64
        public var currency: Currency
        /// The credit, or an adjustment's delta, in minor units.
        public var amount: Int64
        public var dueBy: Instant
        public var expiresAt: Instant?

        public init(creditRef: String, accountID: Int64, currency: Currency, amount: Int64, dueBy: Instant, expiresAt: Instant?) {
            self.creditRef = creditRef
            self.accountID = accountID
            self.currency = currency
            self.amount = amount
            self.dueBy = dueBy
            self.expiresAt = expiresAt
        }
    }

    public var creditRef: String
    public var status: Status
    /// Every issue that applies, alphabetical.
    public var issues: [Issue]
    /// The live applications on the entry's account in its currency, summed (minor units).
    public var appliedAmount: Int64
    /// The latest live application's time; nil without one.
    public var appliedAt: Instant?
    public var liveApplications: Int

    /// A settlement as stored (`recon.credit_settlements`); `settle` makes new ones.
    public init(creditRef: String, status: Status, issues: [Issue], appliedAmount: Int64, appliedAt: Instant?,
                liveApplications: Int) {
        self.creditRef = creditRef
        self.status = status
        self.issues = issues
        self.appliedAmount = appliedAmount
        self.appliedAt = appliedAt
        self.liveApplications = liveApplications
    }

    /// `entry` settled as of `asOf` against `applications`, those whose `credit_ref` names it.
    /// L is the live ones, M those of L on the entry's account in its currency.
    public static func settle(_ entry: Entry, applications: [CreditApplication], asOf: Instant) throws -> Settlement {
        let live = applications.filter { $0.isLive(asOf: asOf) }
        var applied: Int64 = 0
        for application in live where application.accountID == entry.accountID && application.currency == entry.currency {
            let (sum, overflow) = applied.addingReportingOverflow(application.amount)
            guard !overflow else { throw DataError("credit applied to \(entry.creditRef) overflows 64-bit minor units") }
            applied = sum
        }
        let latest = live.map(\.appliedAt).max()
        guard let latest else {
            return Settlement(creditRef: entry.creditRef, status: asOf < entry.dueBy ? .awaiting : .overdue, issues: [],
                              appliedAmount: 0, appliedAt: nil, liveApplications: 0)
        }
        var issues: [Issue] = []
        if live.count > 1 { issues.append(.duplicate) }
        if live.contains(where: { $0.accountID != entry.accountID }) { issues.append(.wrongAccount) }
        if live.contains(where: { $0.currency != entry.currency }) { issues.append(.wrongCurrency) }
        if applied < entry.amount { issues.append(.amountShort) }
        if applied > entry.amount { issues.append(.amountOver) }
        if let expiry = entry.expiresAt, live.contains(where: { $0.appliedAt >= expiry }) { issues.append(.afterExpiry) }
        if latest > entry.dueBy { issues.append(.late) }
        issues.sort()
        let status: Status = issues.isEmpty ? .settled : issues == [.late] ? .settledLate : .mismatch
        return Settlement(creditRef: entry.creditRef, status: status, issues: issues, appliedAmount: applied, appliedAt: latest,
                          liveApplications: live.count)
    }
}
