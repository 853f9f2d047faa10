import Foundation

/// One dataset's measurements. Each time is measured `Bench.rounds` times and its median
/// counted; every sample is kept to be printed.
struct BenchResult {
    var label: String
    var spendRows = 0
    var subjects = 0
    var loadMicros: Int64 = 0
    var floorSamples: [Int64] = []
    var firstSamples: [Int64] = []
    var nextSamples: [Int64] = []
    var floorMicros: Int64 = 0
    var firstMicros: Int64 = 0
    /// The first night's warm-up run, on caches as the load and the floor left them.
    var firstColdMicros: Int64 = 0
    var nextMicros: Int64 = 0
    /// `spend-recon simulate` of the partner program (both sides) after each first night: a
    /// ladder change, and the same with a 45-day window.
    var simulateSamples: [Int64] = []
    var simulateMicros: Int64 = 0
    var simulateWindowSamples: [Int64] = []
    var simulateWindowMicros: Int64 = 0
    var simulateRSSKiB = 0
    /// The settlement stage's own time in each first and next night (from the run summary).
    var firstSettleSamples: [Int64] = []
    var nextSettleSamples: [Int64] = []
    var firstSettleMicros: Int64 = 0
    /// The first night's handover (outbox entries and first settlements inside the write
    /// transactions), and the writers' whole time, summed over the writer connections.
    var firstHandoverSamples: [Int64] = []
    var firstHandoverMicros: Int64 = 0
    var firstWriteSamples: [Int64] = []
    var firstWriteMicros: Int64 = 0
    var nextSettleMicros: Int64 = 0
    /// The night after the crediting system applied nine in ten of the first night's credits
    /// at once (a backlog, once); the whole night and its settlement stage.
    var backlogSamples: [Int64] = []
    var backlogSettleSamples: [Int64] = []
    var backlogMicros: Int64 = 0
    var backlogSettleMicros: Int64 = 0
    /// The night after that: an ordinary day of crediting (300 applications), no new spend; the
    /// whole night and its settlement stage.
    var laterSamples: [Int64] = []
    var laterSettleSamples: [Int64] = []
    var laterMicros: Int64 = 0
    var laterSettleMicros: Int64 = 0
    /// `spend-recon report` once, after the last night.
    var reportMicros: Int64 = 0
    var reportRSSKiB = 0
    /// The highest of the rounds.
    var firstRSSKiB = 0
    var nextRSSKiB = 0
    var granted = 0
    var nextEvaluated = 0
    /// The maintenance autovacuum would do after the first night (`VACUUM ANALYZE` of the
    /// tables it wrote, `ANALYZE` of the day's billing rows), run by the bench between the nights
    /// (the median of the rounds).
    var maintenanceMicros: Int64 = 0
    /// Pages of the bills and of the top-ups marked all-visible after the load, per mille.
    var allVisiblePerMille: (bills: Int64, topups: Int64) = (0, 0)
    /// Pages of `recon.subject_status` marked all-visible before each next night, per mille
    /// (the lowest of the rounds).
    var decisionsVisiblePerMille: Int64 = 1000
}
