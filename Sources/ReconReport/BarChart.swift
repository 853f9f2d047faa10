/// A horizontal bar chart's geometry for an inline SVG: one bar per value, scaled to the
/// largest. Geometry is floating point; the numbers shown are the caller's exact text.
struct BarChart {
    struct Bar {
        var label: String
        var valueText: String
        var barY: Int
        var textY: Int
        var barWidth: Int
        var valueX: Int
    }

    var id: String
    var title: String
    var width = 560
    var height: Int
    var barX = 200
    var barHeight = 18
    var bars: [Bar]

    static let plotWidth = 240
    static let rowHeight = 26

    /// `values` in display order; `value` is what the bar's length stands for (a count, or minor
    /// units of one currency: never two currencies in one chart).
    init(id: String, title: String, values: [(label: String, value: Int64, text: String)]) {
        self.id = id
        self.title = title
        let largest = max(values.map(\.value).max() ?? 0, 1)
        bars = values.enumerated().map { index, item in
            let length = Int((Double(max(item.value, 0)) / Double(largest) * Double(Self.plotWidth)).rounded())
            let top = 8 + index * Self.rowHeight
            return Bar(label: item.label, valueText: item.text, barY: top, textY: top + 14,
                       barWidth: item.value > 0 ? max(length, 1) : 0, valueX: 200 + max(length, 1) + 8)
        }
        height = 16 + max(values.count, 1) * Self.rowHeight
    }
}
