import Exact
import Logging

/// A swift-log handler that writes one line per event to stderr, in logfmt or JSON: time,
/// level, logger label, message, then every metadata item (`run_id` among them during a run).
/// Messages are constant; data travels in metadata.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let clock: @Sendable () -> Instant
    let sink: @Sendable (String) -> Void

    public init(label: String, format: LogFormat) {
        self.init(label: label, format: format, clock: { Instant.now }, sink: { StderrWriter.shared.writeLine($0) })
    }

    init(label: String, format: LogFormat, clock: @escaping @Sendable () -> Instant, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.format = format
        self.clock = clock
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var fields: [(String, String)] = [("ts", clock().iso8601), ("level", event.level.rawValue), ("logger", label),
                                          ("msg", event.message.description)]
        fields += merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value.description) }
        sink(format == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    /// `key=value` pairs; a value with a space, `=`, a quote or a control character is quoted.
    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0 != "=" && $0 != "\"" && $0 != "\\" && $0.value != 0x7F
            }
            return "\(key)=\(plain ? value : "\"" + escaped(value) + "\"")"
        }.joined(separator: " ")
    }

    /// One JSON object, keys in the given order, every value a string.
    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\(escaped($0.0))\":\"\(escaped($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// Escapes for a double-quoted JSON string (also valid inside a logfmt quoted value).
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
