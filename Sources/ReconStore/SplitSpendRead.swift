import Foundation
import PGClient
import ReconRules

/// Reads the spend of a list of account spans over several connections at once and hands the
/// accounts on in one ascending stream, as a single `FactReader.streamSpend` would.
///
/// Why: `COPY` runs in one server process, so one read uses one core. On the first night the
/// server scans, joins and sorts every span's rows before sending the first one, with the other
/// core idle; on later nights it fetches each open account's rows from
/// pages spread over months. Split in two, both parts are read and sent at once, and the rows
/// are parsed and validated on the reading threads rather than the evaluating one.
///
/// How it splits: by table. One part reads the bills of every span, the other the top-ups, so
/// each table is scanned once, as by a single read (dealing accounts out instead would make each
/// part scan both tables whole). The two
/// streams carry the same accounts in the same order, so the merge joins each account's bills
/// and top-ups; the job sorts an account's rows by time anyway.
///
/// Each part is read by its own thread (`BackgroundThread`) into a `HandoffQueue`; the caller's thread merges the
/// parts by account, joining an account's rows from every part that has some.
/// Whatever happens, every reading thread has ended and every connection is idle again when this
/// returns.
struct SplitSpendRead {
    let readers: [FactReader]
    let accounts: AccountLookup
    /// The platform's accounts, about (`Facts.knownAccounts`); nil: those in `accounts`.
    var knownAccounts: Int?
    /// Accounts per chunk handed between threads, and chunks waiting per part.
    var chunkSize = 64
    var queueCapacity = 8

    func stream(_ spans: [AccountSpan], reject: (Rejection) throws -> Void,
                body: (_ accountID: Int64, _ rows: [SpendRow]) throws -> Void) throws {
        let tables = Self.tables(for: readers.count)
        let queues = tables.map { _ in HandoffQueue<[SpendPiece]>(capacity: queueCapacity) }
        let threads = zip(readers, tables).enumerated().map { index, part in
            BackgroundThread(name: "spend-recon.read.\(index)") { [accounts, knownAccounts, chunkSize] in
                Self.read(spans, from: part.1, with: part.0, accounts: accounts, knownAccounts: knownAccounts,
                          chunkSize: chunkSize, into: queues[index])
            }
        }
        defer {
            // On any error the parts still reading are stopped; in every case they have ended.
            for queue in queues { queue.cancel() }
            for thread in threads { thread.join() }
        }
        try merge(queues, reject: reject, body: body)
    }

    /// The tables each reader reads: both with one reader, one table each with two (a third
    /// reader would have nothing of its own to scan, so it is not used).
    static func tables(for readers: Int) -> [SpendTables] {
        readers >= 2 ? [.bills, .topups] : [.both]
    }

    /// One part, on its own thread and connection.
    private static func read(_ spans: [AccountSpan], from tables: SpendTables, with reader: FactReader,
                             accounts: AccountLookup, knownAccounts: Int?, chunkSize: Int, into queue: HandoffQueue<[SpendPiece]>) {
        var chunk: [SpendPiece] = []
        var pending: [Rejection] = []
        do {
            if !spans.isEmpty {
                try reader.streamSpend(accounts: accounts, knownAccounts: knownAccounts, .spans(spans, from: tables),
                                       reject: { rejection, _ in pending.append(rejection) }) { accountID, rows in
                    chunk.append(SpendPiece(accountID: accountID, rows: rows, rejections: pending))
                    pending = []
                    if chunk.count >= chunkSize {
                        try queue.put(chunk)
                        chunk = []
                    }
                }
            }
            if !pending.isEmpty { chunk.append(SpendPiece(accountID: nil, rows: [], rejections: pending)) }
            if !chunk.isEmpty { try queue.put(chunk) }
            queue.finish()
        } catch {
            queue.finish(error)
        }
    }

    /// Takes the lowest waiting account of all parts (joining its rows from every part that has
    /// some) until every part is exhausted.
    private func merge(_ queues: [HandoffQueue<[SpendPiece]>], reject: (Rejection) throws -> Void,
                       body: (Int64, [SpendRow]) throws -> Void) throws {
        var cursors = try queues.map { try Cursor(queue: $0) }
        while true {
            // Rejections without an account go first. (The pieces are looked at in place: a copy
            // of a piece per look was a retain and a release of its arrays, per account and part.)
            if let index = cursors.firstIndex(where: { $0.hasPiece && $0.pieceAccountID == nil }) {
                for rejection in cursors[index].current?.rejections ?? [] { try reject(rejection) }
                try cursors[index].advance()
                continue
            }
            var lowest: Int64?
            for index in cursors.indices where cursors[index].hasPiece {
                if let id = cursors[index].pieceAccountID, lowest.map({ id < $0 }) ?? true { lowest = id }
            }
            guard let lowest else { return }
            var rows: [SpendRow] = []
            for index in cursors.indices where cursors[index].hasPiece && cursors[index].pieceAccountID == lowest {
                guard let piece = cursors[index].current else { continue }
                for rejection in piece.rejections { try reject(rejection) }
                if rows.isEmpty { rows = piece.rows } else { rows += piece.rows }
                try cursors[index].advance()
            }
            try body(lowest, rows)
        }
    }

    /// A part's next piece, taking chunks from its queue as they come.
    private struct Cursor {
        let queue: HandoffQueue<[SpendPiece]>
        var chunk: [SpendPiece] = []
        var position = 0

        init(queue: HandoffQueue<[SpendPiece]>) throws {
            self.queue = queue
            try refill()
        }

        var current: SpendPiece? { position < chunk.count ? chunk[position] : nil }
        var hasPiece: Bool { position < chunk.count }
        /// The waiting piece's account (nil: rejections without one); only when `hasPiece`.
        var pieceAccountID: Int64? { chunk[position].accountID }

        mutating func advance() throws {
            position += 1
            if position >= chunk.count { try refill() }
        }

        private mutating func refill() throws {
            chunk = []
            position = 0
            while chunk.isEmpty {
                guard let next = try queue.take() else { return }
                chunk = next
            }
        }
    }
}
