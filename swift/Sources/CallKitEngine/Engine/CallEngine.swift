internal import CCallKitEngine
import Foundation

/// The call-handling state machine: feed it every PushKit, CallKit, UI, signaling and
/// timer ``CallEngine/Event`` with the current ``CallEngine/Instant``; carry out the ``CallEngine/Effect``s it returns,
/// in order. It does no I/O, reads no clock of its own and never blocks.
///
/// It owns the engine's memory: ``init(configuration:)`` allocates the size and
/// alignment the library reports (`ck_engine_layout`), plus one effect buffer and one
/// step-data buffer reused by every step; `deinit` ends the engine and frees them.
///
/// Threading: deliberately **not** `Sendable`. Confine one engine to one serial queue
/// (the driver's `DispatchQueue`, or an actor): every callback becomes one ``handle(_:at:)``
/// call on that queue. Swift 6's checking keeps a non-`Sendable` engine from crossing
/// isolation domains; code that smuggles it across anyway gets ``EngineError/busy``
/// from the library's try-lock instead of a data race.
public final class CallEngine {
    private let memory: UnsafeMutableRawPointer
    private let engine: UnsafeMutablePointer<ck_engine>
    private let effects: UnsafeMutablePointer<ck_effect>
    private let effectCapacity: Int
    private let stepData: UnsafeMutablePointer<ck_step_data>

    /// The configuration the engine runs with, as the library read it back
    /// (`ck_engine_get_config`).
    public let configuration: CallEngine.Configuration

    /// A new engine with no calls, at time 0. Throws ``EngineError/invalidArgument`` or
    /// ``EngineError/invalidSchema`` for a configuration the library refuses
    /// (`ck_engine_init`); nothing is allocated then.
    public init(configuration: CallEngine.Configuration = CallEngine.Configuration()) throws(EngineError) {
        var size = 0
        var alignment = 0
        expectOK(ck_engine_layout(&size, &alignment))
        var config = try configuration.cConfig()
        try check(ck_config_validate(&config))

        let memory = UnsafeMutableRawPointer.allocate(
            byteCount: max(size, MemoryLayout<ck_engine>.size),
            alignment: max(alignment, MemoryLayout<ck_engine>.alignment))
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, MemoryLayout<ck_engine>.size))
        let engine = memory.bindMemory(to: ck_engine.self, capacity: 1)
        if let error = EngineError(plain: ck_engine_init(engine, size, &config)) {
            memory.deallocate()
            throw error
        }
        var readBack = ck_config()
        expectOK(ck_engine_get_config(engine, &readBack))
        var capacity = 0
        _ = ck_effects_capacity_needed(&capacity)
        capacity = max(capacity, Int(CK_MAX_EFFECTS))

        self.memory = memory
        self.engine = engine
        self.effectCapacity = capacity
        self.effects = .allocate(capacity: capacity)
        self.effects.initialize(repeating: ck_effect(), count: capacity)
        self.stepData = .allocate(capacity: 1)
        self.stepData.initialize(to: ck_step_data())
        self.configuration = CallEngine.Configuration(readBack)
    }

    deinit {
        _ = ck_engine_deinit(engine)
        memory.deallocate()
        effects.deinitialize(count: effectCapacity)
        effects.deallocate()
        stepData.deinitialize(count: 1)
        stepData.deallocate()
    }

    /// Feeds one event at `now` and returns the effects to carry out, in order
    /// (`ck_engine_handle`).
    ///
    /// `now` is on a clock that keeps counting through sleep (``CallEngine/Instant/now()``), never
    /// earlier than the last accepted event's. A refused event throws its
    /// ``EngineError`` (codes 20 and up) and changes nothing, not even the engine's
    /// clock. ``CallEngine/Event/voipPushReceived(push:payload:fallbackCall:mustReport:receivedAt:)``
    /// is never refused.
    public func handle(_ event: CallEngine.Event, at now: CallEngine.Instant) throws(EngineError) -> [CallEngine.Effect]
    {
        var count = 0
        let result = withCEvent(event) { cEvent in
            ck_engine_handle(engine, now.milliseconds, &cEvent, effects, effectCapacity, &count, stepData)
        }
        if result != CK_RESULT_OK { throw refusal(of: event, result, at: now) }
        var out: [CallEngine.Effect] = []
        out.reserveCapacity(count)
        let produced = min(count, effectCapacity)
        // The step's push end reason goes with its report, or, in a step without one,
        // with the push's completion (a push completed without a report).
        let reports = UnsafeBufferPointer(start: effects, count: produced)
            .contains { $0.kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL }
        for index in 0..<produced {
            out.append(CallEngine.Effect(effects + index, data: stepData, stepReports: reports))
        }
        return out
    }

    /// ``handle(_:at:)`` at ``CallEngine/Instant/now()``.
    public func handle(_ event: CallEngine.Event) throws(EngineError) -> [CallEngine.Effect] {
        try handle(event, at: .now())
    }

    /// A snapshot: the engine's clock, counts, the audio session, the earliest timer
    /// deadline (`ck_engine_status`).
    public func status() -> CallEngine.Status {
        var status = ck_status()
        expectOK(ck_engine_status(engine, &status))
        return CallEngine.Status(status)
    }

    /// The earliest deadline of any armed timer, for a host that prefers one wake-up
    /// to one timer per ``CallEngine/Effect/startTimer(timer:deadline:)``: sleep until then, then fire
    /// ``nextDueTimer(at:)`` until it is `nil` (the engine's `poll_timeout`).
    public func nextDeadline() -> CallEngine.Instant? {
        status().nextDeadline
    }

    /// Every armed timer with its deadline (`ck_engine_timers`; at most
    /// ``CallEngine/Limits/maximumTimers``).
    public func timers() -> [CallEngine.ArmedTimer] {
        list(empty: ck_timer_deadline(), capacity: CallEngine.Limits.maximumTimers, fill: ck_engine_timers) {
            CallEngine.ArmedTimer($0)
        }
    }

    /// The timer to fire next at `now`, with its deadline: of those whose deadline is at
    /// or before `now`, the earliest, ties broken by ``CallEngine/Timer``'s order
    /// (`ck_engine_next_due_timer`, the engine's `next_due_timer`); `nil` when none is
    /// due. Fire it with ``CallEngine/Event/timerFired(timer:)`` and ask again: firing one timer can
    /// cancel or arm others. Reads only; the engine's clock does not move.
    public func nextDueTimer(at now: CallEngine.Instant) -> CallEngine.ArmedTimer? {
        var next = ck_timer_deadline()
        var due = false
        expectOK(ck_engine_next_due_timer(engine, now.milliseconds, &next, &due))
        guard due else { return nil }
        return CallEngine.ArmedTimer(next)
    }

    /// Every live call, in the engine's slot order (`ck_engine_calls`; at most
    /// ``CallEngine/Limits/maximumCalls``).
    public func calls() -> [CallInfo] {
        list(empty: ck_call_info(), capacity: CallEngine.Limits.maximumCalls, fill: ck_engine_calls) { CallInfo($0) }
    }

    /// A list the library writes into a caller's buffer (`ck_engine_timers`,
    /// `ck_engine_calls`), converted entry by entry.
    private func list<Entry, Item>(
        empty: Entry,
        capacity: Int,
        fill: (UnsafeMutablePointer<ck_engine>?, UnsafeMutablePointer<Entry>?, Int, UnsafeMutablePointer<Int>?) ->
            ck_result,
        convert: (Entry) -> Item
    ) -> [Item] {
        var buffer = [Entry](repeating: empty, count: capacity)
        var count = 0
        let result = buffer.withUnsafeMutableBufferPointer { out in fill(engine, out.baseAddress, out.count, &count) }
        expectOK(result)
        return buffer.prefix(count).map(convert)
    }
}

extension CallEngine {
    /// A timer that is armed, with its deadline (``CallEngine/timers()``).
    public struct ArmedTimer: Hashable, Sendable {
        /// The timer.
        public var timer: CallEngine.Timer
        /// When it is due, on the engine's clock.
        public var deadline: CallEngine.Instant

        /// A timer and its deadline.
        public init(timer: CallEngine.Timer, deadline: CallEngine.Instant) {
            self.timer = timer
            self.deadline = deadline
        }

        init(_ entry: ck_timer_deadline) {
            self.init(
                timer: CallEngine.Timer(entry.timer), deadline: CallEngine.Instant(milliseconds: entry.deadline_ms))
        }
    }
}

extension CallEngine {
    /// A snapshot of an engine (``CallEngine/status()``).
    public struct Status: Hashable, Sendable {
        /// The time of the last accepted event.
        public var now: CallEngine.Instant
        /// The earliest timer deadline, `nil` when no timer is armed.
        public var nextDeadline: CallEngine.Instant?
        /// Live calls.
        public var callCount: Int
        /// Pushes whose PushKit completion is still owed.
        public var pendingPushCount: Int
        /// `CXCallController` requests awaiting their completion.
        public var pendingTransactionCount: Int
        /// No calls, pushes or transactions (so no timers).
        public var isIdle: Bool
        /// Between `provider(_:didActivate:)` and `provider(_:didDeactivate:)`.
        public var isAudioSessionActive: Bool

        init(_ status: ck_status) {
            now = CallEngine.Instant(milliseconds: status.now_ms)
            nextDeadline = status.has_deadline ? CallEngine.Instant(milliseconds: status.next_deadline_ms) : nil
            callCount = Int(status.calls)
            pendingPushCount = Int(status.pending_pushes)
            pendingTransactionCount = Int(status.pending_transactions)
            isIdle = status.idle
            isAudioSessionActive = status.audio_session_active
        }
    }
}

extension CallInfo {
    /// Which way a call goes.
    public enum Direction: Int, Hashable, Sendable {
        /// Reported with `reportNewIncomingCall`.
        case incoming = 1
        /// Started with a `CXStartCallAction`.
        case outgoing = 2
    }
}

extension CallInfo {
    /// Where a live call stands.
    public enum Phase: Int, Hashable, Sendable {
        /// Incoming, not answered.
        case ringing = 1
        /// Incoming, the `CXAnswerCallAction` deferred until the connection is ready.
        case answering = 2
        /// Incoming, answered.
        case answered = 3
        /// Outgoing, the `CXStartCallAction` requested.
        case requested = 4
        /// Outgoing, the start action being performed.
        case starting = 5
        /// Outgoing, connecting (`reportOutgoingCall(with:startedConnectingAt:)`).
        case connecting = 6
        /// Outgoing, connected (`reportOutgoingCall(with:connectedAt:)`).
        case connected = 7
    }
}

/// One live call (``CallEngine/calls()``).
public struct CallInfo: Hashable, Sendable {
    /// The call's UUID (`CXCall.uuid`).
    public var call: UUID
    /// Its group (its own UUID until grouped with `CXSetGroupCallAction`).
    public var group: UUID
    /// The `CXAction` (answer or start) the engine defers for it until the call can go on,
    /// if any (`Call::deferred_action` in Rust).
    public var deferredAction: UUID?
    /// Incoming or outgoing.
    public var direction: CallInfo.Direction
    /// Where it stands.
    public var phase: CallInfo.Phase
    /// Its `reportNewIncomingCall` has not completed.
    public var isReportPending: Bool
    /// An end is kept until CallKit knows the call.
    public var isEndPending: Bool
    /// Its signaling connection is ready.
    public var isConnectionReady: Bool
    /// Its media runs.
    public var isMediaRunning: Bool
    /// On hold (`CXCall.isOnHold`).
    public var isOnHold: Bool
    /// Muted.
    public var isMuted: Bool
    /// A video call.
    public var hasVideo: Bool
    /// Its local ringback tone plays (``CallEngine/Effect/startRingback(call:)`` and no stop since).
    public var isRingbackPlaying: Bool
    /// Outgoing, connecting, and its far end rings (``CallEngine/Event/outgoingCallRinging(call:)``).
    public var isRemoteRinging: Bool
    /// Its translation's languages (BCP 47) while it is translated
    /// (``CallEngine/Effect/startTranslation(call:)`` and no stop since), else `nil`.
    public var translation: (local: String, remote: String)? {
        get { translationLanguages.map { ($0.local, $0.remote) } }
        set { translationLanguages = newValue.map { TranslationLanguages(local: $0.local, remote: $0.remote) } }
    }
    private var translationLanguages: TranslationLanguages?

    private struct TranslationLanguages: Hashable, Sendable {
        var local: String
        var remote: String
    }

    init(_ info: ck_call_info) {
        guard let direction = CallInfo.Direction(rawValue: Int(info.direction)) else {
            unexpectedValue(info.direction, "call direction")
        }
        guard let phase = CallInfo.Phase(rawValue: Int(info.phase)) else {
            unexpectedValue(info.phase, "call phase")
        }
        call = UUID(info.call)
        group = UUID(info.group)
        deferredAction = info.has_deferred_action ? UUID(info.deferred_action) : nil
        self.direction = direction
        self.phase = phase
        isReportPending = info.report_pending
        isEndPending = info.end_pending
        isConnectionReady = info.connection_ready
        isMediaRunning = info.media_running
        isOnHold = info.on_hold
        isMuted = info.muted
        hasVideo = info.has_video
        isRingbackPlaying = info.ringback_playing
        isRemoteRinging = info.remote_ringing
        if info.translating {
            let text = { (bytes: [UInt8], len: UInt8) in
                String(decoding: bytes.prefix(Int(len)), as: UTF8.self)
            }
            translationLanguages = TranslationLanguages(
                local: text(withUnsafeBytes(of: info.local_language) { Array($0) }, info.local_language_len),
                remote: text(withUnsafeBytes(of: info.remote_language) { Array($0) }, info.remote_language_len))
        }
    }
}

extension CallEngine {
    /// The ``EngineError`` of a refused `event`, with the id the refusal is about. The C
    /// ABI returns the result code alone; every refusal that carries an id is about an id
    /// the event names (its call, action, push, transaction or timer: an event names at
    /// most one of each kind the refusal could mean), so the id is read from the event,
    /// and the engine's time and the timer's deadline from the engine, which the refusal
    /// left as it was.
    fileprivate func refusal(of event: CallEngine.Event, _ result: ck_result, at now: CallEngine.Instant) -> EngineError
    {
        let ids = event.ids
        func named<T>(_ id: T?) -> T {
            guard let id else { unexpectedResult(result.rawValue, "CallEngine.handle(_:at:)") }
            return id
        }
        switch result {
        case CK_RESULT_TIME_WENT_BACKWARDS: return .timeWentBackwards(last: status().now, now: now)
        case CK_RESULT_UNKNOWN_CALL: return .unknownCall(call: named(ids.call))
        case CK_RESULT_CALL_EXISTS: return .callExists(call: named(ids.call))
        case CK_RESULT_WRONG_PHASE: return .wrongPhase(call: named(ids.call))
        case CK_RESULT_NOT_SUPPORTED: return .notSupported(call: named(ids.call))
        case CK_RESULT_UNKNOWN_PUSH: return .unknownPush(push: named(ids.push))
        case CK_RESULT_DUPLICATE_ACTION: return .duplicateAction(action: named(ids.action))
        case CK_RESULT_UNKNOWN_TRANSACTION: return .unknownTransaction(transaction: named(ids.transaction))
        case CK_RESULT_UNKNOWN_TIMER: return .unknownTimer(timer: named(ids.timer))
        case CK_RESULT_TIMER_NOT_DUE:
            let timer = named(ids.timer)
            return .timerNotDue(timer: timer, deadline: named(timers().first { $0.timer == timer }?.deadline))
        default:
            // Results without an id; `CK_RESULT_OK` is not a refusal.
            return named(EngineError(plain: result, "CallEngine.handle(_:at:)"))
        }
    }
}

extension CallEngine.Event {
    /// The ids an event names, for its refusal's ``EngineError``.
    fileprivate var ids:
        (call: UUID?, action: UUID?, push: PushID?, transaction: TransactionID?, timer: CallEngine.Timer?)
    {
        switch self {
        case .voipPushReceived(let push, _, _, _, _): (nil, nil, push, nil, nil)
        case .incomingCallReported(.push(let push), _): (nil, nil, push, nil, nil)
        case .incomingCallReported(.call(let call), _): (call, nil, nil, nil, nil)
        case .performStartCall(let action, let call, _, _), .performAnswerCall(let action, let call),
            .performEndCall(let action, let call), .performSetHeld(let action, let call, _),
            .performSetMuted(let action, let call, _), .performSetGroup(let action, let call, _),
            .performPlayDTMF(let action, let call, _, _), .performSetTranslating(let action, let call, _, _, _):
            (call, action, nil, nil, nil)
        case .timedOutPerforming(let action): (nil, action, nil, nil, nil)
        case .requestStartCall(let call, _, _), .requestEndCall(let call), .requestAnswerCall(let call),
            .requestSetHeld(let call, _),
            .requestSetMuted(let call, _), .requestPlayDTMF(let call, _, _), .outgoingCallConnecting(let call),
            .outgoingCallRinging(let call), .outgoingCallConnected(let call), .outgoingCallRefused(let call, _),
            .incomingCallConnected(let call), .remoteEnded(let call), .answeredElsewhere(let call),
            .declinedElsewhere(let call), .connectionFailed(let call), .callDetailsChanged(let call, _, _),
            .incomingCallAnnounced(let call, _, _, _):
            (call, nil, nil, nil, nil)
        case .transactionCompleted(let transaction, _): (nil, nil, nil, transaction, nil)
        case .timerFired(let timer): (timer.call, nil, timer.push, nil, timer)
        case .pushCredentialsUpdated, .pushCredentialsInvalidated, .providerDidBegin, .providerDidReset,
            .didActivateAudioSession, .didDeactivateAudioSession:
            (nil, nil, nil, nil, nil)
        }
    }
}
