import Exact

/// Produces the rows of a synthetic `billing` dataset table by table. Each subject's rows come
/// from its own seeded generator, so a table (or a slice of time) can be produced on its own and
/// is always the same.
public struct SampleGenerator: Sendable {
    public let profile: SampleProfile

    public init(profile: SampleProfile) {
        self.profile = profile
    }

    /// A row of text fields in table column order, nil for NULL (what COPY takes).
    public typealias Emit = ([String?]) throws -> Void

    public func accounts(_ emit: Emit) throws {
        try forEachPlan { plan in
            guard plan.ownsAccount else { return }
            try emit([String(plan.accountID), plan.country, plan.badAccount ? "ZZZ" : plan.currency, plan.origin, plan.status,
                      bool(plan.violation), bool(plan.flagged), plan.paymentMode, plan.registeredAt.iso8601,
                      plan.firstCashAt?.iso8601])
        }
    }

    public func integrations(_ emit: Emit) throws {
        for index in 0..<profile.merchants {
            let plan = SubjectPlan.merchant(index, profile: profile)
            try emit([String(100_000 + Int64(index)), "woocommerce", plan.merchantID, plan.storeCountry, String(plan.accountID),
                      bool(plan.createdViaIntegration), plan.setUpAt.iso8601, plan.firstCampaignAt?.iso8601])
        }
    }

    public func promoCodes(_ emit: Emit) throws {
        for index in 0..<profile.promoCodes {
            let plan = SubjectPlan.promo(index, profile: profile)
            try emit([plan.code, "promo-jp-10000", String(plan.accountID), plan.receivedAt.iso8601,
                      plan.activatedBy.map(String.init), plan.activatedAt?.iso8601, plan.cashBalance])
        }
    }

    public func enrollments(_ emit: Emit) throws {
        for index in 0..<profile.merchants {
            let plan = SubjectPlan.merchant(index, profile: profile)
            guard plan.enrolledInConflict else { continue }
            try emit([String(plan.accountID), "new_advertiser_incentive", plan.setUpAt.adding(days: -3).iso8601])
        }
    }

    /// Bills timed in `[from, to)`; `from` nil means from the beginning, including bad rows
    /// without a time.
    public func bills(from: Instant?, to: Instant, _ emit: Emit) throws {
        try spendRows(from: from, to: to) { row in
            guard row.isBill else { return }
            try emit([String(row.id), row.account, row.currency, row.at?.iso8601, row.amount, row.tax, row.credit,
                      row.paidAt?.iso8601])
        }
    }

    /// Top-ups consumed in `[from, to)`, as for `bills`.
    public func topups(from: Instant?, to: Instant, _ emit: Emit) throws {
        try spendRows(from: from, to: to) { row in
            guard !row.isBill else { return }
            try emit([String(row.id), row.account, row.currency, row.at?.iso8601, row.amount, row.tax, row.credit])
        }
    }

    private func forEachPlan(_ body: (SubjectPlan) throws -> Void) throws {
        for index in 0..<profile.merchants { try body(SubjectPlan.merchant(index, profile: profile)) }
        for index in 0..<profile.promoCodes { try body(SubjectPlan.promo(index, profile: profile)) }
    }

    private func spendRows(from: Instant?, to: Instant, _ body: (SpendSample) throws -> Void) throws {
        try forEachPlan { plan in
            var rng = SeededRandom(seed: profile.seed, stream: plan.kind == .merchant ? 3 : 4, index: plan.index)
            for k in 0..<plan.rowCount {
                let row = SpendSample.make(plan: plan, number: k, badPerMille: profile.badRowsPerMille, rng: &rng)
                if let at = row.at {
                    guard at < to, from.map({ at >= $0 }) ?? true else { continue }
                } else if from != nil {
                    continue
                }
                try body(row)
            }
        }
    }

    private func bool(_ value: Bool) -> String { value ? "t" : "f" }
}
