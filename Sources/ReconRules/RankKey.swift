import Exact

/// "The earliest (time, id) wins" ordering used by P1, P6 and C4.
struct RankKey: Comparable, Hashable, Sendable {
    let at: Instant
    let tieBreak: String
    let numericTieBreak: Int64

    static func < (a: RankKey, b: RankKey) -> Bool {
        if a.at != b.at { return a.at < b.at }
        if a.numericTieBreak != b.numericTieBreak { return a.numericTieBreak < b.numericTieBreak }
        return a.tieBreak < b.tieBreak
    }
}
