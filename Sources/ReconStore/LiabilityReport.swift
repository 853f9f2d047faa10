import Exact
import PGClient
import ReconRules

/// `spend-recon liability`: every outbox entry settled afresh as of `asOf` (the nightly rules,
/// nothing written), summed per program and currency, with the live applications that name no
/// entry. Read-only and streamed, so it runs beside a night and on any number of grants.
public struct LiabilityReport: Codable, Sendable {
    /// One program and currency, amounts in major units with the currency's digits.
    public struct Line: Codable, Sendable, Equatable {
        public var programID: String?
        public var currency: String
        public var granted: String
        public var settled: String
        public var settledLate: String
        public var outstanding: String
        public var overdue: String
        public var mismatch: String
        public var expiredUnapplied: String
        public var unmatched: String
        public var unmatchedCount: Int
        public var entries: Int

        init(_ line: Liability.Line) {
            let format = line.currency.format
            programID = line.programID
            currency = line.currency.code
            granted = format(line.granted)
            settled = format(line.settled)
            settledLate = format(line.settledLate)
            outstanding = format(line.outstanding)
            overdue = format(line.overdue)
            mismatch = format(line.mismatch)
            expiredUnapplied = format(line.expiredUnapplied)
            unmatched = format(line.unmatched)
            unmatchedCount = line.unmatchedCount
            entries = line.entries
        }
    }

    public var asOf: String
    public var lines: [Line]
    /// Application rows that break the money rules, left out.
    public var rejectedApplications: Int

    /// Reads on `connection`: the outbox, the stored settlements and `billing.credit_applications`.
    public static func read(_ connection: Connection, asOf: Instant) throws -> LiabilityReport {
        var liability = Liability()
        var rejected = 0
        try SettlementRead.entries(on: connection, asOf: asOf, rejected: { _ in rejected += 1 }) { item in
            let settlement = try Settlement.settle(item.entry, applications: item.applications, asOf: asOf)
            try liability.add(settlement, of: item.entry, programID: item.programID, asOf: asOf)
        }
        try SettlementRead.unmatched(on: connection, rejected: { _ in rejected += 1 }) { application in
            if application.isLive(asOf: asOf) { try liability.addUnmatched(application) }
        }
        return LiabilityReport(asOf: asOf.iso8601, lines: liability.lines.map(Line.init), rejectedApplications: rejected)
    }
}
