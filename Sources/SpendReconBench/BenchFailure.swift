/// The bench found something wrong with what it measured (a night that decided differently,
/// a run that failed): exit 70.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}
