import CallKitEngine
import Foundation

/// The system's part in the in-app backend (``CallDriver/Backend/inApp``): the driver's
/// provider and call controller when the app shows calls in its own UI. It imports no
/// system calling framework; the app's UI reads the driver's call list and calls the
/// driver's `answer`, `decline`, `endCall`, `setHeld`, `setMuted` and `playDTMF`, whose
/// requests this object accepts and performs as CallKit would, so the engine's rules
/// (one answer, media only after audio activation, time-outs) hold unchanged.
///
/// What it does in CallKit's place (``SystemCallBook``'s rules):
/// - accepts a report unless it knows the call (`callUUIDAlreadyExists`), answering
///   later on the driver's queue, as CallKit answers on its delegate queue; there is no
///   Do Not Disturb or block list (the app decides before announcing a call);
/// - accepts a request unless CallKit would refuse it (`callUUIDAlreadyExists`,
///   `maximumCallGroupsReached`, `unknownCallUUID`), answers it on the driver's queue,
///   then performs its action: before answering a call while another connected call is
///   active it holds that call (ends it when the call groups are full, or when the
///   configuration's `supportsHolding` is off), as CallKit's "Hold & Accept" and
///   "End & Accept" do;
/// - activates the audio session (``CallAudioSession/setActive(_:)``) once an answer or
///   start is fulfilled, and tells the driver as `provider(_:didActivate:)` would;
///   deactivates it once the last call ended, as `provider(_:didDeactivate:)`. An
///   activation that throws is logged and not reported: the engine's audio-activation
///   time-out then reaches ``CallMedia/audioActivationTimedOut(_:)``;
/// - hears the session's interruptions (``CallAudioSession/observeInterruptions(_:)``):
///   one that began is `didDeactivate` (the engine stops media), one that ended with
///   `.shouldResume` activates the session again while a call is connected;
/// - has no action time-out (the engine's own connect time-outs end a wait) and no
///   reset.
///
/// Every method runs on the driver's queue: the driver calls the provider and controller
/// methods there, and every answer and action is queued there.
package final class InAppCallSystem: CallProvider, CallController, @unchecked Sendable {
    // Why @unchecked Sendable: every stored `var` is read and written only on `queue` (the
    // driver calls the protocol methods there; every other entry is queued there), and
    // actions and completions that capture `self` run there too.

    /// An action the app's request made, handed to the driver to fulfil or fail once.
    package final class Action: CallDriver.ProviderAction, @unchecked Sendable {
        // Why @unchecked Sendable: `outcome` is written only on the driver's queue (the
        // driver fulfils and fails actions there) and read there or after the queue ran.

        /// How it ended.
        package enum Outcome: Sendable, Equatable {
            /// `fulfill()` came first.
            case fulfilled
            /// `fail()` came first.
            case failed
        }

        /// `CXAction.uuid`'s counterpart.
        package let uuid = UUID()
        /// What the app asked for.
        package let request: CallDriver.ProviderActionRequest
        /// The first completion, `nil` while pending.
        package private(set) var outcome: Outcome?
        /// How many times `fulfill()` or `fail()` was called (1 is right).
        package private(set) var completionCount = 0
        private let onFulfilled: (CallDriver.ProviderActionRequest) -> Void

        init(
            _ request: CallDriver.ProviderActionRequest,
            onFulfilled: @escaping (CallDriver.ProviderActionRequest) -> Void
        ) {
            self.request = request
            self.onFulfilled = onFulfilled
        }

        package func fulfill() {
            completionCount += 1
            guard outcome == nil else { return }
            outcome = .fulfilled
            onFulfilled(request)
        }

        package func fail() {
            completionCount += 1
            if outcome == nil { outcome = .failed }
        }
    }

    private let queue: DispatchQueue
    private let audioSession: any CallAudioSession
    private let maximumCallGroups: Int
    /// `CallEngine.Configuration.supportsHolding`: without it, answering a second call
    /// ends the active one instead of holding it.
    private let canHold: Bool
    private let log: @Sendable (CallDriverLogEntry) -> Void
    private weak var driver: CallDriver?
    private var book = SystemCallBook()
    private var audioActive = false
    /// Every action performed, in order, while ``recordsActions`` is on (for
    /// CallKitEngineTesting's checks; an app's driver keeps none).
    package private(set) var actions: [Action] = []
    /// Whether ``actions`` records; set on the queue before the first action.
    package var recordsActions = false

    init(
        queue: DispatchQueue, audioSession: any CallAudioSession, maximumCallGroups: Int, canHold: Bool,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void
    ) {
        self.queue = queue
        self.audioSession = audioSession
        self.maximumCallGroups = maximumCallGroups
        self.canHold = canHold
        self.log = log
    }

    /// Takes the driver and starts hearing the session's interruptions. On the queue,
    /// before anything else reaches this object.
    func attach(_ driver: CallDriver) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.driver = driver
        let queue = queue
        audioSession.observeInterruptions { [weak self] interruption in
            guard let system = self else { return }
            queue.async {
                switch interruption {
                case .began: system.interrupted()
                case .endedShouldResume: system.activate()
                }
            }
        }
    }

    /// The app activated the session itself (``CallDriver/audioSessionActivatedByApp()``,
    /// after an activation that failed or an interruption that ended without
    /// `.shouldResume`): the session is active, and is deactivated with the last call.
    func activatedByApp() {
        audioActive = true
        deactivateWhenIdle()
    }

    /// Whether the audio session is active (set by this object).
    package var isAudioSessionActive: Bool { audioActive }

    // MARK: CallProvider

    package func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {
        let error = book.acceptReport(of: call).map {
            NSError(domain: CallKitErrorDomain.incomingCall, code: $0.rawValue)
        }
        queue.async { completion(error) }
    }

    package func reportCall(_ call: UUID, updated update: CallUpdate) {}

    package func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date) {}

    package func reportOutgoingCall(_ call: UUID, connectedAt date: Date) {}

    package func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason) {
        book.ended(call)
        deactivateWhenIdle()
    }

    // MARK: CallController

    package func request(_ action: CallEngine.CallAction, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let error = book.acceptRequest(of: action, maximumCallGroups: maximumCallGroups).map {
            NSError(domain: CallKitErrorDomain.requestTransaction, code: $0.rawValue)
        }
        queue.async { completion(error) }
        guard error == nil else { return }
        let request = CallDriver.ProviderActionRequest(action)
        queue.async { [self] in
            if case let .answerCall(call) = request,
                let first = book.makeRoom(answering: call, maximumCallGroups: maximumCallGroups, canHold: canHold)
            {
                perform(first)
            }
            perform(request)
        }
    }

    // MARK: Internals

    private func perform(_ request: CallDriver.ProviderActionRequest) {
        guard let driver else { return }
        let action = Action(request) { [unowned self] in fulfilled($0) }
        if recordsActions { actions.append(action) }
        driver.handle(action, request: request)
    }

    /// On the driver's queue, inside the step that fulfilled the action.
    private func fulfilled(_ request: CallDriver.ProviderActionRequest) {
        book.fulfilled(request)
        switch request {
        case .answerCall, .startCall:
            guard !audioActive else { return }
            // After the step: the driver does not take a callback inside its own step.
            queue.async { [self] in activate() }
        case .endCall:
            deactivateWhenIdle()
        default:
            break
        }
    }

    private func activate() {
        guard !audioActive, !book.connected.isEmpty, let driver else { return }
        do {
            try audioSession.setActive(true)
        } catch {
            log(CallDriverLogEntry(kind: .audioSessionFailed, message: "activating the audio session failed: \(error)"))
            return
        }
        audioActive = true
        driver.handleAudioSessionActivated()
    }

    /// The system took the audio session (a cellular call): as CallKit's
    /// `provider(_:didDeactivate:)`, the engine stops the calls' media.
    private func interrupted() {
        guard audioActive, let driver else { return }
        audioActive = false
        driver.handleAudioSessionDeactivated()
    }

    private func deactivateWhenIdle() {
        guard audioActive, book.connected.isEmpty else { return }
        queue.async { [self] in
            guard audioActive, book.connected.isEmpty, let driver else { return }
            audioActive = false
            do {
                try audioSession.setActive(false)
            } catch {
                log(
                    CallDriverLogEntry(
                        kind: .audioSessionFailed, message: "deactivating the audio session failed: \(error)"))
            }
            driver.handleAudioSessionDeactivated()
        }
    }
}

extension CallDriver.ProviderActionRequest {
    /// The action a system performs for a request the driver made.
    package init(_ action: CallEngine.CallAction) {
        switch action {
        case let .startCall(call, handle, video): self = .startCall(call: call, handle: handle, isVideo: video)
        case let .endCall(call): self = .endCall(call: call)
        case let .answerCall(call): self = .answerCall(call: call)
        case let .setHeld(call, onHold): self = .setHeld(call: call, onHold: onHold)
        case let .setMuted(call, muted): self = .setMuted(call: call, muted: muted)
        case let .playDTMF(call, digits, type): self = .playDTMF(call: call, digits: digits, type: type)
        }
    }
}
