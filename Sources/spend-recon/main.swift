import Logging
import SpendReconApp

// Commands build their own loggers from --log-format/--log-level; this default covers anything
// that logs before a command has parsed its options.
LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .logfmt) }
SpendRecon.main()
