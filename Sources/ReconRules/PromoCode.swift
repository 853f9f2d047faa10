import Exact

/// `billing.promo_codes`, validated: one promo subject per code.
public struct PromoCode: Sendable, Equatable {
    public var code: String
    public var programID: String
    public var recipientAccountID: Int64
    public var receivedAt: Instant
    public var activatedByAccountID: Int64?
    public var activatedAt: Instant?
    /// Only its sign matters (C3: a positive cash balance at activation).
    public var cashBalanceAtActivation: ExactDecimal?

    public init(code: String, programID: String, recipientAccountID: Int64, receivedAt: Instant,
                activatedByAccountID: Int64?, activatedAt: Instant?, cashBalanceAtActivation: ExactDecimal?) {
        self.code = code
        self.programID = programID
        self.recipientAccountID = recipientAccountID
        self.receivedAt = receivedAt
        self.activatedByAccountID = activatedByAccountID
        self.activatedAt = activatedAt
        self.cashBalanceAtActivation = cashBalanceAtActivation
    }

    public var subjectKey: String { "code:\(code)" }

    /// The activation as of `asOf`: a later activation has not happened yet.
    public func activation(asOf: Instant) -> (at: Instant, by: Int64)? {
        guard let at = activatedAt, at <= asOf, let by = activatedByAccountID else { return nil }
        return (at, by)
    }

    var rank: RankKey? {
        activatedAt.map { RankKey(at: $0, tieBreak: code, numericTieBreak: 0) }
    }
}
