import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import ReconRules
import ReconStore

struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Re-evaluate the subjects whose window ends, or whose decision fell, in [--from, --to).",
        discussion: """
            Final or not. Same result: nothing written. A higher tier on a granted subject: an
            adjustment row with the credit delta (the original grant stays). A lower tier or a new
            ineligibility on a granted subject: a discrepancy row for review; nothing is clawed back.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Start of the range, inclusive (ISO 8601 or a date).", valueName: "DATE"))
    var from: InstantArgument

    @Option(help: ArgumentHelp("End of the range, exclusive (ISO 8601 or a date).", valueName: "DATE"))
    var to: InstantArgument

    @Option(help: ArgumentHelp("Evaluate as of this instant (default: now).", valueName: "TIME"))
    var asOf: InstantArgument?

    @Option(help: "Only this program.")
    var program: String?

    @Flag(help: "Print the differences it would write (subject, before, after, delta) and write nothing.")
    var dryRun = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write Prometheus textfile metrics here (atomically), success or failure.", valueName: "PATH"))
    var metricsFile: String?

    @Option(help: ArgumentHelp("Off a terminal, log a progress line this often.", valueName: "SECONDS"))
    var progressInterval = 30

    func validate() throws {
        guard from.instant < to.instant else { throw ValidationError("--to must be after --from") }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.rerun")
        try reportingMetrics(metricsFile.map { MetricsFile(path: $0, kind: "rerun") }, logger: logger) {
            var outcome = MetricsFile.Outcome()
            try withExitCodes(logger: logger) {
                let connection = try Connection(conninfo: database.db, logger: logger)
                try Migrator(connection: connection, logger: logger).requireCurrent()
                let reader = try Connection(conninfo: database.db, logger: logger)
                if let program, try ProgramCatalog(connection: connection).load(only: program).isEmpty {
                    throw ValidationError("unknown program \(program)")
                }
                var rerunner = Rerunner(connection: connection, reader: reader, logger: logger)
                rerunner.stop = SignalStop.request
                let progress = ProgressLine(label: "rerun", logger: logger, intervalSeconds: progressInterval)
                rerunner.progress = progress.update
                defer { progress.finish() }
                let summary = try rerunner.rerun(
                    from: from.instant, to: to.instant, asOf: asOf?.instant ?? DatabaseClock.now(connection), programID: program, dryRun: dryRun)
                progress.finish()
                outcome = MetricsFile.Outcome(evaluated: summary.evaluated, statuses: summary.statuses,
                                              rejectedRows: summary.rejectedRows, written: summary.written,
                                              adjustments: summary.adjustments, discrepancies: summary.discrepancies,
                                              creditDelta: summary.creditDelta, openDiscrepancies: summary.openDiscrepancies,
                                              settlement: summary.settlement)
                if json {
                    print(try JSONOutput.text(summary))
                } else {
                    print(Self.text(summary))
                }
            }
            return outcome
        }
    }

    static func text(_ s: RerunSummary) -> String {
        var lines = ["\(s.dryRun ? "rerun dry run (nothing written)" : "rerun \(s.runID ?? 0)") of [\(s.from), \(s.to)) as of \(s.asOf)",
                     "  subjects in range: \(s.evaluated); unchanged \(s.unchanged), updated \(s.updated), adjustments \(s.adjustments), discrepancies \(s.discrepancies)",
                     "  credit added by adjustments: " + (s.creditDelta.isEmpty ? "none"
                        : s.creditDelta.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
                        + "; open discrepancies: \(s.openDiscrepancies)"]
        for d in s.differences {
            lines.append("  \(d.action.padding(toLength: 11, withPad: " ", startingAt: 0)) \(d.programID) \(d.subject): \(d.before) -> \(d.after)\(d.delta.map { ", delta \($0)" } ?? "")")
        }
        if !s.dryRun { lines.append("  rows written: \(s.written)") }
        if let settlement = s.settlement { lines += SummaryPrinter.settlementLines(settlement) }
        return lines.joined(separator: "\n")
    }
}
