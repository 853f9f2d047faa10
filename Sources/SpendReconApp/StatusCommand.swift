import ArgumentParser
import Foundation
import Logging
import PGClient
import ReconStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What to check first: schema version, last runs, unfinished runs, open discrepancies, rejected rows.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "How many of the latest runs to list.")
    var runs = 10

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.status")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            let report = try StatusReport.read(connection, runs: runs)
            if json {
                print(try JSONOutput.text(report, snakeCase: true))
            } else {
                print(Self.text(report))
            }
        }
    }

    static func text(_ r: StatusReport) -> String {
        var lines = ["schema: version \(r.schemaVersion) (this binary: \(r.binarySchemaVersion))", "last runs:"]
        if r.runs.isEmpty { lines.append("  none yet") }
        for run in r.runs { lines.append("  " + line(run)) }
        lines.append("abandoned or cancelled in the last 30 days: \(r.unfinished.count)")
        for run in r.unfinished { lines.append("  " + line(run)) }
        lines.append("open discrepancies: \(r.openDiscrepancies)" + (r.openDiscrepancies > 0 ? " (spend-recon discrepancies --open)" : ""))
        lines.append("rejected rows by problem (new: first seen by the latest run):")
        if r.rejectedRows.isEmpty { lines.append("  none") }
        for problem in r.rejectedRows {
            lines.append("  \(problem.table) \(problem.problem): \(problem.new) new, \(problem.known) known")
        }
        return lines.joined(separator: "\n")
    }

    static func line(_ run: StatusReport.RunLine) -> String {
        var text = "#\(run.runID) \(run.kind) \(run.status) as of \(run.asOf), started \(run.startedAt)"
        text += run.seconds.map { ", took \($0) s" } ?? ", still running"
        text += ", evaluated \(run.evaluated), written \(run.written)"
        if let error = run.error { text += ", error: \(error)" }
        return text
    }
}
