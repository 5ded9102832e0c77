import CallKitEngine
import Foundation

/// The calls a calling system keeps, and its rules for reports, requests and answers,
/// as CallKit documents and behaves: the in-app backend plays the system's part with it
/// (``InAppCallSystem``), and CallKitEngineTesting's fake CallKit answers with it, so
/// the two keep the same rules. One choice differs: answering a second call when calls
/// cannot be held (`supportsHolding` off) ends the active call in-app
/// (``makeRoom(answering:maximumCallGroups:canHold:)`` with `canHold` false), while the
/// fake CallKit always offers the hold (CallKit documents no other behaviour; the engine
/// then fails the hold action).
///
/// A call is known from its accepted report or start until it ends; it is connected
/// once its answer or start action is fulfilled; each connected call is its own call
/// group until a fulfilled `CXSetGroupCallAction` joins it to another's.
package struct SystemCallBook: Sendable {
    /// A connected call.
    package struct Connected: Sendable {
        /// Whether it is on hold.
        package var onHold = false
        /// Its call group's label: its own UUID until grouped.
        package var group: UUID
    }

    /// Reported or started, not ended.
    package private(set) var known: Set<UUID> = []
    /// Answered or started (action fulfilled), not ended.
    package private(set) var connected: [UUID: Connected] = [:]

    package init() {}

    /// How many call groups the connected calls form.
    package var groupCount: Int { Set(connected.values.map(\.group)).count }

    /// Whether a new call would exceed `maximumCallGroups` groups.
    package func groupsFull(maximumCallGroups: Int) -> Bool { groupCount >= maximumCallGroups }

    /// CallKit's answer to `reportNewIncomingCall` for `call`, when the system itself has
    /// no reason to refuse (Do Not Disturb, a block list): `callUUIDAlreadyExists` for a
    /// call it knows, else `nil`, and the call is known from then on.
    package mutating func acceptReport(of call: UUID) -> IncomingCallError? {
        guard !known.contains(call) else { return .callUUIDAlreadyExists }
        known.insert(call)
        return nil
    }

    /// CallKit's answer to a `CXCallController.request` of `action`:
    /// `callUUIDAlreadyExists` to start a call with a UUID it knows,
    /// `maximumCallGroupsReached` to start one while the connected calls already form
    /// `maximumCallGroups` groups, `unknownCallUUID` for any other action on a call it
    /// does not know, else `nil` (an accepted start's call is known from then on).
    package mutating func acceptRequest(
        of action: CallEngine.CallAction, maximumCallGroups: Int
    ) -> RequestTransactionError? {
        if case let .startCall(call, _, _) = action {
            if known.contains(call) { return .callUUIDAlreadyExists }
            if groupsFull(maximumCallGroups: maximumCallGroups) { return .maximumCallGroupsReached }
            known.insert(call)
            return nil
        }
        return known.contains(action.call) ? nil : .unknownCallUUID
    }

    /// What CallKit performs on the active call before answering `call` while another
    /// connected call is active (not on hold): a hold ("Hold & Accept"), or an end when
    /// the connected calls already form `maximumCallGroups` groups or the calls cannot be
    /// held (`canHold` false: "End & Accept"); `nil` when no other call is active or
    /// `call` is connected already.
    package func makeRoom(
        answering call: UUID, maximumCallGroups: Int, canHold: Bool = true
    ) -> CallDriver.ProviderActionRequest? {
        guard connected[call] == nil else { return nil }
        guard
            let active = connected.filter({ !$0.value.onHold }).map(\.key).min(by: { $0.uuidString < $1.uuidString })
        else { return nil }
        if !canHold || groupsFull(maximumCallGroups: maximumCallGroups) { return .endCall(call: active) }
        return .setHeld(call: active, onHold: true)
    }

    /// The system's record of a fulfilled action.
    package mutating func fulfilled(_ request: CallDriver.ProviderActionRequest) {
        switch request {
        case let .answerCall(call):
            if known.contains(call), connected[call] == nil { connected[call] = Connected(group: call) }
        case let .startCall(call, _, _):
            // A start the system performs (from Recents, say) is a call it knows too.
            known.insert(call)
            if connected[call] == nil { connected[call] = Connected(group: call) }
        case let .endCall(call):
            ended(call)
        case let .setHeld(call, onHold):
            connected[call]?.onHold = onHold
        case let .setGroup(call, other):
            guard connected[call] != nil else { return }
            let group = other.flatMap { connected[$0]?.group } ?? call
            connected[call]?.group = group
        case .setMuted, .playDTMF, .setTranslating:
            break
        }
    }

    /// The call ended (reported ended, or its end action fulfilled).
    package mutating func ended(_ call: UUID) {
        known.remove(call)
        connected.removeValue(forKey: call)
    }

    /// Forgets every call (`providerDidReset(_:)`).
    package mutating func removeAll() {
        known.removeAll()
        connected.removeAll()
    }
}
