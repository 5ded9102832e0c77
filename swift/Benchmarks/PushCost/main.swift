// The cost of turning one VoIP push payload into what CallKit needs, two ways on the
// same bytes (what bridges such as React Native and Flutter hand over) and two ways on
// the same dictionary (what PushKit hands a native app: `dictionaryPayload`)
// (docs/performance.md, "Swift: push cost against the usual glue"):
//
// - glue: what peers' Swift code does with bytes: JSONSerialization into a
//   [String: Any], `as?` casts, UUID(uuidString:), a call-update struct;
// - engine: CallEngine.handle(.voipPushReceived) -> [CallEngine.Effect], the report with its
//   CallUpdate first (plus the timers and the signaling effect the glue does not make);
// - dictionaryGlue: what peers' Swift code does in the PushKit callback: `as?` casts and
//   lookups on the [AnyHashable: Any], UUID(uuidString:), a call-update struct;
// - driver: what CallDriver does with the same dictionary: the JSON bytes it hands the
//   engine, then CallEngine.handle(.voipPushReceived) -> [CallEngine.Effect].
// The dictionary is JSONSerialization's reading of the payload file (Swift strings and
// NSNumbers on Linux; NSString and NSNumber on Darwin), built outside the measured calls,
// in 256 copies used in turn: each dictionary's storage has its own hash seed, which
// moves the lookups' probe sequences (and the glue's cost, by up to a third), so the
// counts average over many seeds instead of reporting one.
//
// Usage (release build; scripts/swift-push-cost.sh runs all of it):
//   PushCostBenchmark check <schema> <payload-file>
//   PushCostBenchmark instructions <glue|engine|dictionaryGlue|driver> <schema> <payload-file> <iterations>
//       (under callgrind with --toggle-collect='*measured*': only the measured calls count;
//        building each iteration's fresh engine is set-up, outside them)
//   PushCostBenchmark wall <schema> <payload-file> <iterations> <rounds>
// <schema>: appleDocs or reactNativeVoIPPush.
import CallKitEngine
import CallKitEngineDriver
import Foundation

/// What peers' glue builds for `reportNewIncomingCall`.
struct GlueCallUpdate {
    var uuid: UUID
    var handle: String
    var callerName: String?
    var hasVideo: Bool
}

/// The keys each layout uses (the glue knows its server's layout, as the schema does).
struct GlueKeys {
    var id: String
    var handle: String
    var callerName: String?
    var video: String?
}

@inline(never)
func measuredGlue(_ payload: Data, _ keys: GlueKeys) -> GlueCallUpdate? {
    guard let object = try? JSONSerialization.jsonObject(with: payload),
        let dictionary = object as? [String: Any],
        let idText = dictionary[keys.id] as? String,
        let uuid = UUID(uuidString: idText),
        let handle = dictionary[keys.handle] as? String
    else { return nil }
    // Plain lookups, no closures: callgrind's --toggle-collect='*measured*' must match
    // exactly one function per path (a nested match would toggle collection off).
    var callerName: String?
    if let key = keys.callerName { callerName = dictionary[key] as? String }
    var hasVideo = false
    if let key = keys.video, let video = dictionary[key] as? Bool { hasVideo = video }
    return GlueCallUpdate(uuid: uuid, handle: handle, callerName: callerName, hasVideo: hasVideo)
}

@inline(never)
func measuredDictionaryGlue(_ payload: [AnyHashable: Any], _ keys: GlueKeys) -> GlueCallUpdate? {
    guard let idText = payload[keys.id] as? String,
        let uuid = UUID(uuidString: idText),
        let handle = payload[keys.handle] as? String
    else { return nil }
    var callerName: String?
    if let key = keys.callerName { callerName = payload[key] as? String }
    var hasVideo = false
    if let key = keys.video, let video = payload[key] as? Bool { hasVideo = video }
    return GlueCallUpdate(uuid: uuid, handle: handle, callerName: callerName, hasVideo: hasVideo)
}

@inline(never)
func measuredDriver(_ engine: CallEngine, _ payload: [AnyHashable: Any], _ fallback: UUID) -> [CallEngine.Effect] {
    let json = PushPayloadWriter.data(payload) ?? Data()
    let event = CallEngine.Event.voipPushReceived(push: 1, payload: json, fallbackCall: fallback)
    return (try? engine.handle(event, at: CallEngine.Instant(milliseconds: 1))) ?? []
}

@inline(never)
func measuredEngine(_ engine: CallEngine, _ payload: Data, _ fallback: UUID) -> [CallEngine.Effect] {
    (try? engine.handle(
        .voipPushReceived(push: 1, payload: payload, fallbackCall: fallback), at: CallEngine.Instant(milliseconds: 1)))
        ?? []
}

/// Keeps a result alive so the optimiser cannot drop the work.
@inline(never)
func consume<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

struct Setup {
    var schema: PayloadSchema.Preset
    var keys: GlueKeys
    var payload: Data
    /// `payload` as PushKit's `dictionaryPayload`, in copies of their own storage (and
    /// hash seed); call `i` reads `dictionaries[i % count]`.
    var dictionaries: [[AnyHashable: Any]]
    var dictionary: [AnyHashable: Any] { dictionaries[0] }
    var configuration: CallEngine.Configuration
    let fallback = UUID(uuid: (0xfb, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1))

    init(schema name: String, payloadFile: String) throws {
        switch name {
        case "appleDocs":
            schema = .appleDocs
            keys = GlueKeys(id: "callUUID", handle: "handle")
        case "reactNativeVoIPPush":
            schema = .reactNativeVoIPPush
            keys = GlueKeys(id: "uuid", handle: "handle", callerName: "callerName", video: "hasVideo")
        default:
            throw BenchmarkError("unknown schema \(name)")
        }
        payload = try Data(contentsOf: URL(fileURLWithPath: payloadFile))
        guard let object = try JSONSerialization.jsonObject(with: payload) as? [String: Any] else {
            throw BenchmarkError("\(payloadFile) is not a JSON object")
        }
        dictionaries = (0..<256).map { _ in
            Dictionary(uniqueKeysWithValues: object.map { (AnyHashable($0.key), $0.value) })
        }
        configuration = CallEngine.Configuration(payloadSchema: PayloadSchema(preset: schema))
    }

    func engine() throws -> CallEngine { try CallEngine(configuration: configuration) }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// All four paths read the same call from the payload.
func check(_ setup: Setup) throws {
    guard let glue = measuredGlue(setup.payload, setup.keys) else { throw BenchmarkError("glue read no call") }
    guard let dictionaryGlue = measuredDictionaryGlue(setup.dictionary, setup.keys) else {
        throw BenchmarkError("dictionary glue read no call")
    }
    let effects = measuredEngine(try setup.engine(), setup.payload, setup.fallback)
    let driverEffects = measuredDriver(try setup.engine(), setup.dictionary, setup.fallback)
    guard case .reportNewIncomingCall(_, let call, let update, _)? = effects.first else {
        throw BenchmarkError("engine did not report first: \(effects)")
    }
    guard call == glue.uuid, update.remoteHandle?.value == glue.handle,
        update.localizedCallerName == glue.callerName, update.hasVideo == glue.hasVideo
    else { throw BenchmarkError("the paths disagree: \(glue) vs \(call) \(update)") }
    guard dictionaryGlue.uuid == glue.uuid, dictionaryGlue.handle == glue.handle,
        dictionaryGlue.callerName == glue.callerName, dictionaryGlue.hasVideo == glue.hasVideo
    else { throw BenchmarkError("the glue paths disagree: \(glue) vs \(dictionaryGlue)") }
    guard driverEffects == effects else {
        throw BenchmarkError("the driver's path disagrees with the engine's: \(driverEffects) vs \(effects)")
    }
    print("check: all paths read call \(call), handle \(glue.handle); engine effects: \(effects.count)")
}

func instructions(_ path: String, _ setup: Setup, iterations: Int) throws {
    switch path {
    case "glue":
        for _ in 0..<iterations { consume(measuredGlue(setup.payload, setup.keys)) }
    case "engine":
        for _ in 0..<iterations {
            let engine = try setup.engine()
            consume(measuredEngine(engine, setup.payload, setup.fallback))
        }
    case "dictionaryGlue":
        for index in 0..<iterations {
            consume(measuredDictionaryGlue(setup.dictionaries[index % setup.dictionaries.count], setup.keys))
        }
    case "driver":
        for index in 0..<iterations {
            let engine = try setup.engine()
            consume(measuredDriver(engine, setup.dictionaries[index % setup.dictionaries.count], setup.fallback))
        }
    default:
        throw BenchmarkError("unknown path \(path)")
    }
}

/// Nanoseconds per call of each path, the median of `rounds` rounds of `iterations` calls
/// each.
func wall(_ setup: Setup, iterations: Int, rounds: Int) throws {
    let clock = ContinuousClock()
    func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }
    var glueRounds: [Double] = []
    var engineRounds: [Double] = []
    var dictionaryGlueRounds: [Double] = []
    var driverRounds: [Double] = []
    for _ in 0..<rounds {
        let glueTime = clock.measure {
            for _ in 0..<iterations { consume(measuredGlue(setup.payload, setup.keys)) }
        }
        glueRounds.append(nanoseconds(glueTime) / Double(iterations))
        let engines = try (0..<iterations).map { _ in try setup.engine() }
        let engineTime = clock.measure {
            for engine in engines { consume(measuredEngine(engine, setup.payload, setup.fallback)) }
        }
        engineRounds.append(nanoseconds(engineTime) / Double(iterations))
        let dictionaryGlueTime = clock.measure {
            for index in 0..<iterations {
                consume(measuredDictionaryGlue(setup.dictionaries[index % setup.dictionaries.count], setup.keys))
            }
        }
        dictionaryGlueRounds.append(nanoseconds(dictionaryGlueTime) / Double(iterations))
        let driverEngines = try (0..<iterations).map { _ in try setup.engine() }
        let driverTime = clock.measure {
            for (index, engine) in driverEngines.enumerated() {
                consume(measuredDriver(engine, setup.dictionaries[index % setup.dictionaries.count], setup.fallback))
            }
        }
        driverRounds.append(nanoseconds(driverTime) / Double(iterations))
    }
    let median = { (values: [Double]) in values.sorted()[rounds / 2] }
    let glue = median(glueRounds)
    let engine = median(engineRounds)
    let dictionaryGlue = median(dictionaryGlueRounds)
    let driver = median(driverRounds)
    print(
        String(
            format: "wall: glue %.0f ns, engine %.0f ns per push (median of %d rounds of %d); engine/glue %.2fx",
            glue, engine, rounds, iterations, engine / glue))
    print(
        String(
            format: "wall: dictionary glue %.0f ns, driver %.0f ns per push; driver/dictionary glue %.2fx",
            dictionaryGlue, driver, driver / dictionaryGlue))
}

let arguments = CommandLine.arguments.dropFirst()
do {
    guard let mode = arguments.first else { throw BenchmarkError("usage: see the comment at the top of main.swift") }
    let rest = Array(arguments.dropFirst())
    switch (mode, rest.count) {
    case ("check", 2):
        try check(try Setup(schema: rest[0], payloadFile: rest[1]))
    case ("instructions", 4):
        try instructions(rest[0], try Setup(schema: rest[1], payloadFile: rest[2]), iterations: Int(rest[3]) ?? 1)
    case ("wall", 4):
        try wall(
            try Setup(schema: rest[0], payloadFile: rest[1]), iterations: Int(rest[2]) ?? 1_000,
            rounds: Int(rest[3]) ?? 5)
    default:
        throw BenchmarkError("usage: see the comment at the top of main.swift")
    }
} catch {
    FileHandle.standardError.write(Data("PushCostBenchmark: \(error)\n".utf8))
    exit(1)
}
