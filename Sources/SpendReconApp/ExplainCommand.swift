import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import ReconStore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one subject's decision: reasons, window, every spend row and why it counted or not, the tier ladder.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "An integration id.")
    var integration: Int64?

    @Option(help: ArgumentHelp("A merchant, as partner:merchant_id.", valueName: "PARTNER:ID"))
    var merchant: MerchantArgument?

    @Option(help: "An ad account id (every subject on it).")
    var account: Int64?

    @Option(help: "A promo code.")
    var code: String?

    @Option(help: ArgumentHelp("Explain as of this instant (default: now).", valueName: "TIME"))
    var asOf: InstantArgument?

    @Flag(help: "Print as JSON.")
    var json = false

    func validate() throws {
        let given = [integration != nil, merchant != nil, account != nil, code != nil].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --integration, --merchant, --account, --code") }
    }

    /// `validate()` has made sure exactly one selector is given.
    var selector: Explainer.Selector {
        if let integration { return .integration(integration) }
        if let account { return .account(account) }
        if let merchant { return .merchant(partner: merchant.partner, merchantID: merchant.merchantID) }
        return .code(code ?? "")
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.explain")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            let reader = try Connection(conninfo: database.db, logger: logger)
            let subjects = try Explainer(connection: connection, reader: reader).explain(selector, asOf: asOf?.instant ?? Instant.now)
            if json {
                print(try JSONOutput.text(subjects))
            } else if subjects.isEmpty {
                print("no subject matches")
            } else {
                print(subjects.map(Self.text).joined(separator: "\n\n"))
            }
        }
    }

    static func text(_ s: Explainer.SubjectExplanation) -> String {
        var lines = ["\(s.programID) \(s.subject)" + (s.integrationID.map { " (integration \($0))" } ?? "")
                     + " — account \(s.accountID), \(s.country), \(s.currency)",
                     "  status: \(s.status)" + (s.decidedAsOf.map { " (as decided on \($0), when it became final)" } ?? ""),
                     "  \(s.explanation)"]
        for (code, words) in zip(s.reasons, s.reasonsInWords) { lines.append("  reason \(code): \(words)") }
        for adjustment in s.adjustments { lines.append("  \(adjustment)") }
        for discrepancy in s.discrepancies { lines.append("  discrepancy \(discrepancy)") }
        for settlement in s.settlements {
            let issues = settlement.issues.isEmpty ? "" : " (\(settlement.issues.joined(separator: ";")))"
            lines.append("  \(settlement.creditRef): \(settlement.amount) \(settlement.currency) due by \(settlement.dueBy), "
                         + "\(settlement.status)\(issues); applied \(settlement.appliedAmount)"
                         + (settlement.appliedAt.map { ", last on \($0)" } ?? ""))
            if settlement.applications.isEmpty { lines.append("    no application yet") }
            for application in settlement.applications { lines.append("    \(application)") }
        }
        if let start = s.windowStart, let end = s.windowEnd {
            lines.append("  window: [\(start), \(end)), cutoff \(s.cutoff ?? "-"); qualifying spend \(s.qualifyingSpend) \(s.currency)")
        } else {
            lines.append("  window: not started")
        }
        lines.append("  spend rows:")
        if s.rows.isEmpty { lines.append("    none") }
        for row in s.rows {
            lines.append("    \(row.table) \(row.key) at \(row.at ?? "?") amount \(row.amount ?? "?"): \(row.verdict)")
        }
        lines.append("  tiers:")
        for tier in s.tiers {
            var line = "    tier \(tier.tier): spend \(tier.threshold), get \(tier.credit)"
            if let reached = tier.reachedAt { line += " — reached \(reached)" }
            if let missing = tier.missing { line += " — \(missing) still missing" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
