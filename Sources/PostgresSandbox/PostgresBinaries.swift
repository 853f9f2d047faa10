import Foundation

/// Where `initdb` and `pg_ctl` are: on PATH, else the newest `/usr/lib/postgresql/*/bin`.
public struct PostgresBinaries: Sendable {
    public let initdb: String
    public let pgCtl: String

    public static func locate() throws -> PostgresBinaries {
        let fileManager = FileManager.default
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = ((try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        candidates += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        for directory in candidates {
            let initdb = directory + "/initdb"
            let pgCtl = directory + "/pg_ctl"
            if fileManager.isExecutableFile(atPath: initdb), fileManager.isExecutableFile(atPath: pgCtl) {
                return PostgresBinaries(initdb: initdb, pgCtl: pgCtl)
            }
        }
        throw SandboxError("initdb and pg_ctl not found on PATH or under /usr/lib/postgresql/*/bin; install the postgresql package")
    }
}

/// Runs the server binaries as `postgres` when we are root (PostgreSQL refuses to run as root),
/// as ourselves otherwise.
struct ServerUser {
    let asPostgres: Bool

    static func current() -> ServerUser { ServerUser(asPostgres: geteuid() == 0) }

    func chown(_ path: String) throws {
        guard asPostgres else { return }
        guard let entry = getpwnam("postgres") else {
            throw SandboxError("running as root but there is no postgres user to run the server as")
        }
        guard Foundation.chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw SandboxError("could not hand \(path) to the postgres user")
        }
    }

    func run(_ executable: String, _ arguments: [String], log: String?) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        let status: Int32
        if asPostgres {
            status = try Subprocess.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments,
                                        log: log, environment: environment)
        } else {
            status = try Subprocess.run(executable, arguments, log: log, environment: environment)
        }
        guard status == 0 else {
            let tail = log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map { String($0.suffix(2000)) } ?? ""
            throw SandboxError("\((executable as NSString).lastPathComponent) exited with \(status): \(tail)")
        }
    }
}

/// A TCP port number nobody is listening on right now (bind to port 0 and read it back).
/// The server listens only on a unix socket, whose file name carries this number.
enum FreePort {
    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SandboxError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SandboxError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw SandboxError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
