// Linux stand-in for Apple's LiveCommunicationKit: exactly the API the driver's
// Apple-facing files use (swift/Sources/CallKitEngineDriver/Apple/), with Apple's
// documented Swift signatures, so those files compile and are type-checked here. Nothing
// here does anything (but count the conversation managers made,
// `LiveCommunicationKitStubCounts`): it is never linked into an app (Package.swift uses
// this target only on Linux).
//
// `ConversationManagerDelegate` is a Swift protocol: every method the driver implements
// is a requirement here, so a conformance whose signature drifts from Apple's fails to
// compile instead of silently never being called.

import AVFAudio
import Foundation
import StubCounting

// MARK: - Handles

/// A way to reach a participant, such as a phone number or email address.
/// https://developer.apple.com/documentation/livecommunicationkit/handle
public struct Handle: Hashable, Sendable {
    /// Values that define the handle that identifies a participant in a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/kind
    public enum Kind: Hashable, Sendable {
        /// An unspecified handle type.
        /// https://developer.apple.com/documentation/livecommunicationkit/handle/kind/generic
        case generic
        /// A phone number.
        /// https://developer.apple.com/documentation/livecommunicationkit/handle/kind/phonenumber
        case phoneNumber
        /// An email address.
        /// https://developer.apple.com/documentation/livecommunicationkit/handle/kind/emailaddress
        case emailAddress
    }

    /// The type of the handle.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/type
    public var type: Handle.Kind
    /// The raw value of the handle.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/value
    public var value: String
    /// The name for a participant that appears in the conversation UI.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/displayname
    public var displayName: String

    /// Creates a new handle; a `nil` `displayName` shows `value`.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/init(type:value:displayname:)
    public init(type: Handle.Kind, value: String, displayName: String? = nil) {
        self.type = type
        self.value = value
        self.displayName = displayName ?? value
    }
}

// MARK: - Conversations

/// A type that describes a video or audio conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/conversation
public final class Conversation {
    /// The unique identifier for a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/uuid
    public let uuid: UUID

    init(uuid: UUID) { self.uuid = uuid }

    /// A type that describes capabilities of a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/capabilities
    public struct Capabilities: OptionSet, Hashable, Sendable {
        /// The option set's bits.
        public let rawValue: Int
        /// An option set from its bits.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The conversation sends or displays video streams.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/capabilities/video
        public static let video = Capabilities(rawValue: 1 << 0)
        /// The conversation can merge with another conversation.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/capabilities/merging
        public static let merging = Capabilities(rawValue: 1 << 1)
        /// The conversation is the result of a merge and can be separated again.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/capabilities/unmerging
        public static let unmerging = Capabilities(rawValue: 1 << 2)
        /// The conversation is active and can be temporarily paused.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/capabilities/pausing
        public static let pausing = Capabilities(rawValue: 1 << 3)
        /// The conversation supports playing tone sequences.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/capabilities/playingtones
        public static let playingTones = Capabilities(rawValue: 1 << 4)
    }

    /// New, changed, or deleted capabilities and attributes of a conversation (`nil`:
    /// no change).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update
    public struct Update {
        /// The local participant.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update/localmember
        public var localMember: Handle?
        /// All participants, including invited but inactive remote ones.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update/members
        public var members: Set<Handle>?
        /// All active remote participants.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update/activeremotemembers
        public var activeRemoteMembers: Set<Handle>?
        /// Functionality the conversation supports after the system applies the update.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update/capabilities
        public var capabilities: Conversation.Capabilities?

        /// An update with the given attributes.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update/init(localmember:members:activeremotemembers:capabilities:)
        public init(
            localMember: Handle? = nil, members: Set<Handle>? = nil, activeRemoteMembers: Set<Handle>? = nil,
            capabilities: Conversation.Capabilities? = nil
        ) {
            self.localMember = localMember
            self.members = members
            self.activeRemoteMembers = activeRemoteMembers
            self.capabilities = capabilities
        }
    }

    /// Values that describe why a conversation ended.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason
    public enum EndedReason {
        /// An error occurred while attempting to service the conversation.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason/failed
        case failed
        /// The remote party explicitly ended the conversation.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason/remoteended
        case remoteEnded
        /// The conversation didn't complete the connection process and was never
        /// explicitly ended.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason/unanswered
        case unanswered
        /// Another device joined the conversation.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason/joinedelsewhere
        case joinedElsewhere
        /// Another device declined the conversation.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason/declinedelsewhere
        case declinedElsewhere
    }

    /// Values that tell the system what happened during a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event
    public enum Event {
        /// The conversation started to connect participants at a point in time.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationstartedconnecting(_:)
        case conversationStartedConnecting(Date)
        /// The conversation connected at a point in time.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationconnected(_:)
        case conversationConnected(Date)
        /// The conversation ended at a point in time with a reason.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationended(_:_:)
        case conversationEnded(Date, Conversation.EndedReason)
        /// The conversation's attributes and capabilities changed.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationupdated(_:)
        case conversationUpdated(Conversation.Update)
    }
}

// MARK: - Actions

/// A type that represents an action for a conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationaction
open class ConversationAction {
    /// The unique identifier that identifies the action.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/uuid
    public final var uuid: UUID { storedUUID }
    /// The unique identifier for the action's associated conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/conversationuuid
    public final var conversationUUID: UUID { storedConversationUUID }
    /// When the action can't be completed anymore (30 s after it was made unless given).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/timeoutdate
    public final var timeoutDate: Date { storedTimeoutDate }

    private let storedUUID = UUID()
    private let storedConversationUUID: UUID
    private let storedTimeoutDate: Date

    /// Creates a conversation action.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/init(conversationuuid:timeoutdate:)
    public init(conversationUUID: UUID, timeoutDate: Date = Date(timeIntervalSinceNow: 30)) {
        storedConversationUUID = conversationUUID
        storedTimeoutDate = timeoutDate
    }

    /// Reports that the action was successful.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/fulfill()
    public final func fulfill() {}

    /// Reports that performing the action failed.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/fail()
    public final func fail() {}
}

/// An action that starts an outgoing conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/startconversationaction
public final class StartConversationAction: ConversationAction {
    /// The handles of all remote members invited to the conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/startconversationaction/handles
    public let handles: [Handle]
    /// Whether the conversation contains a video stream.
    /// https://developer.apple.com/documentation/livecommunicationkit/startconversationaction/isvideo
    public let isVideo: Bool

    /// Creates an action that starts an outgoing conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/startconversationaction/init(conversationuuid:handles:isvideo:)
    public init(conversationUUID: UUID, handles: [Handle], isVideo: Bool) {
        self.handles = handles
        self.isVideo = isVideo
        super.init(conversationUUID: conversationUUID)
    }

    /// The local participant started the conversation at `dateStarted`.
    /// https://developer.apple.com/documentation/livecommunicationkit/startconversationaction/fulfill(datestarted:)
    public func fulfill(dateStarted: Date) {}
}

/// An action for joining an incoming conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/joinconversationaction
public final class JoinConversationAction: ConversationAction {
    /// Creates an action for joining an incoming conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/joinconversationaction/init(conversationuuid:)
    public init(conversationUUID: UUID) { super.init(conversationUUID: conversationUUID) }

    /// The local participant joined the conversation at `dateConnected`.
    /// https://developer.apple.com/documentation/livecommunicationkit/joinconversationaction/fulfill(dateconnected:)
    public func fulfill(dateConnected: Date) {}
}

/// An action that ends a conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/endconversationaction
public final class EndConversationAction: ConversationAction {
    /// Creates an action that ends a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/endconversationaction/init(conversationuuid:)
    public init(conversationUUID: UUID) { super.init(conversationUUID: conversationUUID) }
}

/// An action that stops or restarts all audio and video streams for a conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/pauseconversationaction
public final class PauseConversationAction: ConversationAction {
    /// Whether to stop (`true`) or restart all streams.
    /// https://developer.apple.com/documentation/livecommunicationkit/pauseconversationaction/ispaused
    public let isPaused: Bool

    /// Creates an action that stops or restarts all streams of a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/pauseconversationaction/init(conversationuuid:ispaused:)
    public init(conversationUUID: UUID, isPaused: Bool) {
        self.isPaused = isPaused
        super.init(conversationUUID: conversationUUID)
    }
}

/// An action that mutes or unmutes a conversation.
/// https://developer.apple.com/documentation/livecommunicationkit/muteconversationaction
public final class MuteConversationAction: ConversationAction {
    /// Whether to mute the local participant.
    /// https://developer.apple.com/documentation/livecommunicationkit/muteconversationaction/ismuted
    public let isMuted: Bool

    /// Creates an action to mute or unmute a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/muteconversationaction/init(conversationuuid:ismuted:)
    public init(conversationUUID: UUID, isMuted: Bool) {
        self.isMuted = isMuted
        super.init(conversationUUID: conversationUUID)
    }
}

/// An action that merges two separate conversations into one.
/// https://developer.apple.com/documentation/livecommunicationkit/mergeconversationaction
public final class MergeConversationAction: ConversationAction {
    /// The second conversation, merged with the first.
    /// https://developer.apple.com/documentation/livecommunicationkit/mergeconversationaction/conversationuuidtomergewith
    public let conversationUUIDToMergeWith: UUID

    /// Creates an action that merges two conversations.
    /// https://developer.apple.com/documentation/livecommunicationkit/mergeconversationaction/init(conversationuuid:conversationuuidtomergewith:)
    public init(conversationUUID: UUID, conversationUUIDToMergeWith: UUID) {
        self.conversationUUIDToMergeWith = conversationUUIDToMergeWith
        super.init(conversationUUID: conversationUUID)
    }
}

/// An action that plays a sequence of keypad tones. The stub declares the digits only:
/// the adapter reads no `tone` (see its docstring).
/// https://developer.apple.com/documentation/livecommunicationkit/playtoneaction
public final class PlayToneAction: ConversationAction {
    /// The digits tapped into the keypad or included in the dial string.
    /// https://developer.apple.com/documentation/livecommunicationkit/playtoneaction/digits
    public let digits: String

    init(conversationUUID: UUID, digits: String) {
        self.digits = digits
        super.init(conversationUUID: conversationUUID)
    }
}

// MARK: - The manager

/// An interface for managing and observing VoIP conversations.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager
public final class ConversationManager {
    /// Configuration of a conversation manager.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct
    public struct Configuration {
        /// The app's ringtone, a sound resource in the app bundle.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/ringtonename
        public var ringtoneName: String?
        /// The icon shown in the system's conversation UI.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/icontemplateimagedata
        public var iconTemplateImageData: Data?
        /// The maximum number of conversation groups.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/maximumconversationgroups
        public var maximumConversationGroups: Int
        /// The maximum number of conversations per group.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/maximumconversationsperconversationgroup
        public var maximumConversationsPerConversationGroup: Int
        /// Whether ended conversations appear in the system's Recents.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/includesconversationinrecents
        public var includesConversationInRecents: Bool
        /// Whether conversations may carry video.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/supportsvideo
        public var supportsVideo: Bool
        /// The handle types the app supports.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/supportedhandletypes
        public var supportedHandleTypes: Set<Handle.Kind>

        /// A configuration with every field given.
        /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.struct/init(ringtonename:icontemplateimagedata:maximumconversationgroups:maximumconversationsperconversationgroup:includesconversationinrecents:supportsvideo:supportedhandletypes:)
        public init(
            ringtoneName: String?, iconTemplateImageData: Data?, maximumConversationGroups: Int,
            maximumConversationsPerConversationGroup: Int, includesConversationInRecents: Bool, supportsVideo: Bool,
            supportedHandleTypes: Set<Handle.Kind>
        ) {
            self.ringtoneName = ringtoneName
            self.iconTemplateImageData = iconTemplateImageData
            self.maximumConversationGroups = maximumConversationGroups
            self.maximumConversationsPerConversationGroup = maximumConversationsPerConversationGroup
            self.includesConversationInRecents = includesConversationInRecents
            self.supportsVideo = supportsVideo
            self.supportedHandleTypes = supportedHandleTypes
        }
    }

    /// The configuration of the manager.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/configuration-swift.property
    public let configuration: ConversationManager.Configuration

    /// The delegate (held weakly).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/delegate
    public weak var delegate: (any ConversationManagerDelegate)?

    /// Currently active conversations.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/conversations
    public var conversations: [Conversation] { [] }

    /// Creates a conversation manager with `configuration`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/init(configuration:)
    public init(configuration: ConversationManager.Configuration) {
        self.configuration = configuration
        conversationManagersCounter.increment()
    }

    /// Reports a new incoming conversation: the device rings and shows the incoming UI.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/reportnewincomingconversation(uuid:update:)
    public func reportNewIncomingConversation(uuid: UUID, update: Conversation.Update) async throws {}

    /// Reports that `event` occurred in `conversation`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/reportconversationevent(_:for:)
    public func reportConversationEvent(_ event: Conversation.Event, for conversation: Conversation) {}

    /// Asks the system to perform `actions` for a conversation.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/perform(_:)
    public func perform(_ actions: [ConversationAction]) async throws {}
}

/// Methods for managing conversations and receiving VoIP conversation updates.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate
public protocol ConversationManagerDelegate: AnyObject {
    /// The manager started.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanagerdidbegin(_:)
    func conversationManagerDidBegin(_ manager: ConversationManager)
    /// The manager was reset.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanagerdidreset(_:)
    func conversationManagerDidReset(_ manager: ConversationManager)
    /// A conversation changed.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:conversationchanged:)
    func conversationManager(_ manager: ConversationManager, conversationChanged conversation: Conversation)
    /// The system requires `action` to be performed and fulfilled.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:perform:)
    func conversationManager(_ manager: ConversationManager, perform action: ConversationAction)
    /// `action` timed out before it was fulfilled or failed (listed on the protocol's page).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate
    func conversationManager(_ manager: ConversationManager, timedOutPerforming action: ConversationAction)
    /// The conversation's audio session was activated.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:didactivate:)
    func conversationManager(_ manager: ConversationManager, didActivate audioSession: AVAudioSession)
    /// The conversation's audio session was deactivated.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:diddeactivate:)
    func conversationManager(_ manager: ConversationManager, didDeactivate audioSession: AVAudioSession)
}

/// Linux stub only, not part of Apple's API: how many instances of the classes the
/// in-app backend must never create this stub made, for the test that checks it makes
/// none (swift/Tests/CallKitEngineDriverTests/InAppBackendTests.swift).
public enum LiveCommunicationKitStubCounts {
    /// `ConversationManager(configuration:)` calls so far.
    public static var conversationManagers: Int { conversationManagersCounter.value }
}

let conversationManagersCounter = StubCounter()
