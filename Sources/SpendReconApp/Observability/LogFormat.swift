import ArgumentParser

/// How log lines are written to stderr: `logfmt` (key=value, for people and grep) or `json`
/// (one object per line, for log shippers).
public enum LogFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    case logfmt
    case json
}
