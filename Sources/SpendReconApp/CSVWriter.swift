/// RFC 4180 CSV: CRLF line ends; a field with a comma, quote, CR or LF is quoted and its quotes
/// doubled. Text cells that a spreadsheet would read as a formula (leading `=`, `+`, `-`, `@`,
/// tab or CR) are prefixed with `'` (OWASP's CSV-injection advice); number cells are left alone.
public struct CSVWriter {
    public enum Cell {
        case text(String?)
        case number(String?)
    }

    public static func line(_ cells: [Cell]) -> String {
        cells.map { cell -> String in
            switch cell {
            case let .text(value): return quote(neutralise(value ?? ""))
            case let .number(value): return quote(value ?? "")
            }
        }.joined(separator: ",") + "\r\n"
    }

    static func neutralise(_ value: String) -> String {
        guard let first = value.unicodeScalars.first else { return value }
        return ["=", "+", "-", "@", "\t", "\r"].contains(first) ? "'" + value : value
    }

    static func quote(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
