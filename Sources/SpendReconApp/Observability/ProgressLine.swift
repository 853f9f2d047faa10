import Foundation
import Logging

/// How far a run or rerun is while it evaluates subjects. On a terminal, a live `done / total`
/// line on stderr, redrawn at most every quarter second. Off a terminal (cron, systemd, a log
/// file), a `progress` log line every `interval` instead, so a long night is visibly alive in
/// the journal or the log and no carriage return ever reaches them.
final class ProgressLine {
    private let label: String
    private let terminal: Bool
    /// Off a terminal: the logger, when it would print `info` lines at all.
    private let logger: Logger?
    private let intervalMicros: Int64
    private let start = monotonicMicroseconds()
    private var lastDrawn: Int64 = 0
    private var lastLogged: Int64

    init(label: String, logger: Logger? = nil, intervalSeconds: Int = 30, terminal: Bool = StderrWriter.isTerminal) {
        self.label = label
        self.terminal = terminal
        self.logger = logger.flatMap { $0.logLevel <= .info ? $0 : nil }
        intervalMicros = Int64(max(intervalSeconds, 0)) * 1_000_000
        lastLogged = start
    }

    func update(done: Int, total: Int) {
        guard terminal || logger != nil else { return }
        let now = monotonicMicroseconds()
        guard terminal else {
            guard let logger, now - lastLogged >= intervalMicros else { return }
            lastLogged = now
            logger.info("progress", metadata: ["done": "\(done)", "total": "\(total)",
                                               "percent": "\(total > 0 ? done * 100 / total : 100)",
                                               "elapsed_s": "\((now - start) / 1_000_000)"])
            return
        }
        guard now - lastDrawn >= 250_000 || done == total else { return }
        lastDrawn = now
        StderrWriter.shared.showProgress(Self.render(label: label, done: done, total: total, elapsedMicros: now - start))
    }

    func finish() {
        guard terminal else { return }
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
