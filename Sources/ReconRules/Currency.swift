import Exact

/// An ISO 4217 currency and its number of minor digits (USD 2, JPY 0, KWD 3).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let exponent: Int

    public var description: String { code }

    /// The currency with this code, or nil when it is not one the job knows.
    public init?(code: String) {
        guard let exponent = Currency.exponents[code] else { return nil }
        self.code = code
        self.exponent = exponent
    }

    /// Minor digits per ISO 4217 for the currencies the job may meet.
    static let exponents: [String: Int] = [
        "USD": 2, "GBP": 2, "EUR": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2, "SEK": 2, "NOK": 2,
        "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "TRY": 2, "BRL": 2, "MXN": 2, "ARS": 2,
        "COP": 2, "PEN": 2, "ZAR": 2, "EGP": 2, "SAR": 2, "AED": 2, "QAR": 2, "ILS": 2, "INR": 2,
        "PKR": 2, "PHP": 2, "SGD": 2, "HKD": 2, "CNY": 2, "TWD": 2, "THB": 2, "MYR": 2, "IDR": 2,
        "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XOF": 0, "XAF": 0,
        "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
    ]

    /// `amount` minor units as text in major units with exactly this currency's digits.
    public func format(_ minorUnits: Int64) -> String {
        ExactDecimal.format(minorUnits: minorUnits, exponent: exponent)
    }
}
