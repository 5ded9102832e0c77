// Linux stand-in for Apple's AVFAudio: exactly the API the driver's Apple-facing files
// use (swift/Sources/CallKitEngineDriver/Apple/), with Apple's documented Swift signatures, so
// those files compile and are type-checked here. Nothing here does anything: it is never
// linked into an app (Package.swift uses this target only on Linux).

import Foundation

/// An object that communicates to the system how you intend to use audio in your app.
/// https://developer.apple.com/documentation/avfaudio/avaudiosession
open class AVAudioSession: NSObject {
    /// Returns the shared audio session instance. (The stub makes a new one each time: it
    /// holds no state.)
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/sharedinstance()
    open class func sharedInstance() -> AVAudioSession { AVAudioSession() }

    /// Sets the audio session's category, mode, and options.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setcategory(_:mode:options:)
    open func setCategory(
        _ category: AVAudioSession.Category, mode: AVAudioSession.Mode,
        options: AVAudioSession.CategoryOptions = []
    ) throws {}

    /// Activates or deactivates your app's audio session using the specified options.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setactive(_:options:)
    open func setActive(_ active: Bool, options: AVAudioSession.SetActiveOptions = []) throws {}
}

extension AVAudioSession {
    /// Audio session category identifiers.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/category-swift.struct
    public struct Category: Hashable, Equatable, RawRepresentable, Sendable {
        /// The category's identifier.
        public let rawValue: String
        /// A category from its identifier.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The category for recording (input) and playback (output), such as for a VoIP call.
        /// https://developer.apple.com/documentation/avfaudio/avaudiosession/category-swift.struct/playandrecord
        public static let playAndRecord = Category(rawValue: "AVAudioSessionCategoryPlayAndRecord")
    }

    /// Audio session mode identifiers.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/mode-swift.struct
    public struct Mode: Hashable, Equatable, RawRepresentable, Sendable {
        /// The mode's identifier.
        public let rawValue: String
        /// A mode from its identifier.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A mode that indicates that your app is performing two-way voice communication,
        /// such as using Voice over Internet Protocol (VoIP).
        /// https://developer.apple.com/documentation/avfaudio/avaudiosession/mode-swift.struct/voicechat
        public static let voiceChat = Mode(rawValue: "AVAudioSessionModeVoiceChat")
    }

    /// A notification that posts when an audio interruption occurs (its `userInfo` holds
    /// ``AVAudioSessionInterruptionTypeKey`` and, once it ended,
    /// ``AVAudioSessionInterruptionOptionKey``).
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptionnotification
    public static let interruptionNotification = Notification.Name("AVAudioSessionInterruptionNotification")

    /// Constants that indicate the type of an audio interruption.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptiontype
    public enum InterruptionType: UInt, Sendable {
        /// The system interrupted the audio session.
        case began = 1
        /// The interruption ended.
        case ended = 0
    }

    /// Constants that indicate the state of the audio session following an interruption.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptionoptions
    public struct InterruptionOptions: OptionSet, Sendable {
        /// The options' bits.
        public let rawValue: UInt
        /// Options from their bits.
        public init(rawValue: UInt) { self.rawValue = rawValue }

        /// The audio session may resume playback (raw value 1).
        /// https://developer.apple.com/documentation/avfaudio/avaudiosession/interruptionoptions/shouldresume
        public static let shouldResume = InterruptionOptions(rawValue: 1)
    }

    /// Constants that specify optional audio behaviors when activating or deactivating.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setactiveoptions
    public struct SetActiveOptions: OptionSet, Sendable {
        /// The options' bits.
        public let rawValue: UInt
        /// Options from their bits.
        public init(rawValue: UInt) { self.rawValue = rawValue }

        /// Notifies other apps when deactivating, so their interrupted audio can resume
        /// (raw value 1, `AVAudioSessionSetActiveOptionNotifyOthersOnDeactivation`).
        /// https://developer.apple.com/documentation/avfaudio/avaudiosession/setactiveoptions/notifyothersondeactivation
        public static let notifyOthersOnDeactivation = SetActiveOptions(rawValue: 1)
    }

    /// Constants that specify optional audio behaviors.
    /// https://developer.apple.com/documentation/avfaudio/avaudiosession/categoryoptions-swift.struct
    public struct CategoryOptions: OptionSet, Sendable {
        /// The options' bits.
        public let rawValue: UInt
        /// Options from their bits.
        public init(rawValue: UInt) { self.rawValue = rawValue }

        /// An option that determines whether Bluetooth hands-free devices appear as
        /// available input routes (raw value 0x4). Deprecated in the iOS 26 SDK for
        /// ``allowBluetoothHFP``, which has the same value and behaviour (Apple DTS,
        /// https://developer.apple.com/forums/thread/797379).
        /// https://developer.apple.com/documentation/avfaudio/avaudiosession/categoryoptions-swift.struct/allowbluetooth
        @available(*, deprecated, renamed: "allowBluetoothHFP")
        public static let allowBluetooth = CategoryOptions(rawValue: 0x4)

        /// An option that makes Bluetooth Hands-Free Profile (HFP) devices available for
        /// audio input; only with the `record` and `playAndRecord` categories (raw value
        /// 0x4, `AVAudioSessionCategoryOptionAllowBluetoothHFP`). New in the iOS 26 SDK;
        /// Apple's page lists it from iOS 1.0, being the same bit as `allowBluetooth`.
        /// https://developer.apple.com/documentation/avfaudio/avaudiosession/categoryoptions-swift.struct/allowbluetoothhfp
        public static let allowBluetoothHFP = CategoryOptions(rawValue: 0x4)
    }
}

/// The `userInfo` key of an interruption's type (an `InterruptionType` raw value).
/// https://developer.apple.com/documentation/avfaudio/avaudiosessioninterruptiontypekey
public let AVAudioSessionInterruptionTypeKey = "AVAudioSessionInterruptionTypeKey"

/// The `userInfo` key of the options of an ended interruption (`InterruptionOptions` raw
/// value).
/// https://developer.apple.com/documentation/avfaudio/avaudiosessioninterruptionoptionkey
public let AVAudioSessionInterruptionOptionKey = "AVAudioSessionInterruptionOptionKey"
