@testable import SpendReconBench
import XCTest

/// The bench's verdicts compare the exact ratio with the target: a ratio that only rounds to
/// its target is over it.
final class BenchRatioTests: XCTestCase {
    func testAVerdictIsExactAndTheRatioPrintsInThousandths() {
        XCTAssertEqual(Bench.verdict(1_080_000, 7_090_000, 15), "OVER", "0.1523 is over 0.15")
        XCTAssertEqual(Bench.verdict(1_050_000, 7_000_000, 15), "ok", "exactly 0.15")
        XCTAssertEqual(Bench.verdict(1_050_001, 7_000_000, 15), "OVER")
        XCTAssertEqual(Bench.verdict(1, 0, 15), "OVER", "no denominator, no verdict")
        XCTAssertEqual(Bench.thousandths(Bench.ratio(1_080_000, 7_090_000)), "0.152")
        XCTAssertEqual(Bench.thousandths(Bench.ratio(7_090_000, 3_380_000)), "2.098")
        var small = BenchResult(label: "fifth")
        small.firstRSSKiB = 100 * 1024
        var large = BenchResult(label: "full")
        (large.floorMicros, large.firstMicros, large.nextMicros) = (3_380_000, 7_090_000, 1_080_000)
        (large.firstRSSKiB, large.nextRSSKiB) = (135 * 1024, 75 * 1024)
        let text = Bench.ratios(small: small, large: large)
        XCTAssertTrue(text.contains("run / floor        2.098  (<= 1.50) OVER"), text)
        XCTAssertTrue(text.contains("next / first night 0.152  (<= 0.15) OVER"), text)
        XCTAssertTrue(text.contains("RSS full / fifth   1.350  (<= 1.25) OVER"), text)
        XCTAssertTrue(text.contains("peak RSS           135 MiB  (<= 200 MiB) ok"), text)
    }

    /// The counted figure is the median of the samples, never the best of them.
    func testTheCountedFigureIsTheMedian() {
        XCTAssertEqual(Bench.median([900, 700, 800]), 800)
        XCTAssertEqual(Bench.median([700, 1_900, 650]), 700)
        XCTAssertEqual(Bench.median([5]), 5)
        XCTAssertEqual(Bench.median([4, 1, 3, 2]), 2, "of an even count, the lower middle")
        XCTAssertEqual(Bench.median([]), 0)
    }
}
