import Foundation
@testable import ReconStore
import XCTest

/// `concurrently` runs the two loads of a night's start side by side; it must return both
/// results, surface either error, and never return while the background side still runs (it
/// may be using a connection).
final class ConcurrentlyTests: XCTestCase {
    struct Boom: Error, Equatable { let side: String }

    func testBothResultsComeBack() throws {
        let (a, b) = try concurrently({ (1...1000).reduce(0, +) }, { "foreground" })
        XCTAssertEqual(a, 500_500)
        XCTAssertEqual(b, "foreground")
    }

    func testABackgroundErrorIsThrown() {
        XCTAssertThrowsError(try concurrently({ () throws -> Int in throw Boom(side: "background") }, { 1 })) {
            XCTAssertEqual($0 as? Boom, Boom(side: "background"))
        }
    }

    func testAForegroundErrorWaitsForTheBackgroundToEnd() {
        let finished = ManagedFlag()
        XCTAssertThrowsError(try concurrently({ () -> Int in
            Thread.sleep(forTimeInterval: 0.2)
            finished.set()
            return 1
        }, { () throws -> Int in throw Boom(side: "foreground") })) {
            XCTAssertEqual($0 as? Boom, Boom(side: "foreground"))
        }
        XCTAssertTrue(finished.isSet, "returned while the background side was still running")
    }
}

private final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
