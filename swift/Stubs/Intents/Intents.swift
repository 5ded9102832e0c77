// Linux stand-in for Apple's Intents: exactly the API the driver's Apple-facing files use
// (swift/Sources/CallKitEngineDriver/Apple/), with Apple's documented Swift signatures, so those
// files compile and are type-checked here. Nothing here does anything: it is never linked
// into an app (Package.swift uses this target only on Linux).
//
// `NSUserActivity` is Foundation's on Apple platforms; swift-corelibs-foundation has none,
// so it is declared here with the one initializer the tests need, and its
// `interaction` property is Intents' extension, as on Apple.

import Foundation

/// A representation of the state of your app at a moment in time (Foundation).
/// https://developer.apple.com/documentation/foundation/nsuseractivity
open class NSUserActivity: NSObject {
    /// The intent interaction this activity carries (set by the system; none here).
    private let storedInteraction: INInteraction? = nil

    /// Creates a user activity with the specified activity type.
    /// https://developer.apple.com/documentation/foundation/nsuseractivity/init(activitytype:)
    public init(activityType: String) {}
}

extension NSUserActivity {
    /// The interaction object associated with the user activity (Intents).
    /// https://developer.apple.com/documentation/foundation/nsuseractivity/interaction
    public var interaction: INInteraction? { storedInteraction }
}

/// An abstract class that describes an intent (a request made through Siri or Recents).
/// https://developer.apple.com/documentation/intents/inintent
open class INIntent: NSObject {}

/// An interaction between the user and your app that involves an intent object.
/// https://developer.apple.com/documentation/intents/ininteraction
open class INInteraction: NSObject {
    /// The intent object that initiated the interaction.
    /// https://developer.apple.com/documentation/intents/ininteraction/intent
    open var intent: INIntent { INIntent() }
}

/// The type of a person handle.
/// https://developer.apple.com/documentation/intents/inpersonhandletype
public enum INPersonHandleType: Int, Sendable {
    /// A handle of unknown type (0).
    case unknown = 0
    /// An email address (1).
    case emailAddress = 1
    /// A phone number (2).
    case phoneNumber = 2
}

/// An object that contains the data used to contact a person.
/// https://developer.apple.com/documentation/intents/inpersonhandle
open class INPersonHandle: NSObject {
    /// The phone number, email address, or other identifying information for the person.
    /// https://developer.apple.com/documentation/intents/inpersonhandle/value
    open var value: String? { nil }
    /// The type of data in the handle.
    /// https://developer.apple.com/documentation/intents/inpersonhandle/type
    open var type: INPersonHandleType { .unknown }
}

/// An object that contains information about a person in an intent.
/// https://developer.apple.com/documentation/intents/inperson
open class INPerson: NSObject {
    /// The information you use to contact the person.
    /// https://developer.apple.com/documentation/intents/inperson/personhandle
    open var personHandle: INPersonHandle? { nil }
}

/// The type of call: audio or video.
/// https://developer.apple.com/documentation/intents/incallcapability
public enum INCallCapability: Int, Sendable {
    /// An unknown call type (0).
    case unknown = 0
    /// An audio call (1).
    case audioCall = 1
    /// A video call (2).
    case videoCall = 2
}

/// A request to start an audio or video call with one or more users.
/// https://developer.apple.com/documentation/intents/instartcallintent
open class INStartCallIntent: INIntent {
    /// The users to call.
    /// https://developer.apple.com/documentation/intents/instartcallintent/contacts
    open var contacts: [INPerson]? { nil }
    /// The type of call (audio or video).
    /// https://developer.apple.com/documentation/intents/instartcallintent/callcapability
    open var callCapability: INCallCapability { .unknown }
}
