import Exact
import PGClient
import ReconRules

/// One credit to hand to the crediting system: a grant or an adjustment as its outbox entry
/// will read. Built from what the write transaction itself wrote (the decision and the grant id
/// it drew, or the adjustment row), so the handover never reads its grants back.
struct CreditHandover: Sendable {
    var creditRef: String
    var kind: String
    var programID: String
    var subjectKey: String
    var subject: String
    var accountID: Int64
    var currency: Currency
    /// The credit, or an adjustment's delta, in minor units.
    var amount: Int64
    var dueBy: Instant
    var expiresAt: Instant?
    var paymentMode: String

    /// The adjustments `ids`, just written in this transaction: the delta, due `grant_sla_days`
    /// after the adjustment was made, and its grant's subject, account, expiry and payment mode.
    static func adjustments(_ ids: [Int64], on connection: Connection) throws -> [CreditHandover] {
        guard !ids.isEmpty else { return [] }
        return try connection.execute("""
            SELECT a.adjustment_id, a.program_id, a.subject_key, g.subject, g.account_id, a.currency, a.credit_delta::text,
                   a.created_at + make_interval(days => p.grant_sla_days), g.expires_at, g.payment_mode
            FROM recon.adjustments a
            JOIN recon.credit_grants g ON g.grant_id = a.grant_id
            JOIN recon.programs p ON p.program_id = a.program_id
            WHERE a.adjustment_id = ANY ($1::int8[])
            ORDER BY a.adjustment_id
            """, [ids]).rows.map { row in
            let id = try row.decode(0, as: Int64.self)
            let code = try row.decode(5, as: String.self)
            guard let currency = Currency(code: code),
                  let delta = try? ExactDecimal(parsing: try row.decode(6, as: String.self)).minorUnits(exponent: currency.exponent)
            else { throw DataError("adjustment \(id) has an unreadable credit delta in \(code)") }
            return CreditHandover(creditRef: "adjustment:\(id)", kind: "adjustment", programID: try row.decode(1),
                                  subjectKey: try row.decode(2), subject: try row.decode(3), accountID: try row.decode(4),
                                  currency: currency, amount: delta, dueBy: try row.decode(7),
                                  expiresAt: try row.decodeIfPresent(8, as: Instant.self), paymentMode: try row.decode(9))
        }
    }

    /// The entry as settlement sees it.
    var entry: Settlement.Entry {
        Settlement.Entry(creditRef: creditRef, accountID: accountID, currency: currency, amount: amount, dueBy: dueBy,
                         expiresAt: expiresAt)
    }
}

extension CreditHandover {
    /// The grant `grantID` of the granted `decision`.
    init(grantID: Int64, of decision: Decision) throws {
        guard let credit = decision.tier?.credit, let dueBy = decision.dueBy else {
            throw DataError("the grant of \(decision.subject.key) has no credit or no due date")
        }
        self.init(creditRef: "grant:\(grantID)", kind: "grant", programID: decision.subject.programID,
                  subjectKey: decision.subject.key, subject: decision.subject.name, accountID: decision.subject.accountID,
                  currency: decision.currency, amount: credit, dueBy: dueBy, expiresAt: decision.expiresAt,
                  paymentMode: decision.paymentMode)
    }
}
