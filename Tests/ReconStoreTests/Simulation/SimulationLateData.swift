import Exact
import Foundation
import PGClient
import ReconStore
import SampleData

/// (b) Data that arrives late: a share of the seed's rows (integrations, codes, bills, top-ups,
/// enrolments) is held back and inserted between nights, most with times already past; and
/// between nights, rivals are planted with times in the past: an earlier integration of a
/// granted merchant on another account, an earlier integration on a granted account, an
/// earlier-activated code of a granted account, a back-dated conflicting enrolment. Every night
/// must still succeed and keep its promises; a final decision never changes; a grant stays; a
/// rerun over the result writes its findings once.
extension SimulationTests {
    /// Checks a late row can break by design: a final decision keeps the spend it had, and a
    /// late bad row in a final subject's window is never read.
    static let checksLateDataMayBreak: Set<String> = [
        "qualifying spend equals the sum of the rows that counted",
        "no bad row counts: every row in a subject's window that breaks the contract is rejected",
    ]

    func simulateLateData(_ data: SimulatedBilling, nights: [Instant], fixture f: StoreFixture, random: inout SeededRandom,
                          figures: inout Figures) throws -> [String] {
        try f.resetDecisions()
        var onTime: [(String, [SimulatedBilling.Row])] = []
        var late: [(night: Int, table: String, row: SimulatedBilling.Row)] = []
        for (table, rows) in [("ad_accounts", data.accounts), ("partner_integrations", data.integrations),
                              ("billed_spend", data.bills), ("topup_consumption", data.topups),
                              ("promo_codes", data.codes), ("promotion_enrollments", data.enrollments)] {
            var kept: [SimulatedBilling.Row] = []
            for row in rows {
                if table != "ad_accounts", nights.count > 1, random.chance(perMille: 120) {
                    late.append((Int(random.int(1..<Int64(nights.count))), table, row))
                } else {
                    kept.append(row)
                }
            }
            onTime.append((table, kept))
        }
        try Self.load(onTime, into: f.db)
        var failures: [String] = []
        var finalBefore = Set<String>()
        var planted = 0
        for (index, night) in nights.enumerated() {
            let arriving = late.filter { $0.night == index }
            for table in Set(arriving.map(\.table)) {
                try Self.load([(table, arriving.filter { $0.table == table }.map(\.row))], into: f.db)
            }
            if index > 0, random.chance(perMille: 400) {
                planted += try plantRivals(f.db, before: night, serial: planted, random: &random)
            }
            let context = "late data night \(night.iso8601)"
            do {
                try f.run(asOf: night, batchSize: Int(random.int(1...64)))
            } catch {
                return failures + ["\(context): the run failed: \(error)"]
            }
            figures.nights += 1
            for violation in try SimulationInvariants.violations(f.db, excluding: Self.checksLateDataMayBreak) {
                failures.append("\(context): \(violation)")
            }
            failures += try SimulationNightChecks.exportHoldsTonight(f.db, night: night).map { "\(context): \($0)" }
            let finalNow = Set(try f.db.execute(SimulationInvariants.finalRows).rows.map { try $0.decode(0, as: String.self) })
            let changed = finalBefore.subtracting(finalNow)
            if !changed.isEmpty { failures.append("\(context): final decisions changed: \(changed.sorted().prefix(3))") }
            finalBefore = finalNow
            figures.checks += SimulationInvariants.checks.count + 2
            if !failures.isEmpty { return failures }
        }
        figures.lateRows += late.count
        figures.plantedRivals += planted
        // A rerun over the whole range files what the late data changed; a second one finds it filed.
        let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let rerunner = Rerunner(connection: f.db, reader: reader, logger: quietLogger())
        let from = SimulatedBilling.start.adding(days: -60), to = SimulatedBilling.end.adding(days: 60)
        do {
            let first = try rerunner.rerun(from: from, to: to, asOf: SimulatedBilling.end)
            figures.lateDiscrepancies += first.discrepancies
            let before = try f.snapshot()
            let second = try rerunner.rerun(from: from, to: to, asOf: SimulatedBilling.end)
            let after = try f.snapshot()
            if second.updated + second.adjustments + second.discrepancies > 0 || before != after {
                failures.append("late data: a second identical rerun wrote \(second.updated) updates, \(second.adjustments) "
                                + "adjustments, \(second.discrepancies) discrepancies: "
                                + "\(second.differences.prefix(3).map { "\($0.subjectKey) \($0.before) -> \($0.after)" })")
            }
        } catch {
            failures.append("late data: the rerun failed: \(error)")
        }
        failures += try SimulationInvariants.violations(f.db, excluding: Self.checksLateDataMayBreak).map { "late data after the rerun: \($0)" }
        return failures
    }

    /// Copies rows into their `billing` tables.
    static func load(_ tables: [(String, [SimulatedBilling.Row])], into db: Connection) throws {
        for (table, rows) in tables where !rows.isEmpty {
            _ = try db.copyIn("COPY billing.\(table) FROM STDIN") { writer in
                for row in rows { try writer.appendRow(row) }
            }
        }
    }

    /// Plants, before `night`, rivals with times in the past of what is already granted or open.
    /// Returns how many rows were planted. Ids start at 700,000, far above the generator's.
    func plantRivals(_ db: Connection, before night: Instant, serial: Int, random: inout SeededRandom) throws -> Int {
        let base = Int64(700_000 + serial * 10)
        var planted = 0
        let partnerGrants = try db.execute("""
            SELECT g.partner, g.merchant_id, i.set_up_at, g.account_id, i.store_country
            FROM recon.credit_grants g JOIN billing.partner_integrations i ON i.integration_id = g.integration_id
            WHERE g.merchant_id IS NOT NULL ORDER BY g.subject_key
            """).rows
        if !partnerGrants.isEmpty {
            let grant = partnerGrants[Int(random.int(0..<Int64(partnerGrants.count)))]
            let (partner, merchant, setUp, account, store) = (try grant.decode(0, as: String.self), try grant.decode(1, as: String.self),
                                                              try grant.decode(2, as: Instant.self), try grant.decode(3, as: Int64.self),
                                                              try grant.decodeIfPresent(4, as: String.self) ?? "US")
            let earlier = setUp.adding(days: -1)
            // The same merchant, earlier, on a new account that reached the top tier at once.
            try db.execute("""
                INSERT INTO billing.ad_accounts VALUES ($1, 'US', 'USD', 'self_serve', 'approved', false, false, 'manual', $2, $2)
                """, [base, earlier.adding(days: -1)])
            try db.execute("INSERT INTO billing.partner_integrations VALUES ($1, $2, $3, 'US', $4, true, $5, $5)",
                           [base, partner, merchant, base, earlier])
            try db.execute("INSERT INTO billing.billed_spend VALUES ($1, $2, 'USD', $3, 6000.00, 0, 0, $3)",
                           [base, base, earlier.adding(seconds: 60)])
            // An earlier integration of another merchant on the granted account.
            try db.execute("INSERT INTO billing.partner_integrations VALUES ($1, 'woocommerce', $2, $3, $4, false, $5, $5)",
                           [base + 1, "late-\(base)", store, account, earlier])
            planted += 4
        }
        let codeGrants = try db.execute("""
            SELECT g.account_id, c.activated_at FROM recon.credit_grants g JOIN billing.promo_codes c ON c.code = g.promo_code
            WHERE g.promo_code IS NOT NULL ORDER BY g.subject_key
            """).rows
        if !codeGrants.isEmpty {
            let grant = codeGrants[Int(random.int(0..<Int64(codeGrants.count)))]
            let (account, activated) = (try grant.decode(0, as: Int64.self), try grant.decode(1, as: Instant.self))
            try db.execute("INSERT INTO billing.promo_codes VALUES ($1, 'promo-jp-10000', $2, $3, $2, $4, 5000)",
                           ["LATE-\(base)", account, activated.adding(days: -2), activated.adding(seconds: -3600)])
            planted += 1
        }
        let open = try db.execute("""
            SELECT account_id FROM recon.subject_status WHERE NOT final AND program_id = 'woocommerce-us-uk' ORDER BY subject_key
            """).rows
        if !open.isEmpty {
            let account = try open[Int(random.int(0..<Int64(open.count)))].decode(0, as: Int64.self)
            try db.execute("INSERT INTO billing.promotion_enrollments VALUES ($1, 'new_advertiser_incentive', $2)",
                           [account, night.adding(days: -3)])
            planted += 1
        }
        return planted
    }
}
