import Exact
import ReconRules
import XCTest

/// `SpendRow.inChronologicalOrder` must give exactly what a sort gives, whatever the order the
/// rows come in: one run, two runs (an account's bills, then its top-ups), or more.
final class SpendRowOrderTests: XCTestCase {
    func testRowsInAnyOrderComeOutAsASortPutsThem() {
        var random = SplitMix(seed: 23)
        var shapes = [0, 0, 0, 0]   // already ordered, two runs, more runs, empty or single
        for _ in 0..<4000 {
            let bills = runOfRows(&random, source: .bill, count: random.below(12))
            let topups = runOfRows(&random, source: .topup, count: random.below(12))
            var rows: [SpendRow]
            switch random.below(4) {
            case 0: rows = bills + topups
            case 1: rows = topups + bills
            case 2: rows = (bills + topups).sorted(by: SpendRow.chronological)
            default: rows = (bills + topups).shuffled(using: &random)
            }
            let expected = rows.sorted(by: SpendRow.chronological)
            XCTAssertEqual(SpendRow.inChronologicalOrder(rows), expected)
            XCTAssertEqual(SpendRow.areChronological(rows), rows == expected)
            if rows.count < 2 { shapes[3] += 1 } else {
                let breaks = zip(rows.dropFirst(), rows).filter { SpendRow.chronological($0, $1) }.count
                shapes[min(breaks, 2)] += 1
            }
        }
        XCTAssertTrue(shapes.allSatisfy { $0 > 40 }, "every shape must be tried: \(shapes)")
    }

    func testEqualTimesAreOrderedBillFirstThenById() {
        let at = t("2026-01-05T10:00:00Z")
        let bills = [SpendRow(source: .bill, id: 9, accountID: 1, at: at, amount: 1),
                     SpendRow(source: .bill, id: 3, accountID: 1, at: at.adding(seconds: 5), amount: 1)]
        let topups = [SpendRow(source: .topup, id: 1, accountID: 1, at: at, amount: 1)]
        XCTAssertEqual(SpendRow.inChronologicalOrder(topups + bills).map(\.id), [9, 1, 3])
        // Equal times out of id order within the bills make a third run: sorted all the same.
        let tied = [SpendRow(source: .bill, id: 8, accountID: 1, at: at, amount: 1),
                    SpendRow(source: .bill, id: 2, accountID: 1, at: at, amount: 1)]
        XCTAssertEqual(SpendRow.inChronologicalOrder(tied + topups).map(\.id), [2, 8, 1])
        XCTAssertEqual(SpendRow.inChronologicalOrder([]), [])
    }

    /// `count` rows of one source in time order (some at equal times, ids in order), as one
    /// table's index hands an account's rows over.
    private func runOfRows(_ random: inout SplitMix, source: SpendRow.Source, count: Int) -> [SpendRow] {
        var at = t("2026-01-01T00:00:00Z").adding(seconds: Int64(random.below(3600)))
        var id = Int64(random.below(50))
        return (0..<count).map { _ in
            if random.below(4) != 0 { at = at.adding(seconds: Int64(random.below(7200))) }
            id += Int64(1 + random.below(5))
            return SpendRow(source: source, id: id, accountID: 1, at: at, amount: Int64(random.below(10_000)))
        }
    }
}

extension SplitMix: RandomNumberGenerator {}
