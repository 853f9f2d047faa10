import Logging
import SpendReconApp

LoggingSystem.bootstrap(StreamLogHandler.standardError)
SpendRecon.main()
