// The driver on the real CallKit, PushKit and AVAudioSession: what an app calls once.
#if canImport(CallKit) && canImport(PushKit) && canImport(AVFAudio) && !os(macOS)
import AVFAudio
import CallKit
import CallKitEngine
import Foundation
import PushKit

extension CallDriver {
    /// The driver on the system's CallKit and PushKit: makes the serial queue, a
    /// `CXProvider` with `providerConfiguration` (its delegate set to the driver on that
    /// queue), a `CXCallController` and a `PKPushRegistry` on the same queue (its
    /// delegate the driver), and registers for VoIP pushes. Keep the driver for the app's
    /// whole life (CallKit and PushKit hold their delegate weakly).
    /// https://developer.apple.com/documentation/callkit/cxprovider/init(configuration:),
    /// https://developer.apple.com/documentation/callkit/cxprovider/setdelegate(_:queue:),
    /// https://developer.apple.com/documentation/callkit/cxcallcontroller/init(queue:),
    /// https://developer.apple.com/documentation/pushkit/pkpushregistry/init(queue:)
    ///
    /// - Parameters:
    ///   - providerConfiguration: CallKit's configuration; its `maximumCallGroups`,
    ///     `maximumCallsPerCallGroup`, `supportsVideo`, `supportedHandleTypes`,
    ///     `includesCallsInRecents` and (iOS 26) `supportsAudioTranslation` replace
    ///     those of `configuration`, so the engine
    ///     checks what CallKit enforces.
    ///   - configuration: The rest of the engine's configuration: payload schema,
    ///     per-call capabilities, time-outs.
    ///   - backendChoice: The policy's choice (``BackendPolicy/choose(for:)``), for the
    ///     reasons it carries; ``Backend/callKit`` by default.
    ///   - signaling: makes the app's VoIP stack from the driver's ``Signaling`` handle,
    ///     which the stack keeps to report back (`let driver: CallDriver.Signaling`).
    ///     Run once, inside this initializer; the stack is held strongly and called on
    ///     ``queue`` (`Sendable`, see ``CallSignaling``).
    ///   - media: the app's media engine, held and called the same way.
    ///   - audioSession: The app's audio session settings.
    ///   - log: Where refused steps and ignored callbacks go.
    /// - Throws: ``CallDriverError/wrongBackend(_:)`` when `backendChoice` names another
    ///   backend; `EngineError` when the engine refuses the configuration.
    public convenience init(
        providerConfiguration: CXProviderConfiguration,
        configuration: CallEngine.Configuration = CallEngine.Configuration(),
        backendChoice: CallDriver.BackendChoice = CallDriver.BackendChoice(backend: .callKit),
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        audioSession: SystemAudioSession = SystemAudioSession(),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        guard backendChoice.backend == .callKit else { throw CallDriverError.wrongBackend(backendChoice.backend) }
        var configuration = configuration
        configuration.maximumCallGroups = providerConfiguration.maximumCallGroups
        configuration.maximumCallsPerCallGroup = providerConfiguration.maximumCallsPerCallGroup
        configuration.supportsVideo = providerConfiguration.supportsVideo
        configuration.supportedHandleTypes = Set(
            providerConfiguration.supportedHandleTypes.compactMap { HandleType(rawValue: $0.rawValue) })
        configuration.includesCallsInRecents = providerConfiguration.includesCallsInRecents
        if #available(iOS 26.0, *) {
            configuration.supportsAudioTranslation = providerConfiguration.supportsAudioTranslation
        }

        let queue = DispatchQueue(label: "callkit-engine.driver")
        let provider = CXProvider(configuration: providerConfiguration)
        let registry = PKPushRegistry(queue: queue)
        try self.init(
            configuration: configuration, backendChoice: backendChoice, provider: SystemCallProvider(provider),
            callController: SystemCallController(CXCallController(queue: queue)),
            pushRegistry: SystemPushRegistry(registry), audioSession: audioSession,
            signaling: signaling, media: media, queue: queue, log: log)
        provider.setDelegate(self, queue: queue)
        registry.delegate = self
        start()
    }

    /// The driver on the system's CallKit and PushKit, for a VoIP stack made before the
    /// driver (it then keeps its own `weak` reference to the driver to report back).
    /// The initializer whose `signaling` is a closure describes the parameters; prefer
    /// it: the stack then gets a ``Signaling`` handle.
    ///
    /// - Throws: `EngineError` when the engine refuses the configuration.
    public convenience init(
        providerConfiguration: CXProviderConfiguration,
        configuration: CallEngine.Configuration = CallEngine.Configuration(),
        signaling: any CallSignaling,
        media: any CallMedia,
        audioSession: SystemAudioSession = SystemAudioSession(),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        try self.init(
            providerConfiguration: providerConfiguration, configuration: configuration,
            signaling: { _ in signaling }, media: media, audioSession: audioSession, log: log)
    }
}
#endif
