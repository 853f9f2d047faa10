import Exact
import PGClient
@testable import ReconStore
import ReconRules
import SampleData
import XCTest

/// The nightly read asks only for the rows inside each account's span (`SpendSpan`). On a
/// generated platform (thousands of subjects, every rejection class, promo codes, shared
/// accounts, established advertisers with months of earlier spend), evaluating with the spans
/// gives exactly the decisions that reading every row of every account gives, as of several
/// nights — while reading far fewer rows.
final class SpanReadTests: XCTestCase {
    func testDecisionsFromSpansEqualDecisionsFromEveryRow() throws {
        let f = try StoreFixture()
        var profile = SampleProfile.bench(merchants: 3000, rows: 120_000, seed: 41)
        profile.badRowsPerMille = 10
        try SampleLoader(connection: f.db).load(SampleGenerator(profile: profile))
        try f.db.executeScript("ANALYZE billing.billed_spend; ANALYZE billing.topup_consumption")
        let nights = [profile.asOf, profile.asOf.adding(days: -45), profile.asOf.adding(days: -200)]
        var compared = 0
        for asOf in nights {
            let fromSpans = try decisions(f, asOf: asOf, wholeAccounts: false)
            let fromEveryRow = try decisions(f, asOf: asOf, wholeAccounts: true)
            XCTAssertEqual(fromSpans.count, fromEveryRow.count)
            XCTAssertGreaterThan(fromSpans.count, 1000)
            for (key, decision) in fromEveryRow where fromSpans[key] != decision {
                XCTFail("\(asOf.iso8601) \(key): spans \(String(describing: fromSpans[key])) every row \(decision)")
                break
            }
            compared += fromSpans.count
        }
        XCTAssertGreaterThan(compared, 6000)
        // And the spans leave out a good share of the rows.
        let planned = try Reconciler(connections: try f.nightConnections(), logger: quietLogger()).plannedSpans(asOf: profile.asOf)
        let read = try countRows(f, spans: planned.spans)
        let all = try f.count("SELECT (SELECT count(*) FROM billing.billed_spend) + (SELECT count(*) FROM billing.topup_consumption)")
        XCTAssertLessThan(read * 10, all * 7, "spans read \(read) of \(all) rows")
    }

    private func decisions(_ f: StoreFixture, asOf: Instant, wholeAccounts: Bool) throws -> [String: Decision] {
        try f.evaluateEverySubject(asOf: asOf, wholeAccounts: wholeAccounts).byKey
    }

    private func countRows(_ f: StoreFixture, spans: [AccountSpan]) throws -> Int {
        var count = 0
        for entry in spans {
            count += try f.db.execute("""
                SELECT (SELECT count(*) FROM billing.billed_spend WHERE account_id = $1 AND spend_at >= $2 AND spend_at < $3)
                     + (SELECT count(*) FROM billing.topup_consumption WHERE account_id = $1 AND consumed_at >= $2 AND consumed_at < $3)
                """, [entry.accountID, entry.span.from, entry.span.until])[0].decode(0, as: Int.self)
        }
        return count
    }
}
