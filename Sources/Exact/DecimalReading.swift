/// A `numeric` as it came from the database: its exact value, or why it has none, and how many
/// decimals it was written with (for showing a rejected row as it was stored).
///
/// Reading text and reading PostgreSQL's binary format give the same `value` for the same
/// number, so validation cannot depend on the wire format.
public struct DecimalReading: Sendable, Equatable {
    public let value: Result<ExactDecimal, ExactDecimal.Problem>
    /// Digits after the point as written (`12.30` → 2).
    public let writtenScale: Int
    /// The original text of a value that did not parse, when it came as text.
    let unparsedText: String?

    public init(value: Result<ExactDecimal, ExactDecimal.Problem>, writtenScale: Int, unparsedText: String? = nil) {
        self.value = value
        self.writtenScale = writtenScale
        self.unparsedText = unparsedText
    }

    /// Parses text (`COPY` text format, tests).
    public init(text: String) {
        do {
            value = .success(try ExactDecimal(parsing: text))
            unparsedText = nil
        } catch {
            value = .failure(error)
            unparsedText = text
        }
        if let point = text.firstIndex(of: ".") {
            writtenScale = text.distance(from: text.index(after: point), to: text.endIndex)
        } else {
            writtenScale = 0
        }
    }

    /// The number as written: `12.30`, `-5`, `NaN`, `Infinity`.
    public var text: String {
        switch value {
        case let .success(decimal):
            guard writtenScale > decimal.scale else { return decimal.description }
            let zeros = String(repeating: "0", count: writtenScale - decimal.scale)
            return decimal.description + (decimal.scale == 0 ? "." : "") + zeros
        case let .failure(problem):
            if let unparsedText { return unparsedText }
            switch problem {
            case .notANumber: return "NaN"
            case .infinite: return "Infinity"
            case .overflow: return "(out of range)"
            case .malformed, .tooManyDecimals: return "(malformed)"
            }
        }
    }
}
