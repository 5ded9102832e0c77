// PushKit behind the driver's protocols: an internal wrapper of PKPushRegistry (one Apple
// call; PKPushRegistry itself gains nothing), and the driver is the PKPushRegistryDelegate. On Linux this compiles against the PushKit
// stub, whose delegate methods are all required: the incoming-push method must take the
// completion as `@escaping @Sendable () -> Void`, as Apple's Swift 6 SDK declares it, or
// it would not match Apple's optional requirement and PushKit would never call it.
#if canImport(PushKit) && !os(macOS)
import CallKitEngine
import Foundation
import PushKit

/// A `PKPushRegistry` as the driver's ``VoIPPushRegistry``.
/// https://developer.apple.com/documentation/pushkit/pkpushregistry
final class SystemPushRegistry: VoIPPushRegistry {
    let registry: PKPushRegistry

    init(_ registry: PKPushRegistry) { self.registry = registry }

    /// `desiredPushTypes = [.voIP]`.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistry/desiredpushtypes
    func registerForVoIPPushes() {
        registry.desiredPushTypes = [.voIP]
    }
}

/// The driver is the push registry's delegate (`PKPushRegistry(queue:)` with
/// ``CallDriver/queue``, so every callback arrives on it).
/// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate
extension CallDriver: PKPushRegistryDelegate {
    /// `pushRegistry(_:didUpdate:for:)`.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didupdate:for:)
    public func pushRegistry(
        _ registry: PKPushRegistry, didUpdate pushCredentials: PKPushCredentials, for type: PKPushType
    ) {
        guard type == .voIP else { return }
        handlePushCredentialsUpdated(token: pushCredentials.token)
    }

    /// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)`: reports the call
    /// before returning (PushKit's iOS 13 rule). Before iOS 26.4 only: from iOS 26.4
    /// PushKit calls the metadata method below instead.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingpushwith:for:completion:)
    public func pushRegistry(
        _ registry: PKPushRegistry, didReceiveIncomingPushWith payload: PKPushPayload, for type: PKPushType,
        completion: @escaping @Sendable () -> Void
    ) {
        guard type == .voIP else {
            completion()
            return
        }
        handleIncomingPush(payload: payload.dictionaryPayload, completion: completion)
    }

    /// `pushRegistry(_:didReceiveIncomingVoIPPushWith:metadata:withCompletionHandler:)`
    /// (iOS 26.4): reports the call before returning, as the method above does, unless
    /// `metadata.mustReport` is `false` and the engine would only report and end the push
    /// (a copy for a call that ended, an unusable payload), which it then completes
    /// without a report. PushKit calls only one of the two methods for a push: this one
    /// from iOS 26.4, the one above on earlier systems.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingvoippushwith:metadata:withcompletionhandler:)
    /// https://developer.apple.com/documentation/pushkit/pkvoippushmetadata
    @available(iOS 26.4, *)
    public func pushRegistry(
        _ registry: PKPushRegistry, didReceiveIncomingVoIPPushWith payload: PKPushPayload,
        metadata: PKVoIPPushMetadata, withCompletionHandler completion: @escaping @Sendable () -> Void
    ) {
        handleIncomingPush(
            payload: payload.dictionaryPayload, mustReport: metadata.mustReport, completion: completion)
    }

    /// `pushRegistry(_:didInvalidatePushTokenFor:)`.
    /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didinvalidatepushtokenfor:)
    public func pushRegistry(_ registry: PKPushRegistry, didInvalidatePushTokenFor type: PKPushType) {
        guard type == .voIP else { return }
        handlePushCredentialsInvalidated()
    }
}
#endif
