import Logging
import SpendReconApp
import SpendReconBench

// The bench builds its own logger from --log-level; this default covers anything before that.
LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .logfmt) }
BenchCommand.main()
