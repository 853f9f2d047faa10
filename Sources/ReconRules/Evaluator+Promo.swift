import Exact

extension Evaluator {
    /// Promo-code spend-match (C1–C5 with P3, P9, P11) for one code. `account` is the
    /// recipient's, `rows` its spend rows, `enrollments` its enrolments in other promotions.
    /// `subject` is the code's `Subject` when the caller has built it already.
    public func evaluate(code: PromoCode, account: Account, rows: [SpendRow], enrollments: [Enrollment],
                         ranking: PromoRanking, subject: Subject? = nil) throws(MoneyOverflow) -> Decision {
        let deadline = code.receivedAt.adding(days: program.activationDays ?? 0)
        let activation = code.activation(asOf: asOf)
        var base = baseDecision(subject ?? Subject(program: program, code: code), account: account)
        base.waitingFor = .activation
        base.rankedBehind = ranking.rankedBehind(code, asOf: asOf)

        // C1 while the deadline is open and nothing is activated: pending, nothing to judge yet.
        if activation == nil, asOf < deadline {
            return withoutWindow(base, waiting: .activation)
        }
        var reasons: [Reason] = []
        if let activation {
            if activation.at >= deadline { reasons.append(.codeNotActivatedInTime) }                  // C1
            if activation.by != code.recipientAccountID { reasons.append(.codeNotTransferable) }       // C2
        } else {
            reasons.append(.codeNotActivatedInTime)
        }
        if !program.markets.contains(account.country) { reasons.append(.marketNotEligible) }           // C3
        if !program.eligibleOrigins.contains(account.origin) { reasons.append(.accountOriginNotEligible) }
        reasons += standingReasons(account)                                                            // P3
        if activation != nil, (code.cashBalanceAtActivation?.coefficient ?? 0) <= 0 {
            reasons.append(.noCashBalance)
        }
        if !ranking.isFirstForActivator(code, asOf: asOf) { reasons.append(.accountAlreadyParticipated) }  // C4
        reasons += conflictReasons(enrollments)
        let (ladder, ladderReasons) = tierLadder(for: account)                                             // P9
        reasons += ladderReasons

        // C5: the window starts at the activation instant; earlier spend never counts.
        let window = activation.map { spendWindow(startingAt: $0.at) }
        return try conclude(base, reasons: reasons, window: window, ladder: ladder, rows: rows,
                            requiresCampaign: false, campaignAt: nil)
    }
}
