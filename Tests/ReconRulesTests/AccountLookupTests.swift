import Exact
import ReconRules
import XCTest

/// `AccountLookup` finds exactly the accounts a dictionary would, whether their ids lie close
/// together (indexed by an array once `shrinkToFit` ran) or far apart, before and after
/// `shrinkToFit`, with accounts added or replaced afterwards, in or out of the dense range.
final class AccountLookupTests: XCTestCase {
    func testItFindsWhatADictionaryWouldForCloseAndSparseIds() {
        var generator = SplitMix(seed: 15)
        let shapes: [(String, () -> Int64)] = [
            ("close together", { Int64.random(in: 100_000...160_000, using: &generator) }),
            ("sparse", { Int64.random(in: Int64.min...Int64.max, using: &generator) }),
            ("around zero", { Int64.random(in: -5_000...5_000, using: &generator) }),
            ("at the edges", { [Int64.min, Int64.min + 1, Int64.max, Int64.max - 1, 0][Int.random(in: 0..<5, using: &generator)] }),
        ]
        for (shape, nextID) in shapes {
            var lookup = AccountLookup()
            var reference: [Int64: String] = [:]
            func add(_ id: Int64) {
                let country = "C\(Int.random(in: 0..<1000, using: &generator))"
                lookup.add(Account(id: id, country: country, currency: usd, registeredAt: t("2025-01-01"), firstCashAt: nil))
                reference[id] = country
            }
            func check(_ stage: String) {
                XCTAssertEqual(lookup.count, reference.count, "\(shape), \(stage)")
                for (id, country) in reference {
                    XCTAssertEqual(lookup.account(id)?.country, country, "\(shape), \(stage): \(id)")
                    XCTAssertEqual(lookup.currency(of: id), usd, "\(shape), \(stage): \(id)")
                }
                for _ in 0..<2_000 {
                    let id = nextID()
                    XCTAssertEqual(lookup.account(id)?.country, reference[id], "\(shape), \(stage): probe \(id)")
                }
                for id in [Int64.min, -1, 0, 1, 99_999, 160_001, Int64.max] where reference[id] == nil {
                    XCTAssertNil(lookup.account(id), "\(shape), \(stage): \(id)")
                }
            }
            for _ in 0..<3_000 { add(nextID()) }
            check("before shrinkToFit")
            lookup.shrinkToFit()
            check("after shrinkToFit")
            // Added afterwards: new ids of the same shape, replaced ones, and far outside.
            for _ in 0..<500 { add(nextID()) }
            for id in reference.keys.prefix(200) { add(id) }
            for id in [Int64(-9_000_000_000), 9_000_000_000, 160_500] { add(id) }
            check("added after shrinkToFit")
        }
    }
}
