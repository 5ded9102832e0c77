import CallKitEngine
import Foundation

// The small protocols the driver's logic talks to. On Apple platforms internal wrappers
// of CXProvider, CXCallController, CXAction and PKPushRegistry, and SystemAudioSession,
// conform to them in swift/Sources/CallKitEngineDriver/Apple/ (one Apple call per method; Apple's
// types themselves gain nothing); CallKitEngineTesting ships fakes of each. The driver
// calls every method on its serial queue.

/// `CXProvider`, as the driver reports to it.
/// https://developer.apple.com/documentation/callkit/cxprovider
public protocol CallProvider: AnyObject {
    /// `reportNewIncomingCall(with:update:completion:)`. The completion may run on any
    /// queue; `nil` means CallKit accepted the call.
    func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void)
    /// `reportCall(with:updated:)`.
    func reportCall(_ call: UUID, updated update: CallUpdate)
    /// `reportOutgoingCall(with:startedConnectingAt:)`.
    func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date)
    /// `reportOutgoingCall(with:connectedAt:)`.
    func reportOutgoingCall(_ call: UUID, connectedAt date: Date)
    /// `reportCall(with:endedAt:reason:)`.
    func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason)
}

/// `CXCallController`, as the driver requests transactions from it.
/// https://developer.apple.com/documentation/callkit/cxcallcontroller
public protocol CallController: AnyObject {
    /// `request(_:completion:)` with a `CXTransaction` of the one action. The completion
    /// may run on any queue; `nil` means CallKit accepted the transaction (and will
    /// perform the action through the provider's delegate).
    func request(_ action: CallEngine.CallAction, completion: @escaping @Sendable ((any Error)?) -> Void)
}

/// `PKPushRegistry`, as the driver registers for VoIP pushes.
/// https://developer.apple.com/documentation/pushkit/pkpushregistry
public protocol VoIPPushRegistry: AnyObject {
    /// Sets `desiredPushTypes` to `[.voIP]` (after the driver became its delegate).
    func registerForVoIPPushes()
}

/// `AVAudioSession`, as the driver configures it for a call. Under CallKit and
/// LiveCommunicationKit the driver never activates it: the system does, then calls
/// `provider(_:didActivate:)` (`conversationManager(_:didActivate:)`). Under the in-app
/// backend (``CallDriver/Backend/inApp``) the driver activates it itself, in the
/// system's place.
/// https://developer.apple.com/documentation/avfaudio/avaudiosession
public protocol CallAudioSession: AnyObject {
    /// `setCategory(_:mode:options:)` with the category, mode and options the app chose.
    func configureForCall() throws
    /// `setActive(_:options:)`: activate the session once a call is answered or started
    /// (`true`), deactivate it once the last call ended (`false`, letting other apps'
    /// audio resume). Called only under the in-app backend.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setactive(_:options:)
    func setActive(_ active: Bool) throws
    /// Calls `handler` with ``CallDriver/AudioSessionInterruption/began`` when the system
    /// interrupts the session (a cellular call, an alarm:
    /// `AVAudioSession.interruptionNotification` of type `.began`), and with
    /// ``CallDriver/AudioSessionInterruption/endedShouldResume`` when the interruption
    /// ended and the call's audio may resume (type `.ended` with `.shouldResume`), on
    /// any thread. Called once, only under the in-app
    /// backend: under CallKit and LiveCommunicationKit the system handles
    /// interruptions and reports them as `didDeactivate` / `didActivate`. A session that
    /// never calls `handler` leaves the engine believing the audio runs through a
    /// cellular call.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptionnotification
    func observeInterruptions(_ handler: @escaping @Sendable (CallDriver.AudioSessionInterruption) -> Void)
}

extension CallDriver {
    /// An interruption of the audio session, as ``CallAudioSession/observeInterruptions(_:)``
    /// reports it to the in-app backend.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptiontype
    public enum AudioSessionInterruption: Sendable, Equatable {
        /// The system interrupted the session (`AVAudioSession.InterruptionType.began`):
        /// it is no longer active.
        case began
        /// The interruption ended and the call's audio may resume
        /// (`AVAudioSession.InterruptionType.ended` with `.shouldResume`). An interruption
        /// that ended without `.shouldResume` is not reported: the app decides (and calls
        /// ``CallDriver/audioSessionActivatedByApp()`` once it activated the session).
        case endedShouldResume
    }
}

extension CallDriver {
    /// A `CXAction` the driver holds until the engine fulfils or fails it.
    /// https://developer.apple.com/documentation/callkit/cxaction
    public protocol ProviderAction: AnyObject {
        /// `CXAction.uuid`.
        var uuid: UUID { get }
        /// `CXAction.fulfill()`.
        func fulfill()
        /// `CXAction.fail()`.
        func fail()
    }
}

extension CallDriver {
    /// A timer armed with a ``CallScheduler``.
    public protocol ScheduledTimer: AnyObject {
        /// Disarms the timer; its work never runs after this returns (when called on the
        /// queue the work runs on).
        func cancel()
    }
}

/// The driver's time: a monotonic clock that keeps counting while the device sleeps (the
/// engine's `now`), the wall clock (only to turn engine instants into the `Date`s CallKit
/// shows), and timers.
///
/// ``DispatchScheduler`` is the real one; CallKitEngineTesting's `VirtualClock` is the
/// fake.
public protocol CallScheduler: AnyObject, Sendable {
    /// Now on the engine's clock: monotonic, and counting while the device sleeps.
    func now() -> CallEngine.Instant
    /// Now on the wall clock (the user may change it at any time).
    func currentDate() -> Date
    /// Runs `work` on `queue` no earlier than `delayMs` milliseconds from now.
    func schedule(
        afterMilliseconds delayMs: UInt64, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> any CallDriver.ScheduledTimer
}

/// The app's signaling (its VoIP stack), as the engine drives it. Called on the driver's
/// queue (``CallDriver/queue``), never on the main thread; the driver holds it strongly.
///
/// Why it refines `Sendable`: the app creates it on one thread (usually the main actor)
/// and the driver calls it on its own queue, so it crosses isolation domains. `Sendable`
/// makes the compiler check that at the app's conformance: a main-actor-isolated
/// conformance (Xcode 26's default `MainActor` isolation) is refused at compile time
/// instead of racing or trapping at run time, because a protocol that refines `Sendable`
/// cannot have an isolated conformance (SE-0470). Taking the objects as `sending`
/// parameters (SE-0430) was the alternative; it was not chosen because the driver keeps
/// them for its whole life and the app usually keeps a reference too (the stack reports
/// back to the driver), which a `sending` value forbids. Conform with a `nonisolated`
/// type that is thread-safe (immutable, or guarding its state with a lock, or hopping
/// onto its own queue): docs/ios-integration.md, section 3.
///
/// The stack reports back (``CallDriver/SignalingEvent``) through the
/// ``CallDriver/Signaling`` handle the driver hands to the function that makes it
/// (`CallDriver(providerConfiguration:configuration:signaling:media:audioSession:log:)`
/// with `signaling: { VoIPStack(driver: $0) }`): a `Sendable` value kept in a `let`,
/// which reaches the driver weakly, so a stack needs no lock and no `weak var` of its
/// own.
public protocol CallSignaling: AnyObject, Sendable {
    /// Start connecting an incoming call's signaling leg now, in parallel with the
    /// CallKit report; say ``CallDriver/SignalingEvent/incomingCallConnected(call:)`` when
    /// it is ready.
    func connectIncoming(_ call: UUID)
    /// A call the user missed without it ever ringing: its VoIP push arrived later than
    /// `CallEngine.Configuration.maximumPushAge` after the server sent it (APNs holds
    /// pushes for a device that is offline), so the caller gave up long ago. The driver
    /// already reported and ended the push as PushKit requires (or completed it without
    /// a report, `mustReport == false`); `update` holds the caller's details from the
    /// payload (`remoteHandle`, `localizedCallerName`, `hasVideo`). Post a missed-call
    /// notification with them (`UNUserNotificationCenter.add(_:withCompletionHandler:)`,
    /// https://developer.apple.com/documentation/usernotifications/unusernotificationcenter/add(_:withcompletionhandler:))
    /// and record the call in the app's history; no signaling leg exists for it.
    ///
    /// It sits on this port because the signaling stack is the app's object for the
    /// calls its server announces (pushed or not), and the one that keeps its call
    /// history; CallKit shows a missed call only for a call that rang.
    func missedCall(_ call: UUID, update: CallUpdate)
    /// Answer the incoming call on its (connected) signaling leg.
    func answerIncoming(_ call: UUID)
    /// Reject an unanswered incoming call and tell the server why.
    func rejectIncoming(_ call: UUID, reason: RejectReason)
    /// Hang up an answered or outgoing call.
    func hangUp(_ call: UUID)
    /// Hold (`true`) or resume the call.
    func setHeld(_ call: UUID, onHold: Bool)
    /// Merge the call into `other`'s group, or split it out (`nil`).
    func setGroup(_ call: UUID, with other: UUID?)
    /// Send DTMF digits (`0-9 * # A-D ,`).
    func playDTMF(_ call: UUID, digits: String, type: DTMFType)
    /// Start an outgoing call's signaling to `handle`.
    func startOutgoing(_ call: UUID, to handle: CallHandle, isVideo: Bool)
    /// The backend the driver runs on, told once at ``CallDriver/start()``: tell the
    /// server how this device receives incoming calls. When
    /// `choice.receivesVoIPPushes` is `false` (``CallDriver/Backend/inApp``) the server
    /// must send no VoIP push to this device (without a calling framework PushKit kills
    /// an app that does not report one) and forget any VoIP token it holds for it;
    /// announce calls over the app's connection or with regular notifications to the
    /// app's APNs device token instead. Otherwise VoIP pushes go to the token
    /// ``registerPushToken(hex:)`` brings. docs/ios-integration.md, "Choosing a backend".
    func backendChosen(_ choice: CallDriver.BackendChoice)
    /// Register the device's VoIP push token (lower-case hex) with the server.
    func registerPushToken(hex: String)
    /// Tell the server the VoIP push token is no longer valid.
    func unregisterPushToken()
}

/// The app's media engine. Called on the driver's queue (``CallDriver/queue``); the
/// driver holds it strongly. It refines `Sendable` for the reason ``CallSignaling``
/// gives: the compiler checks at the app's conformance that calling it off the main
/// actor is safe.
public protocol CallMedia: AnyObject, Sendable {
    /// Start the call's media streams: the audio session is active (CallKit said
    /// `provider(_:didActivate:)`).
    func start(_ call: UUID)
    /// Stop the call's media streams.
    func stop(_ call: UUID)
    /// Mute or unmute the call's microphone stream.
    func setMuted(_ call: UUID, muted: Bool)
    /// Play the local ringback tone for an outgoing call whose far end rings (SIP 180):
    /// the audio session is active and the call is not held.
    func startRingback(_ call: UUID)
    /// Stop the call's local ringback tone (it connected, ended or was held, or the
    /// audio session deactivated).
    func stopRingback(_ call: UUID)
    /// `provider(_:didActivate:)` did not come within
    /// `CallEngine.Configuration.audioActivationTimeout` of the call's answer or
    /// start (openradar 28774388): the call is left as it is. Typical fallbacks:
    /// activate `AVAudioSession` yourself (`setActive(true)`) and tell the driver with
    /// ``CallDriver/audioSessionActivatedByApp()`` (media then starts as after
    /// `provider(_:didActivate:)`), or end the call (``CallDriver/endCall(_:)``).
    func audioActivationTimedOut(_ call: UUID)
    /// Translate the call (iOS 26, a fulfilled `CXSetTranslatingCallAction`) between
    /// `local` and `remote` (BCP 47 tags). Keep the upstream audio flowing while it
    /// runs: a mute arrives as ``setMuted(_:muted:)`` (mute the app's input), never as
    /// ``stop(_:)`` (Apple, `CXSetTranslatingCallAction`).
    func startTranslation(_ call: UUID, local: String, remote: String)
    /// Stop translating the call.
    func stopTranslation(_ call: UUID)
}

extension CallMedia {
    /// Does nothing: an app that does not translate needs no code for it.
    public func startTranslation(_ call: UUID, local: String, remote: String) {}
    /// Does nothing.
    public func stopTranslation(_ call: UUID) {}
}
