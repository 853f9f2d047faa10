/// The page's model as the template reads it: sections, each with its charts and the table of
/// the exact numbers behind them. Every text is plain and the template escapes it.
struct ReportView {
    struct Cell {
        var text: String
        /// `num` right-aligns numbers; empty for text.
        var align: String
    }

    struct Row { var cells: [Cell] }

    struct Section {
        var id: String
        var title: String
        var note: String?
        var charts: [BarChart]
        var columns: [String]
        var rows: [Row]
        /// Said instead of the table when there is nothing to show.
        var empty: String
        /// Stored, not computed: the template engine reads stored properties only.
        var hasRows = false
    }

    var title: String
    var asOf: String
    var generatedAt: String
    var latestRun: String
    var noRuns: Bool
    var sections: [Section]
}

extension ReportView.Cell {
    static func text(_ text: String) -> Self { .init(text: text, align: "") }
    static func number(_ text: String) -> Self { .init(text: text, align: "num") }
    static func count(_ count: Int) -> Self { .init(text: String(count), align: "num") }
}
