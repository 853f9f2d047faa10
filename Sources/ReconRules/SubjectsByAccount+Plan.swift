import Exact

/// Where subjects come from: each program's integrations or codes, with the program's ranking
/// (P1/P6/C4) built once and shared by its subjects.
extension SubjectsByAccount {
    /// The plan of a pass: every subject of `programs` that `include` accepts, grouped by
    /// account. Rankings are built from all of a program's subjects, included or not.
    public init(programs: [Program], facts: Facts, asOf: Instant, held: [String: HeldGrants] = [:],
                include: (SubjectWork) -> Bool) {
        // Two passes (count, then fill) so the array is allocated once at its exact size: on a
        // later night most subjects are final and skipped.
        var partnerContexts: [SubjectWork.ProgramContext<PartnerRanking>] = []
        var promoContexts: [SubjectWork.ProgramContext<PromoRanking>] = []
        for program in programs {
            switch program.kind {
            case .partnerSpendMatch:
                let ranking = PartnerRanking(integrations: facts.integrations, asOf: asOf, held: held[program.id] ?? HeldGrants()) {
                    program.partners.contains($0.partner)
                }
                partnerContexts.append(SubjectWork.ProgramContext(program: program, ranking: ranking))
            case .promoCodeSpendMatch:
                let codes = facts.codes.lazy.filter { $0.programID == program.id }
                let ranking = PromoRanking(codes: codes, asOf: asOf, held: held[program.id] ?? HeldGrants())
                promoContexts.append(SubjectWork.ProgramContext(program: program, ranking: ranking))
            }
        }
        func forEachSubject(_ body: (SubjectWork) -> Void) {
            for context in partnerContexts {
                for integration in facts.integrations where context.program.partners.contains(integration.partner) {
                    let item = SubjectWork.partner(context, integration)
                    if include(item) { body(item) }
                }
            }
            for context in promoContexts {
                for code in facts.codes where code.programID == context.program.id {
                    let item = SubjectWork.promo(context, code)
                    if include(item) { body(item) }
                }
            }
        }
        var count = 0
        forEachSubject { _ in count += 1 }
        var subjects: [SubjectWork] = []
        subjects.reserveCapacity(count)
        forEachSubject { subjects.append($0) }
        self.init(consume subjects)
    }
}
