import PGClient

/// A text column whose value repeats row after row (an integration's partner): the string is
/// made again only when the field's bytes differ from the last one's.
struct RepeatedText {
    private var last: String?

    mutating func text(_ row: BinaryCopyRow, _ index: Int) throws -> String? {
        if let last, try row.text(index, equals: last) { return last }
        last = try row.text(index)
        return last
    }
}
