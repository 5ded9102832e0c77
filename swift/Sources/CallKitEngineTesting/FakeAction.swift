import CallKitEngine
import CallKitEngineDriver
import Foundation

/// A `CXAction` as the fake provider hands it to the driver: it records how it was
/// completed, and counts completions so a test can check "exactly once".
public final class FakeAction: CallDriver.ProviderAction, Sendable {
    /// How an action ended.
    public enum Outcome: Sendable, Equatable {
        /// `fulfill()` was called.
        case fulfilled
        /// `fail()` was called.
        case failed
        /// CallKit timed it out (`provider(_:timedOutPerforming:)`) before either.
        case timedOut
        /// `providerDidReset(_:)` voided it before either: no time-out follows.
        case voided
    }

    private struct State {
        var outcome: Outcome?
        var completions = 0
        var timeout: (any CallDriver.ScheduledTimer)?
        var onFulfilled: (@Sendable () -> Void)?
    }

    /// `CXAction.uuid`.
    public let uuid: UUID
    /// What CallKit asked to perform.
    public let request: CallDriver.ProviderActionRequest
    private let state = Locked(State())

    /// An action for `request` with a fresh UUID.
    public init(_ request: CallDriver.ProviderActionRequest, uuid: UUID = UUID()) {
        self.request = request
        self.uuid = uuid
    }

    /// How it ended so far (`nil`: pending). A second completion does not change it.
    public var outcome: Outcome? { state.withLock { $0.outcome } }

    /// How many times `fulfill()` or `fail()` was called (1 is right, 0 while pending,
    /// after a time-out or after a reset voided it).
    public var completionCount: Int { state.withLock { $0.completions } }

    /// `CXAction.fulfill()`.
    public func fulfill() { complete(.fulfilled) }

    /// `CXAction.fail()`.
    public func fail() { complete(.failed) }

    private func complete(_ outcome: Outcome) {
        let (timeout, onFulfilled) = state.withLock {
            state -> ((any CallDriver.ScheduledTimer)?, (@Sendable () -> Void)?) in
            state.completions += 1
            var first = false
            if state.outcome == nil {
                state.outcome = outcome
                first = outcome == .fulfilled
            }
            defer {
                state.timeout = nil
                state.onFulfilled = nil
            }
            return (state.timeout, first ? state.onFulfilled : nil)
        }
        timeout?.cancel()
        onFulfilled?()
    }

    /// Arms CallKit's time-out, and what CallKit records when the action is fulfilled.
    func arm(timeout: any CallDriver.ScheduledTimer, onFulfilled: @escaping @Sendable () -> Void) {
        state.withLock {
            $0.timeout = timeout
            $0.onFulfilled = onFulfilled
        }
    }

    /// Voids the action when pending (`providerDidReset(_:)`), disarming its time-out.
    func void() {
        let timeout = state.withLock { state -> (any CallDriver.ScheduledTimer)? in
            guard state.outcome == nil else { return nil }
            state.outcome = .voided
            defer {
                state.timeout = nil
                state.onFulfilled = nil
            }
            return state.timeout
        }
        timeout?.cancel()
    }

    /// Marks the action timed out when pending; `true` when it was.
    func timeOut() -> Bool {
        state.withLock { state in
            guard state.outcome == nil else { return false }
            state.outcome = .timedOut
            state.timeout = nil
            state.onFulfilled = nil
            return true
        }
    }
}
