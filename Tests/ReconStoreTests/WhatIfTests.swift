import Exact
import PGClient
@testable import ReconStore
import ReconRules
import SampleData
import XCTest

/// `spend-recon simulate` (SPEC section 10): each side is what `run` writes on a fresh database
/// with that program, the stored program on both sides differs in nothing, a cheaper ladder
/// never lowers anyone's tier or credit, and window and settle changes move the windows as the
/// rules say.
final class WhatIfTests: XCTestCase {
    static let partner = "woocommerce-us-uk"

    private func loadedFixture(seed: UInt64, merchants: Int = 400, rows: Int = 30_000) throws -> (StoreFixture, Instant) {
        let f = try StoreFixture()
        var profile = SampleProfile.bench(merchants: merchants, rows: rows, seed: seed)
        profile.badRowsPerMille = 5
        try SampleLoader(connection: f.db).load(SampleGenerator(profile: profile))
        return (f, profile.asOf)
    }

    private func sides(_ f: StoreFixture, _ change: ProgramChange, program: String = partner,
                       asOf: Instant) throws -> (stored: CollectedDecisions, changed: CollectedDecisions) {
        let whatIf = WhatIf(connections: try f.nightConnections(billing: 2))
        let stored = try XCTUnwrap(whatIf.storedProgram(program))
        var a = CollectedDecisions(), b = CollectedDecisions()
        try whatIf.compare(stored, with: try change.applied(to: stored), asOf: asOf, stored: &a, changed: &b)
        return (a, b)
    }

    /// The decisions of `program` as written, one line each.
    private func written(_ f: StoreFixture, program: String) throws -> [String] {
        try f.db.execute("""
            SELECT s.subject_key || ' ' || s.status || ' ' || coalesce(s.tier::text, '-') || ' ' || s.qualifying_spend || ' '
                   || coalesce(s.window_end::text, '-') || ' ' || coalesce(s.cutoff::text, '-') || ' '
                   || coalesce(s.decided_at::text, '-') || ' ' || coalesce((SELECT string_agg(reason, ';' ORDER BY reason)
                      FROM recon.ineligibility_reasons r WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key), '')
            FROM recon.subject_status s WHERE s.program_id = $1 ORDER BY 1
            """, [program]).rows.map { try $0.decode(0, as: String.self) }
    }

    /// The same lines from decisions in memory, formatted by the database as it formats the rows.
    private func lines(_ f: StoreFixture, _ decisions: [Decision]) throws -> [String] {
        try decisions.map { d in
            let tier = d.status == .granted || d.tier != nil ? d.tier.map { String($0.level) } ?? "-" : "-"
            let reasons = d.reasons.map(\.rawValue).sorted().joined(separator: ";")
            return try f.db.execute("""
                SELECT $1 || ' ' || $2 || ' ' || $3 || ' ' || $4::numeric || ' ' || coalesce($5::timestamptz::text, '-') || ' '
                       || coalesce($6::timestamptz::text, '-') || ' ' || coalesce($7::timestamptz::text, '-') || ' ' || $8
                """, [d.subject.key, d.status.rawValue, tier, d.currency.format(d.spend.qualifying), d.window?.end,
                      d.window?.cutoff, d.decidedAt, reasons])[0].decode(0, as: String.self)
        }.sorted()
    }

    func testTheStoredProgramOnBothSidesChangesNothingAndIsWhatRunWrites() throws {
        let (f, asOf) = try loadedFixture(seed: 23)
        var unchanged = ProgramChange()
        unchanged.windowDays = 30   // the stored value: a change that changes nothing
        let (a, b) = try sides(f, unchanged, asOf: asOf)
        XCTAssertGreaterThan(a.decisions.count, 300)
        XCTAssertEqual(try lines(f, a.decisions), try lines(f, b.decisions))
        var stored = WhatIfTally(), changed = WhatIfTally()
        for d in a.decisions { try stored.decided(d) }
        for d in b.decisions { try changed.decided(d) }
        XCTAssertTrue(try WhatIfComparison(programID: Self.partner, asOf: "", stored: stored, changed: changed).isZero)

        try f.run(asOf: asOf.iso8601)
        assertSameSnapshot(try lines(f, a.decisions), try written(f, program: Self.partner), "stored side vs a fresh run")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE kind = 'run'"), 1, "simulate wrote no run")
    }

    func testTheChangedSideIsWhatRunWritesWithTheChangedProgram() throws {
        let (f, asOf) = try loadedFixture(seed: 29)
        var change = ProgramChange()
        change.rungs = [.init(country: "US", threshold: "400", credit: "450"), .init(country: "US", threshold: "1200", credit: "1300"),
                        .init(country: "US", threshold: "4000", credit: "5000")]
        change.windowDays = 45
        change.settleDays = 5
        let (_, b) = try sides(f, change, asOf: asOf)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0, "simulate wrote nothing")

        // The same change made to the stored program, then a night on the fresh database.
        try f.db.executeScript("""
            UPDATE recon.programs SET window_days = 45, settle_days = 5 WHERE program_id = 'woocommerce-us-uk';
            DELETE FROM recon.program_tiers WHERE program_id = 'woocommerce-us-uk' AND country = 'US';
            INSERT INTO recon.program_tiers (program_id, country, currency, tier, threshold, credit) VALUES
                ('woocommerce-us-uk', 'US', 'USD', 1, 400, 450), ('woocommerce-us-uk', 'US', 'USD', 2, 1200, 1300),
                ('woocommerce-us-uk', 'US', 'USD', 3, 4000, 5000);
            """)
        try f.run(asOf: asOf.iso8601)
        assertSameSnapshot(try lines(f, b.decisions), try written(f, program: Self.partner), "changed side vs a fresh run")
        XCTAssertGreaterThan(b.decisions.filter { $0.status == .granted && $0.country == "US" }.count, 10)
    }

    func testLowerThresholdsWithTheSameCreditsNeverLowerATierOrCredit() throws {
        var random = SeededRandom(seed: 5)
        var compared = 0, raised = 0
        for seed: UInt64 in [31, 37, 43] {
            let (f, asOf) = try loadedFixture(seed: seed, merchants: 300, rows: 20_000)
            let program = try XCTUnwrap(ProgramCatalog(connection: f.db).load(only: Self.partner).first)
            var change = ProgramChange()
            for country in ["US", "GB"] {
                var floor: Int64 = 0
                for tier in program.ladder(country: country) {
                    // A lower threshold (down to a half), still above the rung below.
                    let lowered = max(tier.threshold - Int64(random.next() % UInt64(tier.threshold / 2 + 1)), floor + 1)
                    floor = lowered
                    change.rungs.append(.init(country: country, threshold: tier.currency.format(lowered),
                                              credit: tier.currency.format(tier.credit)))
                }
            }
            let (a, b) = try sides(f, change, asOf: asOf)
            let after = b.byKey
            for before in a.decisions {
                let key = before.subject.programID + " " + before.subject.key
                let changed = try XCTUnwrap(after[key])
                let levelBefore = before.status == .granted ? before.tier?.level ?? 0 : 0
                let levelAfter = changed.status == .granted ? changed.tier?.level ?? 0 : 0
                XCTAssertGreaterThanOrEqual(levelAfter, levelBefore, "seed \(seed) \(key): \(before) -> \(changed)")
                XCTAssertGreaterThanOrEqual(changed.status == .granted ? changed.tier?.credit ?? 0 : 0,
                                            before.status == .granted ? before.tier?.credit ?? 0 : 0, "seed \(seed) \(key)")
                if levelAfter > levelBefore { raised += 1 }
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 600)
        XCTAssertGreaterThan(raised, 10, "lower thresholds raise someone")
    }

    func testWindowAndSettleDaysMoveTheWindowEndAndTheCutoff() throws {
        let (f, asOf) = try loadedFixture(seed: 47)
        var change = ProgramChange()
        change.windowDays = 45
        change.settleDays = 7
        let (a, b) = try sides(f, change, asOf: asOf)
        let after = b.byKey
        var windows = 0
        for before in a.decisions {
            guard let window = before.window, let moved = after[before.subject.programID + " " + before.subject.key]?.window
            else { continue }
            XCTAssertEqual(moved.start, window.start, "the window starts where it did")
            XCTAssertEqual(moved.end, window.start.adding(days: 45))
            XCTAssertEqual(moved.cutoff, window.start.adding(days: 45 + 7))
            XCTAssertEqual(window.end, window.start.adding(days: 30))
            XCTAssertEqual(window.cutoff, window.start.adding(days: 30 + 2))
            windows += 1
        }
        XCTAssertGreaterThan(windows, 200)
    }

    func testTheCommandPrintsBothSidesAndRefusesBadOptionsWith64() throws {
        let (f, asOf) = try loadedFixture(seed: 53, merchants: 120, rows: 8_000)
        let common = ["simulate", "--db", f.conninfo, "--as-of", asOf.iso8601, "--log-level", "warning"]
        let ok = try runBinary(common + ["--program", Self.partner, "--tier", "US:400=450", "--tier", "US:1500=1500",
                                         "--tier", "US:5000=5000", "--json"])
        XCTAssertEqual(ok.code, 0, ok.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any])
        let markets = try XCTUnwrap(json["markets"] as? [[String: Any]])
        let us = try XCTUnwrap(markets.first { $0["country"] as? String == "US" && $0["currency"] as? String == "USD" })
        let whatIf = WhatIf(connections: try f.nightConnections(billing: 2))
        let program = try XCTUnwrap(whatIf.storedProgram(Self.partner))
        var change = ProgramChange()
        change.rungs = [.init(country: "US", threshold: "400", credit: "450"), .init(country: "US", threshold: "1500", credit: "1500"),
                        .init(country: "US", threshold: "5000", credit: "5000")]
        let expected = try XCTUnwrap(whatIf.compare(program, with: change.applied(to: program), asOf: asOf).markets
            .first { $0.country == "US" && $0.currency == "USD" })
        XCTAssertEqual((us["stored"] as? [String: Any])?["credit"] as? String, expected.stored.credit)
        XCTAssertEqual((us["changed"] as? [String: Any])?["credit"] as? String, expected.changed.credit)
        XCTAssertEqual((us["difference"] as? [String: Any])?["statuses"] as? [String: Int], expected.difference.statuses)
        XCTAssertNotEqual(expected.stored, expected.changed, "the cheaper first rung changes the credit")
        let text = try runBinary(common + ["--program", Self.partner, "--tier", "US:400=450", "--tier", "US:1500=1500",
                                           "--tier", "US:5000=5000"])
        XCTAssertEqual(text.code, 0, text.err)
        XCTAssertTrue(text.out.contains("US USD"), text.out)
        XCTAssertTrue(text.out.contains("credit granted") && text.out.contains(expected.changed.credit), text.out)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0)

        // It takes no lock: it runs while a night holds the run lock.
        let holder = try Connection(conninfo: f.conninfo, logger: quietLogger())
        try RunLock(connection: holder).acquire()
        let beside = try runBinary(common + ["--program", Self.partner, "--window-days", "45"])
        XCTAssertEqual(beside.code, 0, "simulate beside a night holding the lock: \(beside.err)")
        XCTAssertEqual(try runBinary(["run", "--db", f.conninfo, "--as-of", asOf.iso8601]).code, 75, "the lock is held")
        RunLock(connection: holder).release()

        let refused: [([String], String)] = [
            (["--program", "no-such-program", "--window-days", "40"], "unknown program no-such-program"),
            (["--program", Self.partner, "--tier", "ZZ:100=100"], "unknown country ZZ"),
            (["--program", Self.partner, "--tier", "US:500=500", "--tier", "US:400=600"], "does not rise"),
            (["--program", "promo-jp-10000", "--tier", "JP:10000=10000.5"], "more decimals than JPY allows"),
            (["--program", Self.partner, "--tier", "US400=450"], "--tier"),
            (["--program", Self.partner], "nothing to change"),
        ]
        for (arguments, message) in refused {
            let result = try runBinary(common + arguments)
            XCTAssertEqual(result.code, 64, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(message), "\(arguments): \(result.err)")
        }
    }
}
