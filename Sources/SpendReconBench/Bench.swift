import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import PostgresSandbox
import ReconStore
import SampleData

/// Runs the measurements of `spend-recon-bench` on one throwaway server.
struct Bench {
    let server: ThrowawayPostgres
    let logger: Logger
    let logLevel: Logger.Level
    let printPlans: Bool

    /// Counted runs of each measurement, after a warm-up run; the median counts.
    ///
    /// Why: on a small shared VM one run of the same binary on the same data moves by a tenth or
    /// more from minute to minute, so a single sample would decide the verdict by chance. The
    /// median of three, with every sample printed, is a steadier figure and hides none of the
    /// spread (docs/PERFORMANCE.md).
    ///
    /// Each round measures the floor, the first night and the next night back to back: the
    /// VM's speed drifts over minutes too, and measured in the same round a ratio's two sides
    /// share the hour; each round's own ratios are printed beside the medians.
    static let rounds = 3

    /// The middle sample (of an even count, the lower of the two middle ones).
    static func median(_ samples: [Int64]) -> Int64 {
        let sorted = samples.sorted()
        return sorted.isEmpty ? 0 : sorted[(sorted.count - 1) / 2]
    }

    func measure(label: String, profile: SampleProfile) throws -> BenchResult {
        var result = BenchResult(label: label)
        let admin = try Connection(conninfo: server.conninfo(), logger: logger)
        let database = "bench_\(label)"
        try admin.execute("DROP DATABASE IF EXISTS \(try admin.quoteIdentifier(database))")
        try admin.execute("CREATE DATABASE \(try admin.quoteIdentifier(database))")
        let conninfo = server.conninfo(database: database)
        let db = try Connection(conninfo: conninfo, logger: logger)
        let migrator = Migrator(connection: db, logger: logger)
        try migrator.migrate()
        try migrator.createBillingTables()

        let generator = SampleGenerator(profile: profile)
        var maintenance: [Int64] = []
        var start = monotonicMicroseconds()
        let counts = try SampleLoader(connection: db).load(generator)
        result.allVisiblePerMille = try vacuumAfterLoad(db)
        result.loadMicros = monotonicMicroseconds() - start
        result.spendRows = counts.spendRows
        result.subjects = profile.merchants + profile.promoCodes

        // The floor's warm-up run (the cache as the job would find it); its counted runs come one
        // per round, right before that round's nights.
        _ = try FloorQuery.run(connection: db, asOf: profile.asOf)
        if printPlans {
            print("plan of the floor (\(label)):")
            for row in try db.execute("EXPLAIN " + FloorQuery.sql, [profile.asOf]).rows { print("  " + (try row.decode(0, as: String.self))) }
        }

        if printPlans { try printReadPlan("first night, \(label)", db: db, conninfo: conninfo, asOf: profile.asOf, logger: logger) }
        // The first night's warm-up run, as the floor's. On a server just started, the first
        // process to use a buffer also pays the kernel for mapping that page of shared memory (a
        // long-running server has long paid it): the warm-up run is printed apart.
        result.firstColdMicros = try runJob(conninfo: conninfo, asOf: profile.asOf).micros
        let generated = result.subjects
        let nextNight = profile.asOf.adding(days: 1)
        let backlogNight = nextNight.adding(days: 1)
        let laterNight = backlogNight.adding(days: 1)
        for round in 0..<Self.rounds {
            // Each round measures the floor and then, from an empty recon schema (its runs too: a
            // writing run refuses an as_of before the last one's), a first night,
            // the day between and the next night, one after the other (`rounds` says why).
            start = monotonicMicroseconds()
            _ = try FloorQuery.run(connection: db, asOf: profile.asOf)
            result.floorSamples.append(monotonicMicroseconds() - start)
            for statement in ["""
                TRUNCATE recon.credit_grants, recon.ineligibility_reasons, recon.subject_status, recon.rejected_rows,
                         recon.adjustments, recon.discrepancies, recon.runs, recon.credit_outbox, recon.credit_settlements,
                         recon.unmatched_applications, recon.seen_applications, recon.settlement_mark,
                         recon.settlement_totals, billing.credit_applications
                """, "VACUUM ANALYZE recon.subject_status", "VACUUM ANALYZE recon.ineligibility_reasons",
                              "VACUUM ANALYZE recon.credit_grants", "VACUUM ANALYZE recon.rejected_rows", "CHECKPOINT"] {
                try db.executeScript(statement)
            }
            let first = try runJob(conninfo: conninfo, asOf: profile.asOf)
            result.firstSamples.append(first.micros)
            result.firstSettleSamples.append(first.settleMicros)
            result.firstHandoverSamples.append(first.handoverMicros)
            result.firstWriteSamples.append(first.writeMicros)
            result.firstRSSKiB = max(result.firstRSSKiB, first.rssKiB)
            let evaluated = try db.execute("""
                SELECT evaluated, granted, (SELECT count(*) FROM recon.subject_status) FROM recon.runs ORDER BY run_id DESC LIMIT 1
                """)[0]
            // Subjects whose integration or code was rejected (a bad account row) are not evaluated.
            let (count, granted, stored) = (try evaluated.decode(0, as: Int.self), try evaluated.decode(1, as: Int.self),
                                            try evaluated.decode(2, as: Int.self))
            // Every round decides the same.
            guard count == stored, stored > generated * 9 / 10,
                  round == 0 || (stored == result.subjects && granted == result.granted) else {
                throw BenchFailure(description: "first night \(round + 1) evaluated \(count) subjects and granted \(granted), "
                                   + "\(stored) stored, of \(generated) generated")
            }
            result.subjects = stored
            result.granted = granted
            // The what-if on the same data and caches as the first night it is compared with.
            let simulated = try runSimulate(conninfo: conninfo, asOf: profile.asOf, windowDays: nil)
            result.simulateSamples.append(simulated.micros)
            let widened = try runSimulate(conninfo: conninfo, asOf: profile.asOf, windowDays: 45)
            result.simulateWindowSamples.append(widened.micros)
            result.simulateRSSKiB = max(result.simulateRSSKiB, simulated.rssKiB, widened.rssKiB)

            if round == 0 {
                // The day's rows are timed after the first night's `as_of`: later rounds' first
                // nights do not see them.
                let added = try SampleLoader(connection: db).loadSpend(generator, from: profile.asOf, to: nextNight)
                logger.info("next night", metadata: ["added_rows": "\(added.spendRows)"])
            }
            // The day between two nights: billing grew by a day, and autovacuum and the
            // checkpointer have long dealt with the first night's new subjects (run right after
            // the first night, the next one would share the machine with them). (VACUUM refuses to run inside the implicit transaction of a
            // multi-statement string.)
            let maintenanceStart = monotonicMicroseconds()
            for statement in ["ANALYZE billing.billed_spend", "ANALYZE billing.topup_consumption",
                              "VACUUM ANALYZE recon.ineligibility_reasons", "VACUUM ANALYZE recon.credit_grants",
                              "VACUUM ANALYZE recon.rejected_rows"] {
                try db.executeScript(statement)
            }
            let visible = try vacuumUntilAllVisible(db, "VACUUM ANALYZE recon.subject_status", tables: ["recon.subject_status"])
            result.decisionsVisiblePerMille = min(result.decisionsVisiblePerMille, visible[0])
            maintenance.append(monotonicMicroseconds() - maintenanceStart)
            try db.executeScript("CHECKPOINT")
            let next = try runJob(conninfo: conninfo, asOf: nextNight)
            result.nextSamples.append(next.micros)
            result.nextSettleSamples.append(next.settleMicros)
            result.nextRSSKiB = max(result.nextRSSKiB, next.rssKiB)
            let nextEvaluated = try db.execute("SELECT evaluated FROM recon.runs ORDER BY run_id DESC LIMIT 1")[0].decode(0, as: Int.self)
            guard round == 0 || nextEvaluated == result.nextEvaluated else {
                throw BenchFailure(description: "next night \(round + 1) evaluated \(nextEvaluated) subjects, "
                                   + "the first \(result.nextEvaluated)")
            }
            result.nextEvaluated = nextEvaluated
            // The crediting system catches up: nine in ten of the first night's credits applied at
            // once (a backlog, once), then the night that settles them.
            try applyCredit(db)
            let backlog = try runJob(conninfo: conninfo, asOf: backlogNight)
            result.backlogSamples.append(backlog.micros)
            result.backlogSettleSamples.append(backlog.settleMicros)
            // A later night after an ordinary day of crediting: a few hundred applications, as a
            // day's grants bring, and no new spend. Its settlement stage is the steady cost.
            try applyDayOfCredit(db)
            let later = try runJob(conninfo: conninfo, asOf: laterNight)
            result.laterSamples.append(later.micros)
            result.laterSettleSamples.append(later.settleMicros)
        }
        result.floorMicros = Self.median(result.floorSamples)
        result.firstMicros = Self.median(result.firstSamples)
        result.nextMicros = Self.median(result.nextSamples)
        result.firstSettleMicros = Self.median(result.firstSettleSamples)
        result.firstHandoverMicros = Self.median(result.firstHandoverSamples)
        result.firstWriteMicros = Self.median(result.firstWriteSamples)
        result.nextSettleMicros = Self.median(result.nextSettleSamples)
        result.simulateMicros = Self.median(result.simulateSamples)
        result.simulateWindowMicros = Self.median(result.simulateWindowSamples)
        result.maintenanceMicros = Self.median(maintenance)

        result.backlogMicros = Self.median(result.backlogSamples)
        result.backlogSettleMicros = Self.median(result.backlogSettleSamples)
        result.laterMicros = Self.median(result.laterSamples)
        result.laterSettleMicros = Self.median(result.laterSettleSamples)
        // Correctness smoke: the same night again writes nothing; one grant per subject.
        _ = try runJob(conninfo: conninfo, asOf: laterNight)
        let again = try db.execute("SELECT written FROM recon.runs ORDER BY run_id DESC LIMIT 1")[0].decode(0, as: Int.self)
        let doubled = try db.execute("""
            SELECT count(*) FROM (SELECT program_id, subject_key FROM recon.credit_grants GROUP BY 1, 2 HAVING count(*) > 1) d
            """)[0].decode(0, as: Int.self)
        guard again == 0, doubled == 0 else {
            throw BenchFailure(description: "repeating a night wrote \(again) subjects; \(doubled) subjects have two grants")
        }
        // The nightly report over everything the nights wrote (the wrapper runs it after a night).
        let page = NSTemporaryDirectory() + "spend-recon-bench-report-\(getpid()).html"
        defer { unlink(page) }
        let report = try runCommand(["report", "--db", conninfo, "--output", page])
        result.reportMicros = report.micros
        result.reportRSSKiB = report.rssKiB
        if printPlans { try printReadPlan("next night, \(label)", db: db, conninfo: conninfo, asOf: nextNight, logger: logger) }
        return result
    }

    /// `VACUUM ANALYZE` after the load, until the spend tables' pages are marked all-visible, as
    /// autovacuum keeps a production table's settled pages; returns the share marked (per mille).
    func vacuumAfterLoad(_ db: Connection) throws -> (bills: Int64, topups: Int64) {
        let marked = try vacuumUntilAllVisible(db, "VACUUM ANALYZE", tables: ["billing.billed_spend", "billing.topup_consumption"])
        return (marked[0], marked[1])
    }

    /// Runs `vacuum` until at least 99% of each table's pages are marked all-visible (at most
    /// five times); returns each table's share (per mille). A page is marked only once no open
    /// snapshot can miss its rows (with autovacuum off, `autovacuumSetting`, nothing else holds
    /// one) and every row's commit hint is set, which with `synchronous_commit = off` waits for
    /// the WAL writer (up to 200 ms) after the last commit: a `VACUUM` right after a load or a
    /// night marked anything from none to all of them. Hence the check, and a retry after a
    /// pause, as the day between two nights gives autovacuum: the next read then finds the
    /// pages as a production server's would (the first night's index-only spend reads, a later
    /// night's read of the final keys).
    func vacuumUntilAllVisible(_ db: Connection, _ vacuum: String, tables: [String]) throws -> [Int64] {
        var marked = [Int64](repeating: 0, count: tables.count)
        for attempt in 0..<5 {
            if attempt > 0 { usleep(300_000) }
            try db.executeScript(vacuum)
            for (index, table) in tables.enumerated() {
                marked[index] = try db.execute("""
                    SELECT coalesce((relallvisible::int8 * 1000 / nullif(relpages, 0)), 1000)::int8 FROM pg_class
                    WHERE oid = to_regclass($1)
                    """, [table])[0].decode(0, as: Int64.self)
            }
            if marked.allSatisfy({ $0 >= 990 }) { break }
        }
        return marked
    }

    /// The plan of the spend read a run as of `asOf` would stream, with the same spans.
    func printReadPlan(_ label: String, db: Connection, conninfo: String, asOf: Instant, logger: Logger) throws {
        let reader = try Connection(conninfo: conninfo, logger: logger)
        let planned = try Reconciler(connections: NightConnections(recon: [db], billing: [reader]), logger: logger)
            .plannedSpans(asOf: asOf)
        // The run reads the bills on one connection and the top-ups on another (`SplitSpendRead`).
        for (table, tables) in [("bills", SpendTables.bills), ("top-ups", .topups)] {
            print("plan of the job's spend read of \(table) (\(label), \(planned.spans.count) accounts):")
            let lines = try FactReader(connection: db, asOf: asOf)
                .explainSpendRead(planned.spans, knownAccounts: planned.knownAccounts, from: tables)
            for line in lines { print("  " + line) }
        }
    }

    /// Runs `spend-recon run` as a child process (so its peak RSS is its own) and times it; also
    /// returns from the run's JSON summary the settlement stage's own time (a step of the night,
    /// after the writes), the time the write transactions spent handing credit over, and the
    /// writers' whole time (both on the writer connections, while the next accounts are read).
    func runJob(conninfo: String, asOf: Instant) throws
        -> (micros: Int64, rssKiB: Int, settleMicros: Int64, handoverMicros: Int64, writeMicros: Int64) {
        let run = try runCommand(["run", "--db", conninfo, "--as-of", asOf.iso8601, "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        guard let settlement = summary?["settlement"] as? [String: Any], let millis = settlement["milliseconds"] as? Int,
              let handover = summary?["handoverMilliseconds"] as? Int, let write = summary?["writeMilliseconds"] as? Int else {
            throw BenchFailure(description: "the run's summary has no settlement stage: \(run.stdout.prefix(500))")
        }
        return (run.micros, run.rssKiB, Int64(millis) * 1000, Int64(handover) * 1000, Int64(write) * 1000)
    }

    /// The what-if the bench prices: a cheaper US first rung (SPEC section 10's example), and
    /// with `windowDays` a longer window too, whose wider spans read more rows; both sides of the
    /// partner program evaluated (`spend-recon simulate`).
    func runSimulate(conninfo: String, asOf: Instant, windowDays: Int?) throws -> (micros: Int64, rssKiB: Int, stdout: String) {
        try runCommand(["simulate", "--db", conninfo, "--as-of", asOf.iso8601, "--program", "woocommerce-us-uk",
                        "--tier", "US:400=450", "--tier", "US:1500=1500", "--tier", "US:5000=5000", "--json"]
                       + (windowDays.map { ["--window-days", String($0)] } ?? []))
    }

    /// Runs `spend-recon` with `arguments` as a child process and times it.
    func runCommand(_ arguments: [String]) throws -> (micros: Int64, rssKiB: Int, stdout: String) {
        let output = NSTemporaryDirectory() + "spend-recon-bench-\(getpid()).log"
        let printed = NSTemporaryDirectory() + "spend-recon-bench-\(getpid()).out"
        defer { unlink(output); unlink(printed) }
        let start = monotonicMicroseconds()
        let pid = try Subprocess.spawn(Self.executablePath(), arguments + ["--log-level", logLevel.rawValue],
                                       stdout: printed, stderr: output)
        let (code, rss) = try Subprocess.waitWithUsage(pid)
        let micros = monotonicMicroseconds() - start
        if logLevel <= .info, let log = try? String(contentsOfFile: output, encoding: .utf8) {
            FileHandle.standardError.write(Data(log.utf8))
        }
        guard code == 0 else {
            let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw BenchFailure(description: "spend-recon \(arguments[0]) exited \(code): \(log.suffix(2000))")
        }
        return (micros, rss, (try? String(contentsOfFile: printed, encoding: .utf8)) ?? "")
    }

    /// The `spend-recon` binary beside this one: the job as it is installed, measured.
    static func executablePath() -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("spend-recon").path
    }
}

extension Bench {
    /// What a crediting system does between the nights: applies nine in ten of the credits
    /// handed over (one in ten of those late, one in twenty twice), and credits a few by hand.
    func applyCredit(_ db: Connection) throws {
        try db.executeScript("""
            INSERT INTO billing.credit_applications
            SELECT row_number() OVER (ORDER BY o.position, k), o.credit_ref, o.account_id, o.currency, o.amount,
                   CASE WHEN o.position % 10 = 1 THEN o.due_by + interval '1 day' ELSE o.due_by - interval '2 days' END, NULL
            FROM recon.credit_outbox o, generate_series(1, 2) k
            WHERE o.position % 10 <> 0 AND (k = 1 OR o.position % 20 = 3);
            INSERT INTO billing.credit_applications
            SELECT 1000000000 + g, NULL, g, 'USD', 1.00, '2025-12-01Z', NULL FROM generate_series(1, 100) g;
            ANALYZE billing.credit_applications;
            """)
    }

    /// An ordinary day of the crediting system: 300 credits still owed get applied.
    func applyDayOfCredit(_ db: Connection) throws {
        try db.executeScript("""
            INSERT INTO billing.credit_applications
            SELECT 2000000000 + row_number() OVER (ORDER BY o.position), o.credit_ref, o.account_id, o.currency, o.amount,
                   o.due_by - interval '1 day', NULL
            FROM recon.credit_outbox o JOIN recon.credit_settlements s USING (credit_ref)
            WHERE s.status IN ('awaiting', 'overdue')
            ORDER BY o.position LIMIT 300;
            """)
    }
}
