import CallKitEngine
import Foundation

/// The CallKit / PushKit driver: the object an app creates once and keeps for its whole
/// life. It owns the engine and the one serial queue every engine step runs on, receives
/// the `PKPushRegistryDelegate` and `CXProviderDelegate` callbacks (on Apple platforms it
/// is their delegate: swift/Sources/CallKitEngineDriver/Apple/), carries out every effect on
/// the provider, call controller, audio session, the app's signaling and media, and runs
/// the engine's timers.
///
/// What it guarantees (docs/ios-integration.md, "The ordering rules"):
/// - a VoIP push is reported to CallKit before the PushKit delegate method returns
///   (unless iOS 26.4's `PKVoIPPushMetadata.mustReport` is `false` and the engine would
///   only report and end it), and its PushKit completion runs exactly once, when the
///   engine says so (after the report's completion, at the push deadline, or at once
///   for a push completed without a report);
/// - every `CXAction` handed in is fulfilled or failed exactly once (unless CallKit timed
///   it out first); one the engine refuses is failed at once, so its transaction
///   completes;
/// - every `CXCallController` request's completion goes back to the engine;
/// - timers are monotonic: changing the date and time moves none of them;
/// - a step the engine refuses changes nothing and is logged.
///
/// Thread rules: the `handle…` entry points are CallKit's and PushKit's (reached through
/// the delegate conformances, or CallKitEngineTesting's fakes); they are `package`, not
/// for apps, and trap unless called on ``queue`` (the provider and push registry are
/// created with it). The app's calls (``startCall(to:type:isVideo:completion:)``,
/// ``answer(call:)``, ``endCall(_:)``, ``signalingDidReport(_:)``, ...) may come from any
/// thread and hop onto the queue; ``calls`` and ``callListUpdates()`` may be read from any
/// thread.
public final class CallDriver: NSObject, @unchecked Sendable {
    // Why @unchecked Sendable: CallKit and PushKit hold the driver as their delegate and
    // call it on `queue`, and completions and timers capture it to run on `queue` (a
    // completion CallKit already runs there runs inline, see `onQueue`).
    // Every stored `var`, the engine and the non-Sendable ports (provider, call controller,
    // push registry, audio session) are read and written only on `queue`: the `handle…`
    // entry points check it with dispatchPrecondition, and every other entry point goes
    // through `queue.async`. The app's signaling and media are Sendable (their protocols
    // refine it, so the compiler checks the app's conformances). The remaining `let`s
    // (the queue, the scheduler, the handle types and video flag, the log) are immutable
    // and Sendable.

    /// The serial queue every engine step, effect and delegate callback runs on.
    public let queue: DispatchQueue

    /// The backend this driver runs on, and why the ones preferred before it were passed
    /// over (``BackendPolicy/choose(for:)``); the driver hands it to the app's signaling
    /// at ``start()`` (``CallSignaling/backendChosen(_:)``) so the server learns which
    /// pushes to send.
    public let backendChoice: CallDriver.BackendChoice

    /// The backend this driver runs on (``backendChoice``'s).
    public var backend: CallDriver.Backend { backendChoice.backend }

    private let engine: CallEngine
    private let supportedHandleTypes: Set<HandleType>
    private let supportsVideo: Bool
    private let provider: any CallProvider
    private let callController: any CallController
    /// `nil` under the in-app backend, which never registers for VoIP pushes.
    private let pushRegistry: (any VoIPPushRegistry)?
    private let audioSession: any CallAudioSession
    private let signaling: any CallSignaling
    private let media: any CallMedia
    private let scheduler: any CallScheduler
    private let log: @Sendable (CallDriverLogEntry) -> Void
    /// What the app's UI reads: the last published call list, and its subscribers.
    private let callList = CallListStore()
    /// The caller's handle and name of each live call, as its report, update or start
    /// carried them (the engine's call list holds neither).
    private var callerDetails: [UUID: CallerDetails] = [:]
    /// The app's completions for its ``startCall(to:type:isVideo:completion:)`` calls, by
    /// call, until CallKit answered the start transaction.
    private var startCompletions: [UUID: @Sendable ((any Error)?) -> Void] = [:]

    /// PushKit completion handlers, by the push id the driver chose.
    private var pushCompletions: [PushID: @Sendable () -> Void] = [:]
    private var nextPush: UInt64 = 1
    /// CallKit actions waiting for the engine to fulfil or fail them, by `CXAction.uuid`.
    private var actions: [UUID: any CallDriver.ProviderAction] = [:]
    /// Armed timers.
    private var timers: [CallEngine.Timer: any CallDriver.ScheduledTimer] = [:]
    /// Set on `queue` (this driver's own key): tells a completion whether it already runs
    /// on the queue.
    private let queueKey = DispatchSpecificKey<UInt8>()
    /// True while a step carries out its effects.
    private var stepping = false
    /// Completions that ran on the queue from inside an effect (a provider answering
    /// synchronously): they run right after that step's effects, in order.
    private var completionsDuringStep: [@Sendable () -> Void] = []

    /// A driver over `configuration`'s engine on a system calling framework (CallKit, or
    /// LiveCommunicationKit through the same ports).
    ///
    /// - Parameters:
    ///   - configuration: The engine's configuration; its `supportedHandleTypes` and
    ///     `supportsVideo` must match the `CXProviderConfiguration` the provider was made
    ///     with (`init(providerConfiguration:configuration:signaling:media:audioSession:log:)`
    ///     derives one from the other).
    ///   - backendChoice: The backend the ports belong to: ``Backend/callKit`` (the
    ///     default) or ``Backend/liveCommunicationKit``, with the policy's reasons.
    ///   - provider: CallKit's `CXProvider` behind the driver's protocol (or
    ///     CallKitEngineTesting's fake, as for the next three).
    ///   - callController: CallKit's `CXCallController`.
    ///   - pushRegistry: PushKit's `PKPushRegistry`.
    ///   - audioSession: AVFAudio's `AVAudioSession`.
    ///   - signaling: makes the app's VoIP stack from the driver's ``Signaling`` handle
    ///     (run once, inside this initializer; a report the stack makes before the
    ///     initializer returns is dropped). The stack is held strongly and called on
    ///     `queue`; `Sendable` (see ``CallSignaling``), so a main-actor-isolated
    ///     conformance is refused at compile time.
    ///   - media: the app's media engine, held and called the same way.
    ///   - scheduler: time and timers (``DispatchScheduler`` unless testing).
    ///   - queue: the serial queue the provider and push registry deliver on.
    ///   - log: where refused steps and ignored callbacks are reported.
    /// - Throws: ``CallDriverError/wrongBackend(_:)`` for ``Backend/inApp`` (its driver
    ///   is made with `init(inAppConfiguration:signaling:media:audioSession:scheduler:queue:log:)`,
    ///   which brings the system's part itself); the engine's error when it refuses the
    ///   configuration.
    public convenience init(
        configuration: CallEngine.Configuration,
        backendChoice: CallDriver.BackendChoice = CallDriver.BackendChoice(backend: .callKit),
        provider: any CallProvider,
        callController: any CallController,
        pushRegistry: any VoIPPushRegistry,
        audioSession: any CallAudioSession,
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        scheduler: any CallScheduler = DispatchScheduler(),
        queue: DispatchQueue = DispatchQueue(label: "callkit-engine.driver"),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        guard backendChoice.backend != .inApp else { throw CallDriverError.wrongBackend(.inApp) }
        try self.init(
            core: configuration, backendChoice: backendChoice, provider: provider, callController: callController,
            pushRegistry: pushRegistry, audioSession: audioSession, signaling: signaling, media: media,
            scheduler: scheduler, queue: queue, log: log)
    }

    /// A driver for the app's own call UI (``Backend/inApp``): no system calling
    /// framework and no VoIP pushes. The driver plays the system's part itself: it
    /// accepts the engine's reports, performs the requests the app's UI makes through
    /// ``answer(call:)``, ``decline(call:)``, ``endCall(_:)``, ``setHeld(_:onHold:)``,
    /// ``setMuted(_:muted:)`` and ``playDTMF(_:digits:type:)`` as CallKit would, and
    /// activates `audioSession` once a call is answered or started (then deactivates it
    /// when the last call ended), so the engine's rules hold unchanged. The app's UI shows
    /// ``calls`` (``callListUpdates()``). Incoming calls come over the app's connection
    /// (``SignalingEvent/incomingCallAnnounced(call:handle:callerName:isVideo:)``) or from
    /// a regular notification (``incomingCallNotificationReceived(userInfo:)``). The
    /// initializer starts the driver (``start()``): the app's server is told not to send
    /// VoIP pushes (``CallSignaling/backendChosen(_:)``); do not call ``start()`` again.
    /// docs/ios-integration.md, "Choosing a backend".
    ///
    /// - Parameters:
    ///   - configuration: The engine's configuration; `maximumCallGroups` and
    ///     `supportsHolding` are also the in-app system's (answering a second call holds
    ///     the active one, or ends it beyond `maximumCallGroups` or without holding).
    ///   - backendChoice: The policy's choice (``BackendPolicy/choose(for:)``), for the
    ///     reasons it carries; ``Backend/inApp`` by default.
    ///   - signaling: makes the app's VoIP stack from the driver's ``Signaling`` handle
    ///     (run once, inside this initializer; held strongly, called on `queue`).
    ///   - media: the app's media engine, held and called the same way.
    ///   - audioSession: The session the driver activates and deactivates
    ///     (`SystemAudioSession()` on a device).
    ///   - scheduler: time and timers (``DispatchScheduler`` unless testing).
    ///   - queue: the serial queue every step runs on.
    ///   - log: where refused steps and ignored callbacks are reported.
    /// - Throws: ``CallDriverError/wrongBackend(_:)`` when `backendChoice` names a system
    ///   framework; the engine's error when it refuses the configuration.
    public convenience init(
        inAppConfiguration configuration: CallEngine.Configuration,
        backendChoice: CallDriver.BackendChoice = CallDriver.BackendChoice(backend: .inApp),
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        audioSession: any CallAudioSession,
        scheduler: any CallScheduler = DispatchScheduler(),
        queue: DispatchQueue = DispatchQueue(label: "callkit-engine.driver"),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        guard backendChoice.backend == .inApp else { throw CallDriverError.wrongBackend(backendChoice.backend) }
        let system = InAppCallSystem(
            queue: queue, audioSession: audioSession, maximumCallGroups: configuration.maximumCallGroups,
            canHold: configuration.supportsHolding, log: log)
        try self.init(
            core: configuration, backendChoice: backendChoice, provider: system, callController: system,
            pushRegistry: nil, audioSession: audioSession, signaling: signaling, media: media, scheduler: scheduler,
            queue: queue, log: log)
        // First on the queue: everything that reaches the system comes after.
        queue.async { system.attach(self) }
        start()
    }

    /// The in-app driver for a VoIP stack made before the driver (which then keeps its
    /// own `weak` reference to the driver). The initializer whose `signaling` is a
    /// closure describes the parameters; prefer it.
    ///
    /// - Throws: As the closure form.
    public convenience init(
        inAppConfiguration configuration: CallEngine.Configuration,
        backendChoice: CallDriver.BackendChoice = CallDriver.BackendChoice(backend: .inApp),
        signaling: any CallSignaling,
        media: any CallMedia,
        audioSession: any CallAudioSession,
        scheduler: any CallScheduler = DispatchScheduler(),
        queue: DispatchQueue = DispatchQueue(label: "callkit-engine.driver"),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        try self.init(
            inAppConfiguration: configuration, backendChoice: backendChoice, signaling: { _ in signaling },
            media: media, audioSession: audioSession, scheduler: scheduler, queue: queue, log: log)
    }

    private init(
        core configuration: CallEngine.Configuration,
        backendChoice: CallDriver.BackendChoice,
        provider: any CallProvider,
        callController: any CallController,
        pushRegistry: (any VoIPPushRegistry)?,
        audioSession: any CallAudioSession,
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        scheduler: any CallScheduler,
        queue: DispatchQueue,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void
    ) throws {
        let handle = CallDriver.Signaling()
        let stack = signaling(handle)
        self.engine = try CallEngine(configuration: configuration)
        self.backendChoice = backendChoice
        self.supportedHandleTypes = configuration.supportedHandleTypes
        self.supportsVideo = configuration.supportsVideo
        self.provider = provider
        self.callController = callController
        self.pushRegistry = pushRegistry
        self.audioSession = audioSession
        self.signaling = stack
        self.media = media
        self.scheduler = scheduler
        self.queue = queue
        self.log = log
        super.init()
        queue.setSpecific(key: queueKey, value: 1)
        handle.attach(self)
    }

    /// A driver over `configuration`'s engine, for a VoIP stack made before the driver
    /// (which then reaches the driver by its own reference, kept `weak`).
    /// The initializer whose `signaling` is a closure describes the parameters; prefer
    /// it: the stack then gets a ``Signaling`` handle.
    ///
    /// - Throws: The engine's error when it refuses the configuration.
    public convenience init(
        configuration: CallEngine.Configuration,
        backendChoice: CallDriver.BackendChoice = CallDriver.BackendChoice(backend: .callKit),
        provider: any CallProvider,
        callController: any CallController,
        pushRegistry: any VoIPPushRegistry,
        audioSession: any CallAudioSession,
        signaling: any CallSignaling,
        media: any CallMedia,
        scheduler: any CallScheduler = DispatchScheduler(),
        queue: DispatchQueue = DispatchQueue(label: "callkit-engine.driver"),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        try self.init(
            configuration: configuration, backendChoice: backendChoice, provider: provider,
            callController: callController, pushRegistry: pushRegistry, audioSession: audioSession,
            signaling: { _ in signaling }, media: media,
            scheduler: scheduler, queue: queue, log: log)
    }

    /// Tells the app's signaling which backend runs and so which pushes the server must
    /// send (``CallSignaling/backendChosen(_:)``), then registers for VoIP pushes
    /// (`desiredPushTypes = [.voIP]`) unless the backend is ``Backend/inApp``, which never
    /// does. Call once, after the driver became the push registry's delegate; the
    /// initializers an app calls (CallKit's, LiveCommunicationKit's and the in-app one)
    /// call it themselves, the one with explicit ports does not.
    public func start() {
        queue.async {
            self.signaling.backendChosen(self.backendChoice)
            self.pushRegistry?.registerForVoIPPushes()
        }
    }

    /// A regular notification (not a VoIP push) that announces an incoming call, with the
    /// payload in the configuration's schema (`UNNotificationContent.userInfo`, from
    /// `userNotificationCenter(_:didReceive:withCompletionHandler:)` when the user taps it
    /// or `userNotificationCenter(_:willPresent:withCompletionHandler:)` in the
    /// foreground, https://developer.apple.com/documentation/usernotifications/unusernotificationcenterdelegate).
    /// The in-app backend's counterpart of a VoIP push; any backend takes it. Any thread.
    ///
    /// The engine reads it as a push nobody must report (iOS 26.4's
    /// `mustReport == false`): a new call rings (the in-app UI shows it in ``calls``), a
    /// copy of a call already here is the same call, a notification for a call that
    /// ended or one older than `CallEngine.Configuration.maximumPushAge` (the user tapped
    /// it late) rings nothing (the late one reaches ``CallSignaling/missedCall(_:update:)``),
    /// and an unusable payload is dropped. The sender should put its sent time in the
    /// schema's `sentAtKey`, or a late tap rings a call the caller gave up on.
    public func incomingCallNotificationReceived(userInfo: [AnyHashable: Any]) {
        let json = PushPayloadWriter.data(userInfo)
        queue.async { self.receivePush(json: json, mustReport: false) {} }
    }

    // MARK: - PushKit entry points (on `queue`)

    /// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)` for `.voIP`, or iOS
    /// 26.4's `pushRegistry(_:didReceiveIncomingVoIPPushWith:metadata:withCompletionHandler:)`
    /// with `mustReport` from its `PKVoIPPushMetadata` (`nil` before iOS 26.4): reports
    /// the call to CallKit before returning (unless `mustReport` is `false` and the push
    /// would only be reported and ended), and keeps `completion` until the engine
    /// completes the push. The push carries the wall clock
    /// (``CallScheduler/currentDate()``) as its arrival time, for the maximum push age
    /// (`CallEngine.Configuration.maximumPushAge`).
    ///
    /// A payload that is not a JSON object (say, one holding a date) is read as an
    /// unusable push: the engine reports a call under a fresh UUID and ends it once
    /// CallKit accepted it, as PushKit requires.
    package func handleIncomingPush(
        payload: [AnyHashable: Any], mustReport: Bool? = nil, completion: @escaping @Sendable () -> Void
    ) {
        dispatchPrecondition(condition: .onQueue(queue))
        receivePush(json: PushPayloadWriter.data(payload), mustReport: mustReport, completion: completion)
    }

    /// A push (or a regular notification) as JSON, `nil` when its payload was not a JSON
    /// object: one engine step, its completion kept until the engine completes it.
    private func receivePush(json: Data?, mustReport: Bool?, completion: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        let push = PushID(rawValue: nextPush)
        nextPush &+= 1
        pushCompletions[push] = completion
        if json == nil {
            record(.payloadNotJSON, "the VoIP push payload is not a JSON object; reporting it as unusable")
        }
        let fallback = UUID()
        let event = CallEngine.Event.voipPushReceived(
            push: push, payload: json ?? Data(), fallbackCall: fallback, mustReport: mustReport,
            receivedAt: scheduler.currentDate())
        if step(event) != nil {
            // The engine never refuses a push; should it, PushKit still needs a report.
            reportRefusedPush(push, fallback: fallback)
        }
    }

    /// `pushRegistry(_:didUpdate:for:)` for `.voIP`.
    package func handlePushCredentialsUpdated(token: Data) {
        step(.pushCredentialsUpdated(token: token))
    }

    /// `pushRegistry(_:didInvalidatePushTokenFor:)` for `.voIP`.
    package func handlePushCredentialsInvalidated() {
        step(.pushCredentialsInvalidated)
    }

    // MARK: - CallKit entry points (on `queue`)

    /// `providerDidBegin(_:)`.
    package func handleProviderDidBegin() {
        step(.providerDidBegin)
    }

    /// `providerDidReset(_:)`: CallKit dropped every call and voided every action.
    package func handleProviderDidReset() {
        step(.providerDidReset)
        actions.removeAll()
    }

    /// One of the `provider(_:perform:)` methods: the driver keeps `action` until the
    /// engine fulfils or fails it, and fails it at once when the engine refuses it (for
    /// example an action for a call the engine does not know), so that its transaction
    /// completes instead of staying pending.
    package func handle(_ action: any CallDriver.ProviderAction, request: CallDriver.ProviderActionRequest) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard actions[action.uuid] == nil else {
            record(.unknownAction, "CallKit handed in action \(action.uuid) twice; failing the second")
            action.fail()
            return
        }
        actions[action.uuid] = action
        if step(request.event(action: action.uuid)) != nil {
            actions.removeValue(forKey: action.uuid)?.fail()
        }
    }

    /// `provider(_:timedOutPerforming:)`: the action must be neither fulfilled nor failed
    /// from now on.
    package func handleTimedOut(_ action: any CallDriver.ProviderAction) {
        dispatchPrecondition(condition: .onQueue(queue))
        actions.removeValue(forKey: action.uuid)
        step(.timedOutPerforming(action: action.uuid))
    }

    /// `provider(_:didActivate:)`.
    package func handleAudioSessionActivated() {
        step(.didActivateAudioSession)
    }

    /// `provider(_:didDeactivate:)`.
    package func handleAudioSessionDeactivated() {
        step(.didDeactivateAudioSession)
    }

    // MARK: - The app's UI (any thread)

    /// Starts an outgoing call to `handle` (a `CXStartCallAction` requested through
    /// `CXCallController.request(_:completion:)`, as CallKit requires,
    /// https://developer.apple.com/documentation/callkit/cxcallcontroller/request(_:completion:))
    /// and returns its UUID at once; the call is in ``calls`` from then on.
    ///
    /// CallKit may still refuse the transaction (another call in progress, a UUID it
    /// knows, a call the user is not allowed to make): `completion` says so. It runs
    /// once, on ``queue``: with `nil` when CallKit accepted the transaction (it then
    /// performs the start action, and the call goes on), or with the error (the
    /// `NSError` CallKit gave, in `CXErrorDomainRequestTransaction`, read with
    /// ``CallKitErrorDomain/requestTransactionError(_:)``, or
    /// ``CallDriverError/refused(_:)`` when the engine refused the start, for example
    /// at its call capacity); after an error the call is gone from ``calls``.
    ///
    /// - Throws: ``CallDriverError/unsupportedHandleType(_:)`` when `type` is not in the
    ///   configuration's `supportedHandleTypes` (CallKit would refuse the call),
    ///   ``CallDriverError/videoNotSupported`` for a video call without `supportsVideo`,
    ///   ``CallDriverError/invalidHandle`` for an empty handle or one longer than
    ///   `CallEngine.Limits.maximumHandleLengthInBytes` bytes; `completion` is not called
    ///   then.
    public func startCall(
        to handle: String, type: HandleType, isVideo: Bool = false,
        completion: (@Sendable ((any Error)?) -> Void)? = nil
    ) throws -> UUID {
        guard supportedHandleTypes.contains(type) else { throw CallDriverError.unsupportedHandleType(type) }
        guard !isVideo || supportsVideo else { throw CallDriverError.videoNotSupported }
        guard !handle.isEmpty, handle.utf8.count <= CallEngine.Limits.maximumHandleLengthInBytes else {
            throw CallDriverError.invalidHandle
        }
        let call = UUID()
        let handle = CallHandle(type: type, value: handle)
        queue.async {
            self.callerDetails[call] = CallerDetails(handle: handle, callerName: nil)
            if let completion { self.startCompletions[call] = completion }
            if let error = self.step(.requestStartCall(call: call, handle: handle, isVideo: isVideo)) {
                self.callerDetails.removeValue(forKey: call)
                self.startCompletions.removeValue(forKey: call)?(CallDriverError.refused(error))
            }
        }
        return call
    }

    /// Answers the ringing incoming call `call` from the app's own UI (a
    /// `CXAnswerCallAction` requested through `CXCallController`,
    /// https://developer.apple.com/documentation/callkit/cxanswercallaction): CallKit then
    /// performs it as if the user had answered on its screen. A call that is not ringing,
    /// or not yet accepted by CallKit, is refused and logged
    /// (``CallDriverLogEntry/Kind/stepRefused``).
    public func answer(call: UUID) {
        queue.async { self.step(.requestAnswerCall(call: call)) }
    }

    /// Declines the ringing incoming call `call` from the app's own UI (a
    /// `CXEndCallAction` requested through `CXCallController`,
    /// https://developer.apple.com/documentation/callkit/cxendcallaction): signaling
    /// rejects it (``CallSignaling/rejectIncoming(_:reason:)``). A call that is not an
    /// incoming call still ringing is left alone and logged
    /// (``CallDriverLogEntry/Kind/stepRefused``): end an answered call with
    /// ``endCall(_:)``.
    public func decline(call: UUID) {
        queue.async {
            let ringing = self.engine.calls().contains {
                $0.call == call && $0.direction == .incoming && $0.phase == .ringing
            }
            guard ringing else {
                self.record(.stepRefused, "decline: call \(call) is not an incoming call that rings")
                return
            }
            self.step(.requestEndCall(call: call))
        }
    }

    /// Tells CallKit what the app's signaling learned about `call` after its report: the
    /// caller's name (`nil` or empty keeps the one shown; cut to
    /// `CallEngine.Limits.maximumCallerNameLengthInBytes` bytes) or a video upgrade or
    /// downgrade (`nil` keeps it). Reaches CallKit as `reportCall(with:updated:)`
    /// (https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:updated:))
    /// once CallKit knows the call, and ``calls`` shows it. Video without `supportsVideo`,
    /// or an unknown call, is refused and logged.
    public func updateCallDetails(call: UUID, callerName: String? = nil, hasVideo: Bool? = nil) {
        queue.async {
            guard self.step(.callDetailsChanged(call: call, callerName: callerName, hasVideo: hasVideo)) == nil else {
                return
            }
            if let callerName, !callerName.isEmpty {
                self.callerDetails[call, default: CallerDetails()].callerName =
                    self.engineCallerName(callerName)
                self.publishCalls()
            }
        }
    }

    /// Tells the driver the app activated the audio session itself
    /// (`AVAudioSession.setActive(_:options:)`,
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setactive(_:options:)),
    /// the fallback after ``CallMedia/audioActivationTimedOut(_:)`` when CallKit's
    /// `provider(_:didActivate:)` never came: media starts as if it had. Any thread.
    public func audioSessionActivatedByApp() {
        queue.async {
            // In-app, the driver's own system keeps the session's state too.
            self.inAppSystem?.activatedByApp()
            self.step(.didActivateAudioSession)
        }
    }

    /// Every live call as the app's UI shows it, in the engine's order: a snapshot, safe
    /// to read from any thread, updated after every step that changed a call.
    public var calls: [CallDriver.Call] { callList.current }

    /// The call list (``calls``) now, then after every change, for the app's UI (`for
    /// await calls in driver.callListUpdates() { ... }`). Each call makes a new stream;
    /// it keeps only the newest list when its reader falls behind, and stops when the
    /// reading task is cancelled.
    public func callListUpdates() -> AsyncStream<[CallDriver.Call]> {
        callList.subscribe()
    }

    /// Ends `call` (a `CXEndCallAction` request).
    public func endCall(_ call: UUID) {
        queue.async { self.step(.requestEndCall(call: call)) }
    }

    /// Holds or resumes `call` (a `CXSetHeldCallAction` request).
    public func setHeld(_ call: UUID, onHold: Bool) {
        queue.async { self.step(.requestSetHeld(call: call, onHold: onHold)) }
    }

    /// Mutes or unmutes `call` (a `CXSetMutedCallAction` request).
    public func setMuted(_ call: UUID, muted: Bool) {
        queue.async { self.step(.requestSetMuted(call: call, muted: muted)) }
    }

    /// Plays DTMF `digits` (`0-9 * # A-D ,`) on `call` (a `CXPlayDTMFCallAction` request).
    public func playDTMF(_ call: UUID, digits: String, type: DTMFType = .singleTone) {
        queue.async { self.step(.requestPlayDTMF(call: call, digits: digits, type: type)) }
    }

    // MARK: - The app's signaling (any thread)

    /// What the app's signaling observed about a call.
    public enum SignalingEvent: Sendable, Equatable {
        /// An outgoing call's signaling started connecting (INVITE sent, ringing).
        case outgoingCallConnecting(call: UUID)
        /// The remote party answered an outgoing call.
        case outgoingCallConnected(call: UUID)
        /// The far end refused an outgoing call before answering (SIP 486, 603, 480).
        case outgoingCallRefused(call: UUID, reason: RefusalReason)
        /// An incoming call's connection is ready to be answered.
        case incomingCallConnected(call: UUID)
        /// The remote party ended the call (or cancelled it before it was answered).
        case remoteEnded(call: UUID)
        /// The call was answered on another of the user's devices.
        case answeredElsewhere(call: UUID)
        /// The call was declined on another of the user's devices.
        case declinedElsewhere(call: UUID)
        /// The call's connection failed.
        case connectionFailed(call: UUID)
        /// The far end of an outgoing call rings (SIP `180 Ringing`).
        case outgoingCallRinging(call: UUID)
        /// The app's own connection (a WebSocket, a SIP registration, a foreground API
        /// call) announced an incoming call, without a VoIP push: the driver reports it to
        /// CallKit (`reportNewIncomingCall`, no PushKit completion involved) and it rings
        /// as a pushed call does. `handle` is the caller's `CXHandle` (`nil` when
        /// unknown), `callerName` the `localizedCallerName` (`nil` when unknown). A VoIP
        /// push for the same call, before or after, is the same call: it is not reported
        /// twice (`CallEngine.Event.incomingCallAnnounced(call:handle:callerName:isVideo:)`).
        case incomingCallAnnounced(call: UUID, handle: CallHandle?, callerName: String?, isVideo: Bool)
    }

    /// Tells the engine what the app's signaling observed.
    public func signalingDidReport(_ event: SignalingEvent) {
        queue.async { self.step(event.engineEvent) }
    }

    // MARK: - Steps

    /// Handles one event now and carries out its effects in order. Returns the engine's
    /// error when it refused the event (then nothing changed, and the refusal is logged).
    /// It checks first that it runs on `queue`, so an entry point that only steps needs no
    /// check of its own.
    @discardableResult
    private func step(_ event: CallEngine.Event) -> EngineError? {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = scheduler.now()
        let effects: [CallEngine.Effect]
        do {
            effects = try engine.handle(event, at: now)
        } catch {
            record(.stepRefused, "the engine refused \(Self.name(of: event)): \(error.resultName)")
            return error
        }
        let outermost = !stepping
        stepping = true
        for effect in effects { perform(effect, now: now) }
        if outermost {
            stepping = false
            publishCalls()
            while !completionsDuringStep.isEmpty { completionsDuringStep.removeFirst()() }
        }
        return nil
    }

    /// Runs a CallKit completion on `queue`: right here when it already runs there, else
    /// after a hop.
    ///
    /// `reportNewIncomingCall(with:update:completion:)`'s completion runs on the
    /// provider's delegate queue and `request(_:completion:)`'s on the call controller's
    /// queue (https://developer.apple.com/documentation/callkit/cxprovider/reportnewincomingcall(with:update:completion:),
    /// https://developer.apple.com/documentation/callkit/cxcallcontroller/init(queue:)),
    /// both `queue` for the system driver. Hopping again would queue the result behind a
    /// `providerDidReset(_:)` or `provider(_:perform:)` CallKit delivered in between, and
    /// the engine would see them in the wrong order. A completion run from inside one of
    /// the driver's own calls (a provider that answers synchronously) waits until the
    /// current step's effects are carried out, so steps never nest.
    private func onQueue(_ work: @escaping @Sendable () -> Void) {
        guard DispatchQueue.getSpecific(key: queueKey) != nil else {
            queue.async(execute: work)
            return
        }
        if stepping {
            completionsDuringStep.append(work)
        } else {
            work()
        }
    }

    /// Publishes the engine's calls with their callers' details to ``calls`` and its
    /// streams (a list equal to the last one is not published again), and forgets the
    /// details of calls that ended.
    private func publishCalls() {
        let infos = engine.calls()
        let live = Set(infos.map(\.call))
        callerDetails = callerDetails.filter { live.contains($0.key) }
        callList.publish(infos.map { CallDriver.Call($0, details: callerDetails[$0.call] ?? CallerDetails()) })
    }

    /// `name` as the engine keeps it: cut to its byte capacity at a character boundary.
    private func engineCallerName(_ name: String) -> String {
        var cut = Substring(name)
        while cut.utf8.count > CallEngine.Limits.maximumCallerNameLengthInBytes { cut.removeLast() }
        return String(cut)
    }

    private func perform(_ effect: CallEngine.Effect, now: CallEngine.Instant) {
        switch effect {
        case let .reportNewIncomingCall(push, call, update, endReason):
            callerDetails[call] = CallerDetails(handle: update.remoteHandle, callerName: update.localizedCallerName)
            let report = IncomingReport(call: call, push: push)
            if let endReason {
                // The engine ends this call once CallKit accepted the report.
                record(.pushEnded, "\(Self.name(of: report)) is reported to be ended: \(endReason)")
            }
            provider.reportNewIncomingCall(call, update: update) { error in
                let error = error.map(CallKitErrorDomain.incomingCallError)
                self.onQueue { self.step(.incomingCallReported(report: report, error: error)) }
            }
        case let .reportCallUpdated(call, update):
            if let handle = update.remoteHandle { callerDetails[call, default: CallerDetails()].handle = handle }
            if let name = update.localizedCallerName { callerDetails[call, default: CallerDetails()].callerName = name }
            provider.reportCall(call, updated: update)
        case let .reportOutgoingCallStartedConnecting(call, at):
            provider.reportOutgoingCall(call, startedConnectingAt: date(at, now: now))
        case let .reportOutgoingCallConnected(call, at):
            provider.reportOutgoingCall(call, connectedAt: date(at, now: now))
        case let .reportCallEnded(call, at, reason):
            // The engine sends the end of a report-and-end push only once CallKit
            // accepted its report (or at the push's deadline), so it goes out as is.
            provider.reportCall(call, endedAt: date(at, now: now), reason: reason)
        case let .fulfillAction(action):
            if let held = actions.removeValue(forKey: action) {
                held.fulfill()
            } else {
                record(.unknownAction, "the engine fulfilled action \(action), which the driver does not hold")
            }
        case let .failAction(action):
            if let held = actions.removeValue(forKey: action) {
                held.fail()
            } else {
                record(.unknownAction, "the engine failed action \(action), which the driver does not hold")
            }
        case let .completePush(push, endReason):
            if let endReason {
                // `mustReport == false`: PushKit lets this push go unreported.
                record(.pushEnded, "push \(push.rawValue) is completed without a report: \(endReason)")
            }
            if let completion = pushCompletions.removeValue(forKey: push) {
                completion()
            } else {
                record(.unknownPush, "the engine completed push \(push.rawValue), which the driver does not hold")
            }
        case let .requestTransaction(transaction, action):
            callController.request(action) { error in
                let engineError = error.map(CallKitErrorDomain.requestTransactionError)
                self.onQueue {
                    self.step(.transactionCompleted(transaction: transaction, error: engineError))
                    if case let .startCall(call, _, _) = action {
                        self.startCompletions.removeValue(forKey: call)?(error)
                    }
                }
            }
        case let .connectIncoming(call):
            signaling.connectIncoming(call)
        case let .missedCall(call, update):
            signaling.missedCall(call, update: update)
        case let .answerIncoming(call):
            signaling.answerIncoming(call)
        case let .rejectIncoming(call, reason):
            signaling.rejectIncoming(call, reason: reason)
        case let .hangUp(call):
            signaling.hangUp(call)
        case let .setHeld(call, onHold):
            signaling.setHeld(call, onHold: onHold)
        case let .setGroup(call, groupWith):
            signaling.setGroup(call, with: groupWith)
        case let .playDTMF(call, digits, type):
            signaling.playDTMF(call, digits: digits, type: type)
        case let .startOutgoing(call, handle, video):
            signaling.startOutgoing(call, to: handle, isVideo: video)
        case let .registerPushToken(hex):
            signaling.registerPushToken(hex: hex)
        case .unregisterPushToken:
            signaling.unregisterPushToken()
        case .configureAudioSession:
            do {
                try audioSession.configureForCall()
            } catch {
                record(.audioSessionFailed, "configuring the audio session failed: \(error)")
            }
        case let .startMedia(call):
            media.start(call)
        case let .stopMedia(call):
            media.stop(call)
        case let .setMuted(call, muted):
            media.setMuted(call, muted: muted)
        case let .startTimer(timer, deadline):
            arm(timer, deadline: deadline, now: now)
        case let .cancelTimer(timer):
            timers.removeValue(forKey: timer)?.cancel()
        case let .startRingback(call):
            media.startRingback(call)
        case let .stopRingback(call):
            media.stopRingback(call)
        case let .startTranslation(call):
            let translation = engine.calls().first { $0.call == call }?.translation
            if let translation {
                media.startTranslation(call, local: translation.local, remote: translation.remote)
            }
        case let .stopTranslation(call):
            media.stopTranslation(call)
        case let .audioActivationTimedOut(call):
            record(.audioActivationTimedOut, "didActivate did not come for call \(call)")
            media.audioActivationTimedOut(call)
        }
    }

    /// A time on the engine's clock as a wall-clock `Date`, by its offset from now.
    private func date(_ instant: CallEngine.Instant, now: CallEngine.Instant) -> Date {
        let offsetMs =
            instant >= now ? Double(now.milliseconds(until: instant)) : -Double(instant.milliseconds(until: now))
        return scheduler.currentDate().addingTimeInterval(offsetMs / 1000)
    }

    private func arm(_ timer: CallEngine.Timer, deadline: CallEngine.Instant, now: CallEngine.Instant) {
        timers.removeValue(forKey: timer)?.cancel()
        timers[timer] = scheduler.schedule(afterMilliseconds: now.milliseconds(until: deadline), on: queue) {
            [weak self] in
            self?.timerFired(timer, deadline: deadline)
        }
    }

    private func timerFired(_ timer: CallEngine.Timer, deadline: CallEngine.Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard timers.removeValue(forKey: timer) != nil else { return }
        let now = scheduler.now()
        if now < deadline {
            // Dispatch fired before the engine's clock reached the deadline: wait the rest.
            arm(timer, deadline: deadline, now: now)
            return
        }
        step(.timerFired(timer: timer))
    }

    /// PushKit's rule for a push the engine refused (it never does): report a call, end
    /// it once CallKit accepted it, and complete the push then.
    private func reportRefusedPush(_ push: PushID, fallback: UUID) {
        let update = CallUpdate(
            remoteHandle: nil, localizedCallerName: nil, hasVideo: false, supportsHolding: false,
            supportsGrouping: false, supportsUngrouping: false, supportsDTMF: false)
        provider.reportNewIncomingCall(fallback, update: update) { error in
            self.onQueue {
                if error == nil {
                    self.provider.reportCall(fallback, endedAt: self.scheduler.currentDate(), reason: .failed)
                }
                self.pushCompletions.removeValue(forKey: push)?()
            }
        }
    }

    /// A report's name for the log: its push number, or its call's UUID.
    private static func name(of report: IncomingReport) -> String {
        switch report {
        case .push(let push): "push \(push.rawValue)"
        case .call(let call): "the report of call \(call)"
        }
    }

    /// The event's case name, without its data (handles and payloads are personal data).
    private static func name(of event: CallEngine.Event) -> String {
        String(String(describing: event).prefix { $0 != "(" })
    }

    private func record(_ kind: CallDriverLogEntry.Kind, _ message: String) {
        log(CallDriverLogEntry(kind: kind, message: message))
    }

    /// The system's part under the in-app backend (`nil` under CallKit and
    /// LiveCommunicationKit), for CallKitEngineTesting. Read it on ``queue``.
    package var inAppSystem: InAppCallSystem? { provider as? InAppCallSystem }

    /// What the driver holds (PushKit completions, start completions, CallKit actions,
    /// armed timers, completions queued in a step, caller details) and whether the engine
    /// is idle, read on ``queue``: for CallKitEngineTesting's checks. Call it off the queue.
    package var heldForTesting:
        (
            pushCompletions: Int, startCompletions: Int, actions: Int, timers: Int, queuedCompletions: Int,
            callerDetails: Int, engineIdle: Bool
        )
    {
        queue.sync {
            (
                pushCompletions.count, startCompletions.count, actions.count, timers.count,
                completionsDuringStep.count, callerDetails.count, engine.status().isIdle
            )
        }
    }
}

/// Why ``CallDriver/startCall(to:type:isVideo:completion:)`` refused to start a call, or
/// the engine refused an app's request.
public enum CallDriverError: Error, Equatable, Sendable {
    /// The handle type is not in `CXProviderConfiguration.supportedHandleTypes`.
    case unsupportedHandleType(HandleType)
    /// A video call, but `CXProviderConfiguration.supportsVideo` is off.
    case videoNotSupported
    /// The handle is empty or longer than `CallEngine.Limits.maximumHandleLengthInBytes` bytes.
    case invalidHandle
    /// The `NSUserActivity` carries no `INStartCallIntent` with a contact handle.
    case noCallIntent
    /// The engine refused the request (the call is not in a phase that allows it, or
    /// the engine is at its call capacity); nothing changed.
    case refused(EngineError)
    /// The initializer makes a driver for another backend: the system initializers take
    /// ``CallDriver/Backend/callKit`` or ``CallDriver/Backend/liveCommunicationKit``, the
    /// in-app one ``CallDriver/Backend/inApp``; the associated value is the one refused.
    case wrongBackend(CallDriver.Backend)
}

/// One thing the driver reports to the app's log.
public struct CallDriverLogEntry: Sendable, Equatable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// The engine refused an event: nothing changed (a stale callback, or an app
        /// request the engine cannot act on, such as ending an unknown call).
        case stepRefused
        /// An effect or callback named a `CXAction` the driver does not hold.
        case unknownAction
        /// An effect named a push the driver does not hold.
        case unknownPush
        /// A VoIP push payload was not a JSON object.
        case payloadNotJSON
        /// `AVAudioSession.setCategory(_:mode:options:)` threw.
        case audioSessionFailed
        /// CallKit did not activate the audio session in time after an answer or start
        /// (`CallEngine.Effect.audioActivationTimedOut(call:)`).
        case audioActivationTimedOut
        /// A VoIP push is reported to CallKit and ended once CallKit accepted the report,
        /// instead of ringing, or completed without a report (`mustReport == false`); the
        /// message says why (`PushEndReason`, no payload text).
        case pushEnded
    }

    /// What happened.
    public let kind: Kind
    /// A description for people (holds no handle, name or payload text).
    public let message: String

    /// The entry as "kind: message".
    public var description: String { "\(kind): \(message)" }
}

extension CallDriver {
    /// A `CXCallAction` CallKit asks the provider's delegate to perform, with its data (the
    /// action object itself is passed beside it, as a ``CallDriver/ProviderAction``).
    public enum ProviderActionRequest: Sendable, Equatable {
        /// `CXStartCallAction`.
        case startCall(call: UUID, handle: CallHandle, isVideo: Bool)
        /// `CXAnswerCallAction`.
        case answerCall(call: UUID)
        /// `CXEndCallAction`.
        case endCall(call: UUID)
        /// `CXSetHeldCallAction`.
        case setHeld(call: UUID, onHold: Bool)
        /// `CXSetMutedCallAction`.
        case setMuted(call: UUID, muted: Bool)
        /// `CXSetGroupCallAction` (`nil`: leave the group).
        case setGroup(call: UUID, groupWith: UUID?)
        /// `CXPlayDTMFCallAction`.
        case playDTMF(call: UUID, digits: String, type: DTMFType)
        /// `CXSetTranslatingCallAction` (iOS 26).
        case setTranslating(call: UUID, isTranslating: Bool, localLanguage: String, remoteLanguage: String)

        func event(action: UUID) -> CallEngine.Event {
            switch self {
            case let .startCall(call, handle, video):
                return .performStartCall(action: action, call: call, handle: handle, isVideo: video)
            case let .answerCall(call):
                return .performAnswerCall(action: action, call: call)
            case let .endCall(call):
                return .performEndCall(action: action, call: call)
            case let .setHeld(call, onHold):
                return .performSetHeld(action: action, call: call, onHold: onHold)
            case let .setMuted(call, muted):
                return .performSetMuted(action: action, call: call, muted: muted)
            case let .setGroup(call, groupWith):
                return .performSetGroup(action: action, call: call, groupWith: groupWith)
            case let .playDTMF(call, digits, type):
                return .performPlayDTMF(action: action, call: call, digits: digits, type: type)
            case let .setTranslating(call, translating, local, remote):
                return .performSetTranslating(
                    action: action, call: call, isTranslating: translating, localLanguage: local,
                    remoteLanguage: remote)
            }
        }
    }
}

extension CallDriver.SignalingEvent {
    fileprivate var engineEvent: CallEngine.Event {
        switch self {
        case let .outgoingCallConnecting(call): return .outgoingCallConnecting(call: call)
        case let .outgoingCallConnected(call): return .outgoingCallConnected(call: call)
        case let .outgoingCallRefused(call, reason):
            return .outgoingCallRefused(call: call, reason: reason)
        case let .incomingCallConnected(call): return .incomingCallConnected(call: call)
        case let .remoteEnded(call): return .remoteEnded(call: call)
        case let .answeredElsewhere(call): return .answeredElsewhere(call: call)
        case let .declinedElsewhere(call): return .declinedElsewhere(call: call)
        case let .connectionFailed(call): return .connectionFailed(call: call)
        case let .outgoingCallRinging(call): return .outgoingCallRinging(call: call)
        case let .incomingCallAnnounced(call, handle, callerName, isVideo):
            return .incomingCallAnnounced(call: call, handle: handle, callerName: callerName, isVideo: isVideo)
        }
    }
}
