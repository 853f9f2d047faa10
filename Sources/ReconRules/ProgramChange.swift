import Exact

/// A change to a program that `spend-recon simulate` prices before it ships: some countries'
/// ladders replaced, markets added, another window or settle time. Applied to the stored
/// program it gives the other side of the comparison; everything it does not name stays.
public struct ProgramChange: Sendable, Equatable {
    /// One rung of a replacement ladder as given (`US:400=450`): amounts in major units, as text,
    /// read in the ladder's currency when the change is applied.
    public struct Rung: Sendable, Equatable {
        public var country: String
        public var threshold: String
        public var credit: String

        public init(country: String, threshold: String, credit: String) {
            self.country = country
            self.threshold = threshold
            self.credit = credit
        }
    }

    /// The replacement ladders, rung by rung, lowest first within a country.
    public var rungs: [Rung] = []
    /// Markets added, with the currency of their ladder.
    public var newMarkets: [String: Currency] = [:]
    public var windowDays: Int?
    public var settleDays: Int?

    public init() {}

    /// Why a change cannot apply: what `simulate` reports as a usage error.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// `program` with the change applied, or the first problem found.
    public func applied(to program: Program) throws(Problem) -> Program {
        var changed = program
        if let windowDays {
            guard windowDays > 0 else { throw Problem("--window-days must be at least 1, not \(windowDays)") }
            changed.windowDays = windowDays
        }
        if let settleDays {
            guard settleDays >= 0 else { throw Problem("--settle-days cannot be negative (\(settleDays))") }
            changed.settleDays = settleDays
        }
        var tiers = program.tiers
        var countries: [String] = []
        for rung in rungs where !countries.contains(rung.country) { countries.append(rung.country) }
        for country in countries {
            let currency: Currency
            if let existing = program.ladder(country: country).first?.currency {
                currency = existing
            } else if let added = newMarkets[country] {
                currency = added
            } else {
                let known = Set(program.tiers.map(\.country)).sorted().joined(separator: ", ")
                throw Problem("unknown country \(country) for program \(program.id) (its ladders: \(known)); "
                              + "a new market needs --market \(country):CURRENCY")
            }
            let ladder = try Self.ladder(rungs.filter { $0.country == country }, country: country, currency: currency)
            tiers.removeAll { $0.country == country }
            tiers += ladder
        }
        for country in newMarkets.keys.sorted() {
            guard !tiers.filter({ $0.country == country }).isEmpty else {
                throw Problem("market \(country) is added without a ladder: give it --tier \(country):THRESHOLD=CREDIT")
            }
            changed.markets.insert(country)
        }
        changed.tiers = tiers
        return changed
    }

    /// A country's rungs as tiers, levels 1, 2, … in the order given; the thresholds and the
    /// credits must rise from rung to rung, and every amount fit the currency's minor units.
    static func ladder(_ rungs: [Rung], country: String, currency: Currency) throws(Problem) -> [Tier] {
        var tiers: [Tier] = []
        for (index, rung) in rungs.enumerated() {
            let threshold = try amount(rung.threshold, what: "threshold", country: country, currency: currency)
            let credit = try amount(rung.credit, what: "credit", country: country, currency: currency)
            if let previous = tiers.last, threshold <= previous.threshold || credit <= previous.credit {
                throw Problem("the \(country) ladder does not rise: \(rung.threshold)=\(rung.credit) after "
                              + "\(currency.format(previous.threshold))=\(currency.format(previous.credit))")
            }
            tiers.append(Tier(country: country, currency: currency, level: index + 1, threshold: threshold, credit: credit))
        }
        return tiers
    }

    static func amount(_ text: String, what: String, country: String, currency: Currency) throws(Problem) -> Int64 {
        let minor: Int64
        do {
            minor = try ExactDecimal(parsing: text).minorUnits(exponent: currency.exponent)
        } catch ExactDecimal.Problem.tooManyDecimals {
            throw Problem("the \(country) \(what) \(text) has more decimals than \(currency.code) allows (\(currency.exponent))")
        } catch {
            throw Problem("the \(country) \(what) \(text) is not an amount in \(currency.code)")
        }
        guard minor > 0 else { throw Problem("the \(country) \(what) \(text) must be more than zero") }
        return minor
    }
}
