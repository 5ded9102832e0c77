// swift-tools-version: 6.0
//
// callkit-engine's Swift package: the iOS front door of the Rust engine (see
// docs/ios-integration.md). Swift sources live under swift/; the C ABI under ffi/.
//
// Platform split. `#if os(...)` in a manifest is evaluated on the machine that *builds*
// (the host running SwiftPM), not on the target platform:
//
// - Linux host (this repository's CI, any Linux machine with Swift): the C module
//   `CCallKitEngine` is a system-library target whose module map (swift/Sources/
//   CCallKitEngine/module.modulemap) points at ffi/include/callkit_engine.h (not a copy)
//   and links `libcallkit_engine_ffi.a`, which `cargo build --release -p
//   callkit-engine-ffi` builds on the host; the link path is passed by
//   scripts/swift-test.sh (`-Xlinker -L<target>/release`). The Apple-facing files of
//   the driver compile against the stub modules `CallKit`, `PushKit`, `Intents` and
//   `AVFAudio` (swift/Stubs/), which exist only on Linux.
// - Apple host (macOS with Xcode): `CCallKitEngine` is a binary target, the XCFramework
//   that scripts/build-xcframework.sh builds into build/CCallKitEngine.xcframework (its
//   Headers/CCallKitEngine/ holds callkit_engine.h and a module map for module
//   `CCallKitEngine`); run the script before resolving the package. The real CallKit, PushKit, Intents and AVFAudio
//   are used; there are no stubs.
//
// Language: tools version 6.0 with Swift 6 language mode (complete strict concurrency
// checking is part of it). Warnings are errors in CI: scripts/swift-test.sh passes
// `-Xswiftc -warnings-as-errors` (not an unsafeFlags setting, so the package stays
// usable as a dependency).
import PackageDescription

#if os(Linux)
let cModule: Target = .systemLibrary(
    name: "CCallKitEngine",
    path: "swift/Sources/CCallKitEngine"
)
/// Linux-only stand-ins for Apple's frameworks, named as Apple's modules are.
let appleStubs = ["CallKit", "PushKit", "Intents", "AVFAudio"]
let stubTargets: [Target] = appleStubs.map { name in
    // CallKit's delegate names AVFAudio's AVAudioSession, as Apple's does.
    .target(name: name, dependencies: name == "CallKit" ? ["AVFAudio"] : [], path: "swift/Stubs/\(name)")
}
let stubDependencies: [Target.Dependency] = appleStubs.map { .target(name: $0) }
#else
let cModule: Target = .binaryTarget(
    name: "CCallKitEngine",
    path: "build/CCallKitEngine.xcframework"
)
let stubTargets: [Target] = []
let stubDependencies: [Target.Dependency] = []
#endif

let package = Package(
    name: "CallKitEngine",
    // iOS only: scripts/build-xcframework.sh builds slices for iOS devices and the iOS
    // simulator, nothing else, so a macOS (or other) platform here would resolve and then
    // fail to link. Add a platform here together with its slice in the script.
    platforms: [.iOS(.v15)],
    products: [
        /// The engine in Swift (swift/Sources/CallKitEngine/Engine) and the CallKit /
        /// PushKit driver (Driver, Apple).
        .library(name: "CallKitEngine", targets: ["CallKitEngine"]),
        /// Fakes of CallKit, PushKit, the audio session and a virtual clock, for apps'
        /// unit tests without a device.
        .library(name: "CallKitEngineTesting", targets: ["CallKitEngineTesting"]),
    ],
    targets: [
        cModule,
        .target(
            name: "CallKitEngine",
            dependencies: ["CCallKitEngine"] + stubDependencies,
            path: "swift/Sources/CallKitEngine"
        ),
        .target(
            name: "CallKitEngineTesting",
            dependencies: ["CallKitEngine"],
            path: "swift/Sources/CallKitEngineTesting"
        ),
        .testTarget(
            name: "CallKitEngineTests",
            dependencies: ["CallKitEngine"],
            path: "swift/Tests/CallKitEngineTests"
        ),
        .testTarget(
            name: "CallKitEngineDriverTests",
            dependencies: ["CallKitEngine", "CallKitEngineTesting"],
            path: "swift/Tests/CallKitEngineDriverTests"
        ),
        /// The cost benchmark of docs/performance.md: the glue apps write against the
        /// engine path, on the same payload bytes (`swift run -c release`).
        .executableTarget(
            name: "PushCostBenchmark",
            dependencies: ["CallKitEngine"],
            path: "swift/Benchmarks/PushCost"
        ),
    ] + stubTargets,
    swiftLanguageModes: [.v6]
)
