/// The PostgreSQL type OIDs the layer decodes, with their SQL names for error messages.
public enum TypeOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let int8Array: UInt32 = 1016
    public static let textArray: UInt32 = 1009
    public static let int4Array: UInt32 = 1007
    public static let unknown: UInt32 = 705

    public static let integers: Set<UInt32> = [int2, int4, int8, oid]
    public static let texts: Set<UInt32> = [text, varchar, bpchar, name, unknown]

    public static func sqlName(_ oid: UInt32) -> String {
        switch oid {
        case bool: return "boolean"
        case bytea: return "bytea"
        case name: return "name"
        case int8: return "bigint"
        case int2: return "smallint"
        case int4: return "integer"
        case text: return "text"
        case oid: return "oid"
        case bpchar: return "character"
        case varchar: return "character varying"
        case timestamp: return "timestamp without time zone"
        case timestamptz: return "timestamp with time zone"
        case numeric: return "numeric"
        case int8Array: return "bigint[]"
        case textArray: return "text[]"
        case int4Array: return "integer[]"
        default: return "type oid \(oid)"
        }
    }
}
