import Foundation

/// A live `done / total` line on stderr while a run or rerun evaluates subjects, redrawn at
/// most every quarter second. Drawn only when stderr is a terminal: cron mail and log files get
/// log lines, never carriage returns.
final class ProgressLine {
    private let label: String
    private let enabled: Bool
    private let start = monotonicMicroseconds()
    private var lastDrawn: Int64 = 0

    init(label: String, enabled: Bool = StderrWriter.isTerminal) {
        self.label = label
        self.enabled = enabled
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = monotonicMicroseconds()
        guard now - lastDrawn >= 250_000 || done == total else { return }
        lastDrawn = now
        StderrWriter.shared.showProgress(Self.render(label: label, done: done, total: total, elapsedMicros: now - start))
    }

    func finish() {
        guard enabled else { return }
        StderrWriter.shared.clearProgress()
    }

    /// `run: 12,000 / 200,000 subjects (6%) · 4,000/s · 47s left`, in integers only.
    static func render(label: String, done: Int, total: Int, elapsedMicros: Int64) -> String {
        let percent = total > 0 ? done * 100 / total : 100
        var line = "\(label): \(grouped(done)) / \(grouped(total)) subjects (\(percent)%)"
        if elapsedMicros > 0, done > 0 {
            let perSecond = Int64(done) * 1_000_000 / elapsedMicros
            line += " · \(grouped(Int(perSecond)))/s"
            let remainingMicros = elapsedMicros * Int64(total - done) / Int64(done)
            line += " · \(duration(seconds: remainingMicros / 1_000_000)) left"
        }
        return line
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func duration(seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(String(format: "%02d", Int(seconds % 60)))s" }
        return "\(seconds / 3600)h\(String(format: "%02d", Int(seconds / 60 % 60)))m"
    }
}
