import Foundation
import Logging

extension Connection {
    /// `count` connections to `conninfo`, opened at once and returned in order; the first error
    /// (in order) is thrown, and every connection opened is closed again then.
    ///
    /// Why: each connection costs a server process started and an authentication round trip, a
    /// few milliseconds each, and a nightly run opens four before its first query; a later
    /// night lasts less than a second.
    public static func open(_ count: Int, conninfo: String?, logger: Logger) throws -> [Connection] {
        let slots = OpenSlots(count: count)
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                slots.set(index, Result { try Connection(conninfo: conninfo, logger: logger) })
                group.leave()
            }
            thread.name = "spend-recon.connect.\(index)"
            thread.start()
        }
        group.wait()
        return try slots.results().map { try $0.get() }
    }
}

/// The connections' results, each written once by its own thread before the group is left.
private final class OpenSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Connection, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Connection, Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func results() -> [Result<Connection, Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(PostgresError(kind: .usage, message: "a connection was never opened")) }
    }
}
