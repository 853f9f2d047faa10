import Foundation
import PostgresSandbox
import XCTest

/// A real browser for the report's tests: Debian's headless Chromium (`.ci/run` installs it).
/// A machine without it fails the test, naming the package: nothing skips silently.
enum Chromium {
    static func executable() throws -> String {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw BrowserMissing()
    }

    struct BrowserMissing: Error, CustomStringConvertible {
        var description: String { "headless Chromium is not installed: apt-get install -y chromium (.ci/run does)" }
    }

    /// Flags for a headless run as root in a container: no sandbox, no GPU, no first-run work,
    /// and no network (the page must need none).
    static let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                        "--hide-scrollbars", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]

    /// The DOM after the page loaded, as Chromium serialises it.
    static func dumpDOM(_ file: String) throws -> String {
        let out = NSTemporaryDirectory() + "sr-dom-\(UUID().uuidString).html"
        defer { unlink(out) }
        let profile = NSTemporaryDirectory() + "sr-chromium-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let pid = try Subprocess.spawn(try executable(), flags + ["--user-data-dir=\(profile)", "--dump-dom", "file://\(file)"],
                                       stdout: out, stderr: "/dev/null")
        let code = try Subprocess.wait(pid)
        guard code == 0 else { throw BrowserFailed(code: code) }
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    /// Renders `file` to a PNG screenshot of `width`×`height` pixels.
    static func screenshot(_ file: String, to png: String, width: Int = 1280, height: Int = 3600) throws {
        let profile = NSTemporaryDirectory() + "sr-chromium-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let pid = try Subprocess.spawn(try executable(), flags + ["--user-data-dir=\(profile)", "--screenshot=\(png)",
                                                                  "--window-size=\(width),\(height)", "file://\(file)"],
                                       stdout: "/dev/null", stderr: "/dev/null")
        let code = try Subprocess.wait(pid)
        guard code == 0 else { throw BrowserFailed(code: code) }
    }

    struct BrowserFailed: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "chromium exited \(code)" }
    }
}

extension XCTestCase {
    /// The tables of an HTML page by their `id`, each a list of rows of cell texts (header row
    /// first), read by Python's html.parser: a real parser, not a pattern.
    func htmlTables(_ html: String) throws -> [String: [[String]]] {
        let base = NSTemporaryDirectory() + "sr-tables-\(UUID().uuidString)"
        defer { for suffix in [".py", ".html", ".json"] { unlink(base + suffix) } }
        try html.write(toFile: base + ".html", atomically: true, encoding: .utf8)
        try """
            import json, sys
            from html.parser import HTMLParser
            class Tables(HTMLParser):
                def __init__(self):
                    super().__init__(convert_charrefs=True)
                    self.tables, self.table, self.row, self.cell = {}, None, None, None
                def handle_starttag(self, tag, attrs):
                    if tag == 'table':
                        self.table = dict(attrs).get('id', '')
                        self.tables[self.table] = []
                    elif tag == 'tr' and self.table is not None:
                        self.row = []
                    elif tag in ('td', 'th') and self.row is not None:
                        self.cell = ''
                def handle_endtag(self, tag):
                    if tag in ('td', 'th') and self.cell is not None:
                        self.row.append(self.cell.strip()); self.cell = None
                    elif tag == 'tr' and self.row is not None:
                        self.tables[self.table].append(self.row); self.row = None
                    elif tag == 'table':
                        self.table = None
                def handle_data(self, data):
                    if self.cell is not None:
                        self.cell += data
            parser = Tables()
            parser.feed(open(sys.argv[1], encoding='utf-8').read())
            json.dump(parser.tables, open(sys.argv[2], 'w', encoding='utf-8'))
            """.write(toFile: base + ".py", atomically: true, encoding: .utf8)
        let code = try Subprocess.run("/usr/bin/env", ["python3", base + ".py", base + ".html", base + ".json"], log: nil)
        XCTAssertEqual(code, 0, "python3's html.parser must read the page")
        return try JSONDecoder().decode([String: [[String]]].self, from: Data(contentsOf: URL(fileURLWithPath: base + ".json")))
    }

    /// Whether a PNG has some picture in it: its decompressed pixel bytes take many values
    /// (a blank page has one colour).
    func pngDistinctByteValues(_ png: String) throws -> Int {
        let script = NSTemporaryDirectory() + "sr-png-\(UUID().uuidString).py"
        let out = script + ".txt"
        defer { unlink(script); unlink(out) }
        try """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
            pos, idat = 8, b''
            while pos < len(data):
                length, kind = struct.unpack('>I4s', data[pos:pos + 8])
                if kind == b'IDAT':
                    idat += data[pos + 8:pos + 8 + length]
                pos += 12 + length
            open(sys.argv[2], 'w').write(str(len(set(zlib.decompress(idat)))))
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let code = try Subprocess.run("/usr/bin/env", ["python3", script, png, out], log: nil)
        XCTAssertEqual(code, 0, "the screenshot must be a PNG")
        return Int(try String(contentsOfFile: out, encoding: .utf8)) ?? 0
    }
}
