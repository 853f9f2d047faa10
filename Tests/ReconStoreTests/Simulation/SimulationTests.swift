import Exact
import Foundation
import PGClient
import ReconStore
import SampleData
import XCTest

/// Seeded simulation: random billing data around every rule's edges, nights at random
/// cadences, and the job's promises checked after every night (SimulationInvariants), plus:
/// final decisions never change once final; after every night each final subject is what a
/// single fresh night at that instant writes, and the night's export holds every subject it
/// wrote (SimulationNightChecks); every cadence ends with the same decisions as one single
/// night at the end; a rerun of a random range over unchanged data changes nothing; and a
/// cadence whose data arrives late keeps every promise too (SimulationLateData).
///
/// `SPEND_RECON_SIM_SEED=n` replays one seed exactly; `SPEND_RECON_SIM_SEEDS=k` runs k seeds
/// starting at `SPEND_RECON_SIM_FIRST` (default 1). A failure names its seed and the replay line.
final class SimulationTests: XCTestCase {
    static let defaultSeedCount = 30

    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let one = environment["SPEND_RECON_SIM_SEED"].flatMap(UInt64.init) { return [one] }
        let count = environment["SPEND_RECON_SIM_SEEDS"].flatMap(Int.init) ?? defaultSeedCount
        let first = environment["SPEND_RECON_SIM_FIRST"].flatMap(UInt64.init) ?? 1
        return (0..<UInt64(max(count, 1))).map { first + $0 }
    }

    struct Figures {
        var seeds = 0, nights = 0, checks = 0, inputRows = 0, subjects = 0, grants = 0, rejectedRows = 0, reruns = 0
        var comparisons = 0
        /// Final subjects compared with a fresh night at the same instant, after every night.
        var freshComparisons = 0
        var lateRows = 0, plantedRivals = 0, lateDiscrepancies = 0
        /// Final outcomes met, by status and by reason: what the seeds actually exercised.
        var outcomes: [String: Int] = [:]
        /// Outbox entries by what the simulated crediting system did with them, and settlements.
        var crediting: [String: Int] = [:]
        /// Nights by how their settle stage found the changed applications.
        var changeScans: [String: Int] = [:]
        var settlements = 0
    }

    func testSeededNightsKeepEveryPromiseWhateverTheCadence() throws {
        var figures = Figures()
        let fixture = try StoreFixture("simulation")
        let fresh = try StoreFixture("simulation-fresh")
        for seed in Self.seeds {
            let failures = try simulate(seed: seed, fixture: fixture, fresh: fresh, figures: &figures)
            for failure in failures {
                XCTFail("simulation seed \(seed): \(failure)\n  replay: SPEND_RECON_SIM_SEED=\(seed) swift test --filter SimulationTests")
            }
            figures.seeds += 1
        }
        print("""
            simulation figures: seeds=\(figures.seeds) input_rows=\(figures.inputRows) nights=\(figures.nights) \
            invariant_checks=\(figures.checks) cadence_comparisons=\(figures.comparisons) reruns=\(figures.reruns) \
            subjects=\(figures.subjects) grants=\(figures.grants) rejected_rows=\(figures.rejectedRows) \
            final_vs_fresh_night=\(figures.freshComparisons) late_rows=\(figures.lateRows) \
            planted_rivals=\(figures.plantedRivals) late_discrepancies=\(figures.lateDiscrepancies)
            simulation change scans: \(figures.changeScans.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            simulation crediting: settlements=\(figures.settlements) \(figures.crediting.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            simulation outcomes: \(figures.outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            """)
    }

    /// One seed: load its data, play three cadences of nights over it, check after each night.
    /// Returns what broke, if anything (empty = every promise held).
    func simulate(seed: UInt64, fixture f: StoreFixture, fresh: StoreFixture, figures: inout Figures) throws -> [String] {
        let data = SimulatedBilling(seed: seed)
        for db in [f.db, fresh.db] {
            try Self.emptyBilling(db)
            try Self.load([("ad_accounts", data.accounts), ("partner_integrations", data.integrations),
                           ("billed_spend", data.bills), ("topup_consumption", data.topups),
                           ("promo_codes", data.codes), ("promotion_enrollments", data.enrollments)], into: db)
        }
        figures.inputRows += data.rowCount
        var freshNights: [Instant: [String: String]] = [:]
        var random = SeededRandom(seed: seed, stream: 0x51D, index: 0)
        let cadences = [data.cadence(&random), data.cadence(&random), [SimulatedBilling.end]]
        var failures: [String] = []
        var endings: [(decisions: [String], rejected: Set<String>)] = []
        for (index, nights) in cadences.enumerated() {
            try f.resetDecisions()
            try f.db.execute("TRUNCATE billing.credit_applications")
            var crediting = SimulatedCreditingSystem()
            var finalBefore = Set<String>()
            for night in nights {
                let batchSize = Int(random.int(1...64))
                do {
                    let summary = try f.run(asOf: night, batchSize: batchSize)
                    figures.changeScans[summary.settlement?.changeScan.rawValue ?? "missing", default: 0] += 1
                } catch {
                    failures.append("cadence \(index) night \(night.iso8601): the run failed: \(error)")
                    return failures
                }
                figures.nights += 1
                let context = "cadence \(index) night \(night.iso8601) batch \(batchSize)"
                for violation in try SimulationInvariants.violations(f.db) {
                    failures.append("\(context): \(violation)")
                }
                for violation in try SimulationInvariants.settlementViolations(f.db) {
                    failures.append("\(context): \(violation)")
                }
                figures.checks += SimulationInvariants.checks.count + SimulationInvariants.settlementChecks.count + 1
                try crediting.consume(f.db, random: &random)
                if index < 2 {
                    if freshNights[night] == nil {
                        try fresh.resetDecisions()
                        try fresh.run(asOf: night, batchSize: 64)
                        freshNights[night] = try SimulationNightChecks.decisions(fresh.db, finalOnly: false)
                    }
                    failures += try SimulationNightChecks.finalAgreeWithFreshNight(f.db, fresh: freshNights[night]!)
                        .map { "\(context): \($0)" }
                    figures.freshComparisons += 1
                }
                failures += try SimulationNightChecks.exportHoldsTonight(f.db, night: night).map { "\(context): \($0)" }
                let finalNow = Set(try f.db.execute(SimulationInvariants.finalRows).rows.map { try $0.decode(0, as: String.self) })
                let changed = finalBefore.subtracting(finalNow)
                if !changed.isEmpty { failures.append("\(context): final decisions changed: \(changed.sorted().prefix(3))") }
                finalBefore = finalNow
                if !failures.isEmpty { return failures }
            }
            for (behaviour, count) in crediting.behaviours { figures.crediting[behaviour, default: 0] += count }
            figures.settlements += try f.count("SELECT count(*) FROM recon.credit_settlements")
            // The crediting system answers each cadence's nights differently (the single night has
            // no application before it), so its rejected rows are not compared across cadences.
            let snapshot = try f.snapshot().filter { !$0.hasPrefix("3: credit_applications|") }
            endings.append((snapshot.filter { !$0.hasPrefix("3: ") }, Set(snapshot.filter { $0.hasPrefix("3: ") })))
            failures += try rerunChangesNothing(f, &random, figures: &figures, context: "cadence \(index)")
        }
        figures.subjects += try f.count("SELECT count(*) FROM recon.subject_status")
        figures.grants += try f.count("SELECT count(*) FROM recon.credit_grants")
        for row in try f.db.execute("""
            SELECT status || CASE WHEN status <> 'granted' THEN ''
                                  WHEN decided_at < cutoff THEN ' tier ' || tier || ' early' ELSE ' tier ' || tier END, count(*)
            FROM recon.subject_status GROUP BY 1
            UNION ALL SELECT 'reason ' || reason, count(*) FROM recon.ineligibility_reasons GROUP BY 1
            """).rows {
            figures.outcomes[try row.decode(0, as: String.self), default: 0] += try row.decode(1, as: Int.self)
        }
        figures.rejectedRows += try f.count("SELECT count(*) FROM recon.rejected_rows")
        let single = endings[2]
        for index in 0..<2 {
            figures.comparisons += 1
            if endings[index].decisions != single.decisions {
                let onlyHere = Set(endings[index].decisions).subtracting(single.decisions).sorted().prefix(3)
                let onlySingle = Set(single.decisions).subtracting(endings[index].decisions).sorted().prefix(3)
                failures.append("cadence \(index) (\(cadences[index].count) nights) ends unlike one night at the end: "
                                + "only in cadence \(Array(onlyHere)), only in the single night \(Array(onlySingle))")
            }
            if !endings[index].rejected.isSubset(of: single.rejected) {
                failures.append("cadence \(index) rejected rows the single night did not: "
                                + "\(endings[index].rejected.subtracting(single.rejected).sorted().prefix(3))")
            }
        }
        if failures.isEmpty {
            try Self.emptyBilling(f.db)
            failures += try simulateLateData(data, nights: cadences[0], fixture: f, random: &random, figures: &figures)
        }
        return failures
    }

    static func emptyBilling(_ db: Connection) throws {
        try db.executeScript("""
            TRUNCATE billing.ad_accounts, billing.partner_integrations, billing.billed_spend, billing.topup_consumption,
                     billing.promo_codes, billing.promotion_enrollments, billing.credit_applications
            """)
    }

    /// A rerun of a random range as of the last night, over unchanged data: no update, no
    /// adjustment, no discrepancy, and every decision table exactly as before.
    func rerunChangesNothing(_ f: StoreFixture, _ random: inout SeededRandom, figures: inout Figures,
                             context: String) throws -> [String] {
        let from = SimulatedBilling.start.adding(days: Int(random.int(-10...100)))
        let to = from.adding(days: Int(random.int(1...60)))
        let before = try f.snapshot().filter { !$0.hasPrefix("3: ") }
        let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let summary = try Rerunner(connection: f.db, reader: reader, logger: quietLogger())
            .rerun(from: from, to: to, asOf: SimulatedBilling.end)
        figures.reruns += 1
        let after = try f.snapshot().filter { !$0.hasPrefix("3: ") }
        var failures: [String] = []
        if summary.updated + summary.adjustments + summary.discrepancies > 0 {
            failures.append("\(context): rerun \(from.iso8601)..\(to.iso8601) over unchanged data wrote "
                            + "\(summary.updated) updates, \(summary.adjustments) adjustments, \(summary.discrepancies) discrepancies: "
                            + "\(summary.differences.prefix(3).map { "\($0.subjectKey) \($0.before) -> \($0.after)" })")
        }
        if before != after { failures.append("\(context): rerun over unchanged data changed the decision tables") }
        return failures
    }

    /// The generator itself is deterministic: a seed is a replay.
    func testTheSameSeedGivesTheSameDataAndCadence() {
        let a = SimulatedBilling(seed: 42), b = SimulatedBilling(seed: 42), c = SimulatedBilling(seed: 43)
        XCTAssertEqual(a.bills, b.bills)
        XCTAssertEqual(a.codes, b.codes)
        XCTAssertNotEqual(a.bills, c.bills)
        var r1 = SeededRandom(seed: 42), r2 = SeededRandom(seed: 42)
        XCTAssertEqual(a.cadence(&r1), b.cadence(&r2))
        XCTAssertGreaterThan(a.rowCount, 50)
    }
}

extension StoreFixture {
    @discardableResult
    func run(asOf: Instant, batchSize: Int) throws -> RunSummary {
        try reconciler(batchSize: batchSize).run(asOf: asOf)
    }
}
