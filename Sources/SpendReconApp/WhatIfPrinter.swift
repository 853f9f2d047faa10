import Foundation
import ReconRules

/// Prints `simulate`'s comparison for a person (a table per country and currency) or, with
/// `--json`, for a tool.
enum WhatIfPrinter {
    static func text(_ comparison: WhatIfComparison, change: ProgramChange) -> String {
        var lines = ["simulate \(comparison.programID) as of \(comparison.asOf) (nothing written)"]
        lines.append("change: " + describe(change))
        if comparison.markets.isEmpty { lines.append("no subjects") }
        for market in comparison.markets {
            lines.append("")
            lines.append(row("\(market.country) \(market.currency)", "stored", "changed", "difference"))
            for status in Status.allCases.map(\.rawValue) {
                lines.append(row("  " + status, "\(market.stored.statuses[status] ?? 0)", "\(market.changed.statuses[status] ?? 0)",
                                 signed(market.difference.statuses[status] ?? 0)))
            }
            for level in market.stored.grantsByTier.keys.sorted(by: { Int($0) ?? 0 < Int($1) ?? 0 }) {
                lines.append(row("  grants tier \(level)", "\(market.stored.grantsByTier[level] ?? 0)",
                                 "\(market.changed.grantsByTier[level] ?? 0)", signed(market.difference.grantsByTier[level] ?? 0)))
            }
            let delta = market.difference.credit
            lines.append(row("  credit granted", market.stored.credit, market.changed.credit, delta.hasPrefix("-") ? delta : "+" + delta))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ comparison: WhatIfComparison) throws -> String {
        return try JSONOutput.text(comparison, snakeCase: true)
    }

    static func describe(_ change: ProgramChange) -> String {
        var parts: [String] = []
        var countries: [String] = []
        for rung in change.rungs where !countries.contains(rung.country) { countries.append(rung.country) }
        for country in countries {
            let rungs = change.rungs.filter { $0.country == country }.map { "\($0.threshold)=\($0.credit)" }
            parts.append("\(country) ladder \(rungs.joined(separator: ", "))")
        }
        for (country, currency) in change.newMarkets.sorted(by: { $0.key < $1.key }) {
            parts.append("new market \(country) in \(currency.code)")
        }
        if let days = change.windowDays { parts.append("window \(days) days") }
        if let days = change.settleDays { parts.append("settle \(days) days") }
        return parts.joined(separator: "; ")
    }

    private static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : "\(value)" }

    private static func row(_ label: String, _ a: String, _ b: String, _ c: String) -> String {
        label.padding(toLength: 24, withPad: " ", startingAt: 0) + pad(a) + pad(b) + pad(c)
    }

    private static func pad(_ text: String) -> String {
        String(repeating: " ", count: max(16 - text.count, 1)) + text
    }
}
