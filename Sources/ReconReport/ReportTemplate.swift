/// The page's Mustache templates. Every `{{value}}` is HTML-escaped by the engine, in text and
/// in attributes alike, so no value from the database can become markup. Nothing is fetched:
/// the style is inline and the charts are inline SVG.
enum ReportTemplate {
    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <style>
        body { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 2rem; color: #1d2733; max-width: 72rem; }
        h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
        h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #d5dbe3; padding-bottom: 0.3rem; }
        p.meta, p.note, p.empty { color: #52606d; margin: 0.3rem 0 0.8rem; }
        p.warning { background: #fff4e5; border: 1px solid #f0b25a; padding: 0.6rem 0.8rem; }
        .pair { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
        figure { margin: 0; }
        figcaption { font-size: 0.85rem; color: #52606d; }
        svg text { font-size: 12px; fill: #1d2733; }
        svg rect.bar { fill: #3b82c4; }
        table { border-collapse: collapse; font-size: 0.9rem; }
        th, td { border-bottom: 1px solid #e4e8ee; padding: 0.25rem 0.6rem; text-align: left; }
        th { background: #f3f5f8; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        </style>
        </head>
        <body>
        <h1>{{title}}</h1>
        <p class="meta">As of <time id="as-of">{{asOf}}</time> · generated <time>{{generatedAt}}</time> · {{latestRun}}</p>
        {{#noRuns}}<p class="warning" id="no-runs">No nightly run has succeeded yet: there is nothing to report.</p>{{/noRuns}}
        {{#sections}}
        <section id="{{id}}">
        <h2>{{title}}</h2>
        {{#note}}<p class="note">{{.}}</p>{{/note}}
        <div class="pair">
        {{#charts}}{{> chart}}{{/charts}}
        {{#hasRows}}
        <table id="{{id}}-table">
        <thead><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr></thead>
        <tbody>
        {{#rows}}<tr>{{#cells}}<td class="{{align}}">{{text}}</td>{{/cells}}</tr>
        {{/rows}}
        </tbody>
        </table>
        {{/hasRows}}
        {{^hasRows}}<p class="empty">{{empty}}</p>{{/hasRows}}
        </div>
        </section>
        {{/sections}}
        </body>
        </html>

        """

    static let chart = """
        <figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-labelledby="{{id}}-title">
        <title id="{{id}}-title">{{title}}</title>
        {{#bars}}<text x="4" y="{{textY}}">{{label}}</text><rect class="bar" x="{{barX}}" y="{{barY}}" width="{{barWidth}}" height="{{barHeight}}"></rect><text x="{{valueX}}" y="{{textY}}">{{valueText}}</text>
        {{/bars}}</svg><figcaption>{{title}}</figcaption></figure>

        """
}
