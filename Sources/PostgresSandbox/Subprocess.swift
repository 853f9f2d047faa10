import Foundation

/// Runs programs with `posix_spawn` and a blocking `waitpid`, output going to files.
/// Foundation's `Process` is avoided on purpose: waiting through its child monitoring was seen to
/// never return here once `pg_ctl start` had left a daemon behind.
public enum Subprocess {
    /// Starts `executable` and returns its pid without waiting.
    public static func spawn(_ executable: String, _ arguments: [String], stdout: String?, stderr: String?,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let stderr, stderr != stdout {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in
                posix_spawn(&pid, executable, &actions, nil, argvPointers, envPointers)
            }
        }
        guard spawned == 0 else {
            throw SandboxError("could not start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits for `pid`; returns its exit code, or 128 + signal when a signal ended it.
    public static func wait(_ pid: pid_t) throws -> Int32 {
        try waitWithUsage(pid).code
    }

    /// Waits for `pid`; returns its exit code and its peak resident set size in KiB (the
    /// kernel's `ru_maxrss` for that child alone).
    public static func waitWithUsage(_ pid: pid_t) throws -> (code: Int32, peakRSSKiB: Int) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 {
            guard errno == EINTR else { throw SandboxError("waitpid failed") }
        }
        // WIFEXITED / WEXITSTATUS spelled out: Swift does not import the macros.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, Int(usage.ru_maxrss))
    }

    /// Runs to completion, stdout and stderr both into `log` (or nowhere).
    public static func run(_ executable: String, _ arguments: [String], log: String?,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int32 {
        try wait(try spawn(executable, arguments, stdout: log, stderr: log, environment: environment))
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
