import Exact
import ReconRules
import SampleData

/// Random but reproducible `billing` data for the seeded simulation: a few dozen accounts with
/// integrations and promo codes, and spend rows packed around every boundary the rules have —
/// window start and end, the settle cutoff, the 90-day look-back, the activation deadline, the
/// instant of activation — plus bad rows of every rejection class, shared merchants and
/// accounts, tied set-up times, late-paid and unpaid bills, zero, tax-equal-to-amount and
/// 10^15-minor-unit amounts, and text that looks like SQL or a spreadsheet formula.
///
/// Everything is inserted before the first night; times decide what each night sees (a bill paid
/// after a night reads as unpaid that night), so the same data serves every cadence of nights.
struct SimulatedBilling {
    typealias Row = [String?]

    var accounts: [Row] = []
    var integrations: [Row] = []
    var bills: [Row] = []
    var topups: [Row] = []
    var codes: [Row] = []
    var enrollments: [Row] = []
    /// Instants a night may fall on to hit a rule's edge exactly: cutoffs, deadlines, window ends.
    var boundaries: [Instant] = []

    static let start = Instant(year: 2025, month: 11, day: 1)!
    /// The last night of every cadence: past every window, cutoff and the partner program's expiry.
    static let end = Instant(year: 2026, month: 2, day: 19, hour: 2)!

    /// Text that must stay data wherever it goes: SQL, a formula, CSV delimiters, non-ASCII.
    static let hostileText = [
        "m'); DROP TABLE recon.runs; --", "=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)",
        "a,b\"c\nd", "tab\there", "ünï-çødé ✓", "\\N", "' OR '1'='1",
    ]

    private struct AccountFacts {
        var id: Int64
        var country: String
        var currency: String
        var exponent: Int
        var firstCash: Instant?
        /// Window starts of this account's subjects, to pack spend rows around.
        var windows: [Instant] = []
        var setUps: [Instant] = []
    }

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var facts: [AccountFacts] = []
        let accountCount = Int(random.int(12...36))
        for index in 1...accountCount {
            facts.append(Self.account(Int64(index), &random, into: &accounts))
        }
        var merchants: [String] = []
        var nextIntegration: Int64 = 1
        var nextCode = 1
        for index in facts.indices {
            let account = facts[index]
            let integrationCount = account.currency == "JPY" ? Int(random.int(0...1)) : random.pick([(0, 1), (1, 6), (2, 1)])
            for _ in 0..<integrationCount {
                let merchant: String
                if !merchants.isEmpty, random.chance(perMille: 150) {
                    merchant = merchants[Int(random.int(0..<Int64(merchants.count)))]
                } else if random.chance(perMille: 60) {
                    merchant = Self.hostileText[Int(random.int(0..<Int64(Self.hostileText.count)))]
                } else {
                    merchant = "m-\(nextIntegration)"
                }
                merchants.append(merchant)
                var setUp = Self.start.adding(days: Int(random.int(-20...50))).adding(seconds: random.int(0..<86_400))
                if random.chance(perMille: 150), let tie = facts.flatMap(\.setUps).last { setUp = tie }
                if random.chance(perMille: 100), let cash = account.firstCash { setUp = cash }
                let windowStart = account.firstCash.map { max($0, setUp) }
                if let windowStart {
                    facts[index].windows.append(windowStart)
                    boundaries += [windowStart.adding(days: 30), windowStart.adding(days: 32),
                                   windowStart.adding(days: 32).adding(microseconds: -1)]
                }
                facts[index].setUps.append(setUp)
                var campaign: Instant? = setUp.adding(days: Int(random.int(0...34))).adding(seconds: random.int(0..<86_400))
                if random.chance(perMille: 150) { campaign = nil }
                if random.chance(perMille: 80), let windowStart { campaign = windowStart.adding(days: 30) }
                var row: Row = [String(nextIntegration), random.chance(perMille: 80) ? "shopify" : "woocommerce", merchant,
                                random.chance(perMille: 850) ? account.country : random.pick([("US", 6), ("GB", 3), ("CA", 1)]), String(account.id),
                                random.chance(perMille: 350) ? "t" : "f", setUp.iso8601, campaign?.iso8601]
                if random.chance(perMille: 25) { row[Int(random.int(1...6))] = nil }
                if random.chance(perMille: 15) { row[4] = "990001" }
                integrations.append(row)
                nextIntegration += 1
            }
            if account.currency == "JPY" || random.chance(perMille: 80) {
                for _ in 0..<Int(random.int(0...2)) {
                    codes.append(code(nextCode, for: account, among: facts, &random, facts: &facts[index]))
                    nextCode += 1
                }
            }
            if random.chance(perMille: 120) {
                let promotion = random.pick([("new_advertiser_incentive", 3), ("spring_sale", 1)])
                let at = Self.start.adding(days: Int(random.int(-10...60))).adding(seconds: random.int(0..<86_400))
                enrollments.append([String(account.id), promotion, at.iso8601])
            }
        }
        var nextBill: Int64 = 1
        var nextTopup: Int64 = 1
        for account in facts {
            for _ in 0..<Int(random.int(2...16)) {
                bills.append(spendRow(nextBill, bill: true, account, among: facts, &random))
                nextBill += 1
            }
            for _ in 0..<Int(random.int(0...5)) {
                topups.append(spendRow(nextTopup, bill: false, account, among: facts, &random))
                nextTopup += 1
            }
        }
        boundaries.sort()
    }

    private static func account(_ id: Int64, _ random: inout SeededRandom, into rows: inout [Row]) -> AccountFacts {
        let country = random.pick([("US", 6), ("GB", 4), ("CA", 1), ("JP", 4)])
        var currency: String? = ["US": "USD", "GB": "GBP", "CA": "CAD", "JP": "JPY"][country]
        if random.chance(perMille: 50) { currency = random.pick([("EUR", 1), ("USD", 1), ("JPY", 1)]) }
        if random.chance(perMille: 20) { currency = random.pick([("XXX", 1), ("KWD", 1)]) }
        var firstCash: Instant? = start.adding(days: Int(random.int(-100...40))).adding(seconds: random.int(0..<86_400))
        if random.chance(perMille: 120) { firstCash = nil }
        var row: Row = [String(id), country, currency, random.pick([("self_serve", 12), ("business_center", 2), ("agency", 1), ("reseller", 1)]),
                        random.pick([("approved", 30), ("pending_review", 1), ("suspended", 1)]),
                        random.chance(perMille: 20) ? "t" : "f", random.chance(perMille: 20) ? "t" : "f",
                        random.pick([("manual", 3), ("automatic", 1)]),
                        start.adding(days: -Int(random.int(100...400))).iso8601, firstCash?.iso8601]
        if random.chance(perMille: 20) { row[Int(random.int(1...8))] = nil }
        rows.append(row)
        let known = currency.flatMap(Currency.init(code:))
        return AccountFacts(id: id, country: country, currency: known?.code ?? "USD", exponent: known?.exponent ?? 2, firstCash: firstCash)
    }

    private mutating func code(_ number: Int, for account: AccountFacts, among all: [AccountFacts], _ random: inout SeededRandom,
                               facts: inout AccountFacts) -> Row {
        let received = Self.start.adding(days: Int(random.int(-5...60))).adding(seconds: random.int(0..<86_400))
        var activated: Instant? = received.adding(days: Int(random.int(0...16))).adding(seconds: random.int(0..<86_400))
        switch random.int(0..<10) {
        case 0: activated = nil
        case 1: activated = received.adding(days: 14)
        case 2: activated = received.adding(days: 14).adding(microseconds: -1)
        default: break
        }
        var activator: Int64? = activated == nil ? nil : account.id
        if activated != nil, random.chance(perMille: 100) { activator = all[Int(random.int(0..<Int64(all.count)))].id }
        if let activated, activator == account.id {
            facts.windows.append(activated)
            boundaries += [activated.adding(days: 30), received.adding(days: 14)]
        }
        let code = random.chance(perMille: 80) ? Self.hostileText[Int(random.int(0..<Int64(Self.hostileText.count)))] + "#\(number)"
            : "JP-\(number)"
        let balance: String? = random.pick([(nil, 1), ("0", 1), ("5000", 4), ("120000", 1)])
        var row: Row = [code, random.chance(perMille: 30) ? "promo-unknown" : "promo-jp-10000", String(account.id),
                        received.iso8601, activator.map(String.init), activated?.iso8601, balance]
        if random.chance(perMille: 20) { row[Int(random.int(1...3))] = nil }
        return row
    }

    /// One bill or top-up of `account`, usually around one of its windows' edges; sometimes bad.
    private func spendRow(_ id: Int64, bill: Bool, _ account: AccountFacts, among all: [AccountFacts],
                          _ random: inout SeededRandom) -> Row {
        let at = spendTime(account, &random)
        let scale = account.exponent == 0 ? Int64(1) : Int64(100)
        var amount: Int64
        switch random.int(0..<100) {
        case 0..<3: amount = 0
        case 3..<4: amount = 1_000_000_000_000_000
        case 4..<40: amount = random.int(0...200) * scale + random.int(0..<scale)
        case 40..<85: amount = random.int(100...2_000) * scale + random.int(0..<scale)
        default: amount = random.int(1_000...6_000) * (account.currency == "JPY" ? 10 : scale)
        }
        var tax = random.chance(perMille: 500) ? 0 : random.int(0...(amount / 10))
        if random.chance(perMille: 30) { tax = amount }
        let credit = random.chance(perMille: 700) ? 0 : random.int(0...(amount - tax))
        let money = { (minor: Int64) -> String in ExactDecimal.format(minorUnits: minor, exponent: account.exponent) }
        var row: Row = [String(id), String(account.id), account.currency, at.iso8601, money(amount), money(tax), money(credit)]
        if bill {
            var paid: Instant? = at
            switch random.int(0..<20) {
            case 0..<2: paid = nil
            case 2..<7: paid = at.adding(days: Int(random.int(0...40))).adding(seconds: random.int(0..<86_400))
            case 7: paid = account.windows.randomElement(using: &random).map { $0.adding(days: 32) }
            case 8: paid = account.windows.randomElement(using: &random).map { $0.adding(days: 32).adding(microseconds: -1) }
            default: break
            }
            row.append(paid?.iso8601)
        }
        guard random.chance(perMille: 40) else { return row }
        switch random.int(0..<9) {
        case 0: row[4] = nil
        case 1: row[5] = "-1"
        case 2: row[6] = money(amount + 1)
        case 3: row[4] = money(amount) + (account.exponent == 0 ? ".5" : "1")
        case 4: row[2] = all.first { $0.currency != account.currency }?.currency ?? "EUR"
        case 5: row[2] = "XYZ"
        case 6: row[1] = "990002"
        case 7: row[3] = nil
        default: row[4] = "NaN"
        }
        return row
    }

    /// A spend instant: near a window's start or end (often exactly on it, or a microsecond
    /// off), in the 90 days before a set-up (P4's look-back edge), or anywhere.
    private func spendTime(_ account: AccountFacts, _ random: inout SeededRandom) -> Instant {
        let anywhere = Self.start.adding(days: Int(random.int(-100...110))).adding(seconds: random.int(0..<86_400))
        let window = account.windows.randomElement(using: &random)
        let setUp = account.setUps.randomElement(using: &random)
        switch random.int(0..<40) {
        case 0: return window ?? anywhere
        case 1: return window.map { $0.adding(microseconds: -1) } ?? anywhere
        case 2: return window.map { $0.adding(days: 30) } ?? anywhere
        case 3: return window.map { $0.adding(days: 30).adding(microseconds: -1) } ?? anywhere
        case 4: return setUp.map { $0.adding(days: -90) } ?? anywhere
        case 5: return setUp.map { $0.adding(days: -90).adding(microseconds: -1) } ?? anywhere
        case 6..<34: return window.map { $0.adding(days: Int(random.int(0...29))).adding(seconds: random.int(0..<86_400)) } ?? anywhere
        case 34..<37: return window.map { $0.adding(days: Int(random.int(0...110))).adding(seconds: random.int(0..<86_400)) } ?? anywhere
        default: return anywhere
        }
    }

    /// A cadence of nights from the first days of the data to `end`: gaps of one to twelve days at
    /// random times, some nights exactly on a boundary, always ending on `end`.
    func cadence(_ random: inout SeededRandom) -> [Instant] {
        var nights: [Instant] = []
        var night = Self.start.adding(days: Int(random.int(0...6))).adding(seconds: random.int(0..<86_400))
        while night < Self.end {
            nights.append(night)
            night = night.adding(days: Int(random.int(1...12))).adding(seconds: random.int(-30_000...30_000))
        }
        for boundary in boundaries where boundary < Self.end && random.chance(perMille: 150) {
            nights.append(boundary)
        }
        nights.append(Self.end)
        return Array(Set(nights)).sorted()
    }

    var rowCount: Int { accounts.count + integrations.count + bills.count + topups.count + codes.count + enrollments.count }
}
