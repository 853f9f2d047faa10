import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import ReconStore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one night: evaluate every subject that is not final and write the decisions.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Evaluate as of this instant (ISO 8601, or a date meaning midnight UTC).", valueName: "TIME"))
    var asOf: InstantArgument?

    @Flag(help: "Compute and print the summary, write nothing.")
    var dryRun = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write Prometheus textfile metrics here (atomically), success or failure.", valueName: "PATH"))
    var metricsFile: String?

    @Option(help: ArgumentHelp("Off a terminal, log a progress line this often.", valueName: "SECONDS"))
    var progressInterval = 30

    @Option(help: ArgumentHelp("Subjects per write transaction (new subjects: five times as many).", visibility: .hidden))
    var batchSize = 2000

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.run")
        try reportingMetrics(metricsFile.map { MetricsFile(path: $0, kind: "run") }, logger: logger) {
            var outcome = MetricsFile.Outcome()
            try withExitCodes(logger: logger) {
                // Two billing readers split the spend read (`SpendStream`); two recon connections
                // write decision batches at once (`BackgroundWriter`), and a dry run writes none.
                let connections = try NightConnections.open(recon: dryRun ? 1 : 2, billing: 2, conninfo: database.db, logger: logger)
                try Migrator(connection: connections.control, logger: logger).requireCurrent()
                let asOf = try self.asOf?.instant ?? DatabaseClock.now(connections.control)
                var reconciler = Reconciler(connections: connections, logger: logger)
                reconciler.batchSize = batchSize
                reconciler.stop = SignalStop.request
                let progress = ProgressLine(label: "run", logger: logger, intervalSeconds: progressInterval)
                reconciler.progress = progress.update
                defer { progress.finish() }
                let summary = try reconciler.run(asOf: asOf, dryRun: dryRun)
                progress.finish()
                outcome = MetricsFile.Outcome(summary)
                print(json ? try SummaryPrinter.json(summary) : SummaryPrinter.text(summary))
            }
            return outcome
        }
    }
}

extension MetricsFile.Outcome {
    init(_ summary: RunSummary) {
        self.init(evaluated: summary.evaluated, statuses: summary.statuses, creditGranted: summary.creditGranted,
                  rejectedRows: summary.rejectedRows, written: summary.written, skippedFinal: summary.skippedFinal,
                  settlement: summary.settlement)
    }
}

/// Prints a run summary for a person or, with `--json`, for a tool.
enum SummaryPrinter {
    static func text(_ summary: RunSummary) -> String {
        var lines = ["\(summary.dryRun ? "dry run (nothing written)" : "run \(summary.runID ?? 0)") as of \(summary.asOf)"]
        lines.append("  evaluated:  \(summary.evaluated) (\(summary.skippedFinal) already final, skipped)")
        for status in ["granted", "pending", "threshold_not_reached", "ineligible"] {
            lines.append("  \(status.padding(toLength: 22, withPad: " ", startingAt: 0)) \(summary.statuses[status] ?? 0)")
        }
        let credit = summary.creditGranted.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        lines.append("  credit granted: \(credit.isEmpty ? "none" : credit.joined(separator: ", "))")
        lines.append("  rejected rows:  \(summary.rejectedRows)")
        if !summary.dryRun {
            lines.append("  subjects written: \(summary.written)")
            if summary.unchanged > 0 { lines.append("  open subjects unchanged (not rewritten): \(summary.unchanged)") }
        }
        if let settlement = summary.settlement { lines += settlementLines(settlement) }
        return lines.joined(separator: "\n")
    }

    /// The settlement stage's lines, shared with `rerun`: entries per status, then the credit
    /// outstanding and overdue per currency, and the unmatched applications.
    static func settlementLines(_ s: SettlementSummary) -> [String] {
        let statuses = ["awaiting", "overdue", "settled", "settled_late", "mismatch"].map { "\($0) \(s.statuses[$0] ?? 0)" }
        func perCurrency(_ amounts: [String: String]) -> String {
            amounts.isEmpty ? "none" : amounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        return ["  settlement: " + statuses.joined(separator: ", "),
                "  credit outstanding: \(perCurrency(s.outstanding)); overdue: \(perCurrency(s.overdue))",
                "  unmatched applications: \(s.unmatchedApplications)"]
    }

    static func json(_ summary: RunSummary) throws -> String {
        return try JSONOutput.text(summary)
    }
}
