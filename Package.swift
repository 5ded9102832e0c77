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
//   scripts/swift-test.sh (`-Xlinker -L...`). The driver (`CallKitEngineDriver`), and
//   the documentation snippets, compile against the stub modules `CallKit`, `PushKit`,
//   `Intents`, `AVFAudio`, `UIKit` and `LiveCommunicationKit` (swift/Stubs/), which exist
//   only on Linux.
// - Apple host (macOS with Xcode): `CCallKitEngine` is a binary target, the XCFramework
//   of scripts/build-xcframework.sh (its Headers/CCallKitEngine/ holds callkit_engine.h
//   and a module map for module `CCallKitEngine`). Which one:
//   - at a release tag, `releaseURL` and `releaseChecksum` below name the zip attached to
//     that release; scripts/release.sh writes them, nothing else does;
//   - on a branch (both empty), or with `CK_LOCAL_XCFRAMEWORK=1` in SwiftPM's
//     environment, the local build/CCallKitEngine.xcframework: run
//     scripts/build-xcframework.sh before resolving the package.
//   The real CallKit, PushKit, Intents, AVFAudio, UIKit and LiveCommunicationKit are used;
//   there are no stubs.
// - `CK_MANIFEST_LAYOUT=apple` makes any host evaluate the Apple layout (read with
//   `swift package dump-package`; scripts/release.sh --dry-run checks the rewritten
//   manifest that way on Linux). Nothing can be built with it on Linux.
//
// Language: tools version 6.0 with Swift 6 language mode (complete strict concurrency
// checking is part of it). Warnings are errors in CI: scripts/swift-test.sh passes
// `-Xswiftc -warnings-as-errors` (not an unsafeFlags setting, so the package stays
// usable as a dependency).
import PackageDescription

/// The release's XCFramework zip and its `swift package compute-checksum`; written by
/// scripts/release.sh at a release tag, empty on branches.
let releaseURL = ""
let releaseChecksum = ""

#if os(Linux)
let linuxHost = true
#else
let linuxHost = false
#endif
let appleLayout = !linuxHost || Context.environment["CK_MANIFEST_LAYOUT"] == "apple"
let localXCFramework = releaseURL.isEmpty || Context.environment["CK_LOCAL_XCFRAMEWORK"] == "1"

/// Linux-only stand-ins for Apple's frameworks, named as Apple's modules are.
let appleStubs = appleLayout ? [] : ["CallKit", "PushKit", "Intents", "AVFAudio", "UIKit", "LiveCommunicationKit"]
/// What each stub imports, as Apple's framework does: CallKit's and LiveCommunicationKit's
/// delegates name AVFAudio's AVAudioSession; UIKit re-exports Foundation's NSUserActivity (the Intents stub's here).
/// `StubCounting` (not an Apple module) counts the instances of the classes the in-app
/// backend must never create.
let stubImports = [
    "CallKit": ["AVFAudio", "StubCounting"], "LiveCommunicationKit": ["AVFAudio", "StubCounting"],
    "PushKit": ["StubCounting"], "UIKit": ["Intents"],
]
let stubTargets: [Target] =
    appleStubs.map { name in
        .target(
            name: name, dependencies: (stubImports[name] ?? []).map { .target(name: $0) },
            path: "swift/Stubs/\(name)")
    } + (appleLayout ? [] : [.target(name: "StubCounting", path: "swift/Stubs/StubCounting")])
/// The library uses no UIKit; the documentation's app wiring does.
let stubDependencies: [Target.Dependency] = appleStubs.filter { $0 != "UIKit" }.map { .target(name: $0) }
let snippetStubDependencies: [Target.Dependency] = appleStubs.map { .target(name: $0) }

let cModule: Target =
    if !appleLayout {
        .systemLibrary(name: "CCallKitEngine", path: "swift/Sources/CCallKitEngine")
    } else if localXCFramework {
        .binaryTarget(name: "CCallKitEngine", path: "build/CCallKitEngine.xcframework")
    } else {
        .binaryTarget(name: "CCallKitEngine", url: releaseURL, checksum: releaseChecksum)
    }

let package = Package(
    name: "CallKitEngine",
    // iOS only: scripts/build-xcframework.sh builds slices for iOS devices and the iOS
    // simulator, nothing else, so a macOS (or other) platform here would resolve and then
    // fail to link. Add a platform here together with its slice in the script. iOS 16:
    // `CallEngine.Configuration`'s time-outs are the standard library's `Duration`, which
    // needs iOS 16.
    platforms: [.iOS(.v16)],
    products: [
        /// The engine in Swift (swift/Sources/CallKitEngine): Foundation and the C ABI
        /// only, for an app that drives the engine itself.
        .library(name: "CallKitEngine", targets: ["CallKitEngine"]),
        /// The CallKit / PushKit driver on top of the engine
        /// (swift/Sources/CallKitEngineDriver).
        .library(name: "CallKitEngineDriver", targets: ["CallKitEngineDriver"]),
        /// Fakes of CallKit, PushKit, the audio session and a virtual clock, for apps'
        /// unit tests of the driver without a device.
        .library(name: "CallKitEngineTesting", targets: ["CallKitEngineTesting"]),
    ],
    targets: [
        cModule,
        .target(
            name: "CallKitEngine",
            dependencies: ["CCallKitEngine"],
            path: "swift/Sources/CallKitEngine",
            // The privacy manifest: the required-reason API it calls (system boot time, in
            // `CallEngine.Instant.now()`).
            resources: [.copy("PrivacyInfo.xcprivacy")]
        ),
        .target(
            name: "CallKitEngineDriver",
            dependencies: ["CallKitEngine"] + stubDependencies,
            path: "swift/Sources/CallKitEngineDriver"
        ),
        .target(
            name: "CallKitEngineTesting",
            dependencies: ["CallKitEngine", "CallKitEngineDriver"],
            path: "swift/Sources/CallKitEngineTesting"
        ),
        .testTarget(
            name: "CallKitEngineTests",
            dependencies: ["CallKitEngine"],
            path: "swift/Tests/CallKitEngineTests"
        ),
        .testTarget(
            name: "CallKitEngineDriverTests",
            dependencies: ["CallKitEngine", "CallKitEngineDriver", "CallKitEngineTesting"] + stubDependencies,
            path: "swift/Tests/CallKitEngineDriverTests"
        ),
        /// Every Swift block of README.md and docs/ios-integration.md, as generated by
        /// ffi/tests/doc_snippets.rs (which fails when this target is stale).
        .testTarget(
            name: "DocSnippetTests",
            dependencies: ["CallKitEngine", "CallKitEngineDriver", "CallKitEngineTesting"]
                + snippetStubDependencies,
            path: "swift/Tests/DocSnippetTests"
        ),
        /// The cost benchmark of docs/performance.md: the glue apps write against the
        /// engine path, on the same payload bytes (`swift run -c release`).
        .executableTarget(
            name: "PushCostBenchmark",
            dependencies: ["CallKitEngine", "CallKitEngineDriver"],
            path: "swift/Benchmarks/PushCost"
        ),
    ] + stubTargets,
    swiftLanguageModes: [.v6]
)
