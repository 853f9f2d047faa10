import Exact

/// Why one spend row counted toward a subject's window or did not: what `explain` shows.
public enum RowVerdict: Equatable, Sendable {
    /// Counted: its qualifying amount, with tax and credit excluded.
    case counted(qualifying: Int64, tax: Int64, credit: Int64)
    /// In the window but not paid by the cutoff (or not paid yet, before the cutoff).
    case unpaid(qualifying: Int64)
    /// In the `window_days` before the window start.
    case beforeWindow(qualifying: Int64)
    /// At or after the window end.
    case afterWindow(qualifying: Int64)
    /// No window yet (no cash or no activation).
    case noWindow(qualifying: Int64)

    public static func classify(_ row: SpendRow, window: SpendWindow?, asOf: Instant) -> RowVerdict {
        guard let window else { return .noWindow(qualifying: row.qualifying) }
        if row.at < window.start { return .beforeWindow(qualifying: row.qualifying) }
        if row.at >= window.end { return .afterWindow(qualifying: row.qualifying) }
        if row.counts(cutoff: window.cutoff, asOf: asOf) {
            return .counted(qualifying: row.qualifying, tax: row.tax, credit: row.credit)
        }
        return .unpaid(qualifying: row.qualifying)
    }

    /// Plain words, amounts in the currency's major units.
    public func describe(_ currency: Currency, pastCutoff: Bool) -> String {
        switch self {
        case let .counted(qualifying, tax, credit):
            return "counted \(currency.format(qualifying)) (tax \(currency.format(tax)) and ad credit \(currency.format(credit)) excluded)"
        case let .unpaid(qualifying):
            return "not counted: \(currency.format(qualifying)) \(pastCutoff ? "was not paid by the cutoff" : "is not paid yet")"
        case let .beforeWindow(qualifying):
            return "not counted: \(currency.format(qualifying)) was spent before the window started"
        case let .afterWindow(qualifying):
            return "not counted: \(currency.format(qualifying)) was spent after the window ended"
        case let .noWindow(qualifying):
            return "not counted: \(currency.format(qualifying)) — the spend window has not started"
        }
    }
}

extension Explanation.Facts {
    /// The support sentence's facts straight from a decision.
    public init(_ d: Decision) {
        let grantedTier = d.status == .granted ? d.tier : nil
        self.init(status: d.status, reasons: d.reasons, waitingFor: d.waitingFor, currency: d.currency.code,
                  tier: grantedTier?.level, credit: grantedTier.map { d.currency.format($0.credit) },
                  qualifying: d.currency.format(d.spend.qualifying), nextTier: d.nextTier?.level,
                  nextThreshold: d.nextTier.map { d.currency.format($0.threshold) },
                  missingToNext: d.missingToNextTier.map { d.currency.format($0) }, windowEnd: d.window?.end,
                  reachedAt: d.reachedAt, dueBy: d.dueBy, expiresAt: d.expiresAt)
    }
}
