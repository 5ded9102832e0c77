import CallKitEngine
import CallKitEngineDriver
import Foundation

/// A `CallScheduler` whose time moves only when a test says so: the engine's monotonic
/// clock and the wall clock are separate, so a test can change the "date and time"
/// (``setWallClock(to:)``) and see that no timer moves.
///
/// Timers run in deadline order (then arming order) inside ``advance(byMilliseconds:)``, each on
/// the queue it was armed for with `queue.sync`, with the clock set to its deadline.
/// Call ``advance(byMilliseconds:)`` from the test's thread, never from that queue.
public final class VirtualClock: CallScheduler {
    private struct Entry {
        let id: UInt64
        let deadline: UInt64
        let queue: DispatchQueue
        let work: @Sendable () -> Void
    }

    private struct State {
        var nowMs: UInt64
        var wallClock: Date
        var nextID: UInt64 = 0
        var entries: [Entry] = []
    }

    private let state: Locked<State>

    /// A clock at `startMilliseconds` on the monotonic clock and `wallClock` on the wall clock.
    public init(startMilliseconds: UInt64 = 1_000_000, wallClock: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Locked(State(nowMs: startMilliseconds, wallClock: wallClock))
    }

    /// The engine's time.
    public func now() -> CallEngine.Instant { CallEngine.Instant(milliseconds: state.withLock { $0.nowMs }) }

    /// The wall clock: it moves with ``advance(byMilliseconds:)`` and jumps with
    /// ``setWallClock(to:)``.
    public func currentDate() -> Date { state.withLock { $0.wallClock } }

    /// Arms `work` for `delayMs` from now.
    public func schedule(
        afterMilliseconds delayMs: UInt64, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> any CallDriver.ScheduledTimer {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            let deadline = state.nowMs.addingReportingOverflow(delayMs)
            state.entries.append(
                Entry(
                    id: state.nextID, deadline: deadline.overflow ? .max : deadline.partialValue, queue: queue,
                    work: work))
            return state.nextID
        }
        return VirtualTimer(id: id, clock: self)
    }

    /// Timers armed and not yet run or cancelled.
    public var armedTimerCount: Int { state.withLock { $0.entries.count } }

    /// Moves both clocks forward by `milliseconds`, running every timer that comes due on
    /// the way at its deadline.
    public func advance(byMilliseconds milliseconds: UInt64) {
        let target = state.withLock { $0.nowMs.addingReportingOverflow(milliseconds).partialValue }
        while let entry = nextDue(by: target) {
            entry.queue.sync(execute: entry.work)
        }
        state.withLock { state in
            let delta = target - state.nowMs
            state.wallClock.addTimeInterval(Double(delta) / 1000)
            state.nowMs = target
        }
    }

    /// Sets the wall clock, as a user changing the date and time would; the monotonic
    /// clock and every timer stay as they were.
    public func setWallClock(to date: Date) {
        state.withLock { $0.wallClock = date }
    }

    /// Removes and returns the earliest entry due by `target`, with the clocks moved to its
    /// deadline.
    private func nextDue(by target: UInt64) -> Entry? {
        state.withLock { state in
            guard
                let index = state.entries.indices
                    .filter({ state.entries[$0].deadline <= target })
                    .min(by: {
                        (state.entries[$0].deadline, state.entries[$0].id) < (
                            state.entries[$1].deadline, state.entries[$1].id
                        )
                    })
            else { return nil }
            let entry = state.entries.remove(at: index)
            if entry.deadline > state.nowMs {
                state.wallClock.addTimeInterval(Double(entry.deadline - state.nowMs) / 1000)
                state.nowMs = entry.deadline
            }
            return entry
        }
    }

    fileprivate func cancel(_ id: UInt64) {
        state.withLock { $0.entries.removeAll { $0.id == id } }
    }
}

private final class VirtualTimer: CallDriver.ScheduledTimer {
    let id: UInt64
    weak var clock: VirtualClock?
    init(id: UInt64, clock: VirtualClock) {
        self.id = id
        self.clock = clock
    }
    func cancel() { clock?.cancel(id) }
}
