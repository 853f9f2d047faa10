import ArgumentParser
import Exact
import Foundation
import Logging
import PGClient
import ReconRules
import ReconStore

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Price a program change on real history: every subject of a program as stored and as changed, compared.",
        discussion: """
            Each side is what `run` would decide on a fresh database with that program. Nothing is \
            written and no lock is taken, so it can run beside a night.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The program to change.")
    var program: String

    @Option(name: .customLong("tier"), help: ArgumentHelp(
        "A rung of a country's new ladder in major units, lowest first (repeat: the rungs given replace that country's ladder).",
        valueName: "COUNTRY:THRESHOLD=CREDIT"))
    var tiers: [RungArgument] = []

    @Option(name: .customLong("market"), help: ArgumentHelp(
        "Add a market in the currency of its ladder (give its ladder with --tier).", valueName: "COUNTRY:CURRENCY"))
    var markets: [MarketArgument] = []

    @Option(help: "Days in a subject's spend window.")
    var windowDays: Int?

    @Option(help: "Days after the window's end that late-paid spend still counts.")
    var settleDays: Int?

    @Option(help: ArgumentHelp("Evaluate as of this instant (ISO 8601, or a date meaning midnight UTC).", valueName: "TIME"))
    var asOf: InstantArgument?

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    /// The change as given.
    var change: ProgramChange {
        var change = ProgramChange()
        change.rungs = tiers.map(\.rung)
        change.newMarkets = Dictionary(markets.map { ($0.country, $0.currency) }, uniquingKeysWith: { _, last in last })
        change.windowDays = windowDays
        change.settleDays = settleDays
        return change
    }

    func validate() throws {
        guard !tiers.isEmpty || !markets.isEmpty || windowDays != nil || settleDays != nil else {
            throw ValidationError("nothing to change: give --tier, --market, --window-days or --settle-days")
        }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.simulate")
        try withExitCodes(logger: logger) {
            // One connection reads the program; two read the facts and split the spend read.
            let connections = try NightConnections.open(recon: 1, billing: 2, conninfo: database.db, logger: logger)
            try Migrator(connection: connections.control, logger: logger).requireCurrent()
            let whatIf = WhatIf(connections: connections)
            guard let stored = try whatIf.storedProgram(program) else {
                throw ValidationError("unknown program \(program)")
            }
            let changed: Program
            do {
                changed = try change.applied(to: stored)
            } catch let problem as ProgramChange.Problem {
                throw ValidationError(problem.description)
            }
            let asOf = try self.asOf?.instant ?? DatabaseClock.now(connections.control)
            let comparison = try whatIf.compare(stored, with: changed, asOf: asOf)
            print(json ? try WhatIfPrinter.json(comparison) : WhatIfPrinter.text(comparison, change: change))
        }
    }
}

/// `COUNTRY:THRESHOLD=CREDIT` on the command line, e.g. `US:400=450`.
struct RungArgument: ExpressibleByArgument {
    let rung: ProgramChange.Rung

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let amounts = parts[1].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard amounts.count == 2, let country = CountryCode(String(parts[0])), !amounts[0].isEmpty, !amounts[1].isEmpty
        else { return nil }
        rung = ProgramChange.Rung(country: country.code, threshold: String(amounts[0]), credit: String(amounts[1]))
    }
}

/// `COUNTRY:CURRENCY` on the command line, e.g. `GB:GBP`.
struct MarketArgument: ExpressibleByArgument {
    let country: String
    let currency: Currency

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let country = CountryCode(String(parts[0])), let currency = Currency(code: String(parts[1]))
        else { return nil }
        self.country = country.code
        self.currency = currency
    }
}

/// Two capital letters, as the programs' markets are written.
struct CountryCode {
    let code: String

    init?(_ text: String) {
        guard text.count == 2, text.allSatisfy({ $0.isASCII && $0.isUppercase }) else { return nil }
        code = text
    }
}
