import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import PostgresSandbox
import ReconStore
import SampleData

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See a night end to end on a throwaway PostgreSQL server: no set-up, nothing touched.",
        discussion: """
            Starts a PostgreSQL server of its own in a temporary directory (the same code the tests
            use; needs PostgreSQL's server binaries), migrates, loads a seeded sample of a few hundred
            WooCommerce merchants in the US and GB and some JP promo codes (bills, top-ups, tax,
            credit, unpaid bills, a few bad rows), runs the night of 2026-01-10, prints the summary
            and the outcomes, writes the support export, and stops the server again.
            """)

    @Option(help: ArgumentHelp("Where to write the support export.", valueName: "PATH"))
    var export = "demo-export.csv"

    @Flag(help: "Leave the server running afterwards and print how to connect to it.")
    var keep = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Option(help: "Log line format on stderr: logfmt or json.")
    var logFormat: LogFormat = .logfmt

    func run() throws {
        let logger = makeLogger("spend-recon.demo", level: logLevel, format: logFormat)
        try withExitCodes(logger: logger) {
            let profile = SampleProfile.demo
            print("Starting a throwaway PostgreSQL server...")
            let server = try ThrowawayPostgres(logger: logger)
            let conninfo = server.conninfo()
            let connection = try Connection(conninfo: conninfo, logger: logger)
            let migrator = Migrator(connection: connection, logger: logger)
            try migrator.migrate()
            try migrator.createBillingTables()
            let counts = try SampleLoader(connection: connection).load(SampleGenerator(profile: profile))
            print("Loaded a sample (seed \(profile.seed)): \(counts.accounts) ad accounts, \(counts.integrations) WooCommerce "
                  + "integrations, \(counts.promoCodes) JP promo codes, \(counts.bills) bills, \(counts.topups) top-ups.")
            print("Running the night of \(profile.asOf.iso8601)...\n")

            let reader = try Connection(conninfo: conninfo, logger: logger)
            let summary = try Reconciler(connections: NightConnections(recon: [connection], billing: [reader]), logger: logger)
                .run(asOf: profile.asOf)
            print(SummaryPrinter.text(summary) + "\n")
            print(try DemoReport(connection: connection).text())

            var examples: [String: String] = [:]
            let sink = try OutputSink(path: export)
            do {
                let rows = try SupportExport(connection: connection).write(
                    from: profile.asOf.adding(days: -730), to: profile.asOf.adding(days: 365), filters: .init(),
                    emit: { sink.write($0) },
                    observe: { cells in
                        // One per status, preferring a WooCommerce merchant (the export lists promo codes first).
                        guard case let .text(status?) = cells[9], case let .text(subject?) = cells[1],
                              case let .text(sentence?) = cells[23],
                              examples[status] == nil || examples[status]!.hasPrefix("SPEND10K") else { return }
                        examples[status] = "\(subject): \(sentence)"
                    })
                try sink.commit()
                print("\nWhat support sees, one example per status:")
                for status in ["granted", "pending", "threshold_not_reached", "ineligible"] {
                    if let example = examples[status] { print("  \(example)") }
                }
                print("\nWrote the support export of \(rows) subjects to \(export).")
            } catch {
                sink.abandon()
                throw error
            }

            if keep {
                try server.keep()
                print("""

                    The server keeps running. Connect with:
                      psql "\(conninfo)"
                      spend-recon explain --db "\(conninfo)" --merchant woocommerce:store-1 --as-of \(profile.asOf.iso8601)
                    Stop it and delete its files with:
                      \(server.stopCommand)
                    """)
            } else {
                server.stop()
                print("Stopped the throwaway server and deleted its files.")
            }
        }
    }
}

/// The demo's outcome tables: subjects by program and status, reasons, credit granted.
struct DemoReport {
    let connection: Connection

    func text() throws -> String {
        var lines = ["Outcomes:", "  " + pad("program", 20) + pad("status", 24) + "subjects"]
        for row in try connection.execute("""
            SELECT program_id, status, count(*) FROM recon.subject_status GROUP BY 1, 2 ORDER BY 1, 2
            """).rows {
            lines.append("  " + pad(try row.decode(0, as: String.self), 20) + pad(try row.decode(1, as: String.self), 24)
                         + String(try row.decode(2, as: Int64.self)))
        }
        lines += ["", "Reasons (a subject may have several):"]
        for row in try connection.execute("""
            SELECT reason, count(*) FROM recon.ineligibility_reasons GROUP BY 1 ORDER BY 2 DESC, 1
            """).rows {
            lines.append("  " + pad(try row.decode(0, as: String.self), 44) + String(try row.decode(1, as: Int64.self)))
        }
        lines += ["", "Credit granted:"]
        for row in try connection.execute("""
            SELECT program_id, currency, count(*), sum(credit)::text FROM recon.credit_grants GROUP BY 1, 2 ORDER BY 1, 2
            """).rows {
            lines.append("  " + pad(try row.decode(0, as: String.self), 20) + pad(try row.decode(1, as: String.self), 5)
                         + "\(try row.decode(3, as: String.self)) in \(try row.decode(2, as: Int64.self)) grants")
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
