// Linux stand-in for Apple's CallKit: exactly the API the driver's Apple-facing files use
// (swift/Sources/CallKitEngineDriver/Apple/), with Apple's documented Swift signatures, so those
// files compile and are type-checked here. Nothing here does anything (but count the
// providers and call controllers made, `CallKitStubCounts`): it is never linked into an
// app (Package.swift uses this target only on Linux).
//
// Every CXProviderDelegate method the driver implements is a *required* requirement here
// (most are optional in Apple's protocol), so a conformance whose signature drifts from
// Apple's fails to compile instead of silently never being called.

import AVFAudio
import Foundation
import StubCounting

// MARK: - Errors

/// The domain for CallKit errors (`CXError`: 0 unknownError, 1 unentitled,
/// 2 invalidArgument, 3 missingVoIPBackgroundMode).
/// https://developer.apple.com/documentation/callkit/cxerrordomain
public let CXErrorDomain: String = "com.apple.CallKit.error"

/// The domain of `reportNewIncomingCall` errors (`CXErrorCodeIncomingCallError`).
/// https://developer.apple.com/documentation/callkit/cxerrordomainincomingcall
public let CXErrorDomainIncomingCall: String = "com.apple.CallKit.error.incomingcall"

/// The domain of `CXCallController.request` errors (`CXErrorCodeRequestTransactionError`).
/// https://developer.apple.com/documentation/callkit/cxerrordomainrequesttransaction
public let CXErrorDomainRequestTransaction: String = "com.apple.CallKit.error.requesttransaction"

// MARK: - Handles and updates

/// A means by which to reach a call recipient, such as a phone number or email address.
/// https://developer.apple.com/documentation/callkit/cxhandle
open class CXHandle: NSObject {
    /// The type of the handle.
    /// https://developer.apple.com/documentation/callkit/cxhandle/handletype
    public enum HandleType: Int, Sendable {
        /// An unspecified type of handle (1).
        case generic = 1
        /// A phone number (2).
        case phoneNumber = 2
        /// An email address (3).
        case emailAddress = 3
    }

    /// The handle's type.
    /// https://developer.apple.com/documentation/callkit/cxhandle/type
    open var type: CXHandle.HandleType
    /// The handle's value.
    /// https://developer.apple.com/documentation/callkit/cxhandle/value
    open var value: String

    /// Initializes a new handle of the specified type with a given value.
    /// https://developer.apple.com/documentation/callkit/cxhandle/init(type:value:)
    public init(type: CXHandle.HandleType, value: String) {
        self.type = type
        self.value = value
    }
}

/// An encapsulation of new and changed information about a call.
/// https://developer.apple.com/documentation/callkit/cxcallupdate
open class CXCallUpdate: NSObject {
    /// The handle for the remote party.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/remotehandle
    open var remoteHandle: CXHandle?
    /// The localized name of the caller.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/localizedcallername
    open var localizedCallerName: String?
    /// A Boolean value that indicates whether the call includes video.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/hasvideo
    open var hasVideo: Bool = false
    /// Whether the call can be held on its own or swapped with another call.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/supportsholding
    open var supportsHolding: Bool = false
    /// Whether the call can be grouped with other calls.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/supportsgrouping
    open var supportsGrouping: Bool = false
    /// Whether the call can be ungrouped from other calls.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/supportsungrouping
    open var supportsUngrouping: Bool = false
    /// Whether the call supports dual-tone multifrequency signaling.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate/supportsdtmf
    open var supportsDTMF: Bool = false

    /// A new, empty call update.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate
    public override init() {}
}

/// The reasons for a call ending.
/// https://developer.apple.com/documentation/callkit/cxcallendedreason
public enum CXCallEndedReason: Int, Sendable {
    /// An error occurred while trying to service the call (1).
    case failed = 1
    /// The remote party explicitly ended the call (2).
    case remoteEnded = 2
    /// The call never started connecting and was never explicitly ended (3).
    case unanswered = 3
    /// The call was answered on another device (4).
    case answeredElsewhere = 4
    /// The call was declined on another device (5).
    case declinedElsewhere = 5
}

// MARK: - Actions

/// An abstract class that declares a programmatic interface for objects that represent a
/// telephony action.
/// https://developer.apple.com/documentation/callkit/cxaction
open class CXAction: NSObject {
    /// The unique identifier for the action.
    /// https://developer.apple.com/documentation/callkit/cxaction/uuid
    open var uuid: UUID { storedUUID }
    private let storedUUID = UUID()

    /// Reports the successful execution of the action.
    /// https://developer.apple.com/documentation/callkit/cxaction/fulfill()
    open func fulfill() {}

    /// Reports the failed execution of the action.
    /// https://developer.apple.com/documentation/callkit/cxaction/fail()
    open func fail() {}
}

/// An abstract class that represents an action associated with a call object.
/// https://developer.apple.com/documentation/callkit/cxcallaction
open class CXCallAction: CXAction {
    /// The unique identifier of the call.
    /// https://developer.apple.com/documentation/callkit/cxcallaction/calluuid
    open var callUUID: UUID

    /// Initializes a new action associated with the call with the given identifier.
    /// https://developer.apple.com/documentation/callkit/cxcallaction/init(call:)
    public init(call callUUID: UUID) {
        self.callUUID = callUUID
    }
}

/// An encapsulation of the act of initiating an outgoing call.
/// https://developer.apple.com/documentation/callkit/cxstartcallaction
open class CXStartCallAction: CXCallAction {
    /// The handle for the call recipient.
    /// https://developer.apple.com/documentation/callkit/cxstartcallaction/handle
    open var handle: CXHandle
    /// A Boolean value that indicates whether the call provides video.
    /// https://developer.apple.com/documentation/callkit/cxstartcallaction/isvideo
    open var isVideo: Bool = false

    /// Initializes a new action to start a call with the specified identifier and handle.
    /// https://developer.apple.com/documentation/callkit/cxstartcallaction/init(call:handle:)
    public init(call callUUID: UUID, handle: CXHandle) {
        self.handle = handle
        super.init(call: callUUID)
    }
}

/// An encapsulation of the act of answering an incoming call.
/// https://developer.apple.com/documentation/callkit/cxanswercallaction
open class CXAnswerCallAction: CXCallAction {}

/// An encapsulation of the act of ending a call.
/// https://developer.apple.com/documentation/callkit/cxendcallaction
open class CXEndCallAction: CXCallAction {}

/// An encapsulation of the act of placing a call on hold or removing a call from hold.
/// https://developer.apple.com/documentation/callkit/cxsetheldcallaction
open class CXSetHeldCallAction: CXCallAction {
    /// A Boolean value that indicates whether the call is on hold.
    /// https://developer.apple.com/documentation/callkit/cxsetheldcallaction/isonhold
    open var isOnHold: Bool

    /// Initializes a new action to place a call on hold or remove it from hold.
    /// https://developer.apple.com/documentation/callkit/cxsetheldcallaction/init(call:onhold:)
    public init(call callUUID: UUID, onHold: Bool) {
        self.isOnHold = onHold
        super.init(call: callUUID)
    }
}

/// An encapsulation of the act of muting or unmuting a call.
/// https://developer.apple.com/documentation/callkit/cxsetmutedcallaction
open class CXSetMutedCallAction: CXCallAction {
    /// A Boolean value that indicates whether the call is muted.
    /// https://developer.apple.com/documentation/callkit/cxsetmutedcallaction/ismuted
    open var isMuted: Bool

    /// Initializes a new action for a call identified by UUID, indicating whether it's muted.
    /// https://developer.apple.com/documentation/callkit/cxsetmutedcallaction/init(call:muted:)
    public init(call callUUID: UUID, muted: Bool) {
        self.isMuted = muted
        super.init(call: callUUID)
    }
}

/// An encapsulation of the act of grouping or ungrouping calls.
/// https://developer.apple.com/documentation/callkit/cxsetgroupcallaction
open class CXSetGroupCallAction: CXCallAction {
    /// The unique identifier of the call to group with (`nil` to remove from a group).
    /// https://developer.apple.com/documentation/callkit/cxsetgroupcallaction/calluuidtogroupwith
    open var callUUIDToGroupWith: UUID?

    /// Initializes a new action to group a call with another call.
    /// https://developer.apple.com/documentation/callkit/cxsetgroupcallaction/init(call:calluuidtogroupwith:)
    public init(call callUUID: UUID, callUUIDToGroupWith: UUID?) {
        self.callUUIDToGroupWith = callUUIDToGroupWith
        super.init(call: callUUID)
    }
}

/// An encapsulation of the act of playing a dual tone multifrequency (DTMF) sequence.
/// https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction
open class CXPlayDTMFCallAction: CXCallAction {
    /// The type of DTMF tone to play.
    /// https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction/actiontype
    public enum ActionType: Int, Sendable {
        /// A single tone (1).
        case singleTone = 1
        /// A soft pause (2).
        case softPause = 2
        /// A hard pause (3).
        case hardPause = 3
    }

    /// The string representation of the DTMF digits.
    /// https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction/digits
    open var digits: String
    /// The type of DTMF tone to play.
    /// https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction/type
    open var type: CXPlayDTMFCallAction.ActionType

    /// Initializes a new action to play DTMF digits of the given type.
    /// https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction/init(call:digits:type:)
    public init(call callUUID: UUID, digits: String, type: CXPlayDTMFCallAction.ActionType) {
        self.digits = digits
        self.type = type
        super.init(call: callUUID)
    }
}

/// The translation engine that provided a call's translation (iOS 26).
/// https://developer.apple.com/documentation/callkit/cxtranslationengine
public enum CXTranslationEngine: Int, Sendable {
    /// The system's default translation engine (0).
    case `default` = 0
    /// A custom translation engine (1).
    case custom = 1
}

/// An encapsulation of the act of translating a call (iOS 26).
/// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction
open class CXSetTranslatingCallAction: CXCallAction {
    /// Whether translation is active for the call.
    /// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction/istranslating
    open var isTranslating: Bool
    /// The local party's language.
    /// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction/locallanguage
    open var localLanguage: String
    /// The remote party's language.
    /// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction/remotelanguage
    open var remoteLanguage: String

    /// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction/init(call:istranslating:locallanguage:remotelanguage:)
    public init(call uuid: UUID, isTranslating: Bool, localLanguage: String, remoteLanguage: String) {
        self.isTranslating = isTranslating
        self.localLanguage = localLanguage
        self.remoteLanguage = remoteLanguage
        super.init(call: uuid)
    }

    /// Reports the action performed with `translationEngine`.
    /// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction/fulfill(using:)
    open func fulfill(using translationEngine: CXTranslationEngine) {}
}

/// An object that contains zero or more action objects for a call controller to perform.
/// https://developer.apple.com/documentation/callkit/cxtransaction
open class CXTransaction: NSObject {
    /// Initializes a new transaction with the specified action.
    /// https://developer.apple.com/documentation/callkit/cxtransaction/init(action:)
    public init(action: CXAction) {}
}

// MARK: - Controller

/// A programmatic interface for interacting with and observing calls.
/// https://developer.apple.com/documentation/callkit/cxcallcontroller
open class CXCallController: NSObject {
    /// Initializes the call controller with the specified dispatch queue (the queue
    /// completion handlers run on).
    /// https://developer.apple.com/documentation/callkit/cxcallcontroller/init(queue:)
    public init(queue: DispatchQueue) { callControllersCounter.increment() }

    /// Requests that the actions in the specified transaction be asynchronously performed
    /// by the telephony provider.
    /// https://developer.apple.com/documentation/callkit/cxcallcontroller/request(_:completion:)
    open func request(
        _ transaction: CXTransaction, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {}
}

// MARK: - Provider

/// An object that encapsulates the behavior and capabilities of a call.
/// https://developer.apple.com/documentation/callkit/cxproviderconfiguration
open class CXProviderConfiguration: NSObject {
    /// The maximum number of call groups.
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/maximumcallgroups
    open var maximumCallGroups: Int = 2
    /// The maximum number of calls per call group.
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/maximumcallspercallgroup
    open var maximumCallsPerCallGroup: Int = 5
    /// A Boolean value that indicates whether the provider supports video in addition to audio.
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/supportsvideo
    open var supportsVideo: Bool = false
    /// The types of call provider handles.
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/supportedhandletypes
    open var supportedHandleTypes: Set<CXHandle.HandleType> = []
    /// Whether the provider's calls are in the system's Recents list.
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/includescallsinrecents
    open var includesCallsInRecents: Bool = true
    /// Whether the app supports real-time audio translation (iOS 26).
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/supportsaudiotranslation
    open var supportsAudioTranslation: Bool = false

    /// A configuration with default values.
    /// https://developer.apple.com/documentation/callkit/cxproviderconfiguration/init()
    public override init() {}
}

/// An object that represents a telephony provider.
/// https://developer.apple.com/documentation/callkit/cxprovider
open class CXProvider: NSObject {
    /// Initializes a provider object with the specified configuration.
    /// https://developer.apple.com/documentation/callkit/cxprovider/init(configuration:)
    public init(configuration: CXProviderConfiguration) { providersCounter.increment() }

    /// Sets the delegate and the dispatch queue on which delegate callbacks are made.
    /// https://developer.apple.com/documentation/callkit/cxprovider/setdelegate(_:queue:)
    open func setDelegate(_ delegate: (any CXProviderDelegate)?, queue: DispatchQueue?) {}

    /// Reports a new incoming call with the specified unique identifier to the provider.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportnewincomingcall(with:update:completion:)
    open func reportNewIncomingCall(
        with UUID: UUID, update: CXCallUpdate,
        completion: @escaping @Sendable ((any Error)?) -> Void
    ) {}

    /// Reports to the provider that a call with the specified identifier has been updated.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:updated:)
    open func reportCall(with UUID: UUID, updated update: CXCallUpdate) {}

    /// Reports to the provider that an outgoing call with the specified identifier
    /// started connecting at a particular time.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportoutgoingcall(with:startedconnectingat:)
    open func reportOutgoingCall(with UUID: UUID, startedConnectingAt dateStartedConnecting: Date?) {}

    /// Reports to the provider that an outgoing call with the specified identifier
    /// finished connecting at a particular time.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportoutgoingcall(with:connectedat:)
    open func reportOutgoingCall(with UUID: UUID, connectedAt dateConnected: Date?) {}

    /// Reports to the provider that a call with the specified identifier ended at a given
    /// date for a particular reason.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:endedat:reason:)
    open func reportCall(with UUID: UUID, endedAt dateEnded: Date?, reason endedReason: CXCallEndedReason) {}
}

/// A collection of methods that a provider object calls when a call changes.
/// https://developer.apple.com/documentation/callkit/cxproviderdelegate
///
/// Every method below is required here, although Apple declares all but
/// `providerDidReset(_:)` optional: see the note at the top of this file.
public protocol CXProviderDelegate: NSObjectProtocol {
    /// Called when the provider is reset.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/providerdidreset(_:)
    func providerDidReset(_ provider: CXProvider)

    /// Called when the provider begins.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/providerdidbegin(_:)
    func providerDidBegin(_ provider: CXProvider)

    /// Called when the provider performs the specified start call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate (`provider(_:perform:)`, the
    /// `CXStartCallAction` overload; see https://developer.apple.com/documentation/callkit/cxstartcallaction)
    func provider(_ provider: CXProvider, perform action: CXStartCallAction)

    /// Called when the provider performs the specified answer call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:perform:)-h4in
    func provider(_ provider: CXProvider, perform action: CXAnswerCallAction)

    /// Called when the provider performs the specified end call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate (`provider(_:perform:)`, the
    /// `CXEndCallAction` overload; see https://developer.apple.com/documentation/callkit/cxendcallaction)
    func provider(_ provider: CXProvider, perform action: CXEndCallAction)

    /// Called when the provider performs the specified set held call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate (`provider(_:perform:)`, the
    /// `CXSetHeldCallAction` overload; see https://developer.apple.com/documentation/callkit/cxsetheldcallaction)
    func provider(_ provider: CXProvider, perform action: CXSetHeldCallAction)

    /// Called when the provider performs the specified set muted call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate (`provider(_:perform:)`, the
    /// `CXSetMutedCallAction` overload; see https://developer.apple.com/documentation/callkit/cxsetmutedcallaction)
    func provider(_ provider: CXProvider, perform action: CXSetMutedCallAction)

    /// Called when the provider performs the specified set group call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate (`provider(_:perform:)`, the
    /// `CXSetGroupCallAction` overload; see https://developer.apple.com/documentation/callkit/cxsetgroupcallaction)
    func provider(_ provider: CXProvider, perform action: CXSetGroupCallAction)

    /// Called when the provider performs the specified play DTMF (dual tone
    /// multifrequency) call action.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate (`provider(_:perform:)`, the
    /// `CXPlayDTMFCallAction` overload; see https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction)
    func provider(_ provider: CXProvider, perform action: CXPlayDTMFCallAction)

    /// Called when the provider's action times out.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:timedoutperforming:)
    func provider(_ provider: CXProvider, timedOutPerforming action: CXAction)

    /// Called when the provider performs the specified set translating action (iOS 26;
    /// optional in Apple's protocol).
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:perform:)-43atg
    func provider(_ provider: CXProvider, perform action: CXSetTranslatingCallAction)

    /// Called when the provider's audio session activation state changes (activated).
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:didactivate:)
    func provider(_ provider: CXProvider, didActivate audioSession: AVAudioSession)

    /// Called when the provider's audio session activation state changes (deactivated).
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:diddeactivate:)
    func provider(_ provider: CXProvider, didDeactivate audioSession: AVAudioSession)
}

/// Linux stub only, not part of Apple's API: how many instances of the classes the
/// in-app backend must never create this stub made, for the test that checks it makes
/// none (swift/Tests/CallKitEngineDriverTests/InAppBackendTests.swift).
public enum CallKitStubCounts {
    /// `CXProvider(configuration:)` calls so far.
    public static var providers: Int { providersCounter.value }
    /// `CXCallController(queue:)` calls so far.
    public static var callControllers: Int { callControllersCounter.value }
}

let providersCounter = StubCounter()
let callControllersCounter = StubCounter()
