import Dispatch
import Foundation
import ReconStore

/// Turns SIGTERM (systemd's stop, a timeout) and SIGINT (Ctrl-C) into a `StopRequest` that a
/// run, rerun or audit reads at its batch boundaries, so a stopped night leaves whole batches
/// and a `cancelled` record (SPEC section 7). A second signal ends the process at once, with the
/// same exit code, for a night stuck in a long statement.
enum SignalStop {
    /// The request the handlers set; installed on first use.
    static var request: StopRequest {
        installLock.withLock {
            if let installed { return installed.request }
            let request = StopRequest()
            let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if request.requested != nil { _exit(128 + number) }
                    request.request(signal: number)
                }
                source.resume()
                return source
            }
            installed = (request, sources)
            return request
        }
    }

    private static let installLock = NSLock()
    /// Written once under `installLock`; the sources must live as long as the process.
    nonisolated(unsafe) private static var installed: (request: StopRequest, sources: [DispatchSourceSignal])?
}
