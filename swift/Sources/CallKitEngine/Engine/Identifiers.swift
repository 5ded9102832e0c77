import Foundation

extension CallEngine {
    /// A number that names a push or a transaction: `RawRepresentable` as `UInt64`, written
    /// as an integer literal, ordered by number, described as `<label> N`.
    public protocol Identifier: RawRepresentable, Hashable, Comparable, Sendable,
        ExpressibleByIntegerLiteral, CustomStringConvertible
    where RawValue == UInt64, IntegerLiteralType == UInt64 {
        /// The word before the number in ``description`` (`"push"`).
        static var label: String { get }
        /// The identifier named `rawValue`.
        init(rawValue: UInt64)
    }
}

extension CallEngine.Identifier {
    /// The identifier named by an integer literal.
    public init(integerLiteral value: UInt64) {
        self.init(rawValue: value)
    }

    /// `<label> N`.
    public var description: String { "\(Self.label) \(rawValue)" }

    /// Orders by number.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The host's name for one VoIP push, from `pushRegistry(_:didReceiveIncomingPushWith:
/// for:completion:)` (https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingpushwith:for:completion:))
/// until its completion handler runs: unique among pending pushes (a counter will do).
public struct PushID: CallEngine.Identifier {
    /// The number.
    public var rawValue: UInt64
    /// `"push"`.
    public static let label = "push"

    /// The push named `rawValue`.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }
}

/// The engine's name for one `CXCallController.request(_:completion:)`
/// (https://developer.apple.com/documentation/callkit/cxcallcontroller/request(_:completion:)),
/// from ``CallEngine/Effect/requestTransaction(transaction:action:)`` to ``CallEngine/Event/transactionCompleted(transaction:error:)``.
public struct TransactionID: CallEngine.Identifier {
    /// The number.
    public var rawValue: UInt64
    /// `"transaction"`.
    public static let label = "transaction"

    /// The transaction named `rawValue`.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }
}

extension CallEngine {
    /// A moment on the host's monotonic clock, in milliseconds from an arbitrary origin, on a
    /// clock that keeps counting while the device sleeps (the engine's time: every event is
    /// fed with one, timer deadlines and report times come back as one).
    ///
    /// ``now()`` reads such a clock: on Apple platforms `mach_continuous_time()`, which
    /// "increments monotonically ... including while the system is asleep"
    /// (https://developer.apple.com/documentation/driverkit/mach_continuous_time; Apple names
    /// `clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW)` its equivalent there, while
    /// `mach_absolute_time` / `CLOCK_UPTIME_RAW` stop during sleep); on Linux
    /// `clock_gettime(CLOCK_BOOTTIME)`, "like CLOCK_MONOTONIC, except that it also includes
    /// any time that the system is suspended" (clock_gettime(2)). Not wall-clock time:
    /// changing the date moves neither.
    public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
        /// Milliseconds since the clock's origin.
        public var milliseconds: UInt64

        /// The moment `milliseconds` after the origin.
        public init(milliseconds: UInt64) {
            self.milliseconds = milliseconds
        }

        /// Now, on the clock that keeps counting through sleep (see the type's discussion).
        public static func now() -> CallEngine.Instant {
            CallEngine.Instant(milliseconds: continuousMilliseconds())
        }

        /// The moment `milliseconds` later (saturating at the clock's end).
        public func adding(milliseconds: UInt64) -> CallEngine.Instant {
            let (sum, overflow) = self.milliseconds.addingReportingOverflow(milliseconds)
            return CallEngine.Instant(milliseconds: overflow ? UInt64.max : sum)
        }

        /// Milliseconds from `self` to `later`, 0 when `later` is not later.
        public func milliseconds(until later: CallEngine.Instant) -> UInt64 {
            later.milliseconds > milliseconds ? later.milliseconds - milliseconds : 0
        }

        /// `N ms`.
        public var description: String { "\(milliseconds) ms" }

        /// Orders by time.
        public static func < (lhs: CallEngine.Instant, rhs: CallEngine.Instant) -> Bool {
            lhs.milliseconds < rhs.milliseconds
        }
    }
}

#if canImport(Darwin)
/// `mach_continuous_time()` ticks as milliseconds (the timebase read once).
private let continuousTimebase: mach_timebase_info_data_t = {
    var info = mach_timebase_info_data_t()
    _ = mach_timebase_info(&info)
    return info
}()

private func continuousMilliseconds() -> UInt64 {
    let ticks = mach_continuous_time()
    let numer = UInt64(continuousTimebase.numer == 0 ? 1 : continuousTimebase.numer)
    let denom = UInt64(continuousTimebase.denom == 0 ? 1 : continuousTimebase.denom)
    // ticks * numer / denom nanoseconds, without overflow for centuries of uptime.
    let (high, low) = ticks.multipliedFullWidth(by: numer)
    guard high < denom else { return UInt64.max / 1_000_000 }
    let nanoseconds = denom.dividingFullWidth((high, low)).quotient
    return nanoseconds / 1_000_000
}
#else
private func continuousMilliseconds() -> UInt64 {
    var time = timespec()
    // CLOCK_BOOTTIME cannot fail on Linux 2.6.39 and later; a zero time is the fallback.
    _ = clock_gettime(CLOCK_BOOTTIME, &time)
    return UInt64(time.tv_sec) * 1_000 + UInt64(time.tv_nsec) / 1_000_000
}
#endif
