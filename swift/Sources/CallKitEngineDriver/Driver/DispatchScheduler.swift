import CallKitEngine
import Dispatch
import Foundation

/// The real ``CallScheduler``: timers on Dispatch's monotonic `DispatchTime`, the engine's
/// time from `CallEngine.Instant.now()` (a clock that keeps counting during sleep), and `Date()`
/// for the wall clock.
///
/// Timers use `DispatchTime`, never `DispatchWallTime`: a wall-clock deadline moves when
/// the user changes the date and time, a monotonic one does not. On Darwin `DispatchTime`
/// pauses while the device sleeps (it is `mach_absolute_time`), so a timer can fire late
/// after sleep but never early by the engine's clock, which counts sleep; the driver hands
/// the engine its own time on every step, and re-arms a timer the engine finds not yet due.
public final class DispatchScheduler: CallScheduler {
    /// A scheduler on the system clocks.
    public init() {}

    /// `CallEngine.Instant.now()`: a clock that keeps counting while the device sleeps.
    public func now() -> CallEngine.Instant { CallEngine.Instant.now() }

    /// `Date()`.
    public func currentDate() -> Date { Date() }

    /// `queue.asyncAfter(deadline: .now() + delay)` with a cancellable work item.
    public func schedule(
        afterMilliseconds delayMs: UInt64, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> any CallDriver.ScheduledTimer {
        let item = DispatchWorkItem(block: work)
        let delay = DispatchTimeInterval.milliseconds(Int(clamping: delayMs))
        queue.asyncAfter(deadline: DispatchTime.now() + delay, execute: item)
        return DispatchTimer(item: item)
    }
}

/// A `DispatchWorkItem` scheduled with `asyncAfter`; cancelling it before it starts keeps
/// it from running.
private final class DispatchTimer: CallDriver.ScheduledTimer {
    private let item: DispatchWorkItem
    init(item: DispatchWorkItem) { self.item = item }
    func cancel() { item.cancel() }
}
