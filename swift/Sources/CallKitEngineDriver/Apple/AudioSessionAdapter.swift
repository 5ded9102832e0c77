// AVAudioSession behind the driver's CallAudioSession: one Apple call, with the
// category, mode and options the app chose.
#if canImport(AVFAudio) && !os(macOS)
import AVFAudio
import CallKitEngine
import Foundation

/// The app's `AVAudioSession` settings for calls, applied on the engine's
/// `configureAudioSession` effect (before CallKit activates the session).
/// https://developer.apple.com/documentation/avfaudio/avaudiosession/setcategory(_:mode:options:)
public final class SystemAudioSession: CallAudioSession {
    private let session: AVAudioSession
    private let category: AVAudioSession.Category
    private let mode: AVAudioSession.Mode
    private let options: AVAudioSession.CategoryOptions
    /// The interruption observers' tokens, removed when the session object goes.
    private var observers: [any NSObjectProtocol] = []

    /// Settings for `session` (the shared instance by default,
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/sharedinstance()): `.playAndRecord` and
    /// `.voiceChat` unless the app says otherwise (`.videoChat` for video calls,
    /// `.allowBluetoothHFP` for hands-free sets, ...). `.allowBluetoothHFP` is the iOS 26
    /// SDK's name of `.allowBluetooth`, deprecated there; both are the same bit with the
    /// same behaviour (https://developer.apple.com/forums/thread/797379), and Apple's
    /// page lists the new name from iOS 1.0, so it needs no `#available` check. With an
    /// older SDK, write `.allowBluetooth`.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/categoryoptions-swift.struct/allowbluetoothhfp
    public init(
        session: AVAudioSession = .sharedInstance(),
        category: AVAudioSession.Category = .playAndRecord,
        mode: AVAudioSession.Mode = .voiceChat,
        options: AVAudioSession.CategoryOptions = []
    ) {
        self.session = session
        self.category = category
        self.mode = mode
        self.options = options
    }

    /// `setCategory(_:mode:options:)`.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setcategory(_:mode:options:)
    public func configureForCall() throws {
        try session.setCategory(category, mode: mode, options: options)
    }

    /// `setActive(_:options:)`, with `.notifyOthersOnDeactivation` when deactivating (so
    /// the audio the call interrupted resumes). Only the in-app backend calls it.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setactive(_:options:)
    public func setActive(_ active: Bool) throws {
        try session.setActive(active, options: active ? [] : .notifyOthersOnDeactivation)
    }

    /// Observes `AVAudioSession.interruptionNotification` for `session`: `.began` calls
    /// `handler(.began)`, `.ended` with `.shouldResume` in its options
    /// `handler(.endedShouldResume)`.
    /// Only the in-app backend calls it.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptionnotification,
    /// https://developer.apple.com/documentation/avfaudio/handling-audio-interruptions
    public func observeInterruptions(
        _ handler: @escaping @Sendable (CallDriver.AudioSessionInterruption) -> Void
    ) {
        let token = NotificationCenter.default.addObserver(
            forName: AVAudioSession.interruptionNotification, object: session, queue: nil
        ) { notification in
            guard let raw = notification.userInfo?[AVAudioSessionInterruptionTypeKey] as? UInt,
                let type = AVAudioSession.InterruptionType(rawValue: raw)
            else { return }
            switch type {
            case .began:
                handler(.began)
            case .ended:
                let options = AVAudioSession.InterruptionOptions(
                    rawValue: notification.userInfo?[AVAudioSessionInterruptionOptionKey] as? UInt ?? 0)
                if options.contains(.shouldResume) { handler(.endedShouldResume) }
            @unknown default:
                break
            }
        }
        observers.append(token)
    }

    deinit {
        for observer in observers { NotificationCenter.default.removeObserver(observer) }
    }
}
#endif
