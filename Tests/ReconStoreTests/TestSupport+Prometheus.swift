import Foundation

/// A strict reader of the Prometheus text exposition format (the subset the textfile collector
/// accepts): `# HELP`/`# TYPE` lines, each family's TYPE before its samples and only once, metric
/// and label names by the format's grammar, quoted label values, numeric sample values.
enum PrometheusText {
    struct Invalid: Error, CustomStringConvertible {
        let line: String
        let why: String
        var description: String { "\(why): \(line)" }
    }

    /// Samples keyed by `name{labels}` exactly as written.
    static func parse(_ text: String) throws -> [String: String] {
        guard text.hasSuffix("\n") else { throw Invalid(line: "", why: "file must end with a newline") }
        let metricName = try NSRegularExpression(pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        let sample = try NSRegularExpression(pattern:
            #"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*")*\})? ([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|NaN|[-+]Inf)( -?[0-9]+)?$"#)
        func matches(_ regex: NSRegularExpression, _ line: String) -> NSTextCheckingResult? {
            regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
        }
        var typed = Set<String>()
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, matches(metricName, String(parts[2])) != nil,
                      ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw Invalid(line: line, why: "bad TYPE line")
                }
                guard typed.insert(String(parts[2])).inserted else { throw Invalid(line: line, why: "TYPE given twice") }
            } else if line.hasPrefix("# HELP ") || line.hasPrefix("#") {
                continue
            } else {
                guard let match = matches(sample, line), let nameRange = Range(match.range(at: 1), in: line) else {
                    throw Invalid(line: line, why: "not a sample line")
                }
                guard typed.contains(String(line[nameRange])) else { throw Invalid(line: line, why: "sample before its TYPE") }
                let space = line.lastIndex(of: " ")!
                let series = String(line[..<space])
                guard samples[series] == nil else { throw Invalid(line: line, why: "series given twice") }
                samples[series] = String(line[line.index(after: space)...])
            }
        }
        return samples
    }
}
