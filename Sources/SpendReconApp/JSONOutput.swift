import Foundation

/// The `--json` output of every command: sorted keys, pretty-printed, one document. The newer
/// commands (`simulate`, `status`, `discrepancies`) write snake_case keys; the older ones keep
/// the camelCase keys tools already read.
enum JSONOutput {
    static func text<Value: Encodable>(_ value: Value, snakeCase: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// One JSON document on one line, snake_case keys: for JSON-lines output (`outbox`).
    static func line<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
