import Foundation

/// The one writer of stderr: log lines and the terminal progress line share it, so a log line
/// never lands in the middle of the progress line (it clears the line, writes, and redraws).
/// Its mutable field is used only under `lock`: hence `@unchecked Sendable`.
final class StderrWriter: @unchecked Sendable {
    static let shared = StderrWriter()

    private let lock = NSLock()
    private var progress: String?

    /// Whether stderr is a terminal (only then is a progress line drawn).
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    func writeLine(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        var text = progress == nil ? "" : "\r\u{1B}[K"
        text += line + "\n"
        if let progress { text += progress }
        Self.write(text)
    }

    func showProgress(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        progress = line
        Self.write("\r\u{1B}[K" + line)
    }

    func clearProgress() {
        lock.lock()
        defer { lock.unlock() }
        guard progress != nil else { return }
        progress = nil
        Self.write("\r\u{1B}[K")
    }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
