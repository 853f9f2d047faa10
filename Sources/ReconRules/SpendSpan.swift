import Exact

/// The half-open stretch of spend time `[from, until)` the rules can look at for one subject as
/// of an instant: P4's look-back before set-up, and the window together with the `window_days`
/// before it (the export's `excluded_before_window`). A row timed outside it changes no decision,
/// no amount and no `reached_at`, so the nightly read asks the database only for the rows inside
/// their account's span (docs/DECISIONS.md).
public struct SpendSpan: Sendable, Equatable {
    public var from: Instant
    public var until: Instant

    public init(from: Instant, until: Instant) {
        self.from = from
        self.until = until
    }

    public func contains(_ instant: Instant) -> Bool { from <= instant && instant < until }

    /// The smallest span covering both (what one account with several subjects is read over).
    public func hull(_ other: SpendSpan) -> SpendSpan {
        SpendSpan(from: min(from, other.from), until: max(until, other.until))
    }

    /// The hull of the non-empty spans of the two; nil when neither is one. (No array: this
    /// runs for every subject's span on every night.)
    public static func hull(_ a: SpendSpan?, _ b: SpendSpan?) -> SpendSpan? {
        let a = a.flatMap { $0.from < $0.until ? $0 : nil }
        let b = b.flatMap { $0.from < $0.until ? $0 : nil }
        guard let a else { return b }
        return b.map { a.hull($0) } ?? a
    }

    /// The hull of the non-empty spans given; nil when there is none.
    public static func hull<S: Sequence>(_ spans: S) -> SpendSpan? where S.Element == SpendSpan? {
        spans.reduce(nil as SpendSpan?) { sum, span in
            guard let span, span.from < span.until else { return sum }
            return sum.map { $0.hull(span) } ?? span
        }
    }
}

extension Evaluator {
    /// The span for an integration as of `asOf` (see `SpendSpan`): the look-back of a merchant
    /// whose account was not created via the integration, and the window once there is cash.
    /// Evaluations as of an earlier instant (`FinalDecision`) see the same window or none.
    public func spendSpan(integration: Integration, account: Account) -> SpendSpan? {
        var lookBack: SpendSpan?
        if !integration.accountCreatedViaIntegration {
            lookBack = SpendSpan(from: integration.setUpAt.adding(days: -program.lookbackDays), until: integration.setUpAt)
        }
        let window = account.firstCash(asOf: asOf).map { windowSpan(startingAt: max(integration.setUpAt, $0)) }
        return SpendSpan.hull(lookBack, window)
    }

    /// The span for a promo code as of `asOf`: its window once activated (C5), nothing before.
    public func spendSpan(code: PromoCode) -> SpendSpan? {
        SpendSpan.hull(code.activation(asOf: asOf).map { windowSpan(startingAt: $0.at) }, nil)
    }

    /// The window starting at `start` with the `window_days` before it.
    private func windowSpan(startingAt start: Instant) -> SpendSpan {
        let window = spendWindow(startingAt: start)
        return SpendSpan(from: window.start.adding(days: -program.windowDays), until: window.end)
    }
}
