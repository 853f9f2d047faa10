import Foundation
@testable import ReconStore
import XCTest

/// The bounded queue between threads (spend pieces to the evaluator, batches to the writers).
final class HandoffQueueTests: XCTestCase {
    func testElementsComeOutInOrderThenNil() throws {
        let queue = HandoffQueue<Int>(capacity: 200)
        for id in 0..<150 { try queue.put(id) }
        queue.finish()
        var ids: [Int] = []
        while let next = try queue.take() { ids.append(next) }
        XCTAssertEqual(ids, Array(0..<150))
    }

    func testAProducerErrorReachesTheTaker() throws {
        struct Broken: Error {}
        let queue = HandoffQueue<Int>(capacity: 2)
        try queue.put(1)
        queue.finish(Broken())
        XCTAssertThrowsError(try queue.take()) { XCTAssertTrue($0 is Broken) }
    }

    func testCancelWakesAWaitingPutWithCancelled() throws {
        let queue = HandoffQueue<Int>(capacity: 1)
        try queue.put(1)
        let thrown = expectation(description: "the blocked put throws")
        let thread = Thread {
            do { try queue.put(2) } catch is HandoffQueue<Int>.Cancelled { thrown.fulfill() } catch {}
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.05)
        queue.cancel()
        wait(for: [thrown], timeout: 5)
        XCTAssertThrowsError(try queue.put(3)) { XCTAssertTrue($0 is HandoffQueue<Int>.Cancelled) }
        XCTAssertNil(try queue.take(), "a cancelled queue hands out nothing")
    }

    func testAConsumersErrorStopsTheProducer() throws {
        struct WriteFailed: Error {}
        let queue = HandoffQueue<Int>(capacity: 4)
        try queue.put(1)
        queue.cancel(WriteFailed())
        XCTAssertThrowsError(try queue.put(2)) { XCTAssertTrue($0 is WriteFailed) }
    }

    func testAFullQueueWaitsForTheTaker() throws {
        let queue = HandoffQueue<Int>(capacity: 1)
        try queue.put(1)
        let putDone = expectation(description: "the second put returns once the first element is taken")
        let thread = Thread {
            try? queue.put(2)
            putDone.fulfill()
        }
        thread.start()
        XCTAssertEqual(try queue.take(), 1)
        wait(for: [putDone], timeout: 5)
        XCTAssertEqual(try queue.take(), 2)
    }
}
