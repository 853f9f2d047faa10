import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import PostgresSandbox
import ReconStore
import SampleData

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the nightly run against PostgreSQL's own floor on a throwaway server.",
        discussion: """
            Generates a seeded billing dataset (default 200,000 integrations and 10,000,000 spend rows,
            --scale to shrink or grow it), loads it with COPY, and measures on the same data: the floor
            (one SQL statement summing qualifying spend per subject over its window), the first night
            (`spend-recon run` end to end on an empty recon schema), the next night after one more day
            of spend, and the job's peak RSS, at a fifth of the rows and at all of them. Each of the three
            times is measured three times after a warm-up run and its median counted. Prints a table and
            the ratios against their targets. Build with -c release for numbers worth keeping.
            """)

    @Option(help: ArgumentHelp("Multiply the default size (200,000 integrations, 10,000,000 rows), e.g. 0.01.", valueName: "FACTOR"))
    var scale = "1"

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 7

    @Flag(help: "Also print the plans PostgreSQL chose for the floor and for the job's spend read.")
    var plans = false

    @Flag(help: ArgumentHelp("Leave the server running with both databases, for profiling.", visibility: .hidden))
    var keepServer = false

    @Flag(help: ArgumentHelp("""
        Reserve huge pages for the server's shared buffers while the bench runs, as a database host \
        is set up (Linux, as root: vm.nr_hugepages is raised, and restored at the end).
        """))
    var hugePages = false

    @Option(help: "Log level of the measured runs and of the bench itself.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard let factor = try? ExactDecimal(parsing: scale), let ppm = try? factor.minorUnits(exponent: 6), ppm > 0,
              ppm <= 100_000_000 else {
            throw ValidationError("--scale must be a positive decimal of at most 6 places and at most 100, e.g. 0.01")
        }
    }

    /// A quarter of the machine's memory (at least 128 MB, at most 4 GB), the usual starting point
    /// for a database server, instead of the throwaway server's 128 MB: with 128 MB a later
    /// night's index probes fetched 51,000 heap pages from the OS cache again every night (0.27 s
    /// of each reader's time in `track_io_timing`), which no production server of this size would
    /// do. The floor's sequential scans read through a small ring buffer whatever the setting
    /// (measured the same, 3.3-3.7 s, with either).
    static var sharedBuffersMB: UInt64 {
        min(max(ProcessInfo.processInfo.physicalMemory / 4 / 1_048_576, 128), 4096)
    }

    /// Autovacuum is off on the bench's server; the bench runs the same maintenance itself where
    /// autovacuum would have (after the load, between the nights) and times it apart.
    ///
    /// Why: autovacuum visits each database once a minute, and a visit that landed inside a
    /// measured run vacuumed and analysed the tables the run was writing (session 14 profiled
    /// one: 0.6 s of CPU taken from a 5.3 s first night's two cores), so whether a run paid for
    /// it was chance. One that landed during the load held a snapshot that kept the load's
    /// `VACUUM` from marking the top-ups' pages all-visible, and the first night's index-only
    /// reads then fetched every top-up from the heap. In production the visit that follows a
    /// first night's 200,000 new subjects comes once, after the job; later nights change too
    /// few rows to trigger one.
    static let autovacuumSetting = "autovacuum = off"

    /// How the server's shared buffers are held, for the header.
    static func memoryLine(reservation: HugePageReservation?) -> String {
        let buffers = "shared buffers \(grouped(Int(sharedBuffersMB))) MB"
        guard let reservation else {
            return buffers + " in the OS's default pages (PostgreSQL's huge_pages = try; --huge-pages reserves huge pages)"
        }
        return buffers + " in huge pages of \(grouped(reservation.pageKiB)) kB (huge_pages = on; vm.nr_hugepages "
            + "\(grouped(reservation.previousPool)) -> \(grouped(reservation.pool)) for the bench, then back)"
    }

    var partsPerMillion: Int64 { (try? ExactDecimal(parsing: scale).minorUnits(exponent: 6)) ?? 1_000_000 }

    func run() throws {
        let logger = makeLogger("spend-recon.bench", level: logLevel, format: .logfmt)
        try withExitCodes(logger: logger) {
            let merchants = Int(max(200_000 * partsPerMillion / 1_000_000, 10))
            let rows = Int(max(10_000_000 * partsPerMillion / 1_000_000, 100))
            // Given back after the server's `defer` below has stopped it (defers run last first).
            let reservation = try hugePages ? HugePageReservation(sharedBuffersMB: Self.sharedBuffersMB, logger: logger) : nil
            defer { reservation?.release() }
            let server = try ThrowawayPostgres(logger: logger, settings: [
                "work_mem = 64MB", "maintenance_work_mem = 512MB", "max_wal_size = 4GB", "checkpoint_timeout = 30min",
                "shared_buffers = \(Self.sharedBuffersMB)MB", Self.autovacuumSetting,
            ] + (reservation == nil ? [] : ["huge_pages = on"]))
            defer {
                if keepServer, (try? server.keep()) != nil {
                    print("server kept: \(server.conninfo(database: "bench_full")); stop: \(server.stopCommand)")
                } else {
                    server.stop()
                }
            }
            let full = SampleProfile.bench(merchants: merchants, rows: rows, seed: seed)
            print("spend-recon bench: \(grouped(merchants)) integrations, \(grouped(full.promoCodes)) promo codes, "
                  + "seed \(seed), night of \(full.asOf.iso8601), \(ProcessInfo.processInfo.activeProcessorCount) cores")
            print(Self.memoryLine(reservation: reservation))
            let bench = Bench(server: server, logger: logger, logLevel: logLevel, printPlans: plans)
            let small = try bench.measure(label: "fifth", profile: .bench(merchants: merchants, rows: rows / 5, seed: seed))
            let large = try bench.measure(label: "full", profile: full)
            print(Bench.table([small, large]))
            print(Bench.ratios(small: small, large: large))
        }
    }
}

/// One dataset's measurements. Each time is measured `Bench.rounds` times and its median
/// counted; every sample is kept to be printed.
struct BenchResult {
    var label: String
    var spendRows = 0
    var subjects = 0
    var loadMicros: Int64 = 0
    var floorSamples: [Int64] = []
    var firstSamples: [Int64] = []
    var nextSamples: [Int64] = []
    var floorMicros: Int64 = 0
    var firstMicros: Int64 = 0
    /// The first night's warm-up run, on caches as the load and the floor left them.
    var firstColdMicros: Int64 = 0
    var nextMicros: Int64 = 0
    /// The highest of the rounds.
    var firstRSSKiB = 0
    var nextRSSKiB = 0
    var granted = 0
    var nextEvaluated = 0
    /// The maintenance autovacuum would do after the first night (`VACUUM ANALYZE` of the
    /// tables it wrote, `ANALYZE` of the day's billing rows), run by the bench between the nights
    /// (the median of the rounds).
    var maintenanceMicros: Int64 = 0
    /// Pages of the bills and of the top-ups marked all-visible after the load, per mille.
    var allVisiblePerMille: (bills: Int64, topups: Int64) = (0, 0)
    /// Pages of `recon.subject_status` marked all-visible before each next night, per mille
    /// (the lowest of the rounds).
    var decisionsVisiblePerMille: Int64 = 1000
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs the measurements of `spend-recon bench` on one throwaway server.
struct Bench {
    let server: ThrowawayPostgres
    let logger: Logger
    let logLevel: Logger.Level
    let printPlans: Bool

    /// Counted runs of each measurement, after a warm-up run; the median counts.
    ///
    /// Why: on this 2-core VM one run of the same binary on the same data moves by 10% (a first
    /// night) to 20% (a later night) from minute to minute, so a single sample decided the
    /// verdict by chance (session 14: five benches of one commit put next/first between 0.142
    /// and 0.183). The median of three, with every sample printed, is a steadier figure and
    /// hides none of the spread.
    ///
    /// Each round measures the floor, the first night and the next night back to back (since
    /// session 16; before, the three floor runs came first, a minute before the last first
    /// night). The VM's speed drifts over minutes as well: one bench measured its floors at
    /// 3.13–3.23 s and then, over the next two minutes, first nights of 4.58, 5.57 and 5.45 s,
    /// and another process's CPU time for the same first night measured 10.1 and 12.1
    /// core-seconds minutes apart. Measured in the same round, a ratio's two sides share the
    /// hour; each round's own ratios are printed beside the medians.
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

        if printPlans { try printReadPlan("first night, \(label)", db: db, asOf: profile.asOf, logger: logger) }
        // The first night's warm-up run, as the floor's. On a server just started, the first
        // process to use a buffer also pays the kernel for mapping that page of shared memory (a
        // long-running server has long paid it): the warm-up run is printed apart.
        result.firstColdMicros = try runJob(conninfo: conninfo, asOf: profile.asOf).micros
        let generated = result.subjects
        let nextNight = profile.asOf.adding(days: 1)
        for round in 0..<Self.rounds {
            // Each round measures the floor and then, from an empty recon schema (its runs too: a
            // writing run refuses an as_of before the last one's), a first night,
            // the day between and the next night, one after the other (`rounds` says why).
            start = monotonicMicroseconds()
            _ = try FloorQuery.run(connection: db, asOf: profile.asOf)
            result.floorSamples.append(monotonicMicroseconds() - start)
            for statement in ["""
                TRUNCATE recon.credit_grants, recon.ineligibility_reasons, recon.subject_status, recon.rejected_rows,
                         recon.adjustments, recon.discrepancies, recon.runs
                """, "VACUUM ANALYZE recon.subject_status", "VACUUM ANALYZE recon.ineligibility_reasons",
                              "VACUUM ANALYZE recon.credit_grants", "VACUUM ANALYZE recon.rejected_rows", "CHECKPOINT"] {
                try db.executeScript(statement)
            }
            let first = try runJob(conninfo: conninfo, asOf: profile.asOf)
            result.firstSamples.append(first.micros)
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

            if round == 0 {
                // The day's rows are timed after the first night's `as_of`: later rounds' first
                // nights do not see them.
                let added = try SampleLoader(connection: db).loadSpend(generator, from: profile.asOf, to: nextNight)
                logger.info("next night", metadata: ["added_rows": "\(added.spendRows)"])
            }
            // The day between two nights: billing grew by a day, and autovacuum and the
            // checkpointer have long dealt with the first night's 200,000 new subjects (run right
            // after the first night, the next one shared the machine with them: 1.3-2.2 s for the
            // same work). (VACUUM refuses to run inside the implicit transaction of a
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
            result.nextRSSKiB = max(result.nextRSSKiB, next.rssKiB)
            let nextEvaluated = try db.execute("SELECT evaluated FROM recon.runs ORDER BY run_id DESC LIMIT 1")[0].decode(0, as: Int.self)
            guard round == 0 || nextEvaluated == result.nextEvaluated else {
                throw BenchFailure(description: "next night \(round + 1) evaluated \(nextEvaluated) subjects, "
                                   + "the first \(result.nextEvaluated)")
            }
            result.nextEvaluated = nextEvaluated
        }
        result.floorMicros = Self.median(result.floorSamples)
        result.firstMicros = Self.median(result.firstSamples)
        result.nextMicros = Self.median(result.nextSamples)
        result.maintenanceMicros = Self.median(maintenance)

        // Correctness smoke: the same night again writes nothing; one grant per subject.
        _ = try runJob(conninfo: conninfo, asOf: nextNight)
        let again = try db.execute("SELECT written FROM recon.runs ORDER BY run_id DESC LIMIT 1")[0].decode(0, as: Int.self)
        let doubled = try db.execute("""
            SELECT count(*) FROM (SELECT program_id, subject_key FROM recon.credit_grants GROUP BY 1, 2 HAVING count(*) > 1) d
            """)[0].decode(0, as: Int.self)
        guard again == 0, doubled == 0 else {
            throw BenchFailure(description: "repeating a night wrote \(again) subjects; \(doubled) subjects have two grants")
        }
        if printPlans { try printReadPlan("next night, \(label)", db: db, asOf: nextNight, logger: logger) }
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
    func printReadPlan(_ label: String, db: Connection, asOf: Instant, logger: Logger) throws {
        let planned = try Reconciler(connection: db, reader: db, logger: logger).plannedSpans(asOf: asOf)
        // The run reads the bills on one connection and the top-ups on another (`SplitSpendRead`).
        for (table, tables) in [("bills", SpendTables.bills), ("top-ups", .topups)] {
            print("plan of the job's spend read of \(table) (\(label), \(planned.spans.count) accounts):")
            let lines = try FactReader(connection: db, asOf: asOf)
                .explainSpendRead(planned.spans, knownAccounts: planned.knownAccounts, from: tables)
            for line in lines { print("  " + line) }
        }
    }

    /// Runs `spend-recon run` as a child process (so its peak RSS is its own) and times it.
    func runJob(conninfo: String, asOf: Instant) throws -> (micros: Int64, rssKiB: Int) {
        let output = NSTemporaryDirectory() + "spend-recon-bench-\(getpid()).log"
        defer { unlink(output) }
        let start = monotonicMicroseconds()
        let pid = try Subprocess.spawn(Self.executablePath(), ["run", "--db", conninfo, "--as-of", asOf.iso8601,
                                                                "--log-level", logLevel.rawValue],
                                       stdout: output, stderr: output)
        let (code, rss) = try Subprocess.waitWithUsage(pid)
        let micros = monotonicMicroseconds() - start
        if logLevel <= .info, let log = try? String(contentsOfFile: output, encoding: .utf8) {
            FileHandle.standardError.write(Data(log.utf8))
        }
        guard code == 0 else {
            let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw BenchFailure(description: "spend-recon run exited \(code): \(log.suffix(2000))")
        }
        return (micros, rss)
    }

    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func table(_ results: [BenchResult]) -> String {
        var lines = ["", "scale  spend rows   subjects   load      floor     first night  next night  peak RSS first/next"]
        for r in results {
            lines.append([r.label.padding(toLength: 6, withPad: " ", startingAt: 0), pad(grouped(r.spendRows), 12),
                          pad(grouped(r.subjects), 10), pad(seconds(r.loadMicros), 9), pad(seconds(r.floorMicros), 9),
                          pad(seconds(r.firstMicros), 12), pad(seconds(r.nextMicros), 11),
                          "\(r.firstRSSKiB / 1024) MiB / \(r.nextRSSKiB / 1024) MiB"].joined(separator: " "))
        }
        for (name, samples) in [("floor", \BenchResult.floorSamples), ("first night", \.firstSamples), ("next night", \.nextSamples)] {
            lines.append("\(name) runs counted (the table shows the median): "
                         + results.map { "\($0.label) " + $0[keyPath: samples].map(seconds).joined(separator: ", ") }
                            .joined(separator: "; "))
        }
        lines.append("each round's own ratios (its floor and nights run back to back): " + results.map { r in
            let rounds = zip(zip(r.floorSamples, r.firstSamples), r.nextSamples)
            return "\(r.label) run/floor " + rounds.map { thousandths(ratio($0.0.1, $0.0.0)) }.joined(separator: ", ")
                + ", next/first " + rounds.map { thousandths(ratio($0.1, $0.0.1)) }.joined(separator: ", ")
        }.joined(separator: "; "))
        lines.append("first night's warm-up run (not counted, as the floor's first run): "
                     + results.map { "\($0.label) \(seconds($0.firstColdMicros))" }.joined(separator: ", "))
        lines.append("maintenance between the nights (VACUUM ANALYZE of what the first night wrote; autovacuum is off): "
                     + results.map { "\($0.label) \(seconds($0.maintenanceMicros))" }.joined(separator: ", "))
        lines.append("pages of recon.subject_status all-visible before the next night (the lowest of the rounds): "
                     + results.map { "\($0.label) \(percent($0.decisionsVisiblePerMille))" }.joined(separator: ", "))
        lines.append("pages all-visible after the load's VACUUM (bills / top-ups): "
                     + results.map { "\($0.label) \(percent($0.allVisiblePerMille.bills)) / \(percent($0.allVisiblePerMille.topups))" }
                        .joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static func ratios(small: BenchResult, large: BenchResult) -> String {
        let peak = Int64(max(large.firstRSSKiB, large.nextRSSKiB))
        let smallPeak = Int64(max(small.firstRSSKiB, small.nextRSSKiB))
        func line(_ name: String, _ a: Int64, _ b: Int64, _ limit: String, _ limitHundredths: Int64) -> String {
            "  \(name.padding(toLength: 19, withPad: " ", startingAt: 0))\(thousandths(ratio(a, b)))  (<= \(limit)) "
                + verdict(a, b, limitHundredths)
        }
        return """

            ratios at full scale (target):
            \(line("run / floor", large.firstMicros, large.floorMicros, "1.50", 150))
            \(line("next / first night", large.nextMicros, large.firstMicros, "0.15", 15))
            \(line("RSS full / fifth", peak, smallPeak, "1.25", 125))
              peak RSS           \(peak / 1024) MiB  (<= 200 MiB) \(peak <= 200 * 1024 ? "ok" : "OVER")
            first night: \(grouped(large.granted)) grants; next night evaluated \(grouped(large.nextEvaluated)) of \(grouped(large.subjects)) subjects
            """
    }

    /// Whether a / b is within a target given in hundredths, exactly: a ratio is never rounded
    /// into its target (0.152 is over 0.15).
    static func verdict(_ a: Int64, _ b: Int64, _ limitHundredths: Int64) -> String {
        b > 0 && a * 100 <= limitHundredths * b ? "ok" : "OVER"
    }

    /// a / b in thousandths, rounded half up, integers only.
    static func ratio(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? 0 : (a * 2000 + b) / (2 * b) }
    static func thousandths(_ value: Int64) -> String { ExactDecimal.format(minorUnits: value, exponent: 3) }
    static func percent(_ perMille: Int64) -> String { ExactDecimal.format(minorUnits: perMille, exponent: 1) + "%" }
    static func seconds(_ micros: Int64) -> String { ExactDecimal.format(minorUnits: micros / 10_000, exponent: 2) + " s" }
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

func grouped(_ value: Int) -> String { ProgressLine.grouped(value) }
