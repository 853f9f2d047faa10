/// One row of a `QueryResult`, decoded column by column into Swift types.
///
/// NULL is explicit: `decode` throws on NULL, `decodeIfPresent` returns nil for it.
public struct Row {
    let result: QueryResult
    let index: Int

    public var columnCount: Int { result.columnCount }

    public func isNull(_ column: Int) -> Bool { result.isNull(row: index, column: column) }

    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw failure(column, T.self, "unexpected NULL")
        }
        return value
    }

    public func decodeIfPresent<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T? {
        guard column >= 0, column < result.columnCount else {
            throw PostgresError(kind: .usage, message: "column \(column) out of range (\(result.columnCount) columns)",
                                query: result.query)
        }
        if result.isNull(row: index, column: column) { return nil }
        guard T.accepts(result.columnType(column)) else { throw failure(column, T.self, "type not accepted") }
        do {
            return try T.decode(postgresText: result.text(row: index, column: column))
        } catch {
            throw failure(column, T.self, error.reason)
        }
    }

    public func decode<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try decode(try columnIndex(name), as: type)
    }

    public func decodeIfPresent<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(try columnIndex(name), as: type)
    }

    private func columnIndex(_ name: String) throws -> Int {
        guard let column = result.columnIndex(name) else {
            throw PostgresError(kind: .usage, message: "no column named \(name)", query: result.query)
        }
        return column
    }

    /// A decoding error naming the column, its SQL type and the Swift type; the value is left out.
    private func failure<T>(_ column: Int, _ type: T.Type, _ reason: String) -> PostgresError {
        var error = PostgresError(
            kind: .decoding,
            message: "cannot decode column \(result.columnName(column)) of SQL type \(TypeOID.sqlName(result.columnType(column))) as \(T.self): \(reason)",
            query: result.query)
        error.columnName = result.columnName(column)
        error.dataTypeName = TypeOID.sqlName(result.columnType(column))
        return error
    }
}
