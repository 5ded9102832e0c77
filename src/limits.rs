//! Every fixed capacity of the engine in one place: the default const parameters of
//! [`Engine`](crate::Engine) and the least effect capacity ([`effects_needed`]), the
//! bounded tables inside it, the longest strings it stores, and the payload reader's
//! bounds. Nothing here allocates or grows: a full table or a long
//! string has the documented outcome named beside each constant.

// --- the engine's const parameters and tables ---

/// Default number of live calls an [`Engine`](crate::Engine) holds (its `CALLS` parameter).
pub const DEFAULT_MAX_CALLS: usize = 4;

/// Default number of VoIP pushes an [`Engine`](crate::Engine) tracks between their arrival and their
/// PushKit completion (its `PUSHES` parameter).
pub const DEFAULT_MAX_PENDING_PUSHES: usize = 8;

/// The number of effects one step can produce at most, for an engine with `calls` call
/// slots and `pushes` pending-push slots: the least `EFFECTS` parameter an
/// [`Engine`](crate::Engine) compiles with.
///
/// The worst step is `providerDidReset` with every slot full: per call at most 4 (a
/// connecting outgoing call whose far end rings, with the audio session active: the
/// `CancelTimer` of its no-answer time-out, a `StopMedia`, a `StopRingback` and its
/// hang-up; with the session inactive it has no media or ringback, and at most its
/// audio-activation wait as a second timer), per push one `CancelTimer` and one
/// `CompletePush` (2 each). Every other event names at most one
/// call's teardown (at most 5 effects) plus the push bookkeeping around it (at most 4:
/// an expired push slot reclaimed with the end it kept, and the new push's timer),
/// or touches each call's audio (`didActivate`: per call a `CancelTimer` of its
/// audio-activation time-out, a `StartMedia`, the `SetMuted` that follows it for a
/// muted call, and a `StartRingback`, 4 each).
/// Creating an engine whose effect capacity is below this fails to compile, so no step
/// ever drops an effect.
pub const fn effects_needed(calls: usize, pushes: usize) -> usize {
    let reset = calls
        .saturating_mul(4)
        .saturating_add(pushes.saturating_mul(2));
    let single = 9;
    let audio = calls.saturating_mul(4);
    let mut most = reset;
    if single > most {
        most = single;
    }
    if audio > most {
        most = audio;
    }
    most
}

/// Default effect capacity of one step (its `EFFECTS` parameter):
/// [`effects_needed`]`(4, 8)` = 32.
pub const DEFAULT_MAX_EFFECTS: usize =
    effects_needed(DEFAULT_MAX_CALLS, DEFAULT_MAX_PENDING_PUSHES);

/// Number of `CXCallController` requests that can await their completion at once.
pub const MAX_PENDING_TRANSACTIONS: usize = 8;

/// Number of ended call UUIDs the engine remembers, so that a late or duplicate push for
/// a call that already ended is reported and ended at once instead of ringing again, and
/// an outgoing call cannot reuse a UUID CallKit may still hold.
pub const RECENTLY_ENDED_CALLS: usize = 8;

/// Number of completed push ids the engine remembers, so that CallKit's late answer to
/// the report of a push already completed (at its deadline, on overflow or at reset) is
/// accepted with no effect instead of being refused as unknown.
pub const RECENTLY_COMPLETED_PUSHES: usize = 16;

// --- strings the engine stores ---

/// Longest handle (`CXHandle.value`) the engine stores, in bytes of UTF-8.
///
/// Phone numbers, e-mail addresses and SIP URIs fit comfortably. A longer handle in a
/// payload makes the payload malformed (a cut handle would call back the wrong party).
pub const MAX_HANDLE_LEN: usize = 128;

/// Longest caller name (`CXCallUpdate.localizedCallerName`) the engine stores, in bytes
/// of UTF-8. Longer names are cut at a character boundary, never inside a character.
pub const MAX_CALLER_NAME_LEN: usize = 64;

/// Longest DTMF string (`CXPlayDTMFCallAction.digits`) accepted in one action, in bytes.
pub const MAX_DTMF_DIGITS: usize = 32;

/// Longest language tag (`CXSetTranslatingCallAction.localLanguage` and
/// `remoteLanguage`, BCP 47) the engine stores, in bytes: RFC 5646 (section 4.4.1) asks
/// implementations to support tags of at least 35 characters. A longer tag fails the
/// action.
pub const MAX_LANGUAGE_TAG_LEN: usize = 35;

/// Longest PushKit token (`PKPushCredentials.token`) accepted, in bytes.
///
/// Apple documents device tokens as variable length; today's are 32 bytes. The
/// lower-case hex form handed to the server is twice as long.
pub const MAX_PUSH_TOKEN_LEN: usize = 100;

// --- the payload reader ---

/// Largest payload read, in bytes: APNs rejects VoIP notification payloads above 5 KB
/// (5120 bytes; "Sending notification requests to APNs"), so anything bigger did not
/// come from APNs. Checked before any parsing; bigger payloads give
/// [`PayloadError::TooLarge`](crate::PayloadError::TooLarge). A payload of exactly this length is read.
pub const MAX_PAYLOAD_LEN: usize = 5120;

/// Longest schema key, and longest [root path](crate::PayloadSchema::root) including its dots,
/// in bytes of UTF-8. This is the capacity of [`SchemaKey`](crate::SchemaKey).
pub const MAX_KEY_LEN: usize = 32;

/// Deepest nesting of JSON objects and arrays accepted, counting the top-level object
/// as depth 1. Deeper payloads give [`PayloadError::TooDeep`](crate::PayloadError::TooDeep): every skipped object or
/// array goes through a seed that counts its depth and refuses to open one more, which
/// bounds serde-json-core's recursion (and so its stack use).
pub const MAX_JSON_DEPTH: usize = 16;

/// Longest opaque server call id (a [`CallIdKind::Opaque`](crate::CallIdKind::Opaque) value), in bytes of UTF-8
/// after unescaping. Longer or empty ids give [`PayloadError::InvalidCallId`](crate::PayloadError::InvalidCallId).
pub const MAX_OPAQUE_ID_LEN: usize = 128;

/// Most segments in a [root path](crate::PayloadSchema::root) accepted by
/// [`PayloadSchema::with_root`](crate::PayloadSchema::with_root) (`"a.b.c.d"`); more give [`SchemaError::PathTooDeep`](crate::SchemaError::PathTooDeep).
pub const MAX_ROOT_SEGMENTS: usize = 4;
