import Exact
import ReconRules
import ReconStore

/// The sections of SPEC section 9, each built from the store's aggregates: a chart per group
/// (one currency or one program per chart, never mixed) and the table of exact numbers.
enum ReportSections {
    typealias Section = ReportView.Section
    typealias Row = ReportView.Row

    static func all(_ d: ReportData) -> [Section] {
        [subjects(d), granted(d), settlement(d), overdue(d), outstanding(d), progress(d), reasons(d), rejected(d), runs(d),
         oldestOverdue(d)].map { section in
            var section = section
            section.hasRows = !section.rows.isEmpty
            return section
        }
    }

    static func money(_ amount: Int64, _ currency: Currency) -> String { "\(currency.format(amount)) \(currency.code)" }

    /// One chart per group, in the order the groups first appear.
    static func charts<T>(_ id: String, _ lines: [T], group: (T) -> String, title: (String) -> String,
                          bar: (T) -> (label: String, value: Int64, text: String)) -> [BarChart] {
        var order: [String] = []
        var byGroup: [String: [T]] = [:]
        for line in lines {
            let key = group(line)
            if byGroup[key] == nil { order.append(key) }
            byGroup[key, default: []].append(line)
        }
        return order.enumerated().map { index, key in
            BarChart(id: "\(id)-\(index)", title: title(key), values: byGroup[key]!.map(bar))
        }
    }

    static func subjects(_ d: ReportData) -> Section {
        Section(id: "subjects", title: "Subjects by program and status", note: nil,
                charts: charts("subjects", d.subjects, group: \.program, title: { "Subjects of \($0) by status" }) {
                    ($0.status, Int64($0.subjects), String($0.subjects))
                },
                columns: ["program", "status", "subjects"],
                rows: d.subjects.map { Row(cells: [.text($0.program), .text($0.status), .count($0.subjects)]) },
                empty: "No subject decided yet.")
    }

    static func granted(_ d: ReportData) -> Section {
        Section(id: "granted", title: "Credit granted by currency and tier",
                note: "Each grant at its current tier, with every rerun's adjustment added.",
                charts: charts("granted", d.granted, group: \.currency.code, title: { "Credit granted in \($0) by tier" }) {
                    ("tier \($0.tier)", $0.credit, money($0.credit, $0.currency))
                },
                columns: ["currency", "tier", "grants", "credit"],
                rows: d.granted.map {
                    Row(cells: [.text($0.currency.code), .count($0.tier), .count($0.grants), .number(money($0.credit, $0.currency))])
                },
                empty: "No credit granted yet.")
    }

    static func settlement(_ d: ReportData) -> Section {
        Section(id: "settlement", title: "Settlement by status",
                note: "Every credit handed to the crediting system, by what it applied (an awaiting credit past its due date counts as overdue).",
                charts: charts("settlement", d.settlements, group: \.currency.code, title: { "Credit in \($0) by settlement status" }) {
                    ($0.status, $0.amount, money($0.amount, $0.currency))
                },
                columns: ["status", "currency", "credits", "amount"],
                rows: d.settlements.map {
                    Row(cells: [.text($0.status), .text($0.currency.code), .count($0.entries), .number(money($0.amount, $0.currency))])
                },
                empty: "No credit handed over yet.")
    }

    static func overdue(_ d: ReportData) -> Section {
        Section(id: "overdue", title: "Overdue credit by age",
                note: "Days since the credit's due date, as of the report.",
                charts: charts("overdue", d.overdueAges, group: \.currency.code, title: { "Overdue credit in \($0) by age" }) {
                    ($0.bucket, $0.amount, money($0.amount, $0.currency))
                },
                columns: ["age", "currency", "credits", "amount"],
                rows: d.overdueAges.map {
                    Row(cells: [.text($0.bucket), .text($0.currency.code), .count($0.entries), .number(money($0.amount, $0.currency))])
                },
                empty: "Nothing is overdue.")
    }

    static func outstanding(_ d: ReportData) -> Section {
        Section(id: "outstanding", title: "Outstanding credit by currency",
                note: "Handed over and not applied yet: awaiting (not yet due) and overdue.",
                charts: d.outstanding.enumerated().map { index, line in
                    BarChart(id: "outstanding-\(index)", title: "Outstanding credit in \(line.currency.code)", values: [
                        ("awaiting", line.awaiting, money(line.awaiting, line.currency)),
                        ("overdue", line.overdue, money(line.overdue, line.currency)),
                    ])
                },
                columns: ["currency", "awaiting", "overdue", "outstanding"],
                rows: d.outstanding.map {
                    Row(cells: [.text($0.currency.code), .number(money($0.awaiting, $0.currency)),
                                .number(money($0.overdue, $0.currency)), .number(money($0.total, $0.currency))])
                },
                empty: "Nothing is outstanding.")
    }

    static func progress(_ d: ReportData) -> Section {
        var rows = d.progress.map { Row(cells: [.text($0.program), .text($0.bucket), .count($0.subjects), .text("")]) }
        rows += d.nextTierCost.map {
            Row(cells: [.text($0.program), .text("all reaching their next tier"), .count($0.subjects),
                        .number(money($0.credit, $0.currency))])
        }
        return Section(id: "progress", title: "Pending subjects' progress toward their next tier",
                       note: "Qualifying spend as a share of the next tier's threshold, and the credit if every one reached it.",
                       charts: charts("progress", d.progress, group: \.program, title: { "Pending subjects of \($0) by progress" }) {
                           ($0.bucket, Int64($0.subjects), String($0.subjects))
                       },
                       columns: ["program", "progress", "subjects", "credit if reached"], rows: rows,
                       empty: "No pending subject with a next tier.")
    }

    static func reasons(_ d: ReportData) -> Section {
        Section(id: "reasons", title: "Top ineligibility reasons", note: nil,
                charts: d.reasons.isEmpty ? [] : [BarChart(id: "reasons-0", title: "Subjects by ineligibility reason",
                                                           values: d.reasons.map { ($0.reason, Int64($0.subjects), String($0.subjects)) })],
                columns: ["reason", "subjects"], rows: d.reasons.map { Row(cells: [.text($0.reason), .count($0.subjects)]) },
                empty: "No subject is ineligible.")
    }

    static func rejected(_ d: ReportData) -> Section {
        Section(id: "rejected", title: "Rejected input rows by problem", note: nil,
                charts: d.rejected.isEmpty ? [] : [BarChart(id: "rejected-0", title: "Rejected rows by problem",
                                                            values: d.rejected.map { ("\($0.table) \($0.problem)", Int64($0.rows), String($0.rows)) })],
                columns: ["table", "problem", "rows"],
                rows: d.rejected.map { Row(cells: [.text($0.table), .text($0.problem), .count($0.rows)]) },
                empty: "No input row rejected.")
    }

    static func runs(_ d: ReportData) -> Section {
        let chronological = Array(d.runs.reversed())
        return Section(id: "runs", title: "The last runs",
                       note: "Whether tonight looked like every other night: duration, subjects evaluated and written, rejected rows.",
                       charts: chronological.isEmpty ? [] : [
                           BarChart(id: "runs-0", title: "Duration of the last runs (seconds)",
                                    values: chronological.map { ("#\($0.runID) \($0.kind)", $0.micros ?? 0, seconds($0.micros)) }),
                           BarChart(id: "runs-1", title: "Subjects evaluated by the last runs",
                                    values: chronological.map { ("#\($0.runID) \($0.kind)", Int64($0.evaluated), String($0.evaluated)) }),
                       ],
                       columns: ["run", "kind", "status", "as of", "started", "seconds", "evaluated", "written", "rejected rows"],
                       rows: d.runs.map {
                           Row(cells: [.count(Int($0.runID)), .text($0.kind), .text($0.status), .text($0.asOf.iso8601),
                                       .text($0.startedAt.iso8601), .number(seconds($0.micros)), .count($0.evaluated),
                                       .count($0.written), .count($0.rejected)])
                       },
                       empty: "No run yet.")
    }

    static func oldestOverdue(_ d: ReportData) -> Section {
        Section(id: "oldest-overdue", title: "The oldest overdue credits",
                note: "At most \(ReportData.oldestShown), oldest due date first: `spend-recon explain` tells each one's story.",
                charts: [],
                columns: ["credit", "program", "subject", "amount", "due by", "days overdue"],
                rows: d.oldestOverdue.map {
                    Row(cells: [.text($0.creditRef), .text($0.program), .text($0.subject), .number(money($0.amount, $0.currency)),
                                .text($0.dueBy.iso8601), .count($0.days)])
                },
                empty: "Nothing is overdue.")
    }

    /// Microseconds as seconds with two decimals; "running" for an unfinished run.
    static func seconds(_ micros: Int64?) -> String {
        guard let micros else { return "running" }
        return ExactDecimal.format(minorUnits: micros / 10_000, exponent: 2)
    }
}
