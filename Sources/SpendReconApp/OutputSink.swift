import ArgumentParser
import Foundation

/// Standard output, or a temporary file beside the target renamed into place on success.
final class OutputSink {
    private let path: String?
    private let temporary: String?
    private let handle: FileHandle
    private var buffer = ""

    init(path: String?) throws {
        self.path = path
        if let path {
            let temporary = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw ValidationError("cannot write \(path)")
            }
            self.temporary = temporary
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        } else {
            temporary = nil
            handle = FileHandle.standardOutput
        }
    }

    func write(_ text: String) {
        buffer += text
        if buffer.utf8.count >= 1 << 16 { drain() }
    }

    private func drain() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    func commit() throws {
        drain()
        guard let path, let temporary else { return }
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw ValidationError("cannot move the output into \(path)") }
    }

    func abandon() {
        guard let temporary else { return }
        try? handle.close()
        unlink(temporary)
    }

    /// Writes `text` whole to `path` (standard output when nil): all of it, or nothing.
    static func write(_ text: String, to path: String?) throws {
        let sink = try OutputSink(path: path)
        sink.write(text)
        do { try sink.commit() } catch {
            sink.abandon()
            throw error
        }
    }
}
