/// SplitMix64: a small, fast, well-mixed generator whose whole state is one integer, so a
/// sample is reproducible from its seed on every platform (Swift's system generator is not).
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one entity of one stream, independent of every other entity, so any
    /// table can be generated in its own pass without replaying the others.
    public init(seed: UInt64, stream: UInt64, index: Int) {
        var mixer = SeededRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next() ^ UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`.
    public mutating func int(_ range: Range<Int64>) -> Int64 {
        Int64.random(in: range, using: &self)
    }

    public mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        Int64.random(in: range, using: &self)
    }

    /// True with probability `perMille`/1000.
    public mutating func chance(perMille: Int64) -> Bool {
        int(0..<1000) < perMille
    }

    /// One of `choices`, each with its integer weight.
    public mutating func pick<T>(_ choices: [(T, Int64)]) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var roll = int(0..<total)
        for (value, weight) in choices {
            if roll < weight { return value }
            roll -= weight
        }
        return choices[choices.count - 1].0
    }

    /// A binomial(n, 1/2) draw: the bell shape used for the log-normal spend ladder.
    public mutating func binomialHalf(_ n: Int) -> Int {
        (0..<n).reduce(0) { count, _ in count + Int(next() & 1) }
    }
}
