import Logging
@testable import SpendReconBench
import XCTest

/// The bench's `--huge-pages` (`HugePageReservation`): how many pages a server needs, reading
/// `/proc/meminfo`, and a reservation that is given back.
final class HugePageReservationTests: XCTestCase {
    func testPagesCoverTheSharedBuffersAndTheRestOfTheSharedMemory() {
        // 4 GB of buffers: 4,096 + 256 + 128 MB in 2 MB pages.
        XCTAssertEqual(HugePageReservation.pages(forSharedBuffersMB: 4096, pageKiB: 2048), 2240)
        // The bench's PostgreSQL 15 server maps 2,106 pages of 2 MB for 4 GB of buffers
        // (`SHOW shared_memory_size_in_huge_pages`): the reservation must not fall short of it.
        XCTAssertGreaterThanOrEqual(HugePageReservation.pages(forSharedBuffersMB: 4096, pageKiB: 2048), 2106)
        XCTAssertEqual(HugePageReservation.pages(forSharedBuffersMB: 128, pageKiB: 2048), 132) // 128 + 8 + 128 MB
        // Rounded up, and in 1 GB pages too.
        XCTAssertEqual(HugePageReservation.pages(forSharedBuffersMB: 4096, pageKiB: 1_048_576), 5)
        XCTAssertEqual(HugePageReservation.pages(forSharedBuffersMB: 1, pageKiB: 2048), 65)
    }

    func testMeminfoIsReadByName() {
        let text = """
            MemTotal:       24598364 kB
            HugePages_Total:    2200
            HugePages_Free:     2146
            HugePages_Rsvd:       12
            Hugepagesize:       2048 kB
            Broken line without a colon
            Empty:
            """
        let values = HugePageReservation.parseMeminfo(text)
        XCTAssertEqual(values["HugePages_Total"], 2200)
        XCTAssertEqual(values["HugePages_Free"], 2146)
        XCTAssertEqual(values["HugePages_Rsvd"], 12)
        XCTAssertEqual(values["Hugepagesize"], 2048)
        XCTAssertEqual(values["MemTotal"], 24_598_364)
        XCTAssertNil(values["Empty"])
    }

    /// Four free pages asked for: where the pool can be written, they are there until
    /// `release()`, and the pool is then as before; where it cannot, the error says why and the
    /// pool is untouched.
    /// Where the pool can be written (known before the test), four pages are reserved and given
    /// back; where it cannot, the reservation fails saying why and the pool is untouched.
    func testAReservationIsGivenBack() throws {
        let before = try HugePageReservation.readPool()
        if canReserveHugePages {
            let reservation = try HugePageReservation(pages: 4, logger: Logger(label: "test"))
            let info = try HugePageReservation.meminfo()
            XCTAssertGreaterThanOrEqual((info["HugePages_Free"] ?? 0) - (info["HugePages_Rsvd"] ?? 0), 4)
            XCTAssertGreaterThanOrEqual(reservation.pool, before)
            XCTAssertEqual(reservation.previousPool, before)
            reservation.release()
            reservation.release()
        } else {
            XCTAssertThrowsError(try HugePageReservation(pages: 4, logger: Logger(label: "test"))) { error in
                XCTAssertTrue("\(error)".contains("nr_hugepages"), "\(error)")
            }
        }
        XCTAssertEqual(try HugePageReservation.readPool(), before)
    }
}
