extension SpendRow {
    /// `rows` in `chronological` order, as `sorted(by: chronological)` gives them.
    ///
    /// Why not just sort: a night hands each account's rows over as runs already in order (its
    /// bills, then its top-ups, each read along its `(account_id, time)` index), and sorting
    /// every account's rows was a twelfth of the evaluating thread's time on the first night. One
    /// run is returned as it is and two are merged in one pass; rows in any other order (more
    /// runs: equal times out of id order, or a table read without its index) are sorted.
    public static func inChronologicalOrder(_ rows: [SpendRow]) -> [SpendRow] {
        var split: Int?
        var index = rows.startIndex + 1
        while index < rows.endIndex {
            if chronological(rows[index], rows[index - 1]) {
                if split != nil { return rows.sorted(by: chronological) }
                split = index
            }
            index += 1
        }
        guard let split else { return rows }
        var merged: [SpendRow] = []
        merged.reserveCapacity(rows.count)
        var first = rows.startIndex
        var second = split
        while first < split, second < rows.endIndex {
            // The first run's row goes first unless the second's is strictly earlier.
            if chronological(rows[second], rows[first]) {
                merged.append(rows[second])
                second += 1
            } else {
                merged.append(rows[first])
                first += 1
            }
        }
        merged.append(contentsOf: rows[first..<split])
        merged.append(contentsOf: rows[second...])
        return merged
    }

    /// Whether `rows` are in `chronological` order already.
    public static func areChronological(_ rows: [SpendRow]) -> Bool {
        var index = rows.startIndex + 1
        while index < rows.endIndex {
            if chronological(rows[index], rows[index - 1]) { return false }
            index += 1
        }
        return true
    }
}
