import PGClient

/// One run at a time: a session advisory lock held for the whole run.
public struct RunLock {
    /// The advisory lock key: the first 8 bytes of "spendrec" read as a big-endian integer.
    public static let key: Int64 = 0x7370_656E_6472_6563

    /// Another session holds the lock: who, and since when.
    public struct Held: Error, CustomStringConvertible {
        public let holders: [(pid: Int64, application: String, since: String?)]
        public let runningRun: (runID: Int64, host: String, pid: Int64, startedAt: String)?

        public var description: String {
            var parts: [String] = []
            if let run = runningRun {
                parts.append("run \(run.runID) on host \(run.host) pid \(run.pid), started \(run.startedAt)")
            }
            for holder in holders {
                parts.append("backend pid \(holder.pid) (\(holder.application)) connected since \(holder.since ?? "?")")
            }
            return parts.isEmpty ? "lock held by another session" : parts.joined(separator: "; ")
        }
    }

    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Takes the lock or throws `Held` saying who has it.
    public func acquire() throws {
        guard try connection.tryAdvisoryLock(Self.key) else {
            let holders = try connection.advisoryLockHolders(Self.key)
            let running = try connection.execute("""
                SELECT run_id, coalesce(host, ''), coalesce(pid, 0)::bigint, started_at::text
                FROM recon.runs WHERE status = 'running' ORDER BY run_id DESC LIMIT 1
                """).rows.first.map {
                (try $0.decode(0, as: Int64.self), try $0.decode(1, as: String.self),
                 try $0.decode(2, as: Int64.self), try $0.decode(3, as: String.self))
            }
            throw Held(holders: holders, runningRun: running)
        }
    }

    public func release() {
        try? connection.advisoryUnlock(Self.key)
    }
}
