import CallKitEngine
import Foundation

// CallKit's constants: the SDK's on iOS, the CallKit stub's (their documented values) on
// Linux; the literals only where there is no CallKit to read them from (a macOS host
// building for macOS, which the package does not declare).
#if canImport(CallKit) && !os(macOS)
import CallKit
#else
private let CXErrorDomain = "com.apple.CallKit.error"
private let CXErrorDomainIncomingCall = "com.apple.CallKit.error.incomingcall"
private let CXErrorDomainRequestTransaction = "com.apple.CallKit.error.requesttransaction"
#endif

/// CallKit's error domains, as `NSError.domain` strings, and how the driver reads an
/// error from `reportNewIncomingCall` or `CXCallController.request` into the engine's
/// Apple errors.
///
/// Only an error of `CXErrorDomainIncomingCall` carries a `CXErrorCodeIncomingCallError`
/// code, and only one of `CXErrorDomainRequestTransaction` a
/// `CXErrorCodeRequestTransactionError` code. Any other error (`CXErrorDomain`'s
/// `invalidArgument` = 2 or `missingVoIPBackgroundMode` = 3, a Foundation or app error)
/// maps to the engine's `unknown`: its code means nothing in those enumerations, so it is
/// never read as `callUUIDAlreadyExists` (a success) or Do Not Disturb. A code in the
/// right domain that Apple has no name for (yet) keeps its number.
public enum CallKitErrorDomain {
    /// `CXErrorDomain`, the domain of `CXError` (0 unknownError, 1 unentitled,
    /// 2 invalidArgument, 3 missingVoIPBackgroundMode): "com.apple.CallKit.error".
    /// https://developer.apple.com/documentation/callkit/cxerrordomain
    public static let general: String = CXErrorDomain
    /// `CXErrorDomainIncomingCall`, the domain of `CXErrorCodeIncomingCallError`:
    /// "com.apple.CallKit.error.incomingcall".
    /// https://developer.apple.com/documentation/callkit/cxerrordomainincomingcall
    public static let incomingCall: String = CXErrorDomainIncomingCall
    /// `CXErrorDomainRequestTransaction`, the domain of
    /// `CXErrorCodeRequestTransactionError`: "com.apple.CallKit.error.requesttransaction".
    /// https://developer.apple.com/documentation/callkit/cxerrordomainrequesttransaction
    public static let requestTransaction: String = CXErrorDomainRequestTransaction

    /// The engine's reading of a `reportNewIncomingCall` completion error: its code in
    /// ``incomingCall`` (named or not), else `IncomingCallError.unknown`.
    public static func incomingCallError(_ error: any Error) -> IncomingCallError {
        let error = error as NSError
        guard error.domain == incomingCall else { return .unknown }
        return IncomingCallError(rawValue: error.code)
    }

    /// The engine's reading of a `CXCallController.request` completion error: its code in
    /// ``requestTransaction`` (named or not), else `RequestTransactionError.unknown`.
    public static func requestTransactionError(_ error: any Error) -> RequestTransactionError {
        let error = error as NSError
        guard error.domain == requestTransaction else { return .unknown }
        return RequestTransactionError(rawValue: error.code)
    }
}
