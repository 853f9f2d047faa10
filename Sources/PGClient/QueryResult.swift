import CLibPQ

/// The rows of one completed statement. Owns its `PGresult` and clears it on deinit.
public final class QueryResult {
    let handle: OpaquePointer
    /// The statement's SQL, for error messages.
    let query: String

    init(handle: OpaquePointer, query: String) {
        self.handle = handle
        self.query = query
    }

    deinit { PQclear(handle) }

    public var rowCount: Int { Int(PQntuples(handle)) }
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Rows affected by INSERT/UPDATE/DELETE/COPY, 0 when the statement reports none.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }
    public func columnType(_ column: Int) -> UInt32 { UInt32(PQftype(handle, Int32(column))) }

    public func columnIndex(_ name: String) -> Int? {
        let index = Int(PQfnumber(handle, name))
        return index >= 0 ? index : nil
    }

    public var rows: [Row] { (0..<rowCount).map { Row(result: self, index: $0) } }

    public subscript(row: Int) -> Row { Row(result: self, index: row) }

    func isNull(row: Int, column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    func text(row: Int, column: Int) -> String { String(cString: PQgetvalue(handle, Int32(row), Int32(column))) }
}
