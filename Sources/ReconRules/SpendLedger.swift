import Exact

/// Sums an account's spend rows over a window, tier by tier (P10, C5).
struct SpendLedger {
    var breakdown = SpendBreakdown()
    /// Each tier reached, lowest first, with the time of the row that carried the cumulative
    /// qualifying spend to its threshold.
    var reached: [(tier: Tier, at: Instant)] = []

    /// `rows` are the account's rows; only those at or before `asOf` exist. A row counts when it is
    /// inside the window and `SpendRow.counts` says so; amounts are checked for overflow.
    init(rows: [SpendRow], window: SpendWindow, windowDays: Int, ladder: [Tier], asOf: Instant) throws(MoneyOverflow) {
        let beforeStart = window.start.adding(days: -windowDays)
        var counted: [SpendRow] = []
        for row in rows where row.at <= asOf {
            // The same verdict `explain` shows, so the two can never disagree.
            switch RowVerdict.classify(row, window: window, asOf: asOf) {
            case let .counted(_, tax, credit):
                counted.append(row)
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
        counted.sort(by: SpendRow.chronological)
        var cumulative: Int64 = 0
        var next = 0
        for row in counted {
            cumulative = try cumulative.addingChecked(row.qualifying)
            while next < ladder.count, cumulative >= ladder[next].threshold {
                reached.append((ladder[next], row.at))
                next += 1
            }
        }
        breakdown.qualifying = cumulative
    }
}
