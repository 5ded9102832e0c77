import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// The driver under seeded random system behaviour on each backend, through the fakes
/// (``FakeCallingSystem``): pushes or notifications (duplicates, malformed, each
/// `mustReport`), the system's actions or the app's UI, time-outs, resets, audio
/// activations and interruptions, and the app's requests and signaling from other
/// threads at once; under CallKit also report and request completions held, queued or
/// inline and run in any order (a request's after its action, or after a reset), under
/// LiveCommunicationKit refused reports, in-app refused audio activations. After every
/// run, once everything ended: each PushKit and `startCall` completion ran once, each
/// action was fulfilled or failed once (or timed out, or voided by a reset), the driver
/// holds no completion, action, timer or caller details, with the engine idle and the
/// call list empty (in-app, the audio session inactive), and it is freed with its fakes.
///
/// Seeds 1 to `CK_DRIVER_FUZZ_RUNS` (default ``defaultRuns``) on each backend;
/// `CK_DRIVER_FUZZ_SEED=<n>` replays run `n` alone. A run is the same sequence of steps
/// for a seed and backend; the app's requests sent from other threads at once reach the
/// driver in the order the threads get there.
final class DriverFuzzTests: XCTestCase {
    static let defaultRuns = 10_000

    func testRandomCallKitAndPushKitBehaviourLeavesEveryCompletionRunOnceAndNothingStored() throws {
        try fuzz(.callKit)
    }

    func testRandomLiveCommunicationKitAndPushKitBehaviourLeavesEveryCompletionRunOnceAndNothingStored() throws {
        try fuzz(.liveCommunicationKit)
    }

    func testRandomAppUIAndNotificationBehaviourInAppLeavesEveryActionCompletedOnceAndNothingStored() throws {
        try fuzz(.inApp)
    }

    private func fuzz(_ backend: CallDriver.Backend) throws {
        let environment = ProcessInfo.processInfo.environment
        let seeds: ClosedRange<UInt64>
        if let replay = environment["CK_DRIVER_FUZZ_SEED"] {
            let seed = try XCTUnwrap(UInt64(replay), "CK_DRIVER_FUZZ_SEED is not a number")
            seeds = seed...seed
        } else {
            let runs =
                try environment["CK_DRIVER_FUZZ_RUNS"].map {
                    try XCTUnwrap(UInt64($0), "CK_DRIVER_FUZZ_RUNS is not a number")
                } ?? UInt64(Self.defaultRuns)
            seeds = 1...max(runs, 1)
        }
        print("driver fuzz (\(backend)): \(seeds.count) runs, seeds \(seeds.lowerBound)...\(seeds.upperBound)")
        let start = Date()
        var steps = 0
        var seen = FuzzRun.Tally()
        for seed in seeds {
            weak var driver: CallDriver?
            var problems: [String] = []
            do {
                var run = try FuzzRun(seed: seed, backend: backend)
                driver = run.driver
                problems = run.run()
                steps += run.steps
                seen.add(run.tally())
            }
            if driver != nil { problems.append("the driver outlived its run") }
            if !problems.isEmpty {
                let message =
                    "driver fuzz (\(backend)): seed \(seed) failed (replay with CK_DRIVER_FUZZ_SEED=\(seed)):\n"
                    + problems.joined(separator: "\n")
                print(message)
                XCTFail(message)
                return
            }
        }
        let took = Date().timeIntervalSince(start)
        print(
            "driver fuzz (\(backend)): \(seeds.count) runs, \(steps) steps, all passed in \(String(format: "%.1f", took)) s: "
                + "\(seen.pushes) pushes (\(seen.unreportedPushes) unreported under mustReport false), "
                + "\(seen.notifications) notifications, "
                + "actions \(seen.fulfilled) fulfilled, \(seen.failed) failed, \(seen.timedOut) timed out, "
                + "\(seen.voided) voided, \(seen.refusedSteps) steps refused by the engine")
        if seeds.count >= 1_000 {
            // The runs reached every outcome the checks are about (in-app has no PushKit,
            // no action time-out and no reset).
            XCTAssertGreaterThan(seen.fulfilled, 0)
            XCTAssertGreaterThan(seen.failed, 0)
            if backend == .inApp {
                XCTAssertGreaterThan(seen.notifications, 0)
                XCTAssertEqual(seen.pushes, 0, "the in-app backend receives no VoIP push")
            } else {
                XCTAssertGreaterThan(seen.unreportedPushes, 0)
                XCTAssertGreaterThan(seen.timedOut, 0)
                XCTAssertGreaterThan(seen.voided, 0)
            }
        }
    }
}

/// SplitMix64: a small seeded generator, the same sequence for a seed on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One seeded run.
private struct FuzzRun {
    var rng: SplitMix64
    let system: any FakeCallingSystem
    let driver: CallDriver
    let app: Recorder<AppCall>
    let log: Recorder<CallDriverLogEntry>
    let pushes = Recorder<FakePush>()
    /// The regular notifications opened (the in-app backend's incoming calls).
    let notifications = Recorder<Int>()
    let started = Recorder<UUID>()
    /// How many times each `startCall` completion ran (a throwing start counts as one).
    let startCompletionCounts = Counter()
    /// The incoming calls' UUIDs: few, so pushes repeat and actions meet known calls.
    let pool: [UUID]
    var steps = 0

    init(seed: UInt64, backend: CallDriver.Backend) throws {
        var rng = SplitMix64(seed: seed)
        var configuration = CallEngine.Configuration()
        configuration.maximumCallGroups = Int.random(in: 1...3, using: &rng)
        configuration.supportsHolding = Int.random(in: 0..<4, using: &rng) != 0
        configuration.supportsGrouping = Bool.random(using: &rng)
        configuration.supportsUngrouping = Bool.random(using: &rng)
        // Now and then the engine waits longer than CallKit's 60 s action time-out, so
        // CallKit times a deferred answer or start out first.
        if Int.random(in: 0..<3, using: &rng) == 0 { configuration.answerConnectTimeout = .seconds(90) }
        if Int.random(in: 0..<3, using: &rng) == 0 { configuration.startConnectTimeout = .seconds(90) }
        let system: any FakeCallingSystem =
            switch backend {
            case .callKit: FakeCallKit(configuration: configuration)
            case .liveCommunicationKit: FakeLiveCommunicationKit(configuration: configuration)
            case .inApp: FakeAppCallUI()
            }
        let recorded = try RecordedDriver(on: system, configuration: configuration)
        self.system = system
        driver = recorded.driver
        app = recorded.app
        log = recorded.log
        pool = (0..<3).map { _ in UUID(uuid: Self.uuidBytes(&rng)) }
        self.rng = rng
    }

    private static func uuidBytes(_ rng: inout SplitMix64) -> uuid_t {
        let a = rng.next()
        let b = rng.next()
        return (
            UInt8(truncatingIfNeeded: a), UInt8(truncatingIfNeeded: a >> 8), UInt8(truncatingIfNeeded: a >> 16),
            UInt8(truncatingIfNeeded: a >> 24), UInt8(truncatingIfNeeded: a >> 32), UInt8(truncatingIfNeeded: a >> 40),
            UInt8(truncatingIfNeeded: a >> 48) & 0x0f | 0x40, UInt8(truncatingIfNeeded: a >> 56),
            UInt8(truncatingIfNeeded: b) & 0x3f | 0x80, UInt8(truncatingIfNeeded: b >> 8),
            UInt8(truncatingIfNeeded: b >> 16), UInt8(truncatingIfNeeded: b >> 24), UInt8(truncatingIfNeeded: b >> 32),
            UInt8(truncatingIfNeeded: b >> 40), UInt8(truncatingIfNeeded: b >> 48), UInt8(truncatingIfNeeded: b >> 56)
        )
    }

    private mutating func chance(_ oneIn: Int) -> Bool { Int.random(in: 0..<oneIn, using: &rng) == 0 }

    /// A call the step is about: a pool call, an outgoing one, or now and then a stranger.
    private mutating func someCall() -> UUID {
        let outgoing = started.all
        if !outgoing.isEmpty, chance(3) { return outgoing.randomElement(using: &rng)! }
        if chance(12) { return UUID(uuid: Self.uuidBytes(&rng)) }
        return pool.randomElement(using: &rng)!
    }

    mutating func run() -> [String] {
        let count = Int.random(in: 5...30, using: &rng)
        for _ in 0..<count {
            step()
            steps += 1
        }
        finish()
        return check()
    }

    /// A thing that can happen at any time from any thread.
    private mutating func anyThreadWork() -> @Sendable () -> Void {
        let system = system
        let driver = driver
        let call = someCall()
        let other = someCall()
        let started = started
        let pushes = pushes
        switch Int.random(in: 0..<18, using: &rng) {
        case 0, 1, 2:
            let payload: [AnyHashable: Any]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: payload = ["aps": [String: Any](), "handle": "+15550100"]  // no call id
            case 1: payload = ["uuid": call.uuidString, "handle": Date()]  // not JSON
            case 2: payload = ["uuid": "not a uuid", "handle": "+15550100"]
            default:
                payload = [
                    "aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100", "callerName": "Alice",
                ]
            }
            let mustReport = [nil, nil, true, false].randomElement(using: &rng)!
            let box = PayloadBox(payload)
            let notifications = notifications
            return {
                if let push = system.deliverIncomingCall(box.payload, mustReport: mustReport) {
                    pushes.append(push)
                } else {
                    notifications.append(1)
                }
            }
        case 3:
            let request: CallDriver.ProviderActionRequest =
                switch Int.random(in: 0..<7, using: &rng) {
                case 0, 1: .answerCall(call: call)
                case 2, 3: .endCall(call: call)
                case 4: .setHeld(call: call, onHold: Bool.random(using: &rng))
                case 5: .setMuted(call: call, muted: Bool.random(using: &rng))
                default: .setGroup(call: call, groupWith: chance(2) ? nil : other)
                }
            return { system.userPerforms(request) }
        case 4:
            return { system.userPerforms(.playDTMF(call: call, digits: "1#", type: .singleTone)) }
        case 5:
            let video = chance(4)
            let counts = startCompletionCounts
            return {
                let token = UUID()
                counts.register(token)
                if let id = try? driver.startCall(
                    to: "+15550199", type: .phoneNumber, isVideo: video,
                    completion: { _ in counts.count(token) })
                {
                    started.append(id)
                } else {
                    counts.count(token)  // thrown: the completion is not called, as documented
                }
            }
        case 6:
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return { driver.answer(call: call) }
            case 1: return { driver.decline(call: call) }
            case 2: return { driver.updateCallDetails(call: call, callerName: "Bob", hasVideo: nil) }
            case 3: return { driver.audioSessionActivatedByApp() }
            default: return { driver.endCall(call) }
            }
        case 7:
            let hold = Bool.random(using: &rng)
            return { driver.setHeld(call, onHold: hold) }
        case 8:
            let mute = Bool.random(using: &rng)
            return { driver.setMuted(call, muted: mute) }
        case 9: return { driver.playDTMF(call, digits: "5") }
        case 10, 11: return { driver.signalingDidReport(.incomingCallConnected(call: call)) }
        case 12: return { driver.signalingDidReport(.remoteEnded(call: call)) }
        case 13:
            let event: CallDriver.SignalingEvent =
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: .answeredElsewhere(call: call)
                case 1: .declinedElsewhere(call: call)
                case 2: .connectionFailed(call: call)
                default: .outgoingCallRefused(call: call, reason: .busy)
                }
            return { driver.signalingDidReport(event) }
        case 14:
            let event: CallDriver.SignalingEvent =
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: .outgoingCallConnecting(call: call)
                case 1: .outgoingCallRinging(call: call)
                default: .outgoingCallConnected(call: call)
                }
            return { driver.signalingDidReport(event) }
        case 15:
            let handle = CallHandle(type: .phoneNumber, value: "+15550123")
            return {
                driver.signalingDidReport(
                    .incomingCallAnnounced(call: call, handle: handle, callerName: "Carol", isVideo: false))
            }
        case 16: return { system.activateAudioSession() }
        default: return { system.deactivateAudioSession() }
        }
    }

    private mutating func step() {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0..<8:
            anyThreadWork()()
        case 8, 9:
            // The app and the system at once, from other threads.
            let work = (0..<Int.random(in: 2...4, using: &rng)).map { _ in anyThreadWork() }
            DispatchQueue.concurrentPerform(iterations: work.count) { work[$0]() }
        case 13, 14:
            let delays: [UInt64] = [0, 100, 1_000, 5_000, 10_000, 30_000, 61_000]
            system.clock.advance(byMilliseconds: delays.randomElement(using: &rng)!)
        case 15:
            system.reset()
        case 18:
            system.doNotDisturb = chance(3)
        case let choice:
            if let callKit = system as? FakeCallKit {
                callKitStep(choice, callKit)
            } else if let lck = system as? FakeLiveCommunicationKit {
                liveCommunicationKitStep(choice, lck)
            } else if let ui = system as? FakeAppCallUI {
                inAppStep(choice, ui)
            }
        }
        system.settle()
    }

    /// What only CallKit's fakes do: completions held and run in any order, refusals.
    private mutating func callKitStep(_ choice: Int, _ callKit: FakeCallKit) {
        let provider = callKit.provider
        switch choice {
        case 10:
            // A held report completion, in any order (late after a reset: dropped).
            let held = provider.heldReportCompletions
            let call = held.isEmpty ? someCall() : held.randomElement(using: &rng)!
            provider.completeReport(for: call)
        case 11:
            // A held request completion, after its action, late after a reset.
            callKit.callController.completeHeldRequest()
        case 12:
            provider.holdsReportCompletions = chance(2)
            provider.completesReportsInline = chance(3)
            callKit.callController.completesRequestsInline = chance(3)
            callKit.callController.holdsRequestCompletions = chance(3)
        case 16:
            let code = [IncomingCallError.unknown, .unentitled, .filteredByBlockList].randomElement(using: &rng)!
            provider.failNextReport(with: NSError(domain: CallKitErrorDomain.incomingCall, code: code.rawValue))
        case 17:
            let code = [RequestTransactionError.unknown, .unknownCallUUID, .invalidAction].randomElement(using: &rng)!
            callKit.callController.failNextRequest(
                with: NSError(domain: CallKitErrorDomain.requestTransaction, code: code.rawValue))
        default:
            if chance(2) { callKit.pushRegistry.updateCredentials(token: Data([1, 2, 3])) } else { provider.begin() }
        }
    }

    /// What only LiveCommunicationKit's fakes do: a refused report, the manager's begin.
    private mutating func liveCommunicationKitStep(_ choice: Int, _ lck: FakeLiveCommunicationKit) {
        switch choice {
        case 10, 16:
            lck.conversationManager.failNextReport(with: NSError(domain: "LiveCommunicationKit", code: 1))
        case 11:
            lck.conversationManager.begin()
        default:
            if chance(2) {
                lck.pushRegistry.updateCredentials(token: Data([1, 2, 3]))
            } else {
                lck.pushRegistry.invalidateCredentials()
            }
        }
    }

    /// What only the in-app backend meets: the session refusing activation, an
    /// interruption ending, the app activating the session itself.
    private mutating func inAppStep(_ choice: Int, _ ui: FakeAppCallUI) {
        switch choice {
        case 10, 11:
            ui.audioSession.endInterruption()
        case 12, 17:
            ui.audioSession.failNextActivation(with: NSError(domain: "AVAudioSession", code: 560_557_684))
        case 16:
            driver.audioSessionActivatedByApp()
        default:
            ui.audioSession.interrupt()
        }
    }

    /// Ends everything: held completions run, every call ends, time runs out; now and
    /// then a reset instead.
    private mutating func finish() {
        if let callKit = system as? FakeCallKit {
            let provider = callKit.provider
            provider.holdsReportCompletions = false
            for call in provider.heldReportCompletions { provider.completeReport(for: call) }
            callKit.callController.holdsRequestCompletions = false
            while callKit.callController.completeHeldRequest() {}
        }
        if chance(4) {
            system.reset()
        }
        for call in pool + started.all { driver.signalingDidReport(.remoteEnded(call: call)) }
        system.settle()
        for _ in 0..<3 { system.clock.advance(byMilliseconds: 120_000) }
        system.settle()
    }

    /// What a run saw.
    struct Tally {
        var pushes = 0
        var notifications = 0
        var unreportedPushes = 0
        var fulfilled = 0
        var failed = 0
        var timedOut = 0
        var voided = 0
        var refusedSteps = 0

        mutating func add(_ other: Tally) {
            pushes += other.pushes
            notifications += other.notifications
            unreportedPushes += other.unreportedPushes
            fulfilled += other.fulfilled
            failed += other.failed
            timedOut += other.timedOut
            voided += other.voided
            refusedSteps += other.refusedSteps
        }
    }

    func tally() -> Tally {
        var tally = Tally()
        let pushes = pushes.all
        tally.pushes = pushes.count
        tally.notifications = notifications.all.count
        tally.unreportedPushes = pushes.filter { !$0.reportedBeforeReturn }.count
        for action in system.actionRecords {
            switch action.outcome {
            case .fulfilled?: tally.fulfilled += 1
            case .failed?: tally.failed += 1
            case .timedOut?: tally.timedOut += 1
            case .voided?: tally.voided += 1
            case nil: break
            }
        }
        tally.refusedSteps = log.all.filter { $0.kind == .stepRefused }.count
        return tally
    }

    private func check() -> [String] {
        var problems: [String] = []
        let held = driver.heldForTesting
        if !held.engineIdle { problems.append("the engine is not idle once every call ended") }
        if held.pushCompletions != 0 { problems.append("the driver holds \(held.pushCompletions) PushKit completions") }
        if held.actions != 0 { problems.append("the driver holds \(held.actions) system actions") }
        if held.timers != 0 { problems.append("the driver holds \(held.timers) timers") }
        if held.queuedCompletions != 0 { problems.append("the driver queued \(held.queuedCompletions) completions") }
        if held.startCompletions != 0 {
            problems.append("the driver holds \(held.startCompletions) startCall completions")
        }
        if held.callerDetails != 0 { problems.append("the driver keeps caller details of \(held.callerDetails) calls") }
        if !driver.calls.isEmpty { problems.append("the call list still shows \(driver.calls.count) calls") }
        for (call, count) in startCompletionCounts.all where count != 1 {
            problems.append("the startCall completion of \(call) ran \(count) times")
        }
        if system.clock.armedTimerCount != 0 {
            problems.append("\(system.clock.armedTimerCount) timers still armed on the clock")
        }
        if let callKit = system as? FakeCallKit {
            if !callKit.provider.heldReportCompletions.isEmpty { problems.append("report completions still held") }
            if callKit.callController.heldRequestCompletionCount != 0 {
                problems.append("request completions still held")
            }
        }
        if system.backend == .inApp, system.audioSession.isActive {
            problems.append("the in-app audio session is still active once every call ended")
        }
        for (index, push) in pushes.all.enumerated() {
            if push.completionCount != 1 {
                problems.append("push \(index): its PushKit completion ran \(push.completionCount) times")
            }
            if push.brokePushKitsReportRule {
                problems.append(
                    "push \(index) (mustReport \(String(describing: push.mustReport))) was not reported in time")
            }
        }
        for action in system.actionRecords {
            let name = "action \(action.request)"
            switch action.outcome {
            case nil:
                problems.append("\(name) is still pending")
            case .fulfilled?, .failed?:
                if action.completionCount != 1 {
                    problems.append("\(name) was completed \(action.completionCount) times")
                }
            case .timedOut?, .voided?:
                if action.completionCount != 0 {
                    problems.append(
                        "\(name) was completed after it \(action.outcome == .timedOut ? "timed out" : "was voided")")
                }
            }
        }
        // No effect names an action or push the driver no longer holds.
        for entry in log.all where entry.kind == .unknownAction || entry.kind == .unknownPush {
            problems.append("driver log: \(entry)")
        }
        return problems
    }
}

/// Counts per key, from any thread.
private final class Counter: @unchecked Sendable {
    // Why @unchecked Sendable: `counts` is only read or written with `lock` held.
    private let lock = NSLock()
    private var counts: [UUID: Int] = [:]

    func register(_ key: UUID) {
        lock.lock()
        counts[key] = 0
        lock.unlock()
    }

    func count(_ key: UUID) {
        lock.lock()
        counts[key, default: 0] += 1
        lock.unlock()
    }

    var all: [UUID: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}

/// A push payload handed to another thread: built on the test's thread and only read
/// after.
private final class PayloadBox: @unchecked Sendable {
    // Why @unchecked Sendable: `payload` is never mutated after init.
    let payload: [AnyHashable: Any]
    init(_ payload: [AnyHashable: Any]) { self.payload = payload }
}
