// Linux stand-in for Apple's PushKit: exactly the API the driver's Apple-facing files use
// (swift/Sources/CallKitEngineDriver/Apple/), with Apple's documented Swift signatures, so those
// files compile and are type-checked here. Nothing here does anything (but count the push
// registries made, `PushKitStubCounts`): it is never linked into an app (Package.swift
// uses this target only on Linux).
//
// Every PKPushRegistryDelegate method the driver implements is a *required* requirement
// here (Apple declares all but `pushRegistry(_:didUpdate:for:)` optional), so a
// conformance whose signature drifts from Apple's fails to compile instead of silently
// never being called: with the PushKit completion declared without `@Sendable`, the
// incoming-push method would stop matching Apple's optional requirement, PushKit would
// never call it, and iOS would kill the app for not reporting the call.

import Foundation
import StubCounting

/// Constants that indicate the type of push notification.
/// https://developer.apple.com/documentation/pushkit/pkpushtype
public struct PKPushType: Hashable, Equatable, RawRepresentable, Sendable {
    /// The type's identifier.
    public let rawValue: String
    /// A push type from its identifier.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A push type for Voice over IP (VoIP) call invitations.
    /// https://developer.apple.com/documentation/pushkit/pkpushtype/voip
    public static let voIP = PKPushType(rawValue: "PKPushTypeVoIP")
}

/// An object that contains information about a received PushKit notification.
/// https://developer.apple.com/documentation/pushkit/pkpushpayload
open class PKPushPayload: NSObject {
    /// The contents of the received payload.
    /// https://developer.apple.com/documentation/pushkit/pkpushpayload/dictionarypayload
    open var dictionaryPayload: [AnyHashable: Any] { [:] }
}

/// An object that encapsulates the device token you use to deliver push notifications to
/// your app.
/// https://developer.apple.com/documentation/pushkit/pkpushcredentials
open class PKPushCredentials: NSObject {
    /// A unique device token to use when sending push notifications to the current device.
    /// https://developer.apple.com/documentation/pushkit/pkpushcredentials/token
    open var token: Data { Data() }
}

/// An object that contains metadata about a received VoIP push notification (iOS 26.4).
/// https://developer.apple.com/documentation/pushkit/pkvoippushmetadata
@available(iOS 26.4, *)
open class PKVoIPPushMetadata: NSObject {
    /// Whether the app must report the push as a new incoming call to CallKit; `false`
    /// when the system lets it go unreported (the app is in the foreground, already on
    /// a call, or the push arrived too late to be viable).
    /// https://developer.apple.com/documentation/pushkit/pkvoippushmetadata/mustreport
    open var mustReport: Bool { true }
}

/// An object that requests the delivery and handles the receipt of PushKit notifications.
/// https://developer.apple.com/documentation/pushkit/pkpushregistry
open class PKPushRegistry: NSObject {
    /// Creates a push registry with the specified dispatch queue (delegate callbacks run
    /// on it).
    /// https://developer.apple.com/documentation/pushkit/pkpushregistry/init(queue:)
    public init(queue: DispatchQueue?) { pushRegistriesCounter.increment() }

    /// The delegate object that receives notifications coming from the push registry
    /// object.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistry/delegate
    open weak var delegate: (any PKPushRegistryDelegate)?

    /// The push types for this push registry.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistry/desiredpushtypes
    open var desiredPushTypes: Set<PKPushType>?
}

/// The methods that you use to handle incoming PushKit notifications and registration
/// events.
/// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate
///
/// Every method below is required here; see the note at the top of this file.
public protocol PKPushRegistryDelegate: NSObjectProtocol {
    /// Tells the delegate that the system updated the credentials for the specified type
    /// of push notification.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didupdate:for:)
    func pushRegistry(_ registry: PKPushRegistry, didUpdate pushCredentials: PKPushCredentials, for type: PKPushType)

    /// Tells the delegate that a remote push notification arrived.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingpushwith:for:completion:)
    func pushRegistry(
        _ registry: PKPushRegistry, didReceiveIncomingPushWith payload: PKPushPayload, for type: PKPushType,
        completion: @escaping @Sendable () -> Void)

    /// Tells the delegate that a VoIP push notification arrived, with its metadata (iOS
    /// 26.4; PushKit calls this instead of
    /// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)` when the delegate
    /// implements it).
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingvoippushwith:metadata:withcompletionhandler:)
    @available(iOS 26.4, *)
    func pushRegistry(
        _ registry: PKPushRegistry, didReceiveIncomingVoIPPushWith payload: PKPushPayload,
        metadata: PKVoIPPushMetadata, withCompletionHandler completion: @escaping @Sendable () -> Void)

    /// Tells the delegate that the system invalidated the push token for the specified type.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didinvalidatepushtokenfor:)
    func pushRegistry(_ registry: PKPushRegistry, didInvalidatePushTokenFor type: PKPushType)
}

/// Linux stub only, not part of Apple's API: how many instances of the classes the
/// in-app backend must never create this stub made, for the test that checks it makes
/// none (swift/Tests/CallKitEngineDriverTests/InAppBackendTests.swift).
public enum PushKitStubCounts {
    /// `PKPushRegistry(queue:)` calls so far.
    public static var pushRegistries: Int { pushRegistriesCounter.value }
}

let pushRegistriesCounter = StubCounter()
