import Exact

/// Sums an account's spend rows over a window, tier by tier (P10, C5).
struct SpendLedger {
    var breakdown = SpendBreakdown()
    /// Each tier reached, lowest first, with the time of the row that carried the cumulative
    /// qualifying spend to its threshold.
    var reached: [TierReach] = []

    /// `rows` are the account's rows; only those at or before `asOf` exist. A row counts when it is
    /// inside the window and `SpendRow.counts` says so; amounts are checked for overflow.
    init(rows: [SpendRow], window: SpendWindow, windowDays: Int, ladder: [Tier], asOf: Instant) throws(MoneyOverflow) {
        let beforeStart = window.start.adding(days: -windowDays)
        // Summed in `SpendRow.chronological` order, so that each tier is reached at the row that
        // carried the sum over its threshold. The night hands each account's rows over in that
        // order already (sorted once per account, while a final decision evaluates the account
        // several times): then they are summed as they are, with no copy of the counted rows.
        let ordered = SpendRow.areChronological(rows) ? rows : rows.sorted(by: SpendRow.chronological)
        var cumulative: Int64 = 0
        var next = 0
        for row in ordered where row.at <= asOf {
            // The same verdict `explain` shows, so the two can never disagree.
            switch RowVerdict.classify(row, window: window, asOf: asOf) {
            case let .counted(_, tax, credit):
                cumulative = try cumulative.addingChecked(row.qualifying)
                while next < ladder.count, cumulative >= ladder[next].threshold {
                    reached.append(TierReach(tier: ladder[next], at: row.at))
                    next += 1
                }
                breakdown.excludedTax = try breakdown.excludedTax.addingChecked(tax)
                breakdown.excludedCredit = try breakdown.excludedCredit.addingChecked(credit)
            case let .unpaid(qualifying):
                breakdown.excludedUnpaid = try breakdown.excludedUnpaid.addingChecked(qualifying)
            case let .beforeWindow(qualifying) where row.at >= beforeStart:
                breakdown.excludedBeforeWindow = try breakdown.excludedBeforeWindow.addingChecked(qualifying)
            case .beforeWindow, .afterWindow, .noWindow:
                break
            }
        }
        breakdown.qualifying = cumulative
    }
}
