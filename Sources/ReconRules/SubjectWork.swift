import Exact

/// A subject of any program with what the rules need to evaluate it, and the one place that
/// dispatches to the right rules (`SubjectsByAccount+Plan` enumerates the subjects).
///
/// The program and its ranking are shared by every subject of the program through one
/// reference (`ProgramContext`), so a subject costs its integration or code and a pointer: at a
/// platform's 200,000 integrations this is what the job's memory is made of.
public enum SubjectWork {
    case partner(ProgramContext<PartnerRanking>, Integration)
    case promo(ProgramContext<PromoRanking>, PromoCode)

    /// A program and its ranking, shared by all of its subjects.
    public final class ProgramContext<Ranking> {
        public let program: Program
        let ranking: Ranking

        init(program: Program, ranking: Ranking) {
            self.program = program
            self.ranking = ranking
        }
    }

    public var program: Program {
        switch self {
        case let .partner(context, _): return context.program
        case let .promo(context, _): return context.program
        }
    }

    /// The program's id, without copying the program.
    public var programID: String {
        switch self {
        case let .partner(context, _): return context.program.id
        case let .promo(context, _): return context.program.id
        }
    }

    /// Who the decisions are about.
    public var subject: Subject {
        switch self {
        case let .partner(context, integration): return Subject(program: context.program, integration: integration)
        case let .promo(context, code): return Subject(program: context.program, code: code)
        }
    }

    public var subjectKey: String {
        switch self {
        case let .partner(_, integration): return integration.subjectKey
        case let .promo(_, code): return code.subjectKey
        }
    }

    /// The account whose spend counts: the integration's, or the code's recipient's.
    public var accountID: Int64 {
        switch self {
        case let .partner(_, integration): return integration.accountID
        case let .promo(_, code): return code.recipientAccountID
        }
    }

    /// The decision as of `asOf`; a final one as it stood at the earliest instant it was final
    /// (`FinalDecision`), so that it is the same whichever nights ran before.
    /// `standingObserved`: an earlier night saw this subject with the account in good standing,
    /// so instants before tonight are judged in good standing (`Account.inGoodStanding`); asked
    /// only of a decision that is searched.
    public func evaluate(asOf: Instant, account: Account, rows: [SpendRow], enrollments: [Enrollment],
                  standingObserved: () -> Bool = { false }) throws -> Decision {
        let subject = self.subject
        let decision = try evaluateOnce(asOf: asOf, account: account, rows: rows, enrollments: enrollments, subject: subject)
        guard FinalDecision.mayHaveBeenFinalEarlier(decision) else { return decision }
        let observed = standingObserved()
        var blockedFrom: Instant?
        if !decision.isFinal {
            // Ineligible tonight for reasons that come and go: an earlier instant can have granted
            // only if those reasons did not hold then. Standing has no time of its own: unless an
            // earlier night saw it good, it held at every instant, and there is nothing to find.
            if decision.reasons.contains(where: \.isStanding), !observed { return decision }
            blockedFrom = Evaluator(program: program, asOf: asOf).conflictingSince(enrollments)
        }
        let (settling, reaching) = instants(decision, account: account, rows: rows)
        let earlier = observed ? account.inGoodStanding : account
        return try FinalDecision.earliest(decision, existsFrom: existsFrom, settling: settling, reaching: reaching,
                                          blockedFrom: blockedFrom) {
            try evaluateOnce(asOf: $0, account: earlier, rows: rows, enrollments: enrollments, subject: subject)
        }
    }

    /// The stretch of spend time this subject's rules can look at as of `asOf` (`SpendSpan`).
    public func spendSpan(asOf: Instant, account: Account) -> SpendSpan? {
        switch self {
        case let .partner(context, integration):
            return Evaluator(program: context.program, asOf: asOf).spendSpan(integration: integration, account: account)
        case let .promo(context, code):
            return Evaluator(program: context.program, asOf: asOf).spendSpan(code: code)
        }
    }

    /// From when the subject exists: an integration's set-up, a code's receipt.
    public var existsFrom: Instant {
        switch self {
        case let .partner(_, integration): return integration.setUpAt
        case let .promo(_, code): return code.receivedAt
        }
    }

    /// The instants at which a final reason or a passed cutoff can start (`settling`), and those
    /// at which the top tier can first be reached or a grant unblocked (`reaching`): see
    /// `FinalDecision`.
    func instants(_ decision: Decision, account: Account, rows: [SpendRow]) -> (settling: [Instant], reaching: [Instant]) {
        var settling: [Instant] = [existsFrom]
        var reaching: [Instant] = []
        switch self {
        case let .partner(_, integration):
            if let campaign = integration.firstCampaignAt { reaching.append(campaign) }
        case let .promo(context, code):
            settling.append(code.receivedAt.adding(days: context.program.activationDays ?? 0))
            if let activated = code.activatedAt { settling.append(activated) }
        }
        if let window = decision.window { settling.append(window.cutoff) }
        if let expiry = program.creditExpiresAt { settling.append(expiry) }
        if let cash = account.firstCashAt { reaching.append(cash) }
        for row in rows {
            reaching.append(row.at)
            if let paid = row.paidAt { reaching.append(paid) }
        }
        return (settling, reaching + settling)
    }

    func evaluateOnce(asOf: Instant, account: Account, rows: [SpendRow], enrollments: [Enrollment],
                      subject: Subject? = nil) throws -> Decision {
        do {
            switch self {
            case let .partner(context, integration):
                return try Evaluator(program: context.program, asOf: asOf).evaluate(
                    integration: integration, account: account, rows: rows, enrollments: enrollments, ranking: context.ranking,
                    subject: subject)
            case let .promo(context, code):
                return try Evaluator(program: context.program, asOf: asOf).evaluate(
                    code: code, account: account, rows: rows, enrollments: enrollments, ranking: context.ranking,
                    subject: subject)
            }
        } catch {
            throw DataError("account \(account.id): spend sums overflow 64-bit minor units")
        }
    }
}
