import ReconRules

/// What a run did: counts per status, credit granted per currency, rejected rows.
public struct RunSummary: Codable, Sendable {
    public var runID: Int64?
    public var kind: String
    public var asOf: String
    public var dryRun: Bool
    public var evaluated = 0
    public var statuses: [String: Int] = [:]
    /// New grants of this run, per currency, in major units with the currency's digits.
    public var creditGranted: [String: String] = [:]
    public var rejectedRows = 0
    public var written = 0
    public var skippedFinal = 0
    /// Open subjects evaluated and found pending exactly as stored: left unwritten.
    public var unchanged = 0
    /// Wall time of the evaluation, the time spent writing decisions (summed over the writer
    /// connections, which write while the next accounts are read) and the part of that spent
    /// handing credit to the outbox.
    public var milliseconds: Int64 = 0
    public var writeMilliseconds: Int64 = 0
    public var handoverMilliseconds: Int64 = 0
    /// `audit` only: subjects stored `granted` without their grant row, which no run writes
    /// (status and grant commit together): a sign the tables were edited by hand.
    public var grantedWithoutGrant: [String] = []
    /// The settlement stage: every outbox entry as of `asOf` (nil for `audit`).
    public var settlement: SettlementSummary?

    public init(runID: Int64?, kind: String, asOf: String, dryRun: Bool) {
        self.runID = runID
        self.kind = kind
        self.asOf = asOf
        self.dryRun = dryRun
    }

    public func count(_ status: Status) -> Int { statuses[status.rawValue] ?? 0 }
}
