import Exact
import ReconRules

/// A subject of any program with what the rules need to evaluate it, and the one place that
/// enumerates subjects (with their P1/P6/C4 rankings) and dispatches to the right rules.
enum SubjectWork {
    case partner(Program, Integration, PartnerRanking)
    case promo(Program, PromoCode, PromoRanking)

    var program: Program {
        switch self {
        case let .partner(program, _, _), let .promo(program, _, _): return program
        }
    }

    var subjectKey: String {
        switch self {
        case let .partner(_, integration, _): return integration.subjectKey
        case let .promo(_, code, _): return code.subjectKey
        }
    }

    /// The account whose spend counts: the integration's, or the code's recipient's.
    var accountID: Int64 {
        switch self {
        case let .partner(_, integration, _): return integration.accountID
        case let .promo(_, code, _): return code.recipientAccountID
        }
    }

    /// Every subject of `programs` that `include` accepts, grouped by account. Rankings are built
    /// from all of a program's subjects, included or not.
    static func byAccount(programs: [Program], facts: Facts, asOf: Instant,
                          include: (SubjectWork) -> Bool) -> [Int64: [SubjectWork]] {
        var work: [Int64: [SubjectWork]] = [:]
        func add(_ item: SubjectWork) {
            if include(item) { work[item.accountID, default: []].append(item) }
        }
        for program in programs {
            switch program.kind {
            case .partnerSpendMatch:
                let integrations = facts.integrations.filter { program.partners.contains($0.partner) }
                let ranking = PartnerRanking(integrations: integrations, asOf: asOf)
                integrations.forEach { add(.partner(program, $0, ranking)) }
            case .promoCodeSpendMatch:
                let codes = facts.codes.filter { $0.programID == program.id }
                let ranking = PromoRanking(codes: codes, asOf: asOf)
                codes.forEach { add(.promo(program, $0, ranking)) }
            }
        }
        return work
    }

    /// The decision as of `asOf`; a final one as it stood at the earliest instant it was final
    /// (`FinalDecision`), so that it is the same whichever nights ran before.
    func evaluate(asOf: Instant, account: Account, rows: [SpendRow], enrollments: [Enrollment]) throws -> Decision {
        let decision = try evaluateOnce(asOf: asOf, account: account, rows: rows, enrollments: enrollments)
        guard decision.isFinal else { return decision }
        let (settling, reaching) = instants(decision, account: account, rows: rows)
        return try FinalDecision.earliest(decision, existsFrom: existsFrom, settling: settling, reaching: reaching) {
            try evaluateOnce(asOf: $0, account: account, rows: rows, enrollments: enrollments)
        }
    }

    /// From when the subject exists: an integration's set-up, a code's receipt.
    var existsFrom: Instant {
        switch self {
        case let .partner(_, integration, _): return integration.setUpAt
        case let .promo(_, code, _): return code.receivedAt
        }
    }

    /// The instants at which a final reason or a passed cutoff can start (`settling`), and those
    /// at which the top tier can first be reached or a grant unblocked (`reaching`): see
    /// `FinalDecision`.
    func instants(_ decision: Decision, account: Account, rows: [SpendRow]) -> (settling: [Instant], reaching: [Instant]) {
        var settling: [Instant] = [existsFrom]
        var reaching: [Instant] = []
        switch self {
        case let .partner(_, integration, _):
            if let campaign = integration.firstCampaignAt { reaching.append(campaign) }
        case let .promo(program, code, _):
            settling.append(code.receivedAt.adding(days: program.activationDays ?? 0))
            if let activated = code.activatedAt { settling.append(activated) }
        }
        if let window = decision.window { settling.append(window.cutoff) }
        if let cash = account.firstCashAt { reaching.append(cash) }
        for row in rows {
            reaching.append(row.at)
            if let paid = row.paidAt { reaching.append(paid) }
        }
        return (settling, reaching + settling)
    }

    func evaluateOnce(asOf: Instant, account: Account, rows: [SpendRow], enrollments: [Enrollment]) throws -> Decision {
        do {
            switch self {
            case let .partner(program, integration, ranking):
                return try Evaluator(program: program, asOf: asOf).evaluate(
                    integration: integration, account: account, rows: rows, enrollments: enrollments, ranking: ranking)
            case let .promo(program, code, ranking):
                return try Evaluator(program: program, asOf: asOf).evaluate(
                    code: code, account: account, rows: rows, enrollments: enrollments, ranking: ranking)
            }
        } catch {
            throw DataError("account \(account.id): spend sums overflow 64-bit minor units")
        }
    }
}
