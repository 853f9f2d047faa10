import ReconRules

/// The settlement stage's part of a run summary (SPEC section 8): entries per status, the
/// outstanding (awaiting + overdue) and overdue credit per currency in major units, and the
/// unmatched applications recorded so far.
public struct SettlementSummary: Codable, Sendable, Equatable {
    /// Every status, zero included.
    public var statuses: [String: Int] = [:]
    public var outstanding: [String: String] = [:]
    public var overdue: [String: String] = [:]
    public var unmatchedApplications = 0
    /// Settlements that changed and were written (or would be, in a dry run).
    public var changed = 0
    /// Application rows rejected by the money rules.
    public var rejectedApplications = 0
    public var milliseconds: Int64 = 0
    /// How the stage found what changed in `billing.credit_applications`.
    public var changeScan = ChangeScan.none

    /// `none`: every entry was settled; `sinceSnapshot`: only rows written since the last
    /// settlement's snapshot were compared with what it saw; `everyRow`: every row was.
    public enum ChangeScan: String, Codable, Sendable {
        case none
        case sinceSnapshot = "since_snapshot"
        case everyRow = "every_row"
    }

    public init() {}

    init(_ tally: SettlementTally) {
        for status in Settlement.Status.allCases { statuses[status.rawValue] = tally.count(status) }
        outstanding = Dictionary(uniqueKeysWithValues: tally.outstanding.map { ($0.key.code, $0.key.format($0.value)) })
        overdue = Dictionary(uniqueKeysWithValues: tally.overdue.map { ($0.key.code, $0.key.format($0.value)) })
    }
}
