import CLibPQ
import Logging

/// Routes server notices (RAISE NOTICE, warnings) to the connection's logger, with the
/// severity and SQLSTATE as metadata.
final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        func field(_ code: Int32) -> String {
            PQresultErrorField(result, code).map { String(cString: $0) } ?? ""
        }
        let severity = field(SR_PG_DIAG_SEVERITY)
        let level: Logger.Level = severity == "WARNING" ? .warning : .debug
        logger.log(level: level, "postgres notice", metadata: [
            "severity": "\(severity)",
            "sqlstate": "\(field(SR_PG_DIAG_SQLSTATE))",
            "notice": "\(field(SR_PG_DIAG_MESSAGE_PRIMARY))",
        ])
    }
}

/// libpq's notice callback: the context is the connection's `NoticeSink`, kept alive by it.
let noticeReceiver: PQnoticeReceiver = { context, result in
    guard let context, let result else { return }
    Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().receive(result)
}
