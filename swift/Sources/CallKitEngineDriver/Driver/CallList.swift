import CallKitEngine
import Foundation

extension CallDriver {
    /// One live call as the app's UI shows it (``CallDriver/calls``): where it stands and
    /// who is calling, as CallKit shows it.
    public struct Call: Hashable, Sendable, Identifiable {
        /// The call's UUID (`CXCall.uuid`).
        public var id: UUID
        /// Incoming or outgoing.
        public var direction: CallInfo.Direction
        /// Where it stands (ringing, answered, connecting, ...).
        public var phase: CallInfo.Phase
        /// On hold (`CXCall.isOnHold`).
        public var isOnHold: Bool
        /// Its microphone is muted (`CXSetMutedCallAction`).
        public var isMuted: Bool
        /// A video call (`CXCallUpdate.hasVideo`).
        public var hasVideo: Bool
        /// The other party's handle (`CXCallUpdate.remoteHandle`) as the VoIP push, the
        /// signaling's announcement or the app's start carried it; `nil` when unknown.
        public var handle: CallHandle?
        /// The caller's name (`CXCallUpdate.localizedCallerName`) as the push or the
        /// announcement carried it, or as ``CallDriver/updateCallDetails(call:callerName:hasVideo:)``
        /// changed it; `nil` when unknown.
        public var callerName: String?

        /// A call as the app's UI shows it.
        public init(
            id: UUID, direction: CallInfo.Direction, phase: CallInfo.Phase, isOnHold: Bool = false,
            isMuted: Bool = false, hasVideo: Bool = false, handle: CallHandle? = nil, callerName: String? = nil
        ) {
            self.id = id
            self.direction = direction
            self.phase = phase
            self.isOnHold = isOnHold
            self.isMuted = isMuted
            self.hasVideo = hasVideo
            self.handle = handle
            self.callerName = callerName
        }

        init(_ info: CallInfo, details: CallerDetails) {
            self.init(
                id: info.call, direction: info.direction, phase: info.phase, isOnHold: info.isOnHold,
                isMuted: info.isMuted, hasVideo: info.hasVideo, handle: details.handle,
                callerName: details.callerName)
        }
    }

    /// The driver, as the app's VoIP stack reaches it: a `Sendable` value the driver hands
    /// to the closure that makes the stack (the `signaling:` closure of `CallDriver`'s
    /// initializers, `signaling: { VoIPStack(driver: $0) }`), so the stack keeps it in a `let` and needs no lock and no `weak var` of its own.
    /// It refers to the driver weakly (the driver holds the stack): once the driver is
    /// gone, its methods do nothing.
    public struct Signaling: Sendable {
        private let reference: DriverReference

        init() { reference = DriverReference() }

        func attach(_ driver: CallDriver) { reference.set(driver) }

        /// Tells the driver what the stack observed
        /// (``CallDriver/signalingDidReport(_:)``). Any thread.
        public func report(_ event: CallDriver.SignalingEvent) {
            reference.driver?.signalingDidReport(event)
        }

        /// The live calls (``CallDriver/calls``); empty once the driver is gone.
        public var calls: [CallDriver.Call] { reference.driver?.calls ?? [] }
    }
}

/// A weak reference to the driver, readable from any thread.
private final class DriverReference: @unchecked Sendable {
    // Why @unchecked Sendable: `_driver` is read and written only with `lock` held.
    private let lock = NSLock()
    private weak var _driver: CallDriver?

    var driver: CallDriver? { lock.withLock { _driver } }
    func set(_ driver: CallDriver) { lock.withLock { _driver = driver } }
}

/// A call's handle and caller name, which the engine's call list does not hold.
struct CallerDetails: Hashable, Sendable {
    var handle: CallHandle?
    var callerName: String?
}

/// The published call list and the streams that follow it, readable from any thread.
final class CallListStore: @unchecked Sendable {
    // Why @unchecked Sendable: `calls`, `subscribers` and `nextSubscriber` are read and
    // written only with `lock` held; continuations are Sendable.
    private let lock = NSLock()
    private var calls: [CallDriver.Call] = []
    private var subscribers: [Int: AsyncStream<[CallDriver.Call]>.Continuation] = [:]
    private var nextSubscriber = 0

    var current: [CallDriver.Call] { lock.withLock { calls } }

    /// Stores `list` and hands it to every stream, unless it equals the stored one.
    func publish(_ list: [CallDriver.Call]) {
        let continuations: [AsyncStream<[CallDriver.Call]>.Continuation]? = lock.withLock {
            guard list != calls else { return nil }
            calls = list
            return Array(subscribers.values)
        }
        // Yielded outside the lock, so a reader that reads `current` cannot deadlock;
        // called on the driver's queue only, so lists reach every stream in order.
        for continuation in continuations ?? [] { continuation.yield(list) }
    }

    func subscribe() -> AsyncStream<[CallDriver.Call]> {
        let (stream, continuation) = AsyncStream<[CallDriver.Call]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = lock.withLock {
            let id = nextSubscriber
            nextSubscriber += 1
            subscribers[id] = continuation
            continuation.yield(calls)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) }
        }
        return stream
    }
}

// Not on Linux: the Linux toolchain's libswiftObservation.so does not link
// (`swift::threading::fatal` undefined), so this model is compiled by the macOS build only.
#if canImport(Observation) && !os(Linux)
import Observation

/// The driver's call list (``CallDriver/calls``) as an `@Observable` model for SwiftUI
/// (https://developer.apple.com/documentation/observation/observable()): ``calls`` is
/// updated on the main actor after every change. iOS 17 and later; on iOS 16 read
/// ``CallDriver/callListUpdates()`` instead.
@available(iOS 17, macOS 14, tvOS 17, watchOS 10, *)
@MainActor
@Observable
public final class CallListModel {
    /// The live calls, as ``CallDriver/calls`` last published them.
    public private(set) var calls: [CallDriver.Call]
    @ObservationIgnored private var subscription: Subscription?

    /// A model following `driver`'s call list for as long as the model lives.
    public init(driver: CallDriver) {
        calls = driver.calls
        let updates = driver.callListUpdates()
        subscription = Subscription(
            Task { [weak self] in
                for await list in updates { self?.calls = list }
            })
    }

    /// Cancels the task that follows the driver when the model goes away.
    private final class Subscription: Sendable {
        let task: Task<Void, Never>
        init(_ task: Task<Void, Never>) { self.task = task }
        deinit { task.cancel() }
    }
}
#endif
