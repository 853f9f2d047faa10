import Exact

/// What the promotions owe, per program and currency, as of an instant (SPEC section 8's
/// `liability`): each outbox entry's amount counted under its settlement status, so settled,
/// settled late, outstanding (awaiting: not yet due), overdue and mismatch add up to the credit
/// granted. Expired-without-application is a view across the unsettled ones, and applications
/// that name no entry are kept per currency with no program.
public struct Liability: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        /// nil for the line of applications that name no outbox entry.
        public var programID: String?
        public var currency: Currency
        public var granted: Int64 = 0
        public var settled: Int64 = 0
        public var settledLate: Int64 = 0
        public var outstanding: Int64 = 0
        public var overdue: Int64 = 0
        public var mismatch: Int64 = 0
        /// Awaiting or overdue, with `expires_at ≤ as_of`: the promise can no longer be kept.
        public var expiredUnapplied: Int64 = 0
        public var unmatched: Int64 = 0
        public var unmatchedCount = 0
        public var entries = 0
    }

    private struct Key: Hashable {
        var programID: String?
        var currency: Currency
    }

    private var byKey: [Key: Line] = [:]

    public init() {}

    /// Counts one entry's `settlement` as of `asOf` under `programID`.
    public mutating func add(_ settlement: Settlement, of entry: Settlement.Entry, programID: String, asOf: Instant) throws {
        let key = Key(programID: programID, currency: entry.currency)
        var line = byKey[key] ?? Line(programID: programID, currency: entry.currency)
        let amount = entry.amount
        try Self.add(amount, to: &line.granted)
        switch settlement.status {
        case .settled: try Self.add(amount, to: &line.settled)
        case .settledLate: try Self.add(amount, to: &line.settledLate)
        case .awaiting: try Self.add(amount, to: &line.outstanding)
        case .overdue: try Self.add(amount, to: &line.overdue)
        case .mismatch: try Self.add(amount, to: &line.mismatch)
        }
        if settlement.liveApplications == 0, let expiry = entry.expiresAt, expiry <= asOf {
            try Self.add(amount, to: &line.expiredUnapplied)
        }
        line.entries += 1
        byKey[key] = line
    }

    /// Counts an application live as of the instant that names no outbox entry.
    public mutating func addUnmatched(_ application: CreditApplication) throws {
        let key = Key(programID: nil, currency: application.currency)
        var line = byKey[key] ?? Line(programID: nil, currency: application.currency)
        try Self.add(application.amount, to: &line.unmatched)
        line.unmatchedCount += 1
        byKey[key] = line
    }

    /// Programs in order, then currencies; the unmatched lines last.
    public var lines: [Line] {
        byKey.values.sorted {
            ($0.programID == nil ? 1 : 0, $0.programID ?? "", $0.currency.code)
                < ($1.programID == nil ? 1 : 0, $1.programID ?? "", $1.currency.code)
        }
    }

    private static func add(_ amount: Int64, to total: inout Int64) throws {
        let (sum, overflow) = total.addingReportingOverflow(amount)
        guard !overflow else { throw DataError("liability total overflows 64-bit minor units") }
        total = sum
    }
}
