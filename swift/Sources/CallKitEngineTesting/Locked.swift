import Foundation

/// A value behind a lock, for fakes that the test's thread and the driver's queue both
/// touch.
final class Locked<Value>: @unchecked Sendable {
    // Why @unchecked Sendable: `value` is only read or written inside `withLock`, under
    // `lock`, so no two threads touch it at once.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
