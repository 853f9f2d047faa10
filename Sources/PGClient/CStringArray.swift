import Foundation

/// Null-terminated C strings for libpq calls that take `const char * const *`, freed afterwards.
/// A nil element becomes a NULL pointer (an SQL NULL parameter).
func withCStringArray<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { pointers.forEach { free($0) } }
    return try body(pointers.map { $0.map { UnsafePointer($0) } })
}
