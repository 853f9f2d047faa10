import Exact
import Foundation
import Logging
import ReconStore

/// `--metrics-file`: the Prometheus textfile-collector format (node_exporter's
/// `--collector.textfile.directory`), replaced atomically after every invocation.
///
/// A good run writes every metric. A failed one updates the run-level metrics (time, status,
/// exit code, duration) and carries over the previous file's last-success metrics unchanged, so
/// `time() - spend_recon_last_success_timestamp_seconds` keeps growing until a run succeeds.
struct MetricsFile {
    let path: String
    /// `run` or `rerun`, the `kind` label; give each kind its own file.
    let kind: String

    /// What a successful invocation reports.
    struct Outcome {
        var evaluated = 0
        var statuses: [String: Int] = [:]
        /// Major units as exact decimal text, per currency code.
        var creditGranted: [String: String] = [:]
        var rejectedRows = 0
        var written = 0
        var skippedFinal = 0
        var adjustments = 0
        var discrepancies = 0
        /// A rerun's: the credit its adjustments add (major units per currency), and the
        /// discrepancies still open after it.
        var creditDelta: [String: String] = [:]
        var openDiscrepancies = 0
        /// The settlement stage's counts (SPEC section 8).
        var settlement: SettlementSummary?
    }

    struct Family {
        let name: String
        let help: String
        /// Carried over from the previous file when a run fails.
        let fromLastSuccess: Bool
    }

    static let families = [
        Family(name: "spend_recon_last_run_timestamp_seconds", help: "Start of the last invocation, Unix time.", fromLastSuccess: false),
        Family(name: "spend_recon_last_run_success", help: "1 if the last invocation succeeded, else 0.", fromLastSuccess: false),
        Family(name: "spend_recon_last_run_exit_code", help: "Exit code of the last invocation (see README).", fromLastSuccess: false),
        Family(name: "spend_recon_last_run_duration_seconds", help: "Wall time of the last invocation.", fromLastSuccess: false),
        Family(name: "spend_recon_last_success_timestamp_seconds", help: "Start of the last successful invocation, Unix time.", fromLastSuccess: true),
        Family(name: "spend_recon_subjects_evaluated", help: "Subjects evaluated by the last successful invocation.", fromLastSuccess: true),
        Family(name: "spend_recon_subjects", help: "Subjects by decision status in the last successful invocation.", fromLastSuccess: true),
        Family(name: "spend_recon_subjects_skipped_final", help: "Subjects already final and not read again.", fromLastSuccess: true),
        Family(name: "spend_recon_subjects_written", help: "Subject rows changed by the last successful invocation.", fromLastSuccess: true),
        Family(name: "spend_recon_credit_granted", help: "Credit newly granted by the last successful invocation, major units.", fromLastSuccess: true),
        Family(name: "spend_recon_rejected_rows", help: "Input rows rejected by the last successful invocation.", fromLastSuccess: true),
        Family(name: "spend_recon_adjustments", help: "Adjustments written by the last successful rerun.", fromLastSuccess: true),
        Family(name: "spend_recon_discrepancies", help: "Discrepancies written by the last successful rerun.", fromLastSuccess: true),
        Family(name: "spend_recon_adjustment_credit", help: "Credit added by the last successful rerun's adjustments, major units.",
               fromLastSuccess: true),
        Family(name: "spend_recon_open_discrepancies", help: "Discrepancies unresolved after the last successful rerun.",
               fromLastSuccess: true),
        Family(name: "spend_recon_settlements", help: "Outbox entries by settlement status as of the last successful invocation.",
               fromLastSuccess: true),
        Family(name: "spend_recon_credit_outstanding", help: "Credit handed over and not yet applied (awaiting + overdue), major units.",
               fromLastSuccess: true),
        Family(name: "spend_recon_credit_overdue", help: "Credit not applied by its due_by, major units.", fromLastSuccess: true),
        Family(name: "spend_recon_unmatched_applications", help: "Applications that name no outbox entry, recorded so far.",
               fromLastSuccess: true),
    ]

    func recordSuccess(_ outcome: Outcome, startedAt: Instant, durationMicros: Int64) throws {
        var samples = runSamples(startedAt: startedAt, exitCode: 0, durationMicros: durationMicros)
        let base = "kind=\"\(kind)\""
        samples.append(("spend_recon_last_success_timestamp_seconds", "{\(base)}", Self.seconds(startedAt.microsecondsSinceEpoch)))
        samples.append(("spend_recon_subjects_evaluated", "{\(base)}", "\(outcome.evaluated)"))
        for status in ["granted", "pending", "threshold_not_reached", "ineligible"] {
            samples.append(("spend_recon_subjects", "{\(base),status=\"\(status)\"}", "\(outcome.statuses[status] ?? 0)"))
        }
        samples.append(("spend_recon_subjects_skipped_final", "{\(base)}", "\(outcome.skippedFinal)"))
        samples.append(("spend_recon_subjects_written", "{\(base)}", "\(outcome.written)"))
        for (currency, amount) in outcome.creditGranted.sorted(by: { $0.key < $1.key }) {
            samples.append(("spend_recon_credit_granted", "{\(base),currency=\"\(Self.labelValue(currency))\"}", amount))
        }
        samples.append(("spend_recon_rejected_rows", "{\(base)}", "\(outcome.rejectedRows)"))
        if kind == "rerun" {
            samples.append(("spend_recon_adjustments", "{\(base)}", "\(outcome.adjustments)"))
            samples.append(("spend_recon_discrepancies", "{\(base)}", "\(outcome.discrepancies)"))
            for (currency, amount) in outcome.creditDelta.sorted(by: { $0.key < $1.key }) {
                samples.append(("spend_recon_adjustment_credit", "{\(base),currency=\"\(Self.labelValue(currency))\"}", amount))
            }
            samples.append(("spend_recon_open_discrepancies", "{\(base)}", "\(outcome.openDiscrepancies)"))
        }
        if let settlement = outcome.settlement {
            for (status, count) in settlement.statuses.sorted(by: { $0.key < $1.key }) {
                samples.append(("spend_recon_settlements", "{\(base),status=\"\(Self.labelValue(status))\"}", "\(count)"))
            }
            for (currency, amount) in settlement.outstanding.sorted(by: { $0.key < $1.key }) {
                samples.append(("spend_recon_credit_outstanding", "{\(base),currency=\"\(Self.labelValue(currency))\"}", amount))
            }
            for (currency, amount) in settlement.overdue.sorted(by: { $0.key < $1.key }) {
                samples.append(("spend_recon_credit_overdue", "{\(base),currency=\"\(Self.labelValue(currency))\"}", amount))
            }
            samples.append(("spend_recon_unmatched_applications", "{\(base)}", "\(settlement.unmatchedApplications)"))
        }
        try write(samples)
    }

    func recordFailure(exitCode: Int32, startedAt: Instant, durationMicros: Int64) throws {
        let carried = Self.families.filter(\.fromLastSuccess).map(\.name)
        let previous = previousSamples().filter { carried.contains($0.name) }
        try write(runSamples(startedAt: startedAt, exitCode: exitCode, durationMicros: durationMicros) + previous)
    }

    typealias Sample = (name: String, labels: String, value: String)

    private func runSamples(startedAt: Instant, exitCode: Int32, durationMicros: Int64) -> [Sample] {
        let labels = "{kind=\"\(kind)\"}"
        return [
            ("spend_recon_last_run_timestamp_seconds", labels, Self.seconds(startedAt.microsecondsSinceEpoch)),
            ("spend_recon_last_run_success", labels, exitCode == 0 ? "1" : "0"),
            ("spend_recon_last_run_exit_code", labels, "\(exitCode)"),
            ("spend_recon_last_run_duration_seconds", labels, Self.seconds(durationMicros)),
        ]
    }

    /// The sample lines of the file as it is now (none when there is no file yet).
    private func previousSamples() -> [Sample] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " ") else { return nil }
            let series = line[..<space]
            let name = series.prefix { $0 != "{" }
            return (String(name), String(series.dropFirst(name.count)), String(line[line.index(after: space)...]))
        }
    }

    private func write(_ samples: [Sample]) throws {
        var text = ""
        for family in Self.families {
            let lines = samples.filter { $0.name == family.name }
            guard !lines.isEmpty else { continue }
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for sample in lines { text += "\(sample.name)\(sample.labels) \(sample.value)\n" }
        }
        // The export's writer: a temporary file beside the target, flushed, renamed into place.
        try OutputSink.write(text, to: path)
    }

    /// Microseconds as exact decimal seconds (`1767052800.123456`).
    static func seconds(_ micros: Int64) -> String {
        ExactDecimal.format(minorUnits: micros, exponent: 6)
    }

    static func labelValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
