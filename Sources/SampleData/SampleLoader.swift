import Exact
import PGClient

/// Loads a generated sample into the `billing` tables with COPY.
public struct SampleLoader {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Rows loaded per table.
    public struct Counts: Sendable {
        public var accounts = 0, integrations = 0, promoCodes = 0, enrollments = 0, bills = 0, topups = 0
        public var spendRows: Int { bills + topups }
    }

    /// Everything visible on the profile's night: subjects, and spend timed before `asOf`.
    @discardableResult
    public func load(_ generator: SampleGenerator) throws -> Counts {
        var counts = Counts()
        counts.accounts = try copy("billing.ad_accounts", generator.accounts)
        counts.integrations = try copy("billing.partner_integrations", generator.integrations)
        counts.promoCodes = try copy("billing.promo_codes", generator.promoCodes)
        counts.enrollments = try copy("billing.promotion_enrollments", generator.enrollments)
        let spend = try loadSpend(generator, from: nil, to: generator.profile.asOf)
        counts.bills = spend.bills
        counts.topups = spend.topups
        return counts
    }

    /// Spend rows timed in `[from, to)`: e.g. one more day for the next night.
    @discardableResult
    public func loadSpend(_ generator: SampleGenerator, from: Instant?, to: Instant) throws -> Counts {
        var counts = Counts()
        counts.bills = try copy("billing.billed_spend") { try generator.bills(from: from, to: to, $0) }
        counts.topups = try copy("billing.topup_consumption") { try generator.topups(from: from, to: to, $0) }
        return counts
    }

    private func copy(_ table: String, _ rows: (SampleGenerator.Emit) throws -> Void) throws -> Int {
        try connection.copyIn("COPY \(table) FROM STDIN") { writer in
            try rows { try writer.appendRow($0) }
        }
    }
}
