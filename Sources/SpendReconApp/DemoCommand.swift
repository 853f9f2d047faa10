import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import PostgresSandbox
import ReconReport
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

            // A week of the crediting system, then the next week's night: the settlement stage
            // has applications to reconcile, and the report has something to show for them.
            let week = profile.asOf.adding(days: 7)
            try DemoCrediting.applyWeek(connection)
            print("\nA week later the crediting system has applied most of that credit (some late, some twice, some short).")
            print("Running the night of \(week.iso8601)...\n")
            let later = try Reconciler(connections: NightConnections(recon: [connection], billing: [reader]), logger: logger)
                .run(asOf: week)
            print(SummaryPrinter.text(later))
            let reportPath = URL(fileURLWithPath: export).deletingLastPathComponent().appendingPathComponent("demo-report.html").path
            let page = try ReportPage.html(try ReportData.read(connection, asOf: nil, runs: 14), generatedAt: week)
            try OutputSink.write(page, to: reportPath)
            print("\nWrote the nightly report to \(reportPath) (open it in a browser).")

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

/// The demo's crediting system: deterministic by grant id, as a balance service might behave
/// in a week: most credit applied on time, some late, some twice, some short, some not yet,
/// and a little credited by hand with no reference.
enum DemoCrediting {
    static func applyWeek(_ connection: Connection) throws {
        try connection.executeScript("""
            INSERT INTO billing.credit_applications
            SELECT row_number() OVER (ORDER BY o.position, k), o.credit_ref, o.account_id, o.currency,
                   CASE WHEN o.position % 13 = 4 THEN trunc(o.amount / 2) ELSE o.amount END,
                   CASE WHEN o.position % 9 = 2 THEN o.due_by + interval '2 days' ELSE o.due_by - interval '3 days' END,
                   NULL
            FROM recon.credit_outbox o, generate_series(1, 2) k
            WHERE o.position % 7 <> 3 AND (k = 1 OR o.position % 17 = 5);
            INSERT INTO billing.credit_applications
            SELECT 1000000 + g, NULL, g, 'USD', 25.00, '2026-01-12Z', NULL FROM generate_series(1, 3) g;
            """)
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
