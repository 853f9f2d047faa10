import Exact
import Mustache
import ReconStore

/// The nightly report (SPEC section 9): one self-contained HTML page from the store's
/// aggregates, rendered through Mustache templates so that every value is escaped by
/// construction.
public enum ReportPage {
    public static func html(_ data: ReportData, generatedAt: Instant) throws -> String {
        let latest = data.latestRun.map { "latest nightly run #\($0.runID) as of \($0.asOf.iso8601)" } ?? "no nightly run yet"
        let view = ReportView(title: "spend-recon: the night's promotions and credit", asOf: data.asOf.iso8601,
                              generatedAt: generatedAt.iso8601, latestRun: latest, noRuns: data.latestRun == nil,
                              sections: ReportSections.all(data))
        var library = MustacheLibrary()
        try library.register(ReportTemplate.page, named: "page")
        try library.register(ReportTemplate.chart, named: "chart")
        guard let page = library.render(view, withTemplate: "page") else {
            throw ReportError(description: "the report template is missing")
        }
        return page
    }
}

/// The report could not be made (a template problem: a bug, not bad data).
public struct ReportError: Error, CustomStringConvertible {
    public let description: String
}
