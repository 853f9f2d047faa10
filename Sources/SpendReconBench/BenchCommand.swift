import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import PostgresSandbox
import ReconStore
import SampleData

/// `spend-recon-bench`: the laboratory beside the product. It measures the nightly run against
/// PostgreSQL's own floor; it is not a job command, so it lives in its own executable.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "spend-recon-bench",
        abstract: "Measure the nightly run against PostgreSQL's own floor on a throwaway server.",
        discussion: """
            Generates a seeded billing dataset (default 200,000 integrations and 10,000,000 spend rows,
            --scale to shrink or grow it), loads it with COPY, and measures on the same data: the floor
            (one SQL statement summing qualifying spend per subject over its window), the first night
            (`spend-recon run`, the binary beside this one, end to end on an empty recon schema), the next night after one more day
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

    public init() {}

    public func validate() throws {
        guard let factor = try? ExactDecimal(parsing: scale), let ppm = try? factor.minorUnits(exponent: 6), ppm > 0,
              ppm <= 100_000_000 else {
            throw ValidationError("--scale must be a positive decimal of at most 6 places and at most 100, e.g. 0.01")
        }
    }

    /// A quarter of the machine's memory (at least 128 MB, at most 4 GB), the usual starting point
    /// for a database server, instead of the throwaway server's 128 MB: with 128 MB a later
    /// night's index probes would fetch their heap pages from the OS cache again every night,
    /// which no production server of this size would do. The floor's sequential scans read
    /// through a small ring buffer whatever the setting.
    static var sharedBuffersMB: UInt64 {
        min(max(ProcessInfo.processInfo.physicalMemory / 4 / 1_048_576, 128), 4096)
    }

    /// Autovacuum is off on the bench's server; the bench runs the same maintenance itself where
    /// autovacuum would have (after the load, between the nights) and times it apart.
    ///
    /// Why: autovacuum visits each database once a minute, and a visit that landed inside a
    /// measured run vacuums and analyses the tables the run is writing, taking CPU from it, so
    /// whether a run paid for it would be chance. One that landed during the load held a snapshot that kept the load's
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

    public func run() throws {
        let logger = makeBenchLogger("spend-recon.bench", level: logLevel)
        try withBenchExitCodes(logger: logger) {
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
            print("spend-recon-bench: \(grouped(merchants)) integrations, \(grouped(full.promoCodes)) promo codes, "
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
