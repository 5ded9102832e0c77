// Starting a call from Recents or Siri: the INStartCallIntent an NSUserActivity carries.
#if canImport(Intents) && !os(macOS)
import CallKitEngine
import Foundation
import Intents

extension CallDriver {
    /// Starts the call an `NSUserActivity` from Recents or Siri asks for: its
    /// `INStartCallIntent`'s first contact's handle, video when the intent's
    /// `callCapability` is `.videoCall`. Call it from the scene delegate's
    /// `scene(_:continue:)`, and for a cold launch with each of
    /// `scene(_:willConnectTo:options:)`'s `connectionOptions.userActivities`
    /// (docs/ios-integration.md, section 3; TN3187); without scenes, from
    /// `application(_:continue:restorationHandler:)`. Any thread.
    ///
    /// An `INPersonHandle` of type `.unknown` is started as a generic handle.
    /// https://developer.apple.com/documentation/intents/instartcallintent,
    /// https://developer.apple.com/documentation/foundation/nsuseractivity/interaction,
    /// https://developer.apple.com/documentation/intents/inpersonhandle,
    /// https://developer.apple.com/documentation/intents/incallcapability
    ///
    /// - Throws: ``CallDriverError/noCallIntent`` when the activity carries no start-call
    ///   intent with a handle, and whatever ``startCall(to:type:isVideo:completion:)`` throws.
    public func startCall(from userActivity: NSUserActivity) throws -> UUID {
        guard let intent = userActivity.interaction?.intent as? INStartCallIntent,
            let handle = intent.contacts?.first?.personHandle,
            let value = handle.value
        else { throw CallDriverError.noCallIntent }
        let type: HandleType
        switch handle.type {
        case .phoneNumber: type = .phoneNumber
        case .emailAddress: type = .emailAddress
        default: type = .generic
        }
        return try startCall(to: value, type: type, isVideo: intent.callCapability == .videoCall)
    }
}
#endif
