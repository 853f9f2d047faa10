import Exact

extension Evaluator {
    /// Partner spend-match (P1–P11) for one integration. `rows` are the account's spend rows,
    /// `enrollments` its enrolments in other promotions. `subject` is the integration's `Subject`
    /// when the caller has built it already (a final decision's search evaluates one subject
    /// several times).
    public func evaluate(integration: Integration, account: Account, rows: [SpendRow], enrollments: [Enrollment],
                         ranking: PartnerRanking, subject: Subject? = nil) throws(MoneyOverflow) -> Decision {
        var reasons: [Reason] = []
        if !ranking.isFirstForMerchant(integration) { reasons.append(.merchantAlreadyParticipated) }      // P1
        if !program.markets.contains(integration.storeCountry) || !program.markets.contains(account.country) {
            reasons.append(.marketNotEligible)                                                          // P2
        }
        if !program.eligibleOrigins.contains(account.origin) { reasons.append(.accountOriginNotEligible) }
        reasons += standingReasons(account)                                                             // P3
        if !integration.accountCreatedViaIntegration {                                                  // P4
            let from = integration.setUpAt.adding(days: -program.lookbackDays)
            if rows.contains(where: { $0.at <= asOf && from <= $0.at && $0.at < integration.setUpAt }) {
                reasons.append(.recentSpend)
            }
        }
        if let from = program.enrollFrom, integration.setUpAt < from { reasons.append(.outsideProgramPeriod) }   // P5
        if let until = program.enrollUntil, integration.setUpAt >= until { reasons.append(.outsideProgramPeriod) }
        if !ranking.isFirstForAccount(integration) { reasons.append(.accountAlreadyParticipated) }      // P6
        reasons += conflictReasons(enrollments)
        let (ladder, ladderReasons) = tierLadder(for: account)                                              // P9
        reasons += ladderReasons

        // P8: the window starts at the later of set-up and first cash; no cash yet, no window.
        let window = account.firstCash(asOf: asOf).map { spendWindow(startingAt: max(integration.setUpAt, $0)) }
        var base = baseDecision(subject ?? Subject(program: program, integration: integration), account: account)
        base.waitingFor = .cash
        base.rankedBehind = ranking.rankedBehind(integration)
        let campaign = integration.firstCampaignAt.flatMap { $0 <= asOf ? $0 : nil }                 // P7
        return try conclude(base, reasons: reasons, window: window, ladder: ladder, rows: rows,
                            requiresCampaign: true, campaignAt: campaign)
    }
}
