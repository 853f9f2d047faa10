import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import ReconRules
import ReconStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export decisions as RFC 4180 CSV for support.",
        discussion: """
            One row per subject whose window ends, whose decision fell, or whose latest evaluation
            fell in [--from, --to). Amounts in major units with the currency's digits, times in ISO 8601 UTC.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Start of the range, inclusive (ISO 8601 or a date).", valueName: "DATE"))
    var from: InstantArgument

    @Option(help: ArgumentHelp("End of the range, exclusive (ISO 8601 or a date).", valueName: "DATE"))
    var to: InstantArgument

    @Option(help: "Only this status: pending, granted, threshold_not_reached, ineligible.")
    var status: String?

    @Option(help: "Only this program.")
    var program: String?

    @Option(help: "Only this ad account.")
    var account: Int64?

    @Option(help: ArgumentHelp("Only this merchant, as partner:merchant_id.", valueName: "PARTNER:ID"))
    var merchant: MerchantArgument?

    @Option(help: "Write to this file (atomically: a temporary file renamed into place); default stdout.")
    var output: String?

    func validate() throws {
        guard from.instant < to.instant else { throw ValidationError("--to must be after --from") }
        if let status, Status(rawValue: status) == nil {
            throw ValidationError("--status must be one of: \(Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.export")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            if let program, try ProgramCatalog(connection: connection).load(only: program).isEmpty {
                throw ValidationError("unknown program \(program)")
            }
            let sink = try OutputSink(path: output)
            do {
                let count = try SupportExport(connection: connection).write(
                    from: from.instant, to: to.instant,
                    filters: .init(status: status, programID: program, accountID: account, subject: merchant?.subjectName)) { sink.write($0) }
                try sink.commit()
                logger.info("export written", metadata: ["rows": "\(count)", "output": "\(output ?? "stdout")"])
            } catch {
                sink.abandon()
                throw error
            }
        }
    }
}
