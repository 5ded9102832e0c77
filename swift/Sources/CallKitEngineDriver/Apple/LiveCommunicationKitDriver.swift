// The driver on the real LiveCommunicationKit, PushKit and AVAudioSession: what an app
// that shows its calls through LiveCommunicationKit (iOS 17.4) calls once.
#if canImport(LiveCommunicationKit) && canImport(PushKit) && canImport(AVFAudio) && !os(macOS)
import AVFAudio
import CallKitEngine
import Foundation
import LiveCommunicationKit
import PushKit

extension CallDriver {
    /// The driver on the system's LiveCommunicationKit and PushKit: makes the serial
    /// queue, a `ConversationManager` with `managerConfiguration` (its delegate the
    /// driver; its callbacks hop onto that queue), and a `PKPushRegistry` on the same
    /// queue (its delegate the driver), and registers for VoIP pushes. A VoIP push is
    /// reported with `reportNewIncomingConversation(uuid:update:)`, started in a `Task`
    /// before the PushKit delegate method returns (docs/ios-integration.md,
    /// "LiveCommunicationKit"). Keep the driver for the app's whole life
    /// (LiveCommunicationKit and PushKit hold their delegate weakly).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/init(configuration:),
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/delegate,
    /// https://developer.apple.com/documentation/pushkit/pkpushregistry/init(queue:)
    ///
    /// - Parameters:
    ///   - managerConfiguration: LiveCommunicationKit's configuration; its
    ///     `maximumConversationGroups`, `maximumConversationsPerConversationGroup`,
    ///     `supportsVideo`, `supportedHandleTypes` and `includesConversationInRecents`
    ///     replace the matching fields of `configuration`, so the engine checks what
    ///     LiveCommunicationKit enforces.
    ///   - configuration: The rest of the engine's configuration: payload schema,
    ///     per-call capabilities, time-outs.
    ///   - backendChoice: The policy's choice (``BackendPolicy/choose(for:)``), for the
    ///     reasons it carries; ``Backend/liveCommunicationKit`` by default.
    ///   - signaling: makes the app's VoIP stack from the driver's ``Signaling`` handle
    ///     (run once, inside this initializer; held strongly, called on ``queue``).
    ///   - media: the app's media engine, held and called the same way.
    ///   - audioSession: The app's audio session settings.
    ///   - log: Where refused steps and ignored callbacks go.
    /// - Throws: ``CallDriverError/wrongBackend(_:)`` when `backendChoice` names another
    ///   backend; `EngineError` when the engine refuses the configuration.
    @available(iOS 17.4, *)
    public convenience init(
        managerConfiguration: ConversationManager.Configuration,
        configuration: CallEngine.Configuration = CallEngine.Configuration(),
        backendChoice: CallDriver.BackendChoice = CallDriver.BackendChoice(backend: .liveCommunicationKit),
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        audioSession: SystemAudioSession = SystemAudioSession(),
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws {
        guard backendChoice.backend == .liveCommunicationKit else {
            throw CallDriverError.wrongBackend(backendChoice.backend)
        }
        var configuration = configuration
        configuration.maximumCallGroups = managerConfiguration.maximumConversationGroups
        configuration.maximumCallsPerCallGroup = managerConfiguration.maximumConversationsPerConversationGroup
        configuration.supportsVideo = managerConfiguration.supportsVideo
        configuration.supportedHandleTypes = Set(managerConfiguration.supportedHandleTypes.map(HandleType.init))
        configuration.includesCallsInRecents = managerConfiguration.includesConversationInRecents

        let queue = DispatchQueue(label: "callkit-engine.driver")
        let manager = ConversationManager(configuration: managerConfiguration)
        let registry = PKPushRegistry(queue: queue)
        try self.init(
            configuration: configuration, backendChoice: backendChoice, provider: SystemConversationProvider(manager),
            callController: SystemConversationController(manager),
            pushRegistry: SystemPushRegistry(registry), audioSession: audioSession,
            signaling: signaling, media: media, queue: queue, log: log)
        manager.delegate = self
        registry.delegate = self
        start()
    }
}
#endif
