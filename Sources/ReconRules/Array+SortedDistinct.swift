extension Array where Element: Comparable {
    /// The elements in ascending order, each once: a sort, then equal neighbours dropped, which
    /// is cheaper than hashing them into a set (a final decision's instants, a decision's
    /// reasons: done hundreds of thousands of times a first night).
    public func sortedDistinct() -> [Element] {
        var sorted = self.sorted()
        var kept = 0
        for index in sorted.indices where kept == 0 || sorted[index] != sorted[kept - 1] {
            sorted[kept] = sorted[index]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }
}
