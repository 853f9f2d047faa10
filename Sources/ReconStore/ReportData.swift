import Exact
import ReconRules

/// What the nightly report shows (SPEC section 9), aggregated in SQL over `recon` alone (so the
/// least-privilege role suffices and memory stays flat whatever the number of subjects). Amounts
/// are exact minor units with their currency; the page formats them.
public struct ReportData: Sendable {
    public struct SubjectCount: Sendable { public var program: String; public var status: String; public var subjects: Int }
    public struct GrantedCredit: Sendable { public var currency: Currency; public var tier: Int; public var grants: Int; public var credit: Int64 }
    public struct SettlementAmount: Sendable {
        public var status: String; public var currency: Currency; public var entries: Int; public var amount: Int64
    }
    /// Overdue credit by how long it has been overdue: `1–7 days`, `8–30 days`, `over 30 days`.
    public struct OverdueAge: Sendable { public var bucket: String; public var currency: Currency; public var entries: Int; public var amount: Int64 }
    public struct Outstanding: Sendable {
        public var currency: Currency; public var awaiting: Int64; public var overdue: Int64; public var total: Int64
    }
    /// Pending subjects by their spend toward the next tier: `0–25 %` … `75–100 %`.
    public struct Progress: Sendable { public var program: String; public var bucket: String; public var subjects: Int }
    /// What the pending subjects of a program would cost if each reached its next tier.
    public struct NextTierCost: Sendable { public var program: String; public var currency: Currency; public var subjects: Int; public var credit: Int64 }
    public struct ReasonCount: Sendable { public var reason: String; public var subjects: Int }
    public struct RejectedCount: Sendable { public var table: String; public var problem: String; public var rows: Int }
    public struct RunLine: Sendable {
        public var runID: Int64; public var kind: String; public var status: String; public var asOf: Instant
        public var startedAt: Instant; public var micros: Int64?; public var evaluated: Int; public var written: Int
        public var rejected: Int
    }
    public struct OverdueCredit: Sendable {
        public var creditRef: String; public var program: String; public var subject: String; public var currency: Currency
        public var amount: Int64; public var dueBy: Instant; public var days: Int
    }

    /// The instant the report is as of: overdue ages are counted to it, and an awaiting credit
    /// whose `due_by` it has passed counts as overdue.
    public var asOf: Instant
    /// The latest successful nightly run, if any.
    public var latestRun: RunLine?
    public var subjects: [SubjectCount] = []
    public var granted: [GrantedCredit] = []
    public var settlements: [SettlementAmount] = []
    public var overdueAges: [OverdueAge] = []
    public var outstanding: [Outstanding] = []
    public var progress: [Progress] = []
    public var nextTierCost: [NextTierCost] = []
    public var reasons: [ReasonCount] = []
    public var rejected: [RejectedCount] = []
    public var runs: [RunLine] = []
    /// The oldest overdue credits, at most `ReportData.oldestShown`.
    public var oldestOverdue: [OverdueCredit] = []
    public var unmatchedApplications = 0

    public static let oldestShown = 20
    public static let ageBuckets = ["1–7 days", "8–30 days", "over 30 days"]
    public static let progressBuckets = ["0–25 %", "25–50 %", "50–75 %", "75–100 %"]
}
