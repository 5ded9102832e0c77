internal import CCallKitEngine

extension CallEngine.Log {
    /// The severity of an engine log record: the C ABI's `ck_log_level`, the `log` crate's
    /// levels (1 error to 5 trace). The engine writes its transitions at ``debug``.
    public enum Level: UInt8, CaseIterable, Comparable, Hashable, Sendable {
        /// `CK_LOG_LEVEL_ERROR` (1).
        case error = 1
        /// `CK_LOG_LEVEL_WARN` (2).
        case warning = 2
        /// `CK_LOG_LEVEL_INFO` (3).
        case info = 3
        /// `CK_LOG_LEVEL_DEBUG` (4): every record the engine writes today.
        case debug = 4
        /// `CK_LOG_LEVEL_TRACE` (5).
        case trace = 5

        /// More severe first: `.error < .debug`.
        public static func < (lhs: CallEngine.Log.Level, rhs: CallEngine.Log.Level) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }
}

extension CallEngine.Log {
    /// One record of the engine's log, copied out of the C callback.
    ///
    /// The engine logs ids (call UUIDs, push and transaction numbers), phases, counts and
    /// event names only: never a caller name, a handle, DTMF digits, a push token or payload
    /// bytes (the Rust crate's `log` feature enforces this by type, and the C and Swift
    /// tests check it with the corpus payloads). So a message may be logged publicly.
    public struct Record: Hashable, Sendable {
        /// The severity.
        public var level: CallEngine.Log.Level
        /// Where it comes from: `"callkit_engine"`.
        public var target: String
        /// The text, at most `CK_LOG_MESSAGE_CAPACITY` (512) bytes of UTF-8 (longer text is
        /// cut at a character boundary).
        public var message: String

        /// A record; the engine makes them, tests may too.
        public init(level: CallEngine.Log.Level, target: String, message: String) {
            self.level = level
            self.target = target
            self.message = message
        }
    }
}

extension CallEngine {
    /// The engine's log, as a Swift closure: the C ABI's `ck_log_set_callback` bridged.
    ///
    /// Set once per process. The handler is then called for every record of every
    /// ``CallEngine``, synchronously, on the thread of the engine call that logged (the
    /// engine's serial queue) and before that call returns; never later or from another
    /// thread. It must not call back into the logging engine. On Apple platforms
    /// `CallEngine.Log.sendToUnifiedLogging(subsystem:category:)` sets an `os.Logger` as the
    /// handler.
    public enum Log {
        /// Sends the engine's log records to `handler` for the rest of the process.
        ///
        /// - Throws: ``EngineError/alreadySet`` when a handler (or another Rust library's
        ///   global logger) is already set: the first stays, nothing changes.
        public static func setHandler(_ handler: @escaping @Sendable (CallEngine.Log.Record) -> Void)
            throws(EngineError)
        {
            let box = LogHandlerBox(handler)
            // Retained for the rest of the process (the C side keeps the pointer); released
            // again only when the library refused it.
            let context = Unmanaged.passRetained(box).toOpaque()
            // The C callback captures nothing (as `@convention(c)` needs): the handler comes
            // back through `context`.
            let result = ck_log_set_callback(
                { context, level, target, message in
                    guard let context else { return }
                    let box = Unmanaged<LogHandlerBox>.fromOpaque(context).takeUnretainedValue()
                    box.handler(
                        CallEngine.Log.Record(
                            level: CallEngine.Log.Level(rawValue: level) ?? .trace, target: text(target),
                            message: text(message)))
                }, context)
            if let error = EngineError(plain: result) {
                Unmanaged<LogHandlerBox>.fromOpaque(context).release()
                throw error
            }
        }
    }
}

/// The handler behind the C callback's context pointer.
private final class LogHandlerBox: Sendable {
    let handler: @Sendable (CallEngine.Log.Record) -> Void

    init(_ handler: @escaping @Sendable (CallEngine.Log.Record) -> Void) { self.handler = handler }
}

/// The UTF-8 text a `ck_str` borrows (copied: the record's pointers live only during
/// the callback).
private func text(_ str: ck_str) -> String {
    guard let base = str.ptr else { return "" }
    return String(decoding: UnsafeBufferPointer(start: base, count: str.len), as: UTF8.self)
}
