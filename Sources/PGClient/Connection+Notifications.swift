import CLibPQ

extension Connection {
    /// A `NOTIFY` received on a channel this connection listens to.
    public struct Notification: Sendable, Equatable {
        public let channel: String
        public let payload: String
        public let senderPID: Int32
    }

    /// Starts listening on `channel` (quoted as an identifier, never spliced raw).
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try quoteIdentifier(channel))")
    }

    /// The notifications that have arrived so far, oldest first, without waiting for more.
    public func notifications() throws -> [Notification] {
        guard PQconsumeInput(handle) == 1 else { throw makeConnectionError(query: nil) }
        var received: [Notification] = []
        while let notice = PQnotifies(handle) {
            defer { PQfreemem(notice) }
            received.append(Notification(channel: String(cString: notice.pointee.relname),
                                         payload: String(cString: notice.pointee.extra),
                                         senderPID: notice.pointee.be_pid))
        }
        return received
    }
}
