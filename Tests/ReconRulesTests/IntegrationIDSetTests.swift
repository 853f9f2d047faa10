import ReconRules
import XCTest

/// The integration-id set answers as a hash set would, whether its ids are dense (bits) or
/// sparse (a hash set), in any order, at the edges of `Int64`, and across the switch.
final class IntegrationIDSetTests: XCTestCase {
    func testItAgreesWithAHashSetWhateverTheIds() {
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var rng = SplitMix(seed: seed)
        let edges: [Int64] = [.min, .min + 1, .min + 63, .max, .max - 1, .max - 64, 0, -1, 63, 64]
        func draw(_ shape: String, _ rng: inout SplitMix) -> Int64 {
            switch shape {
            case "dense, shuffled": return 100_000 + Int64(rng.next() % 50_000)
            case "negative and dense": return -5_000 + Int64(rng.next() % 10_000)
            case "sparse": return Int64(bitPattern: rng.next())
            case "edges": return edges[Int(rng.next() % UInt64(edges.count))]
            case "dense then far":
                if rng.next() % 20 == 0 { return Int64(bitPattern: rng.next()) }
                return Int64(rng.next() % 3_000)
            default: return 0
            }
        }
        let shapes = ["in sequence", "dense, shuffled", "negative and dense", "sparse", "edges", "dense then far"]
        for name in shapes {
            var ids = IntegrationIDSet()
            var reference = Set<Int64>()
            var next: Int64 = 200_000
            for _ in 0..<5_000 {
                var id = draw(name, &rng)
                if name == "in sequence" { id = next; next += 1 }
                XCTAssertEqual(ids.insert(id), reference.insert(id).inserted, "\(name) seed \(seed) insert \(id)")
            }
            XCTAssertEqual(ids.count, reference.count, "\(name) seed \(seed)")
            for id in reference { XCTAssertTrue(ids.contains(id), "\(name) seed \(seed) \(id)") }
            for _ in 0..<5_000 {
                let probe = draw(name, &rng) &+ (Int64(rng.next() % 3) - 1)
                XCTAssertEqual(ids.contains(probe), reference.contains(probe), "\(name) seed \(seed) probe \(probe)")
            }
            for probe in [Int64.min, .max, 0, -1] {
                XCTAssertEqual(ids.contains(probe), reference.contains(probe), "\(name) seed \(seed) probe \(probe)")
            }
        }
    }
}
