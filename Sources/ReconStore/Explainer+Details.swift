import Exact
import ReconRules

/// What `explain` adds to a decision's sentence so it answers the ticket by itself: the dates,
/// the integration or code that took the once-only credit, the conflicting promotion, the
/// market and currency, the spend before set-up. Read from the same facts the decision used.
extension Explainer {
    struct DetailFacts {
        var work: SubjectWork
        var account: Account
        var facts: Facts
        var held: HeldGrants
        var enrollments: [Enrollment]
    }

    static func details(_ d: Decision, _ f: DetailFacts) -> [String] {
        let program = f.work.program
        let markets = program.markets.sorted().joined(separator: ", ")
        var lines: [String] = []
        for reason in d.reasons {
            switch (reason, f.work) {
            case let (.merchantAlreadyParticipated, .partner(_, integration)):
                if let holder = f.held.holder(partner: integration.partner, merchantID: integration.merchantID), holder != integration.id {
                    lines.append("Integration \(holder) of the same merchant (\(integration.subjectName)) already holds this program's credit.")
                } else if let first = earliest(f.facts.integrations, program: program, before: integration, where: {
                    $0.partner == integration.partner && $0.merchantID == integration.merchantID
                }) {
                    lines.append("Integration \(first.id) of the same merchant was set up first, on \(day(first.setUpAt)).")
                }
            case let (.accountAlreadyParticipated, .partner(_, integration)):
                if let holder = f.held.integrationHolder(account: integration.accountID), holder != integration.id {
                    lines.append("Integration \(holder) of the same ad account already holds this program's credit.")
                } else if let first = earliest(f.facts.integrations, program: program, before: integration, where: {
                    $0.accountID == integration.accountID
                }) {
                    lines.append("Integration \(first.id) (\(first.subjectName)) of the same ad account was set up first, on \(day(first.setUpAt)).")
                }
            case let (.accountAlreadyParticipated, .promo(_, code)):
                let activator = code.activation(asOf: d.asOf)?.by ?? code.recipientAccountID
                if let holder = f.held.codeHolder(account: activator), holder != code.code {
                    lines.append("Code \(holder), activated by the same ad account, already holds this program's credit.")
                } else if let first = f.facts.codes.filter({
                    $0.programID == code.programID && $0.code != code.code && $0.activation(asOf: d.asOf)?.by == activator
                }).min(by: { ($0.activatedAt ?? d.asOf, $0.code) < ($1.activatedAt ?? d.asOf, $1.code) }), let at = first.activatedAt {
                    lines.append("Code \(first.code) was activated by the same ad account first, on \(day(at)).")
                }
            case (.conflictingPromotion, _):
                for enrollment in f.enrollments.sorted(by: { $0.enrolledAt < $1.enrolledAt })
                where enrollment.enrolledAt <= d.asOf && program.conflictingPromotions.contains(enrollment.promotion) {
                    lines.append("The ad account enrolled in \(enrollment.promotion) on \(day(enrollment.enrolledAt)), which this program excludes.")
                }
            case let (.marketNotEligible, .partner(_, integration)):
                lines.append("The store is in \(integration.storeCountry) and the ad account in \(f.account.country) "
                             + "(paying in \(f.account.currency.code)); this program's markets are \(markets).")
            case (.marketNotEligible, .promo):
                lines.append("The ad account is in \(f.account.country) (paying in \(f.account.currency.code)); "
                             + "this program's markets are \(markets).")
            case (.currencyMismatch, _):
                let ladder = program.ladder(country: f.account.country).first?.currency.code ?? "?"
                lines.append("The ad account pays in \(f.account.currency.code); the \(f.account.country) ladder is in \(ladder).")
            case let (.recentSpend, .partner(_, integration)):
                let from = integration.setUpAt.adding(days: -program.lookbackDays)
                lines.append("The ad account already spent between \(day(from)) and the integration's set-up on "
                             + "\(day(integration.setUpAt)) (the look-back rows are listed below).")
            case let (.outsideProgramPeriod, .partner(_, integration)):
                let period = [program.enrollFrom.map { "from \(day($0))" }, program.enrollUntil.map { "until \(day($0))" }]
                    .compactMap { $0 }.joined(separator: " ")
                lines.append("The integration was set up on \(day(integration.setUpAt)); the program enrols \(period).")
            case let (.codeNotActivatedInTime, .promo(_, code)):
                let deadline = code.receivedAt.adding(days: program.activationDays ?? 0)
                lines.append("The code was received on \(day(code.receivedAt)) and had to be activated before \(day(deadline))"
                             + (code.activatedAt.map { "; it was activated on \(day($0))." } ?? "."))
            default:
                continue
            }
        }
        return lines
    }

    /// The integration of `program` that `matches` and comes before `integration` in set-up order.
    private static func earliest(_ integrations: [Integration], program: Program, before integration: Integration,
                                 where matches: (Integration) -> Bool) -> Integration? {
        integrations.filter {
            $0.id != integration.id && program.partners.contains($0.partner) && matches($0)
                && ($0.setUpAt, $0.id) < (integration.setUpAt, integration.id)
        }.min { ($0.setUpAt, $0.id) < ($1.setUpAt, $1.id) }
    }

    static func day(_ instant: Instant) -> String { String(instant.iso8601.prefix(10)) }

    /// How support types a code or a merchant id: case, spaces and dashes do not matter.
    static func normalized(_ text: String) -> String {
        String(text.lowercased().filter { $0 != " " && $0 != "-" })
    }
}
