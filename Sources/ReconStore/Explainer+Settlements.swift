import Exact
import PGClient
import ReconRules

/// What `explain` shows of the credit itself (SPEC section 8): the grant's and each adjustment's
/// outbox entry, settled afresh as of the instant asked for, with every application naming it.
extension Explainer {
    public struct SettlementLine: Codable, Sendable {
        public var creditRef: String
        public var kind: String
        public var amount: String
        public var currency: String
        public var dueBy: String
        public var expiresAt: String?
        public var status: String
        public var issues: [String]
        public var appliedAmount: String
        public var appliedAt: String?
        /// One line per application naming the entry, live or not, rejected ones too.
        public var applications: [String]
    }

    func settlements(program: String, subjectKey: String, asOf: Instant) throws -> [SettlementLine] {
        let entries = try connection.execute("""
            SELECT o.credit_ref, o.kind, o.account_id, o.currency, o.amount::text, o.due_by, o.expires_at
            FROM recon.credit_outbox o
            WHERE o.credit_ref IN (SELECT 'grant:' || g.grant_id FROM recon.credit_grants g
                                   WHERE g.program_id = $1 AND g.subject_key = $2
                                   UNION ALL
                                   SELECT 'adjustment:' || a.adjustment_id FROM recon.adjustments a
                                   WHERE a.program_id = $1 AND a.subject_key = $2)
            ORDER BY o.position
            """, [program, subjectKey]).rows
        guard !entries.isEmpty else { return [] }
        let refs = try entries.map { try $0.decode(0, as: String.self) }
        var raws: [String: [RawCreditApplication]] = [:]
        try reader.stream("""
            SELECT application_id, credit_ref, account_id, currency, amount::text, applied_at, reversed_at
            FROM billing.credit_applications WHERE credit_ref = ANY ($1) ORDER BY application_id
            """, [refs]) { row in
            let raw = RawCreditApplication(
                applicationID: try row.decodeIfPresent(0), creditRef: try row.decodeIfPresent(1), accountID: try row.decodeIfPresent(2),
                currency: try row.decodeIfPresent(3), amount: (try row.decodeIfPresent(4, as: String.self)).map(DecimalReading.init(text:)),
                appliedAt: try row.decodeIfPresent(5), reversedAt: try row.decodeIfPresent(6))
            raws[raw.creditRef ?? "", default: []].append(raw)
        }
        return try entries.map { row in
            let ref = try row.decode(0, as: String.self)
            let code = try row.decode(3, as: String.self)
            guard let currency = Currency(code: code),
                  let amount = try? ExactDecimal(parsing: try row.decode(4, as: String.self)).minorUnits(exponent: currency.exponent)
            else { throw DataError("outbox entry \(ref) is unreadable") }
            let entry = Settlement.Entry(creditRef: ref, accountID: try row.decode(2), currency: currency, amount: amount,
                                         dueBy: try row.decode(5), expiresAt: try row.decodeIfPresent(6))
            var valid: [CreditApplication] = []
            var lines: [String] = []
            for raw in raws[ref] ?? [] {
                switch InputValidation.creditApplication(raw) {
                case let .success(application):
                    valid.append(application)
                    lines.append(Self.line(application, asOf: asOf))
                case let .failure(problem):
                    lines.append("application \(problem.rejection.key): rejected (\(problem.rejection.problem)), counts for nothing")
                }
            }
            let settlement = try Settlement.settle(entry, applications: valid, asOf: asOf)
            return SettlementLine(
                creditRef: ref, kind: try row.decode(1), amount: currency.format(amount), currency: code,
                dueBy: entry.dueBy.iso8601, expiresAt: entry.expiresAt?.iso8601, status: settlement.status.rawValue,
                issues: settlement.issues.map(\.rawValue), appliedAmount: currency.format(settlement.appliedAmount),
                appliedAt: settlement.appliedAt?.iso8601, applications: lines)
        }
    }

    static func line(_ a: CreditApplication, asOf: Instant) -> String {
        var text = "application \(a.id): \(a.currency.format(a.amount)) \(a.currency.code) to account \(a.accountID) "
            + "on \(a.appliedAt.iso8601)"
        if let reversed = a.reversedAt { text += ", reversed \(reversed.iso8601)" }
        return text + (a.isLive(asOf: asOf) ? " (live)" : " (not live as of \(asOf.iso8601))")
    }
}
