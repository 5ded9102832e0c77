// Linux only, not an Apple module: the counter behind the stubs' instance counts
// (`CallKitStubCounts`, `PushKitStubCounts`, `LiveCommunicationKitStubCounts`), which the
// in-app backend's test reads to check that the in-app driver creates no CXProvider,
// CXCallController, PKPushRegistry or ConversationManager
// (swift/Tests/CallKitEngineDriverTests/InAppBackendTests.swift).

import Foundation

/// A count that any thread may raise and read.
public final class StubCounter: @unchecked Sendable {
    // Why @unchecked Sendable: `count` is only read or written with `lock` held.
    private let lock = NSLock()
    private var count = 0

    /// A count at zero.
    public init() {}

    /// Adds one.
    public func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    /// The count now.
    public var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
