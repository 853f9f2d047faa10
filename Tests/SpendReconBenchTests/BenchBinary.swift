import Foundation
import PostgresSandbox

/// Runs the built `spend-recon-bench` (next to the test bundle, as `spend-recon` is) to
/// completion; returns exit code, stdout and stderr.
func runBench(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let base = NSTemporaryDirectory() + "sr-bench-\(getpid())-\(UUID().uuidString)"
    defer { unlink(base + ".out"); unlink(base + ".err") }
    let pid = try Subprocess.spawn(directory.appendingPathComponent("spend-recon-bench").path, arguments,
                                   stdout: base + ".out", stderr: base + ".err", environment: ProcessInfo.processInfo.environment)
    let code = try Subprocess.wait(pid)
    return (code, (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
}

/// Whether this process may write the kernel's huge page pool (root, a writable /proc/sys):
/// decided before a test runs, so the test expects exactly one outcome.
var canReserveHugePages: Bool {
    geteuid() == 0 && access("/proc/sys/vm/nr_hugepages", W_OK) == 0
}
