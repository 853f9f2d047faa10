import Exact
import Foundation

/// The bench's printed table and ratios against their targets.
extension Bench {
    static func table(_ results: [BenchResult]) -> String {
        var lines = ["", "scale  spend rows   subjects   load      floor     first night  next night  peak RSS first/next"]
        for r in results {
            lines.append([r.label.padding(toLength: 6, withPad: " ", startingAt: 0), pad(grouped(r.spendRows), 12),
                          pad(grouped(r.subjects), 10), pad(seconds(r.loadMicros), 9), pad(seconds(r.floorMicros), 9),
                          pad(seconds(r.firstMicros), 12), pad(seconds(r.nextMicros), 11),
                          "\(r.firstRSSKiB / 1024) MiB / \(r.nextRSSKiB / 1024) MiB"].joined(separator: " "))
        }
        for (name, samples) in [("floor", \BenchResult.floorSamples), ("first night", \.firstSamples), ("next night", \.nextSamples),
                                ("simulate (ladder)", \.simulateSamples), ("simulate (ladder, 45-day window)", \.simulateWindowSamples),
                                ("settlement stage in the first night", \.firstSettleSamples),
                                ("handover in the first night's writes", \.firstHandoverSamples),
                                ("the first night's writes (both writers)", \.firstWriteSamples),
                                ("settlement stage in the next night", \.nextSettleSamples),
                                ("the backlog night (9 in 10 credits applied at once)", \.backlogSamples),
                                ("settlement stage in the backlog night", \.backlogSettleSamples),
                                ("the steady night (a day of crediting, no new spend)", \.laterSamples),
                                ("settlement stage in the steady night", \.laterSettleSamples)] {
            lines.append("\(name) runs counted (the table shows the median): "
                         + results.map { "\($0.label) " + $0[keyPath: samples].map(seconds).joined(separator: ", ") }
                            .joined(separator: "; "))
        }
        lines.append("each round's own ratios (its floor and nights run back to back): " + results.map { r in
            let rounds = zip(zip(r.floorSamples, r.firstSamples), r.nextSamples)
            return "\(r.label) run/floor " + rounds.map { thousandths(ratio($0.0.1, $0.0.0)) }.joined(separator: ", ")
                + ", next/first " + rounds.map { thousandths(ratio($0.1, $0.0.1)) }.joined(separator: ", ")
        }.joined(separator: "; "))
        lines.append("first night's warm-up run (not counted, as the floor's first run): "
                     + results.map { "\($0.label) \(seconds($0.firstColdMicros))" }.joined(separator: ", "))
        lines.append("maintenance between the nights (VACUUM ANALYZE of what the first night wrote; autovacuum is off): "
                     + results.map { "\($0.label) \(seconds($0.maintenanceMicros))" }.joined(separator: ", "))
        lines.append("pages of recon.subject_status all-visible before the next night (the lowest of the rounds): "
                     + results.map { "\($0.label) \(percent($0.decisionsVisiblePerMille))" }.joined(separator: ", "))
        lines.append("pages all-visible after the load's VACUUM (bills / top-ups): "
                     + results.map { "\($0.label) \(percent($0.allVisiblePerMille.bills)) / \(percent($0.allVisiblePerMille.topups))" }
                        .joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static func ratios(small: BenchResult, large: BenchResult) -> String {
        let peak = Int64(max(large.firstRSSKiB, large.nextRSSKiB))
        let smallPeak = Int64(max(small.firstRSSKiB, small.nextRSSKiB))
        func line(_ name: String, _ a: Int64, _ b: Int64, _ limit: String, _ limitHundredths: Int64) -> String {
            "  \(name.padding(toLength: 19, withPad: " ", startingAt: 0))\(thousandths(ratio(a, b)))  (<= \(limit)) "
                + verdict(a, b, limitHundredths)
        }
        return """

            ratios at full scale (target):
            \(line("run / floor", large.firstMicros, large.floorMicros, "1.50", 150))
            \(line("next / first night", large.nextMicros, large.firstMicros, "0.15", 15))
            \(line("RSS full / fifth", peak, smallPeak, "1.25", 125))
            \(line("simulate / first", large.simulateMicros, large.firstMicros, "1.00", 100))   (a ladder change)
              with a 45-day window \(thousandths(ratio(large.simulateWindowMicros, large.firstMicros)))  (wider spans: more rows read)
            \(line("settle adds, first", large.firstSettleMicros, large.firstMicros - large.firstSettleMicros, "0.10", 10))   (the stage against the rest of the night)
              the first night's handover: \(seconds(large.firstHandoverMicros)) of the writers' \(seconds(large.firstWriteMicros)) (beside the read; counted whole with the stage: \(thousandths(ratio(large.firstHandoverMicros + large.firstSettleMicros, large.firstMicros - large.firstHandoverMicros - large.firstSettleMicros))))
            \(line("settle adds, next", large.nextSettleMicros, large.nextMicros - large.nextSettleMicros, "0.10", 10))   (nothing applied yet)
            \(line("settle adds, steady", large.laterSettleMicros, large.laterMicros - large.laterSettleMicros, "0.10", 10))   (a day of crediting, no new spend)
              the backlog night: settle \(seconds(large.backlogSettleMicros)) of \(seconds(large.backlogMicros))  (9 in 10 of the first night's credits applied at once)
              peak RSS           \(peak / 1024) MiB  (<= 200 MiB) \(peak <= 200 * 1024 ? "ok" : "OVER")
            simulate (both sides of the partner program) peak RSS \(large.simulateRSSKiB / 1024) MiB
            report (after the last night) \(seconds(large.reportMicros)), peak RSS \(large.reportRSSKiB / 1024) MiB; at a fifth \(seconds(small.reportMicros)), \(small.reportRSSKiB / 1024) MiB
            first night: \(grouped(large.granted)) grants; next night evaluated \(grouped(large.nextEvaluated)) of \(grouped(large.subjects)) subjects
            """
    }

    /// Whether a / b is within a target given in hundredths, exactly: a ratio is never rounded
    /// into its target (0.152 is over 0.15).
    static func verdict(_ a: Int64, _ b: Int64, _ limitHundredths: Int64) -> String {
        b > 0 && a * 100 <= limitHundredths * b ? "ok" : "OVER"
    }

    /// a / b in thousandths, rounded half up, integers only.
    static func ratio(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? 0 : (a * 2000 + b) / (2 * b) }
    static func thousandths(_ value: Int64) -> String { ExactDecimal.format(minorUnits: value, exponent: 3) }
    static func percent(_ perMille: Int64) -> String { ExactDecimal.format(minorUnits: perMille, exponent: 1) + "%" }
    static func seconds(_ micros: Int64) -> String { ExactDecimal.format(minorUnits: micros / 10_000, exponent: 2) + " s" }
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
