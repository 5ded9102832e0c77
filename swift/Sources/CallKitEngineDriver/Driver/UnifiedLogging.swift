#if canImport(os)
import CallKitEngine
import Foundation
import os

extension CallEngine.Log {
    /// The default `os.Logger` category of the engine's records.
    public static let defaultCategory = "engine"

    /// Sends the engine's log records to the unified logging system (Console.app,
    /// `log stream --predicate 'subsystem == "<subsystem>"'`) through
    /// `os.Logger(subsystem:category:)`, for the rest of the process.
    ///
    /// Levels map to `OSLogType`: error to `.error`, warning to `.default`, info to
    /// `.info`, debug and trace to `.debug` (kept in memory only, unless the subsystem's
    /// logging is configured to persist it). Messages are logged `.public`: they hold
    /// ids, phases and counts, never personal data (see `CallEngine.Log.Record`).
    ///
    /// - Parameters:
    ///   - subsystem: the `os.Logger` subsystem; by default the app's bundle identifier
    ///     (`"callkit-engine"` when it has none).
    ///   - category: the `os.Logger` category, by default ``defaultCategory``
    ///     (`"engine"`).
    /// - Throws: `EngineError.alreadySet` when a handler is already set.
    public static func sendToUnifiedLogging(
        subsystem: String = Bundle.main.bundleIdentifier ?? "callkit-engine",
        category: String = CallEngine.Log.defaultCategory
    ) throws(EngineError) {
        let logger = Logger(subsystem: subsystem, category: category)
        try setHandler { record in
            logger.log(level: record.level.osLogType, "\(record.message, privacy: .public)")
        }
    }
}

extension CallEngine.Log.Level {
    /// The unified logging type of this level.
    var osLogType: OSLogType {
        switch self {
        case .error: .error
        case .warning: .default
        case .info: .info
        case .debug, .trace: .debug
        }
    }
}
#endif
