import Foundation
import Logging
import PGClient

/// A PostgreSQL server of its own in a temporary directory, for the tests and the demo.
///
/// `initdb` into a fresh temp dir, started on a unix socket in that dir with a free port number
/// and no TCP listener, durability switched off (it is thrown away). Running as root, the server
/// binaries run as the `postgres` user. `stop()` (also called on deinit and at process exit)
/// stops the server and deletes the directory; a directory left by a killed process is cleaned
/// up by the next start.
///
/// Its one mutable field (`stopped`) is used only under `lock`: hence `@unchecked Sendable`.
public final class ThrowawayPostgres: @unchecked Sendable {
    public let directory: String
    public let port: Int
    public let binaries: PostgresBinaries
    private let logger: Logger
    private var stopped = false
    private let lock = NSLock()

    public var socketDirectory: String { directory }
    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }

    /// A conninfo string for `database` as the superuser `postgres`.
    public func conninfo(database: String = "postgres") -> String {
        "host=\(Conninfo.quote(socketDirectory)) port=\(port) user=postgres dbname=\(Conninfo.quote(database))"
    }

    public static let directoryPrefix = "spend-recon-pg-"

    /// `settings` are extra `postgresql.conf` lines (the benchmark gives sorts and index builds
    /// more memory).
    public init(logger: Logger, settings: [String] = []) throws {
        self.logger = logger
        binaries = try PostgresBinaries.locate()
        Self.removeAbandonedDirectories(binaries: binaries, logger: logger)
        directory = try Self.makeDirectory()
        port = try FreePort.find()
        try "\(getpid())\n".write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
        let user = ServerUser.current()
        do {
            try user.chown(directory)
            try user.run(binaries.initdb, ["-D", dataDirectory, "-U", "postgres", "-A", "trust",
                                           "-E", "UTF8", "--locale=C", "--no-sync"], log: directory + "/initdb.log")
            let configuration = """

                # spend-recon throwaway server
                listen_addresses = ''
                port = \(port)
                unix_socket_directories = '\(directory)'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 60
                shared_buffers = 128MB
                """ + settings.map { "\n" + $0 }.joined()
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
            handle.seekToEndOfFile()
            handle.write(Data(configuration.utf8))
            handle.closeFile()
            try user.run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
                         log: directory + "/pg_ctl.log")
        } catch {
            Self.destroy(directory: directory, binaries: binaries)
            throw error
        }
        ThrowawayRegistry.shared.add(self)
        logger.debug("throwaway postgres started", metadata: ["dir": "\(directory)", "port": "\(port)"])
    }

    deinit { stop() }

    /// Stops the server (immediate shutdown) and deletes its directory. Safe to call twice.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        Self.destroy(directory: directory, binaries: binaries)
        ThrowawayRegistry.shared.remove(self)
    }

    /// Leaves the server running after this process exits (`spend-recon demo --keep`): it is no
    /// longer stopped at exit, and the next start does not treat its directory as abandoned.
    /// Stop it with `stopCommand`.
    public func keep() throws {
        lock.lock()
        defer { lock.unlock() }
        stopped = true
        ThrowawayRegistry.shared.remove(self)
        try "kept\n".write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
    }

    /// The shell command that stops a kept server and deletes its directory.
    public var stopCommand: String {
        let pgCtl = "\(binaries.pgCtl) -D \(dataDirectory) -m fast -w stop"
        let asServerUser = geteuid() == 0 ? "runuser -u postgres -- \(pgCtl)" : pgCtl
        return "\(asServerUser) && rm -rf \(directory)"
    }

    /// Restarts the server in place (for fault tests: the job sees its connection drop).
    public func restart() throws {
        try ServerUser.current().run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60",
                                                     "-m", "immediate", "restart"], log: directory + "/pg_ctl.log")
    }

    /// Stops the server but keeps its data, for a later `resume()` (fault tests: a night while
    /// the database is down).
    public func pause() throws {
        try ServerUser.current().run(binaries.pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
                                     log: directory + "/pg_ctl.log")
    }

    /// Starts a server stopped by `pause()` on the same port and socket.
    public func resume() throws {
        try ServerUser.current().run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
                                     log: directory + "/pg_ctl.log")
    }

    static func destroy(directory: String, binaries: PostgresBinaries) {
        if FileManager.default.fileExists(atPath: directory + "/data/postmaster.pid") {
            try? ServerUser.current().run(binaries.pgCtl, ["-D", directory + "/data", "-m", "immediate", "-w", "stop"],
                                          log: nil)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func makeDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + directoryPrefix + "XXXXXX").utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SandboxError("could not create a temporary directory")
        }
        let path = String(cString: result)
        chmod(path, 0o755)
        return path
    }

    /// Stops and deletes servers whose owning process no longer exists (a killed test run).
    static func removeAbandonedDirectories(binaries: PostgresBinaries, logger: Logger) {
        let temp = NSTemporaryDirectory()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: temp) else { return }
        for entry in entries where entry.hasPrefix(directoryPrefix) {
            let path = (temp as NSString).appendingPathComponent(entry)
            guard let text = try? String(contentsOfFile: path + "/owner.pid", encoding: .utf8),
                  let owner = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(owner, 0) != 0, errno == ESRCH else { continue }
            logger.info("removing abandoned throwaway postgres", metadata: ["dir": "\(path)"])
            destroy(directory: path, binaries: binaries)
        }
    }
}

public struct SandboxError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Every live throwaway server, stopped at process exit even when a test failed.
/// Its mutable fields are used only under `lock`: hence `@unchecked Sendable`.
final class ThrowawayRegistry: @unchecked Sendable {
    static let shared = ThrowawayRegistry()
    private let lock = NSLock()
    private var servers: [ObjectIdentifier: ThrowawayPostgres] = [:]
    private var installed = false

    func add(_ server: ThrowawayPostgres) {
        lock.lock()
        defer { lock.unlock() }
        servers[ObjectIdentifier(server)] = server
        if !installed {
            installed = true
            atexit { ThrowawayRegistry.shared.stopAll() }
        }
    }

    func remove(_ server: ThrowawayPostgres) {
        lock.lock()
        defer { lock.unlock() }
        servers[ObjectIdentifier(server)] = nil
    }

    func stopAll() {
        lock.lock()
        let all = Array(servers.values)
        lock.unlock()
        all.forEach { $0.stop() }
    }
}
