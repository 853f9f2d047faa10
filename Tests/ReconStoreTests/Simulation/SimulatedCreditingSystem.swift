import Exact
import Foundation
import PGClient
import ReconRules
@testable import ReconStore
import SampleData

/// The crediting system outside the job, simulated (SPEC section 8): after each night it reads
/// the new outbox entries as a consumer does (after the last position it saw) and treats each
/// one its own way: applies it on time or exactly at `due_by`, late, twice, short, over, on
/// another account or in another currency, applies and reverses it, or never applies it. Now
/// and then it credits by hand (no ref), names an unknown ref, reports an amount with too many
/// decimals (a row to reject), or goes back over a credit applied earlier (`revisit`).
struct SimulatedCreditingSystem {
    private(set) var last: Int64 = 0
    private var nextID: Int64 = 1
    /// How many entries met each behaviour: what the seeds exercised.
    private(set) var behaviours: [String: Int] = [:]

    mutating func consume(_ db: Connection, random: inout SeededRandom) throws {
        let entries = try CreditOutbox(connection: db).entries(after: last, limit: 1_000_000)
        for entry in entries {
            try treat(entry, db, &random)
            last = entry.position
        }
        if random.chance(perMille: 250) {
            let at = SimulatedBilling.start.adding(days: Int(random.int(0...90)))
            try apply(db, ref: nil, account: random.int(1...40), currency: "USD", amount: "12.34", at: at)
            try apply(db, ref: "grant:\(random.int(900_000...999_999))", account: random.int(1...40), currency: "USD",
                      amount: "5.00", at: at.adding(seconds: 3600))
            behaviours["by_hand_and_unknown_ref", default: 0] += 1
        }
        if nextID > 1, random.chance(perMille: 400) { try revisit(db, &random) }
    }

    /// Goes back over one credit it applied to an entry: undoes it by an update, corrects its
    /// amount, or withdraws the row (a deletion). The settle stage must find each.
    private mutating func revisit(_ db: Connection, _ random: inout SeededRandom) throws {
        let id = random.int(1...(nextID - 1))
        let named = "AND EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = billing.credit_applications.credit_ref)"
        let (behaviour, changed): (String, Int)
        switch random.int(0..<3) {
        case 0:
            behaviour = "reversed_later_by_update"
            changed = try db.execute("""
                UPDATE billing.credit_applications SET reversed_at = applied_at + make_interval(hours => $2::int)
                WHERE application_id = $1 AND reversed_at IS NULL \(named)
                """, [id, Int32(random.int(0...(30 * 24)))]).affectedRows
        case 1:
            behaviour = "amount_corrected"
            changed = try db.execute("""
                UPDATE billing.credit_applications SET amount = amount + 1 WHERE application_id = $1 \(named)
                """, [id]).affectedRows
        default:
            behaviour = "withdrawn"
            changed = try db.execute("DELETE FROM billing.credit_applications WHERE application_id = $1 \(named)", [id])
                .affectedRows
        }
        if changed > 0 { behaviours[behaviour, default: 0] += 1 }
    }

    private mutating func treat(_ entry: CreditOutbox.Entry, _ db: Connection, _ random: inout SeededRandom) throws {
        guard let currency = Currency(code: entry.currency), let due = Instant(iso8601: entry.dueBy),
              let amount = try? ExactDecimal(parsing: entry.amount).minorUnits(exponent: currency.exponent) else {
            throw DataError("unreadable outbox entry \(entry.creditRef)")
        }
        let onTime = due.adding(seconds: -random.int(0...(6 * 86_400)))
        let other = currency.code == "USD" ? "EUR" : "USD"
        func money(_ minor: Int64) -> String { currency.format(minor) }
        let roll = random.int(0..<100)
        let behaviour: String
        switch roll {
        case 0..<30:
            behaviour = "on_time"
            try apply(db, entry, amount: money(amount), at: onTime)
        case 30..<38:
            behaviour = "exactly_at_due_by"
            try apply(db, entry, amount: money(amount), at: due)
        case 38..<52:
            behaviour = "late"
            try apply(db, entry, amount: money(amount), at: due.adding(seconds: random.int(1...(40 * 86_400))))
        case 52..<59:
            behaviour = "duplicate"
            try apply(db, entry, amount: money(amount), at: onTime)
            try apply(db, entry, amount: money(amount), at: onTime.adding(seconds: random.int(0...(9 * 86_400))))
        case 59..<66:
            behaviour = "short"
            try apply(db, entry, amount: money(amount - random.int(1...max(1, amount / 2))), at: onTime)
        case 66..<70:
            behaviour = "over"
            try apply(db, entry, amount: money(amount + random.int(1...max(1, amount))), at: onTime)
        case 70..<75:
            behaviour = "misrouted"
            try apply(db, ref: entry.creditRef, account: entry.accountID + 1_000_000, currency: entry.currency,
                      amount: money(amount), at: onTime)
        case 75..<79:
            behaviour = "wrong_currency"
            try apply(db, ref: entry.creditRef, account: entry.accountID, currency: other, amount: money(amount), at: onTime)
        case 79..<88:
            behaviour = "reversed"
            try apply(db, entry, amount: money(amount), at: onTime,
                      reversed: onTime.adding(seconds: random.int(0...(20 * 86_400))))
        case 88..<90:
            behaviour = "rejected_row"
            try apply(db, entry, amount: money(amount) + (currency.exponent == 0 ? ".5" : "1"), at: onTime)
        default:
            behaviour = "never_applied"
        }
        behaviours[behaviour, default: 0] += 1
    }

    private mutating func apply(_ db: Connection, _ entry: CreditOutbox.Entry, amount: String, at: Instant,
                                reversed: Instant? = nil) throws {
        try apply(db, ref: entry.creditRef, account: entry.accountID, currency: entry.currency, amount: amount, at: at,
                  reversed: reversed)
    }

    private mutating func apply(_ db: Connection, ref: String?, account: Int64, currency: String, amount: String, at: Instant,
                                reversed: Instant? = nil) throws {
        try db.execute("INSERT INTO billing.credit_applications VALUES ($1, $2, $3, $4, $5::numeric, $6, $7)",
                       [nextID, ref, account, currency, amount, at, reversed])
        nextID += 1
    }
}
