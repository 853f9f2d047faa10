import Foundation
import Logging
import PGClient
import PostgresSandbox
import XCTest

/// A fresh, empty database on the suite's server (throwaway or SPEND_RECON_TEST_DB).
func freshDatabase(_ label: String = #function) throws -> (name: String, conninfo: String) {
    try DatabaseServer.forTests().createDatabase(label: label)
}

func quietLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}

func connect(_ conninfo: String) throws -> Connection {
    try Connection(conninfo: conninfo, logger: quietLogger())
}

/// Resident set size of this process in bytes, from /proc/self/status.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return digits * 1024
    }
    return 0
}
