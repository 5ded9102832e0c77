//! The `#[repr(C)]` types and constants of the C ABI, exactly as `ffi/include/callkit_engine.h`
//! shows them.
//!
//! Rule for flags and enumerations: a type the library *reads* (`ck_event`, `ck_config`,
//! `ck_schema`, `ck_key`, `ck_timer` inside an event) carries flags as `uint8_t` (0 or 1,
//! anything else is `CK_RESULT_INVALID_ARGUMENT`) and enumerations as plain integers
//! checked against the named constants, so no bit pattern a C caller can store is
//! undefined behaviour in Rust. Types the library only *writes* (`ck_effect`,
//! `ck_step_data`, `ck_status`, `ck_call_info`) use `bool`.
//!
//! Rule for constants: each is written `N as ck_type` (a plain literal, no shifts), so
//! cbindgen emits `#define CK_NAME (ck_type)N` and Swift imports it as `ck_type` (a bare
//! `#define CK_NAME N` imports as `Int32`, which forces a conversion at every use).

#![allow(non_camel_case_types)]
// `N as ck_type` is the cast cbindgen turns into the header's typed constant.
#![allow(clippy::unnecessary_cast)]

use core::ptr;

// ---------------------------------------------------------------------------------------
// Capacities
// ---------------------------------------------------------------------------------------

/// Bytes of memory an engine needs: `sizeof(ck_engine)`. Pass it to `ck_engine_init`.
pub const CK_ENGINE_SIZE: usize = 4096 as usize;

/// Alignment an engine's memory needs, in bytes: `_Alignof(ck_engine)`.
pub const CK_ENGINE_ALIGN: usize = 8 as usize;

/// Live calls one engine holds (the engine's `CALLS` parameter).
pub const CK_MAX_CALLS: usize = 4 as usize;

/// VoIP pushes one engine tracks between arrival and PushKit completion (`PUSHES`).
pub const CK_MAX_PENDING_PUSHES: usize = 8 as usize;

/// Effects one `ck_engine_handle` step can produce at most:
/// `effects_needed(4, 8)` = 32. `ck_engine_handle` refuses a smaller buffer.
pub const CK_MAX_EFFECTS: usize = 32 as usize;

/// Timers armed at once at most: one per pending push plus two per call (a connecting
/// outgoing call's no-answer time-out beside its audio-activation wait) (16).
pub const CK_MAX_TIMERS: usize = 16 as usize;

/// Longest handle (`CXHandle.value`), in bytes of UTF-8.
pub const CK_MAX_HANDLE_LEN: usize = 128 as usize;

/// Longest caller name (`localizedCallerName`), in bytes of UTF-8.
pub const CK_MAX_CALLER_NAME_LEN: usize = 64 as usize;

/// Longest DTMF string, in bytes.
pub const CK_MAX_DTMF_DIGITS: usize = 32 as usize;

/// Longest language tag (BCP 47, `CXSetTranslatingCallAction`), in bytes.
pub const CK_MAX_LANGUAGE_TAG_LEN: usize = 35 as usize;

/// Longest PushKit token, in bytes.
pub const CK_MAX_PUSH_TOKEN_LEN: usize = 100 as usize;

/// Longest hex push token (two characters per token byte).
pub const CK_MAX_PUSH_TOKEN_HEX_LEN: usize = 200 as usize;

/// Longest payload schema key or root path, in bytes of UTF-8.
pub const CK_MAX_KEY_LEN: usize = 32 as usize;

/// Largest VoIP push payload read (APNs' limit); bigger payloads are reported under the
/// fallback UUID and ended as failed.
pub const CK_MAX_PAYLOAD_LEN: usize = 5120 as usize;

// ---------------------------------------------------------------------------------------
// Result codes
// ---------------------------------------------------------------------------------------

/// What every `ck_*` function returns. Values are stable; `ck_result_name` gives each
/// one's name. Outputs are written only on `CK_RESULT_OK`, with one exception:
/// `CK_RESULT_BUFFER_TOO_SMALL` writes the size needed to the length out-parameter.
///
/// Codes 1-19 are about the call itself (pointers, memory, arguments); codes 20 and up
/// are the engine refusing the event (`callkit_engine::Error`): nothing changed, not
/// even the engine's clock, and there is nothing to do. Code 23 is reserved: no
/// function returns it, and no later result will take it.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ck_result {
    /// Success; the outputs are written.
    CK_RESULT_OK = 0,
    /// A required pointer was NULL (or a NULL data pointer came with a non-zero length).
    CK_RESULT_NULL_POINTER = 1,
    /// A pointer was not aligned for its type (the engine needs `CK_ENGINE_ALIGN`).
    CK_RESULT_MISALIGNED = 2,
    /// The engine memory does not hold an engine: never passed to `ck_engine_init`,
    /// or passed to `ck_engine_deinit` since.
    CK_RESULT_NOT_INITIALIZED = 3,
    /// Another call on the same engine is running (calls must come from one serial
    /// queue); nothing was done.
    CK_RESULT_BUSY = 4,
    /// An output buffer (or the engine memory) is smaller than needed; the size needed
    /// is written to the length out-parameter where there is one, nothing else is
    /// written and nothing changed.
    CK_RESULT_BUFFER_TOO_SMALL = 5,
    /// An argument is out of range: an unknown kind or enumeration value, a flag other
    /// than 0 or 1, a length above its maximum.
    CK_RESULT_INVALID_ARGUMENT = 6,
    /// Text (a handle, DTMF digits, a schema key) is not UTF-8.
    CK_RESULT_INVALID_UTF8 = 7,
    /// The payload schema is invalid (a root path with an empty segment or more than
    /// 4 segments, a key over `CK_MAX_KEY_LEN` bytes).
    CK_RESULT_INVALID_SCHEMA = 8,
    /// The library panicked (a bug); the panic was caught at the boundary and the
    /// engine is as it was before the call.
    CK_RESULT_PANIC = 9,
    /// Something that is set once per process is set already (`ck_log_set_callback`);
    /// nothing changed.
    CK_RESULT_ALREADY_SET = 10,
    /// `now_ms` is earlier than the time of the last accepted event.
    CK_RESULT_TIME_WENT_BACKWARDS = 20,
    /// No live call has this UUID.
    CK_RESULT_UNKNOWN_CALL = 21,
    /// No pending push or report has this id.
    CK_RESULT_UNKNOWN_PUSH = 22,
    /// The action UUID is already deferred for another action.
    CK_RESULT_DUPLICATE_ACTION = 24,
    /// No pending `CXCallController` request has this id.
    CK_RESULT_UNKNOWN_TRANSACTION = 25,
    /// The timer is not armed.
    CK_RESULT_UNKNOWN_TIMER = 26,
    /// The timer is armed but its deadline has not come.
    CK_RESULT_TIMER_NOT_DUE = 27,
    /// A call with this UUID is live or ended moments ago.
    CK_RESULT_CALL_EXISTS = 28,
    /// Every call slot is taken.
    CK_RESULT_CALL_CAPACITY = 29,
    /// Every pending-transaction slot is taken.
    CK_RESULT_TRANSACTION_CAPACITY = 30,
    /// The event does not fit the call's phase.
    CK_RESULT_WRONG_PHASE = 31,
    /// The call does not support this (capabilities or provider configuration).
    CK_RESULT_NOT_SUPPORTED = 32,
    /// A handle is empty or longer than `CK_MAX_HANDLE_LEN`.
    CK_RESULT_INVALID_HANDLE = 33,
    /// DTMF digits are empty, too long, or not `0-9 * # A-D ,`.
    CK_RESULT_INVALID_DTMF = 34,
    /// A push token is empty or longer than `CK_MAX_PUSH_TOKEN_LEN`.
    CK_RESULT_INVALID_PUSH_TOKEN = 35,
}

// ---------------------------------------------------------------------------------------
// Plain data
// ---------------------------------------------------------------------------------------

/// The memory of one engine, owned by the caller: declare one (static, on the heap or
/// inside another struct), then `ck_engine_init(&engine, sizeof engine, &config)`. The
/// contents are private. Zero it before `ck_engine_init` (static storage, `calloc`, or
/// `= {0}`): an engine is recognised by a 64-bit magic word, so memory that was never
/// initialised gets `CK_RESULT_NOT_INITIALIZED` (garbage matches it with odds of 1 in
/// 2^64, and tools such as valgrind flag the read of indeterminate memory).
///
/// An engine holds no pointers into itself and no resources: it may be moved with
/// `memcpy` while no call is running on it.
#[repr(C)]
pub struct ck_engine {
    _opaque: [u64; 512],
}

/// A UUID as its 16 bytes, in the order `NSUUID.getBytes` / Swift's `UUID.uuid` gives
/// them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_uuid {
    /// The bytes.
    pub bytes: [u8; 16],
}

/// Borrowed bytes: `ptr` may be NULL only when `len` is 0. Read during the call only,
/// never kept.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ck_bytes {
    /// The first byte.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

/// Borrowed UTF-8 text, not NUL-terminated (it may contain NUL): `ptr` may be NULL only
/// when `len` is 0. Read during the call only, never kept. Also used for the static
/// names `ck_result_name` returns (those are followed by a NUL not counted in `len`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ck_str {
    /// The first byte.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl ck_bytes {
    /// No bytes.
    pub const fn empty() -> ck_bytes {
        ck_bytes {
            ptr: ptr::null(),
            len: 0,
        }
    }
}

impl ck_str {
    /// No text.
    pub const fn empty() -> ck_str {
        ck_str {
            ptr: ptr::null(),
            len: 0,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Apple's enumerations (raw values from CallKit's headers)
// ---------------------------------------------------------------------------------------

/// `CXHandle.HandleType` raw value.
pub type ck_handle_type = u8;
/// `CXHandle.HandleType.generic`.
pub const CK_HANDLE_TYPE_GENERIC: ck_handle_type = 1 as ck_handle_type;
/// `CXHandle.HandleType.phoneNumber`.
pub const CK_HANDLE_TYPE_PHONE_NUMBER: ck_handle_type = 2 as ck_handle_type;
/// `CXHandle.HandleType.emailAddress`.
pub const CK_HANDLE_TYPE_EMAIL_ADDRESS: ck_handle_type = 3 as ck_handle_type;

/// A set of handle types (`CXProviderConfiguration.supportedHandleTypes`): bit
/// `1 << raw value` for each type.
pub type ck_handle_types = u8;
/// Generic handles allowed: bit `1 << CK_HANDLE_TYPE_GENERIC`.
pub const CK_HANDLE_TYPES_GENERIC: ck_handle_types = 2 as ck_handle_types;
/// Phone numbers allowed: bit `1 << CK_HANDLE_TYPE_PHONE_NUMBER`.
pub const CK_HANDLE_TYPES_PHONE_NUMBER: ck_handle_types = 4 as ck_handle_types;
/// E-mail addresses allowed: bit `1 << CK_HANDLE_TYPE_EMAIL_ADDRESS`.
pub const CK_HANDLE_TYPES_EMAIL_ADDRESS: ck_handle_types = 8 as ck_handle_types;

/// `CXPlayDTMFCallAction.ActionType` raw value.
pub type ck_dtmf_type = u8;
/// `singleTone`.
pub const CK_DTMF_TYPE_SINGLE_TONE: ck_dtmf_type = 1 as ck_dtmf_type;
/// `softPause`.
pub const CK_DTMF_TYPE_SOFT_PAUSE: ck_dtmf_type = 2 as ck_dtmf_type;
/// `hardPause`.
pub const CK_DTMF_TYPE_HARD_PAUSE: ck_dtmf_type = 3 as ck_dtmf_type;

/// Why the far end refused an outgoing call (`CK_EVENT_OUTGOING_CALL_REFUSED`).
pub type ck_refusal_reason = u8;
/// Busy (SIP 486): reported ended `remoteEnded`.
pub const CK_REFUSAL_REASON_BUSY: ck_refusal_reason = 1 as ck_refusal_reason;
/// Declined (SIP 603): reported ended `remoteEnded`.
pub const CK_REFUSAL_REASON_DECLINED: ck_refusal_reason = 2 as ck_refusal_reason;
/// Unavailable (SIP 480): reported ended `unanswered`.
pub const CK_REFUSAL_REASON_UNAVAILABLE: ck_refusal_reason = 3 as ck_refusal_reason;

/// `CXCallEndedReason` raw value.
pub type ck_call_ended_reason = u8;
/// `failed`: an error occurred while trying to service the call.
pub const CK_CALL_ENDED_REASON_FAILED: ck_call_ended_reason = 1 as ck_call_ended_reason;
/// `remoteEnded`.
pub const CK_CALL_ENDED_REASON_REMOTE_ENDED: ck_call_ended_reason = 2 as ck_call_ended_reason;
/// `unanswered`.
pub const CK_CALL_ENDED_REASON_UNANSWERED: ck_call_ended_reason = 3 as ck_call_ended_reason;
/// `answeredElsewhere`.
pub const CK_CALL_ENDED_REASON_ANSWERED_ELSEWHERE: ck_call_ended_reason = 4 as ck_call_ended_reason;
/// `declinedElsewhere`.
pub const CK_CALL_ENDED_REASON_DECLINED_ELSEWHERE: ck_call_ended_reason = 5 as ck_call_ended_reason;

/// `CXErrorCodeIncomingCallError` raw value (the `NSError.code` of a failed
/// `reportNewIncomingCall`). Any other value (one Apple may add later) is passed
/// through as it is: the engine keeps it and treats it as `unknown`.
pub type ck_incoming_call_error = i64;
/// `unknown`.
pub const CK_INCOMING_CALL_ERROR_UNKNOWN: ck_incoming_call_error = 0 as ck_incoming_call_error;
/// `unentitled`.
pub const CK_INCOMING_CALL_ERROR_UNENTITLED: ck_incoming_call_error = 1 as ck_incoming_call_error;
/// `callUUIDAlreadyExists` (for a duplicate push: expected, counts as success).
pub const CK_INCOMING_CALL_ERROR_CALL_UUID_ALREADY_EXISTS: ck_incoming_call_error =
    2 as ck_incoming_call_error;
/// `filteredByDoNotDisturb`.
pub const CK_INCOMING_CALL_ERROR_FILTERED_BY_DO_NOT_DISTURB: ck_incoming_call_error =
    3 as ck_incoming_call_error;
/// `filteredByBlockList`.
pub const CK_INCOMING_CALL_ERROR_FILTERED_BY_BLOCK_LIST: ck_incoming_call_error =
    4 as ck_incoming_call_error;
/// `filteredDuringRestrictedSharingMode`.
pub const CK_INCOMING_CALL_ERROR_FILTERED_DURING_RESTRICTED_SHARING_MODE: ck_incoming_call_error =
    5 as ck_incoming_call_error;
/// `callIsProtected`.
pub const CK_INCOMING_CALL_ERROR_CALL_IS_PROTECTED: ck_incoming_call_error =
    6 as ck_incoming_call_error;
/// `filteredBySensitiveParticipants`.
pub const CK_INCOMING_CALL_ERROR_FILTERED_BY_SENSITIVE_PARTICIPANTS: ck_incoming_call_error =
    7 as ck_incoming_call_error;

/// `CXErrorCodeRequestTransactionError` raw value (the `NSError.code` of a failed
/// `CXCallController.request`). Any other value is passed through as it is: the
/// engine keeps it and treats it as `unknown`.
pub type ck_request_transaction_error = i64;
/// `unknown`.
pub const CK_REQUEST_TRANSACTION_ERROR_UNKNOWN: ck_request_transaction_error =
    0 as ck_request_transaction_error;
/// `unentitled`.
pub const CK_REQUEST_TRANSACTION_ERROR_UNENTITLED: ck_request_transaction_error =
    1 as ck_request_transaction_error;
/// `unknownCallProvider`.
pub const CK_REQUEST_TRANSACTION_ERROR_UNKNOWN_CALL_PROVIDER: ck_request_transaction_error =
    2 as ck_request_transaction_error;
/// `emptyTransaction`.
pub const CK_REQUEST_TRANSACTION_ERROR_EMPTY_TRANSACTION: ck_request_transaction_error =
    3 as ck_request_transaction_error;
/// `unknownCallUUID`.
pub const CK_REQUEST_TRANSACTION_ERROR_UNKNOWN_CALL_UUID: ck_request_transaction_error =
    4 as ck_request_transaction_error;
/// `callUUIDAlreadyExists`.
pub const CK_REQUEST_TRANSACTION_ERROR_CALL_UUID_ALREADY_EXISTS: ck_request_transaction_error =
    5 as ck_request_transaction_error;
/// `invalidAction`.
pub const CK_REQUEST_TRANSACTION_ERROR_INVALID_ACTION: ck_request_transaction_error =
    6 as ck_request_transaction_error;
/// `maximumCallGroupsReached`.
pub const CK_REQUEST_TRANSACTION_ERROR_MAXIMUM_CALL_GROUPS_REACHED: ck_request_transaction_error =
    7 as ck_request_transaction_error;
/// `callIsProtected`.
pub const CK_REQUEST_TRANSACTION_ERROR_CALL_IS_PROTECTED: ck_request_transaction_error =
    8 as ck_request_transaction_error;

/// Why the engine asks the signalling stack to reject an incoming call (what to tell
/// the server).
pub type ck_reject_reason = u8;
/// The user declined.
pub const CK_REJECT_REASON_DECLINED: ck_reject_reason = 1 as ck_reject_reason;
/// Every call slot is taken.
pub const CK_REJECT_REASON_BUSY: ck_reject_reason = 2 as ck_reject_reason;
/// CallKit filtered the call: do not disturb.
pub const CK_REJECT_REASON_DO_NOT_DISTURB: ck_reject_reason = 3 as ck_reject_reason;
/// CallKit filtered the call: block list.
pub const CK_REJECT_REASON_BLOCKED: ck_reject_reason = 4 as ck_reject_reason;
/// Nobody answered before the ring time-out.
pub const CK_REJECT_REASON_UNANSWERED: ck_reject_reason = 5 as ck_reject_reason;
/// The call could not be served.
pub const CK_REJECT_REASON_FAILED: ck_reject_reason = 6 as ck_reject_reason;

// ---------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------

/// Which kind of timer a `ck_timer` is.
pub type ck_timer_kind = u32;
/// The latest moment to call a push's PushKit completion handler (`push` names it).
pub const CK_TIMER_PUSH_COMPLETION: ck_timer_kind = 1 as ck_timer_kind;
/// An unanswered incoming call's ring time-out (`call` names it).
pub const CK_TIMER_RING: ck_timer_kind = 2 as ck_timer_kind;
/// An answered incoming call waiting for its connection (`call` names it).
pub const CK_TIMER_ANSWER_CONNECT: ck_timer_kind = 3 as ck_timer_kind;
/// An answered or started call waiting for `didActivate` (`call` names it).
pub const CK_TIMER_AUDIO_ACTIVATION: ck_timer_kind = 4 as ck_timer_kind;
/// A performed outgoing call waiting for signalling to report connecting (`call`
/// names it).
pub const CK_TIMER_START_CONNECT: ck_timer_kind = 5 as ck_timer_kind;
/// A connecting outgoing call waiting for the far end to answer (`call` names it).
pub const CK_TIMER_NO_ANSWER: ck_timer_kind = 6 as ck_timer_kind;

/// A timer the engine asked for with `CK_EFFECT_START_TIMER`; hand it back unchanged
/// in a `CK_EVENT_TIMER_FIRED` event. `push` is meaningful for
/// `CK_TIMER_PUSH_COMPLETION`, `call` for the others (the other field is zero on output
/// and ignored on input).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_timer {
    /// `CK_TIMER_*`.
    pub kind: ck_timer_kind,
    /// The push, for `CK_TIMER_PUSH_COMPLETION`.
    pub push: u64,
    /// The call, for `CK_TIMER_RING`, `CK_TIMER_ANSWER_CONNECT`,
    /// `CK_TIMER_AUDIO_ACTIVATION`, `CK_TIMER_START_CONNECT` and `CK_TIMER_NO_ANSWER`.
    pub call: ck_uuid,
}

/// An armed timer and its deadline (`ck_engine_timers`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_timer_deadline {
    /// The timer.
    pub timer: ck_timer,
    /// Its deadline, on the host's monotonic clock in milliseconds.
    pub deadline_ms: u64,
}

// ---------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------

/// Which event a `ck_event` is; each constant names the fields it reads.
pub type ck_event_kind = u32;
/// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)`: `push`, `payload` (the
/// JSON bytes of `dictionaryPayload`), `fallback_call` (a fresh UUID). Never refused by
/// the engine: carry out its first effect, `CK_EFFECT_REPORT_NEW_INCOMING_CALL`, before
/// the delegate returns.
pub const CK_EVENT_VOIP_PUSH_RECEIVED: ck_event_kind = 1 as ck_event_kind;
/// `pushRegistry(_:didUpdate:for:)`: `token` (the raw `PKPushCredentials.token`).
pub const CK_EVENT_PUSH_CREDENTIALS_UPDATED: ck_event_kind = 2 as ck_event_kind;
/// `pushRegistry(_:didInvalidatePushTokenFor:)`: no fields.
pub const CK_EVENT_PUSH_CREDENTIALS_INVALIDATED: ck_event_kind = 3 as ck_event_kind;
/// The completion of `reportNewIncomingCall`: `push`, `has_error`, `error_code`
/// (`ck_incoming_call_error`).
pub const CK_EVENT_INCOMING_CALL_REPORTED: ck_event_kind = 4 as ck_event_kind;
/// `providerDidBegin(_:)`: no fields.
pub const CK_EVENT_PROVIDER_DID_BEGIN: ck_event_kind = 5 as ck_event_kind;
/// `providerDidReset(_:)`: no fields.
pub const CK_EVENT_PROVIDER_DID_RESET: ck_event_kind = 6 as ck_event_kind;
/// `provider(_:perform: CXStartCallAction)`: `action`, `call`, `handle`, `handle_type`,
/// `video`.
pub const CK_EVENT_PERFORM_START_CALL: ck_event_kind = 7 as ck_event_kind;
/// `provider(_:perform: CXAnswerCallAction)`: `action`, `call`.
pub const CK_EVENT_PERFORM_ANSWER_CALL: ck_event_kind = 8 as ck_event_kind;
/// `provider(_:perform: CXEndCallAction)`: `action`, `call`.
pub const CK_EVENT_PERFORM_END_CALL: ck_event_kind = 9 as ck_event_kind;
/// `provider(_:perform: CXSetHeldCallAction)`: `action`, `call`, `on_hold`.
pub const CK_EVENT_PERFORM_SET_HELD: ck_event_kind = 10 as ck_event_kind;
/// `provider(_:perform: CXSetMutedCallAction)`: `action`, `call`, `muted`.
pub const CK_EVENT_PERFORM_SET_MUTED: ck_event_kind = 11 as ck_event_kind;
/// `provider(_:perform: CXSetGroupCallAction)`: `action`, `call`, `has_group_with`,
/// `group_with` (`callUUIDToGroupWith`; `has_group_with` 0 to leave a group).
pub const CK_EVENT_PERFORM_SET_GROUP: ck_event_kind = 12 as ck_event_kind;
/// `provider(_:perform: CXPlayDTMFCallAction)`: `action`, `call`, `digits`,
/// `dtmf_type`.
pub const CK_EVENT_PERFORM_PLAY_DTMF: ck_event_kind = 13 as ck_event_kind;
/// `provider(_:perform: CXSetTranslatingCallAction)` (iOS 26): `action`, `call`,
/// `translating` (`isTranslating`), `local_language` and `remote_language` (BCP 47,
/// read when `translating` is 1).
pub const CK_EVENT_PERFORM_SET_TRANSLATING: ck_event_kind = 35 as ck_event_kind;
/// The user answered a ringing incoming call in the app's own UI: `call`.
pub const CK_EVENT_REQUEST_ANSWER_CALL: ck_event_kind = 36 as ck_event_kind;
/// `provider(_:timedOutPerforming:)`: `action`.
pub const CK_EVENT_TIMED_OUT_PERFORMING: ck_event_kind = 14 as ck_event_kind;
/// `provider(_:didActivate:)`: no fields.
pub const CK_EVENT_DID_ACTIVATE_AUDIO_SESSION: ck_event_kind = 15 as ck_event_kind;
/// `provider(_:didDeactivate:)`: no fields.
pub const CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION: ck_event_kind = 16 as ck_event_kind;
/// The user started a call in the app: `call` (a fresh UUID), `handle`, `handle_type`,
/// `video`.
pub const CK_EVENT_REQUEST_START_CALL: ck_event_kind = 17 as ck_event_kind;
/// The user ended a call in the app: `call`.
pub const CK_EVENT_REQUEST_END_CALL: ck_event_kind = 18 as ck_event_kind;
/// The user held or resumed a call in the app: `call`, `on_hold`.
pub const CK_EVENT_REQUEST_SET_HELD: ck_event_kind = 19 as ck_event_kind;
/// The user muted or unmuted in the app: `call`, `muted`.
pub const CK_EVENT_REQUEST_SET_MUTED: ck_event_kind = 20 as ck_event_kind;
/// The user typed DTMF digits in the app: `call`, `digits`, `dtmf_type`.
pub const CK_EVENT_REQUEST_PLAY_DTMF: ck_event_kind = 21 as ck_event_kind;
/// The completion of a `CXCallController.request`: `transaction`, `has_error`,
/// `error_code` (`ck_request_transaction_error`).
pub const CK_EVENT_TRANSACTION_COMPLETED: ck_event_kind = 22 as ck_event_kind;
/// Signalling: an outgoing call started connecting: `call`.
pub const CK_EVENT_OUTGOING_CALL_CONNECTING: ck_event_kind = 23 as ck_event_kind;
/// Signalling: the remote party answered an outgoing call: `call`.
pub const CK_EVENT_OUTGOING_CALL_CONNECTED: ck_event_kind = 24 as ck_event_kind;
/// Signalling: the far end refused an outgoing call before answering (SIP 486, 603,
/// 480): `call`, `refusal_reason` (`CK_REFUSAL_REASON_*`).
pub const CK_EVENT_OUTGOING_CALL_REFUSED: ck_event_kind = 34 as ck_event_kind;
/// Signalling: an incoming call's connection is ready to be answered: `call`.
pub const CK_EVENT_INCOMING_CALL_CONNECTED: ck_event_kind = 25 as ck_event_kind;
/// Signalling: the remote party ended (or cancelled) the call: `call`.
pub const CK_EVENT_REMOTE_ENDED: ck_event_kind = 26 as ck_event_kind;
/// Signalling: answered on another of the user's devices: `call`.
pub const CK_EVENT_ANSWERED_ELSEWHERE: ck_event_kind = 27 as ck_event_kind;
/// Signalling: declined on another of the user's devices: `call`.
pub const CK_EVENT_DECLINED_ELSEWHERE: ck_event_kind = 28 as ck_event_kind;
/// Signalling: the call's connection failed: `call`.
pub const CK_EVENT_CONNECTION_FAILED: ck_event_kind = 29 as ck_event_kind;
/// A timer from `CK_EFFECT_START_TIMER` reached its deadline: `timer`.
pub const CK_EVENT_TIMER_FIRED: ck_event_kind = 30 as ck_event_kind;
/// The app has new details for a known call (a name from the address book, a video
/// upgrade): `call`, `caller_name` (length 0 keeps the name), `changes_video` and
/// `video` (`hasVideo`, read when `changes_video` is 1). Becomes
/// `CK_EFFECT_REPORT_CALL_UPDATED` once CallKit knows the call.
pub const CK_EVENT_CALL_DETAILS_CHANGED: ck_event_kind = 31 as ck_event_kind;
/// Signalling: the remote side of an outgoing call is ringing (SIP 180): `call`.
pub const CK_EVENT_OUTGOING_CALL_RINGING: ck_event_kind = 32 as ck_event_kind;
/// The app's own connection announced an incoming call: `call`, `handle` (empty when
/// unknown), `handle_type`, `caller_name` (length 0 when unknown), `video`.
pub const CK_EVENT_INCOMING_CALL_ANNOUNCED: ck_event_kind = 33 as ck_event_kind;

/// `PKVoIPPushMetadata.mustReport` as a push event carries it.
pub type ck_must_report = u8;
/// Not known: iOS before 26.4 (the old delegate method); every push must be reported.
pub const CK_MUST_REPORT_UNKNOWN: ck_must_report = 0 as ck_must_report;
/// `mustReport == true`.
pub const CK_MUST_REPORT_YES: ck_must_report = 1 as ck_must_report;
/// `mustReport == false`: a push the engine would only report and end is completed
/// without a report.
pub const CK_MUST_REPORT_NO: ck_must_report = 2 as ck_must_report;

/// One thing that happened, as the host saw it. Zero it, set `kind`, then set the
/// fields that kind reads (listed at each `CK_EVENT_*` constant); the other fields are
/// ignored. Borrowed bytes and text are read during `ck_engine_handle` only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ck_event {
    /// `CK_EVENT_*`.
    pub kind: ck_event_kind,
    /// Flag, 0 or 1: `isVideo` (`CK_EVENT_PERFORM_START_CALL`,
    /// `CK_EVENT_REQUEST_START_CALL`).
    pub video: u8,
    /// Flag, 0 or 1: hold (1) or resume (0) (`CK_EVENT_PERFORM_SET_HELD`,
    /// `CK_EVENT_REQUEST_SET_HELD`).
    pub on_hold: u8,
    /// Flag, 0 or 1: mute (1) or unmute (0) (`CK_EVENT_PERFORM_SET_MUTED`,
    /// `CK_EVENT_REQUEST_SET_MUTED`).
    pub muted: u8,
    /// Flag, 0 or 1: the completion carried an error, `error_code`
    /// (`CK_EVENT_INCOMING_CALL_REPORTED`, `CK_EVENT_TRANSACTION_COMPLETED`).
    pub has_error: u8,
    /// Flag, 0 or 1: `group_with` is set (`CK_EVENT_PERFORM_SET_GROUP`).
    pub has_group_with: u8,
    /// `ck_handle_type`, 1-3 (`CK_EVENT_PERFORM_START_CALL`,
    /// `CK_EVENT_REQUEST_START_CALL`).
    pub handle_type: ck_handle_type,
    /// `ck_dtmf_type`, 1-3 (`CK_EVENT_PERFORM_PLAY_DTMF`, `CK_EVENT_REQUEST_PLAY_DTMF`).
    pub dtmf_type: ck_dtmf_type,
    /// `ck_refusal_reason`, 1-3 (`CK_EVENT_OUTGOING_CALL_REFUSED`).
    pub refusal_reason: ck_refusal_reason,
    /// Flag, 0 or 1: `isTranslating` (`CK_EVENT_PERFORM_SET_TRANSLATING`).
    pub translating: u8,
    /// The `NSError.code` when `has_error` is 1: a `ck_incoming_call_error` or a
    /// `ck_request_transaction_error`.
    pub error_code: i64,
    /// The host's id for a push, unique among pending pushes (a counter will do).
    pub push: u64,
    /// The engine's id for a `CXCallController` request, from
    /// `CK_EFFECT_REQUEST_TRANSACTION`.
    pub transaction: u64,
    /// The call's UUID (`CXCallAction.callUUID`, or the call the signalling names).
    pub call: ck_uuid,
    /// The action's UUID (`CXAction.uuid`).
    pub action: ck_uuid,
    /// A fresh UUID used when a push payload names no call or cannot be read.
    pub fallback_call: ck_uuid,
    /// `CXSetGroupCallAction.callUUIDToGroupWith`, when `has_group_with` is 1.
    pub group_with: ck_uuid,
    /// The push payload: `PKPushPayload.dictionaryPayload` as JSON bytes.
    pub payload: ck_bytes,
    /// The raw push token bytes (1 to `CK_MAX_PUSH_TOKEN_LEN`).
    pub token: ck_bytes,
    /// The remote handle's value, UTF-8.
    pub handle: ck_str,
    /// DTMF digits, `0-9 * # A-D ,`.
    pub digits: ck_str,
    /// `CXSetTranslatingCallAction.localLanguage`, BCP 47 (`CK_EVENT_PERFORM_SET_TRANSLATING`).
    pub local_language: ck_str,
    /// `CXSetTranslatingCallAction.remoteLanguage`, BCP 47 (`CK_EVENT_PERFORM_SET_TRANSLATING`).
    pub remote_language: ck_str,
    /// The timer that fired, as `CK_EFFECT_START_TIMER` gave it.
    pub timer: ck_timer,
    /// `CXCallUpdate.localizedCallerName`, UTF-8 (`CK_EVENT_CALL_DETAILS_CHANGED`;
    /// length 0 keeps the current name).
    pub caller_name: ck_str,
    /// Flag, 0 or 1: `video` carries a new `hasVideo` (`CK_EVENT_CALL_DETAILS_CHANGED`).
    pub changes_video: u8,
    /// Flag, 0 or 1 (`CK_EVENT_INCOMING_CALL_REPORTED`): the completed report was made
    /// for the push `push` (1) or, without a push, for the call `call` (0); copy it from
    /// the effect's `has_push`.
    pub has_push: u8,
    /// `CK_MUST_REPORT_*`: `PKVoIPPushMetadata.mustReport` (`CK_EVENT_VOIP_PUSH_RECEIVED`;
    /// `CK_MUST_REPORT_UNKNOWN` before iOS 26.4).
    pub must_report: ck_must_report,
    /// Flag, 0 or 1: `received_at_unix_ms` is set (`CK_EVENT_VOIP_PUSH_RECEIVED`).
    pub has_received_at: u8,
    /// The wall clock when the push arrived, in milliseconds since the Unix epoch
    /// (`CK_EVENT_VOIP_PUSH_RECEIVED`, when `has_received_at` is 1), for the maximum push
    /// age.
    pub received_at_unix_ms: u64,
}

impl ck_event {
    /// An event of `kind` with every field zero.
    pub const fn zeroed(kind: ck_event_kind) -> Self {
        ck_event {
            kind,
            video: 0,
            on_hold: 0,
            muted: 0,
            has_error: 0,
            has_group_with: 0,
            handle_type: 0,
            dtmf_type: 0,
            refusal_reason: 0,
            translating: 0,
            error_code: 0,
            push: 0,
            transaction: 0,
            call: ck_uuid { bytes: [0; 16] },
            action: ck_uuid { bytes: [0; 16] },
            fallback_call: ck_uuid { bytes: [0; 16] },
            group_with: ck_uuid { bytes: [0; 16] },
            payload: ck_bytes::empty(),
            token: ck_bytes::empty(),
            handle: ck_str::empty(),
            digits: ck_str::empty(),
            local_language: ck_str::empty(),
            remote_language: ck_str::empty(),
            timer: ck_timer {
                kind: 0,
                push: 0,
                call: ck_uuid { bytes: [0; 16] },
            },
            caller_name: ck_str::empty(),
            changes_video: 0,
            has_push: 0,
            must_report: CK_MUST_REPORT_UNKNOWN,
            has_received_at: 0,
            received_at_unix_ms: 0,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Effects
// ---------------------------------------------------------------------------------------

/// Which effect a `ck_effect` is; each constant names the fields it sets. Fields an
/// effect does not set are zero.
pub type ck_effect_kind = u32;
/// `CXProvider.reportNewIncomingCall(with: call, update:)` with the call update in
/// `ck_step_data`; hand its completion back as `CK_EVENT_INCOMING_CALL_REPORTED` with
/// `push`. Fields: `push`, `call`.
pub const CK_EFFECT_REPORT_NEW_INCOMING_CALL: ck_effect_kind = 1 as ck_effect_kind;
/// `CXProvider.reportCall(with: call, updated:)` with the call update in
/// `ck_step_data`. Fields: `call`.
pub const CK_EFFECT_REPORT_CALL_UPDATED: ck_effect_kind = 2 as ck_effect_kind;
/// `reportOutgoingCall(with: call, startedConnectingAt:)`. Fields: `call`, `at_ms`.
pub const CK_EFFECT_REPORT_OUTGOING_CALL_STARTED_CONNECTING: ck_effect_kind = 3 as ck_effect_kind;
/// `reportOutgoingCall(with: call, connectedAt:)`. Fields: `call`, `at_ms`.
pub const CK_EFFECT_REPORT_OUTGOING_CALL_CONNECTED: ck_effect_kind = 4 as ck_effect_kind;
/// `reportCall(with: call, endedAt:, reason:)`. Fields: `call`, `at_ms`,
/// `ended_reason`.
pub const CK_EFFECT_REPORT_CALL_ENDED: ck_effect_kind = 5 as ck_effect_kind;
/// `CXAction.fulfill()` for the action handed in. Fields: `action`.
pub const CK_EFFECT_FULFILL_ACTION: ck_effect_kind = 6 as ck_effect_kind;
/// `CXAction.fail()` for the action handed in. Fields: `action`.
pub const CK_EFFECT_FAIL_ACTION: ck_effect_kind = 7 as ck_effect_kind;
/// Call the PushKit completion handler kept for `push`. Fields: `push`.
pub const CK_EFFECT_COMPLETE_PUSH: ck_effect_kind = 8 as ck_effect_kind;
/// `CXCallController.request(CXTransaction(action:))`; hand the completion back as
/// `CK_EVENT_TRANSACTION_COMPLETED` with `transaction`. Fields: `transaction`,
/// `call_action`, `call`, and per action `video` (start; its handle is in
/// `ck_step_data`), `on_hold`, `muted`, `dtmf_type` (DTMF; digits in `ck_step_data`).
pub const CK_EFFECT_REQUEST_TRANSACTION: ck_effect_kind = 9 as ck_effect_kind;
/// Signalling: start connecting an incoming call now. Fields: `call`.
pub const CK_EFFECT_CONNECT_INCOMING: ck_effect_kind = 10 as ck_effect_kind;
/// Signalling: answer the incoming call. Fields: `call`.
pub const CK_EFFECT_ANSWER_INCOMING: ck_effect_kind = 11 as ck_effect_kind;
/// Signalling: reject an unanswered incoming call. Fields: `call`, `reject_reason`.
pub const CK_EFFECT_REJECT_INCOMING: ck_effect_kind = 12 as ck_effect_kind;
/// Signalling: hang up (release the call's leg). Fields: `call`.
pub const CK_EFFECT_HANG_UP: ck_effect_kind = 13 as ck_effect_kind;
/// Signalling: hold or resume. Fields: `call`, `on_hold`.
pub const CK_EFFECT_SET_HELD: ck_effect_kind = 14 as ck_effect_kind;
/// Mute or unmute the call's microphone stream. Fields: `call`, `muted`.
pub const CK_EFFECT_SET_MUTED: ck_effect_kind = 15 as ck_effect_kind;
/// Signalling: merge into `group_with`'s group, or split out when `has_group_with` is
/// false. Fields: `call`, `has_group_with`, `group_with`.
pub const CK_EFFECT_SET_GROUP: ck_effect_kind = 16 as ck_effect_kind;
/// Send the DTMF digits in `ck_step_data`. Fields: `call`, `dtmf_type`.
pub const CK_EFFECT_PLAY_DTMF: ck_effect_kind = 17 as ck_effect_kind;
/// Start translating the call: its languages are in `ck_call_info` (`ck_engine_calls`).
/// Keep the upstream audio flowing; a mute is `CK_EFFECT_SET_MUTED`. Fields: `call`.
pub const CK_EFFECT_START_TRANSLATION: ck_effect_kind = 30 as ck_effect_kind;
/// Stop translating the call. Fields: `call`.
pub const CK_EFFECT_STOP_TRANSLATION: ck_effect_kind = 31 as ck_effect_kind;
/// Signalling: start an outgoing call to the handle in `ck_step_data`. Fields: `call`,
/// `video`.
pub const CK_EFFECT_START_OUTGOING: ck_effect_kind = 18 as ck_effect_kind;
/// Register the hex push token in `ck_step_data` with the server. No fields.
pub const CK_EFFECT_REGISTER_PUSH_TOKEN: ck_effect_kind = 19 as ck_effect_kind;
/// Tell the server the push token is no longer valid. No fields.
pub const CK_EFFECT_UNREGISTER_PUSH_TOKEN: ck_effect_kind = 20 as ck_effect_kind;
/// Configure `AVAudioSession` (`.playAndRecord`, `.voiceChat`) without activating it.
/// No fields.
pub const CK_EFFECT_CONFIGURE_AUDIO_SESSION: ck_effect_kind = 21 as ck_effect_kind;
/// Start the call's media (the audio session is active). Fields: `call`.
pub const CK_EFFECT_START_MEDIA: ck_effect_kind = 22 as ck_effect_kind;
/// Stop the call's media. Fields: `call`.
pub const CK_EFFECT_STOP_MEDIA: ck_effect_kind = 23 as ck_effect_kind;
/// Arm `timer` to fire at `at_ms` (absolute, host clock). Fields: `timer`, `at_ms`.
pub const CK_EFFECT_START_TIMER: ck_effect_kind = 24 as ck_effect_kind;
/// Disarm `timer`; it must not be fired. Fields: `timer`.
pub const CK_EFFECT_CANCEL_TIMER: ck_effect_kind = 25 as ck_effect_kind;
/// Play the local ringback tone for an outgoing call whose remote side rings (the
/// audio session is active). Fields: `call`.
pub const CK_EFFECT_START_RINGBACK: ck_effect_kind = 26 as ck_effect_kind;
/// Stop the call's local ringback tone. Fields: `call`.
pub const CK_EFFECT_STOP_RINGBACK: ck_effect_kind = 27 as ck_effect_kind;
/// `provider(_:didActivate:)` did not come within `audio_activation_timeout_ms` of the
/// call's answer or start action being fulfilled; the call is left as it is (activate
/// `AVAudioSession` yourself, or end the call). Fields: `call`.
pub const CK_EFFECT_AUDIO_ACTIVATION_TIMED_OUT: ck_effect_kind = 28 as ck_effect_kind;
/// A stale push's call was missed (the caller's details in the step's call update):
/// post a missed-call notification.
pub const CK_EFFECT_MISSED_CALL: ck_effect_kind = 29 as ck_effect_kind;

/// The `CXCallAction` a `CK_EFFECT_REQUEST_TRANSACTION` asks for.
pub type ck_call_action_kind = u32;
/// `CXStartCallAction(call:handle:)`, `isVideo` = `video`; handle in `ck_step_data`.
pub const CK_CALL_ACTION_START_CALL: ck_call_action_kind = 1 as ck_call_action_kind;
/// `CXEndCallAction(call:)`.
pub const CK_CALL_ACTION_END_CALL: ck_call_action_kind = 2 as ck_call_action_kind;
/// `CXSetHeldCallAction(call:onHold:)`, `onHold` = `on_hold`.
pub const CK_CALL_ACTION_SET_HELD: ck_call_action_kind = 3 as ck_call_action_kind;
/// `CXSetMutedCallAction(call:muted:)`, `muted` = `muted`.
pub const CK_CALL_ACTION_SET_MUTED: ck_call_action_kind = 4 as ck_call_action_kind;
/// `CXPlayDTMFCallAction(call:digits:type:)`, type `dtmf_type`; digits in
/// `ck_step_data`.
pub const CK_CALL_ACTION_PLAY_DTMF: ck_call_action_kind = 5 as ck_call_action_kind;
/// `CXAnswerCallAction(call:)`.
pub const CK_CALL_ACTION_ANSWER_CALL: ck_call_action_kind = 6 as ck_call_action_kind;

/// One thing for the host to do. Carry the effects of a step out in order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_effect {
    /// `CK_EFFECT_*`.
    pub kind: ck_effect_kind,
    /// `CK_CALL_ACTION_*` (`CK_EFFECT_REQUEST_TRANSACTION`).
    pub call_action: ck_call_action_kind,
    /// The push (`CK_EFFECT_REPORT_NEW_INCOMING_CALL`, `CK_EFFECT_COMPLETE_PUSH`).
    pub push: u64,
    /// The request's id (`CK_EFFECT_REQUEST_TRANSACTION`).
    pub transaction: u64,
    /// When, on the host's monotonic clock in milliseconds: the report time of
    /// `CK_EFFECT_REPORT_OUTGOING_*` and `CK_EFFECT_REPORT_CALL_ENDED`, the deadline of
    /// `CK_EFFECT_START_TIMER`.
    pub at_ms: u64,
    /// The call the effect is about.
    pub call: ck_uuid,
    /// The action to fulfil or fail.
    pub action: ck_uuid,
    /// The call to group with (`CK_EFFECT_SET_GROUP` with `has_group_with`).
    pub group_with: ck_uuid,
    /// The timer (`CK_EFFECT_START_TIMER`, `CK_EFFECT_CANCEL_TIMER`).
    pub timer: ck_timer,
    /// `CXCallEndedReason` (`CK_EFFECT_REPORT_CALL_ENDED`).
    pub ended_reason: ck_call_ended_reason,
    /// `ck_reject_reason` (`CK_EFFECT_REJECT_INCOMING`).
    pub reject_reason: ck_reject_reason,
    /// `ck_dtmf_type` (`CK_EFFECT_PLAY_DTMF`, DTMF transactions).
    pub dtmf_type: ck_dtmf_type,
    /// `CK_EFFECT_SET_GROUP`: merge (true) or split out (false).
    pub has_group_with: bool,
    /// Video call (`CK_EFFECT_START_OUTGOING`, start-call transactions).
    pub video: bool,
    /// Hold (true) or resume (`CK_EFFECT_SET_HELD`, held transactions).
    pub on_hold: bool,
    /// Mute (true) or unmute (`CK_EFFECT_SET_MUTED`, muted transactions).
    pub muted: bool,
    /// `CK_EFFECT_REPORT_NEW_INCOMING_CALL`: the report is for the push `push` (true),
    /// or for a call announced without a push (false). Copy it into the completion's
    /// `ck_event.has_push`.
    pub has_push: bool,
}

/// A `CXHandle`: type and value (UTF-8, not NUL-terminated, `value_len` bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ck_handle {
    /// `ck_handle_type`, 1-3.
    pub handle_type: ck_handle_type,
    /// Bytes used in `value`.
    pub value_len: u32,
    /// The value, UTF-8.
    pub value: [u8; CK_MAX_HANDLE_LEN],
}

/// A `CXCallUpdate`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ck_call_update {
    /// `remoteHandle` is set (false: CallKit shows "Unknown").
    pub has_remote_handle: bool,
    /// `remoteHandle`.
    pub remote_handle: ck_handle,
    /// `localizedCallerName` is set.
    pub has_caller_name: bool,
    /// Bytes used in `caller_name`.
    pub caller_name_len: u32,
    /// `localizedCallerName`, UTF-8 (may contain NUL), cut at a character boundary.
    pub caller_name: [u8; CK_MAX_CALLER_NAME_LEN],
    /// `hasVideo`.
    pub has_video: bool,
    /// `supportsHolding`.
    pub supports_holding: bool,
    /// `supportsGrouping`.
    pub supports_grouping: bool,
    /// `supportsUngrouping`.
    pub supports_ungrouping: bool,
    /// `supportsDTMF`.
    pub supports_dtmf: bool,
}

/// Which part of a `ck_step_data` holds this step's data.
pub type ck_step_data_kind = u32;
/// The step carries no variable-size data.
pub const CK_STEP_DATA_NONE: ck_step_data_kind = 0 as ck_step_data_kind;
/// `call_update`, for `CK_EFFECT_REPORT_NEW_INCOMING_CALL` / `CK_EFFECT_REPORT_CALL_UPDATED`.
pub const CK_STEP_DATA_CALL_UPDATE: ck_step_data_kind = 1 as ck_step_data_kind;
/// `handle`, for `CK_EFFECT_START_OUTGOING` / a `CK_CALL_ACTION_START_CALL` request.
pub const CK_STEP_DATA_HANDLE: ck_step_data_kind = 2 as ck_step_data_kind;
/// `dtmf_digits`, for `CK_EFFECT_PLAY_DTMF` / a `CK_CALL_ACTION_PLAY_DTMF` request.
pub const CK_STEP_DATA_DTMF_DIGITS: ck_step_data_kind = 3 as ck_step_data_kind;
/// `push_token_hex`, for `CK_EFFECT_REGISTER_PUSH_TOKEN`.
pub const CK_STEP_DATA_PUSH_TOKEN_HEX: ck_step_data_kind = 4 as ck_step_data_kind;

/// Why a step's `CK_EFFECT_REPORT_NEW_INCOMING_CALL` reports a call the engine ends as
/// soon as CallKit has it (`callkit_engine::PushEndReason`).
pub type ck_push_end_reason = u8;
/// The payload could not be read: `payload_error` says why, `payload_field` where.
pub const CK_PUSH_END_REASON_UNREADABLE: ck_push_end_reason = 1 as ck_push_end_reason;
/// A push without a call id where one is needed: a cancel, or any push under a schema
/// that requires the id.
pub const CK_PUSH_END_REASON_MISSING_CALL_ID: ck_push_end_reason = 2 as ck_push_end_reason;
/// A cancel push for a call that is not ringing here.
pub const CK_PUSH_END_REASON_CANCELLED_UNKNOWN_CALL: ck_push_end_reason = 3 as ck_push_end_reason;
/// A push for a call that ended moments ago.
pub const CK_PUSH_END_REASON_CALL_ENDED: ck_push_end_reason = 4 as ck_push_end_reason;
/// Every call slot is taken (the caller is rejected as busy).
pub const CK_PUSH_END_REASON_CALL_CAPACITY: ck_push_end_reason = 5 as ck_push_end_reason;
/// The push names the app's own outgoing call.
pub const CK_PUSH_END_REASON_OUTGOING_CALL_ID: ck_push_end_reason = 6 as ck_push_end_reason;
/// The push is older than the maximum push age: a missed call (`CK_EFFECT_MISSED_CALL`).
pub const CK_PUSH_END_REASON_STALE: ck_push_end_reason = 7 as ck_push_end_reason;

/// Why a payload could not be read (`callkit_engine::PayloadError`).
pub type ck_payload_error = u8;
/// Longer than `CK_MAX_PAYLOAD_LEN`.
pub const CK_PAYLOAD_ERROR_TOO_LARGE: ck_payload_error = 1 as ck_payload_error;
/// Nested deeper than the limit.
pub const CK_PAYLOAD_ERROR_TOO_DEEP: ck_payload_error = 2 as ck_payload_error;
/// Not one well-formed JSON object.
pub const CK_PAYLOAD_ERROR_SYNTAX: ck_payload_error = 3 as ck_payload_error;
/// A schema key holds another JSON type than the schema expects.
pub const CK_PAYLOAD_ERROR_WRONG_TYPE: ck_payload_error = 4 as ck_payload_error;
/// A schema key appears twice in one object.
pub const CK_PAYLOAD_ERROR_DUPLICATE_KEY: ck_payload_error = 5 as ck_payload_error;
/// The call id is not a valid id for the schema.
pub const CK_PAYLOAD_ERROR_INVALID_CALL_ID: ck_payload_error = 6 as ck_payload_error;
/// The handle is longer than `CK_MAX_HANDLE_LEN`.
pub const CK_PAYLOAD_ERROR_HANDLE_TOO_LONG: ck_payload_error = 7 as ck_payload_error;
/// A string the schema reads holds an invalid escape.
pub const CK_PAYLOAD_ERROR_INVALID_ESCAPE: ck_payload_error = 8 as ck_payload_error;
/// The schema's root path is not in the payload.
pub const CK_PAYLOAD_ERROR_MISSING_ROOT: ck_payload_error = 9 as ck_payload_error;

/// A schema field (`callkit_engine::PayloadField`): where a payload error was found.
pub type ck_payload_field = u8;
/// Outside any schema field (size, syntax between fields, a skipped value).
pub const CK_PAYLOAD_FIELD_NONE: ck_payload_field = 0 as ck_payload_field;
/// A segment of the root path.
pub const CK_PAYLOAD_FIELD_ROOT: ck_payload_field = 1 as ck_payload_field;
/// The call id key.
pub const CK_PAYLOAD_FIELD_CALL_ID: ck_payload_field = 2 as ck_payload_field;
/// The handle key.
pub const CK_PAYLOAD_FIELD_HANDLE: ck_payload_field = 3 as ck_payload_field;
/// The caller name key.
pub const CK_PAYLOAD_FIELD_CALLER_NAME: ck_payload_field = 4 as ck_payload_field;
/// The video flag key.
pub const CK_PAYLOAD_FIELD_VIDEO: ck_payload_field = 5 as ck_payload_field;
/// The media type key.
pub const CK_PAYLOAD_FIELD_MEDIA_TYPE: ck_payload_field = 6 as ck_payload_field;
/// The ring time-out key.
pub const CK_PAYLOAD_FIELD_RING_TIMEOUT: ck_payload_field = 7 as ck_payload_field;
/// The message type key.
pub const CK_PAYLOAD_FIELD_MESSAGE_TYPE: ck_payload_field = 8 as ck_payload_field;
/// The sent-time key.
pub const CK_PAYLOAD_FIELD_SENT_AT: ck_payload_field = 9 as ck_payload_field;

/// The one piece of variable-size data a step's effects refer to, copied out of the
/// engine (nothing in it points into library memory). Only the part `kind` names is
/// meaningful; the rest is zero.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ck_step_data {
    /// `CK_STEP_DATA_*`.
    pub kind: ck_step_data_kind,
    /// The `CXCallUpdate` (`CK_STEP_DATA_CALL_UPDATE`).
    pub call_update: ck_call_update,
    /// The handle (`CK_STEP_DATA_HANDLE`).
    pub handle: ck_handle,
    /// Bytes used in `dtmf_digits`.
    pub dtmf_digits_len: u32,
    /// The DTMF digits, ASCII (`CK_STEP_DATA_DTMF_DIGITS`).
    pub dtmf_digits: [u8; CK_MAX_DTMF_DIGITS],
    /// Bytes used in `push_token_hex`.
    pub push_token_hex_len: u32,
    /// The push token as lower-case hex, ASCII (`CK_STEP_DATA_PUSH_TOKEN_HEX`).
    pub push_token_hex: [u8; CK_MAX_PUSH_TOKEN_HEX_LEN],
    /// Set beside any `kind`: this step's report is of a push the engine ends once
    /// CallKit accepted the report, for `push_end_reason`. Log it; the
    /// `CK_EFFECT_REPORT_CALL_ENDED` follows with the report's completion. No payload
    /// bytes are in it.
    pub has_push_end_reason: bool,
    /// `CK_PUSH_END_REASON_*`, when `has_push_end_reason`.
    pub push_end_reason: ck_push_end_reason,
    /// `CK_PAYLOAD_ERROR_*`, for `CK_PUSH_END_REASON_UNREADABLE` (else 0).
    pub payload_error: ck_payload_error,
    /// `CK_PAYLOAD_FIELD_*`, for `CK_PUSH_END_REASON_UNREADABLE`: the schema field read
    /// when the error was found.
    pub payload_field: ck_payload_field,
}

impl ck_handle {
    /// All zero.
    pub const fn zero() -> ck_handle {
        ck_handle {
            handle_type: 0,
            value_len: 0,
            value: [0; CK_MAX_HANDLE_LEN],
        }
    }
}

impl ck_call_update {
    /// All zero.
    pub const fn zero() -> ck_call_update {
        ck_call_update {
            has_remote_handle: false,
            remote_handle: ck_handle::zero(),
            has_caller_name: false,
            caller_name_len: 0,
            caller_name: [0; CK_MAX_CALLER_NAME_LEN],
            has_video: false,
            supports_holding: false,
            supports_grouping: false,
            supports_ungrouping: false,
            supports_dtmf: false,
        }
    }
}

impl ck_step_data {
    /// All zero (`CK_STEP_DATA_NONE`).
    pub const fn zero() -> ck_step_data {
        ck_step_data {
            kind: CK_STEP_DATA_NONE,
            call_update: ck_call_update::zero(),
            handle: ck_handle::zero(),
            dtmf_digits_len: 0,
            dtmf_digits: [0; CK_MAX_DTMF_DIGITS],
            push_token_hex_len: 0,
            push_token_hex: [0; CK_MAX_PUSH_TOKEN_HEX_LEN],
            has_push_end_reason: false,
            push_end_reason: 0,
            payload_error: 0,
            payload_field: CK_PAYLOAD_FIELD_NONE,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

/// How a payload's call id becomes the call's UUID.
pub type ck_call_id_kind = u8;
/// The value is a UUID string, used as is.
pub const CK_CALL_ID_UUID: ck_call_id_kind = 1 as ck_call_id_kind;
/// The value is an opaque server id; the UUID is v5(`opaque_namespace`, id).
pub const CK_CALL_ID_OPAQUE: ck_call_id_kind = 2 as ck_call_id_kind;

/// A payload schema preset (`ck_schema_preset`).
pub type ck_schema_preset_kind = u32;
/// Apple's docs: `callUUID`, `handle`.
pub const CK_SCHEMA_APPLE_DOCS: ck_schema_preset_kind = 1 as ck_schema_preset_kind;
/// Apple's Speakerbox sample: `UUID`, `handle`, `hasVideo`.
pub const CK_SCHEMA_SPEAKERBOX: ck_schema_preset_kind = 2 as ck_schema_preset_kind;
/// react-native-voip-push-notification: `uuid`, `handle`, `callerName`, `hasVideo`
/// (the default).
pub const CK_SCHEMA_REACT_NATIVE_VOIP_PUSH: ck_schema_preset_kind = 3 as ck_schema_preset_kind;
/// flutter_callkit_incoming: `id`, `nameCaller`, `handle`, `isVideo`, `type`,
/// `duration`.
pub const CK_SCHEMA_FLUTTER_CALLKIT_INCOMING: ck_schema_preset_kind = 4 as ck_schema_preset_kind;
/// Twilio Programmable Voice: `twi_call_sid` (opaque), `twi_from`, cancel pushes.
pub const CK_SCHEMA_TWILIO: ck_schema_preset_kind = 5 as ck_schema_preset_kind;
/// Telegram-style relay: `call_id` (opaque), `phoneNumber`.
pub const CK_SCHEMA_TELEGRAM: ck_schema_preset_kind = 6 as ck_schema_preset_kind;
/// Linphone / Flexisip: `call-id` (opaque), `from-uri`, `display-name`.
pub const CK_SCHEMA_LINPHONE_FLEXISIP: ck_schema_preset_kind = 7 as ck_schema_preset_kind;
/// The react-native layout nested under `data`.
pub const CK_SCHEMA_NESTED_DATA: ck_schema_preset_kind = 8 as ck_schema_preset_kind;

/// A schema key or root path: `len` (0 to `CK_MAX_KEY_LEN`) bytes of UTF-8 in `bytes`.
/// Set one with `ck_key_set`. For the optional keys of `ck_schema`, length 0 means "no
/// such key".
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_key {
    /// Bytes used.
    pub len: u8,
    /// The key, UTF-8.
    pub bytes: [u8; CK_MAX_KEY_LEN],
}

/// Where the call fields sit in a VoIP push payload (`callkit_engine::PayloadSchema`).
/// Start from `ck_schema_preset`, then change keys with `ck_key_set`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_schema {
    /// Dotted path to the object holding the call fields (empty: the top level; at
    /// most 4 segments, none empty).
    pub root: ck_key,
    /// Key of the call id.
    pub id_key: ck_key,
    /// `CK_CALL_ID_*`: how the id becomes the call's UUID.
    pub id_kind: ck_call_id_kind,
    /// `ck_handle_type` of the handle, or 0 to infer it from the value.
    pub handle_type: ck_handle_type,
    /// Namespace for `CK_CALL_ID_OPAQUE` ids.
    pub opaque_namespace: ck_uuid,
    /// Key of the remote handle.
    pub handle_key: ck_key,
    /// Key of the caller name (optional).
    pub caller_name_key: ck_key,
    /// Key of a boolean video flag (optional).
    pub video_key: ck_key,
    /// Key of an integer media type, 0 audio / 1 video (optional).
    pub media_type_key: ck_key,
    /// Key of an integer ring time-out in milliseconds (optional).
    pub ring_timeout_key: ck_key,
    /// Key of the message type (optional).
    pub message_type_key: ck_key,
    /// Message type value that marks a cancel push (optional).
    pub cancel_message_type: ck_key,
    /// Flag, 0 or 1: every push must carry its call id.
    pub require_call_id: u8,
    /// `CK_SENT_AT_*`: the unit of `sent_at_key`'s value.
    pub sent_at_unit: ck_sent_at_unit,
    /// Key of an integer sent time since the Unix epoch (optional; none turns the
    /// maximum push age off).
    pub sent_at_key: ck_key,
}

/// The unit of a payload's sent time (`callkit_engine::SentAtUnit`).
pub type ck_sent_at_unit = u8;
/// Seconds since the Unix epoch.
pub const CK_SENT_AT_SECONDS: ck_sent_at_unit = 1 as ck_sent_at_unit;
/// Milliseconds since the Unix epoch.
pub const CK_SENT_AT_MILLISECONDS: ck_sent_at_unit = 2 as ck_sent_at_unit;

/// Everything an engine is configured with (`callkit_engine::Config`). Fill it with
/// `ck_config_default`, change what you need, pass it to `ck_engine_init`. Flags are
/// 0 or 1.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_config {
    /// `CXProviderConfiguration.maximumCallGroups` (default 2).
    pub maximum_call_groups: u8,
    /// `CXProviderConfiguration.maximumCallsPerCallGroup` (default 5).
    pub maximum_calls_per_call_group: u8,
    /// Flag: `CXProviderConfiguration.supportsVideo` (default 0).
    pub supports_video: u8,
    /// `CXProviderConfiguration.supportedHandleTypes`, `CK_HANDLE_TYPES_*` bits
    /// (default all three).
    pub supported_handle_types: ck_handle_types,
    /// Flag: `CXProviderConfiguration.includesCallsInRecents` (default 1).
    pub includes_calls_in_recents: u8,
    /// Flag: `CXProviderConfiguration.supportsAudioTranslation` (iOS 26; default 0).
    pub supports_audio_translation: u8,
    /// Flag: `CXCallUpdate.supportsHolding` for every call (default 1).
    pub supports_holding: u8,
    /// Flag: `CXCallUpdate.supportsGrouping` (default 0).
    pub supports_grouping: u8,
    /// Flag: `CXCallUpdate.supportsUngrouping` (default 0).
    pub supports_ungrouping: u8,
    /// Flag: `CXCallUpdate.supportsDTMF` (default 1).
    pub supports_dtmf: u8,
    /// Ring time-out in milliseconds (default 30000).
    pub ring_timeout_ms: u64,
    /// How long an answered call waits for its connection, in milliseconds (default
    /// 10000).
    pub answer_connect_timeout_ms: u64,
    /// How long a performed start action waits for signalling to report connecting
    /// before it is failed and the call ended failed, in milliseconds (default 10000).
    pub start_connect_timeout_ms: u64,
    /// How long a connecting outgoing call waits for the far end to answer before it is
    /// hung up and ended unanswered, in milliseconds (default 60000).
    pub no_answer_timeout_ms: u64,
    /// How long after its arrival a push is completed at the latest, in milliseconds
    /// (default 5000).
    pub push_completion_timeout_ms: u64,
    /// The payload schema (default `CK_SCHEMA_REACT_NATIVE_VOIP_PUSH`).
    pub schema: ck_schema,
    /// How long after an answer or start action is fulfilled, with the audio session
    /// inactive, the engine waits for `didActivate` before
    /// `CK_EFFECT_AUDIO_ACTIVATION_TIMED_OUT`, in milliseconds (default 5000).
    pub audio_activation_timeout_ms: u64,
    /// The oldest a push may be, from the payload's sent time to `received_at_unix_ms`,
    /// and still ring, in milliseconds (default 30000).
    pub max_push_age_ms: u64,
}

// ---------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------

/// A snapshot of an engine (`ck_engine_status`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ck_status {
    /// The time of the last accepted event, in milliseconds.
    pub now_ms: u64,
    /// The earliest timer deadline, when `has_deadline`: a host that prefers one
    /// wake-up sleeps until then and fires what `ck_engine_timers` lists as due.
    pub next_deadline_ms: u64,
    /// Live calls.
    pub calls: u32,
    /// Pushes whose PushKit completion is still owed.
    pub pending_pushes: u32,
    /// `CXCallController` requests awaiting their completion.
    pub pending_transactions: u32,
    /// A timer is armed (`next_deadline_ms` is meaningful).
    pub has_deadline: bool,
    /// No calls, pushes or transactions, so no timers.
    pub idle: bool,
    /// Between `didActivate` and `didDeactivate`.
    pub audio_session_active: bool,
}

/// Which way a call goes.
pub type ck_direction = u8;
/// Reported with `reportNewIncomingCall`.
pub const CK_DIRECTION_INCOMING: ck_direction = 1 as ck_direction;
/// Started with a `CXStartCallAction`.
pub const CK_DIRECTION_OUTGOING: ck_direction = 2 as ck_direction;

/// Where a live call stands.
pub type ck_call_phase = u8;
/// Incoming, not answered.
pub const CK_CALL_PHASE_RINGING: ck_call_phase = 1 as ck_call_phase;
/// Incoming, answer deferred until the connection is ready.
pub const CK_CALL_PHASE_ANSWERING: ck_call_phase = 2 as ck_call_phase;
/// Incoming, answered.
pub const CK_CALL_PHASE_ANSWERED: ck_call_phase = 3 as ck_call_phase;
/// Outgoing, start action requested.
pub const CK_CALL_PHASE_REQUESTED: ck_call_phase = 4 as ck_call_phase;
/// Outgoing, start action being performed.
pub const CK_CALL_PHASE_STARTING: ck_call_phase = 5 as ck_call_phase;
/// Outgoing, connecting.
pub const CK_CALL_PHASE_CONNECTING: ck_call_phase = 6 as ck_call_phase;
/// Outgoing, connected.
pub const CK_CALL_PHASE_CONNECTED: ck_call_phase = 7 as ck_call_phase;

/// One live call (`ck_engine_calls`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ck_call_info {
    /// The call's UUID.
    pub call: ck_uuid,
    /// Its group label (its own UUID until grouped).
    pub group: ck_uuid,
    /// The deferred `CXAction`, when `has_deferred_action`.
    pub deferred_action: ck_uuid,
    /// `CK_DIRECTION_*`.
    pub direction: ck_direction,
    /// `CK_CALL_PHASE_*`.
    pub phase: ck_call_phase,
    /// An answer or start action is deferred.
    pub has_deferred_action: bool,
    /// Its `reportNewIncomingCall` has not completed.
    pub report_pending: bool,
    /// An end is kept until CallKit knows the call.
    pub end_pending: bool,
    /// Its signalling connection is ready.
    pub connection_ready: bool,
    /// Its media runs.
    pub media_running: bool,
    /// On hold.
    pub on_hold: bool,
    /// Muted.
    pub muted: bool,
    /// Translated (`CK_EFFECT_START_TRANSLATION` and no stop since); the languages
    /// follow.
    pub translating: bool,
    /// Bytes used in `local_language` (0 when not translating).
    pub local_language_len: u8,
    /// `localLanguage`, BCP 47, not NUL-terminated.
    pub local_language: [u8; CK_MAX_LANGUAGE_TAG_LEN],
    /// Bytes used in `remote_language` (0 when not translating).
    pub remote_language_len: u8,
    /// `remoteLanguage`, BCP 47, not NUL-terminated.
    pub remote_language: [u8; CK_MAX_LANGUAGE_TAG_LEN],
    /// A video call.
    pub has_video: bool,
    /// Its local ringback tone plays (`CK_EFFECT_START_RINGBACK` and no stop since).
    pub ringback_playing: bool,
    /// Outgoing, connecting, and its remote side rings (`CK_EVENT_OUTGOING_CALL_RINGING`).
    pub remote_ringing: bool,
}

impl Default for ck_call_info {
    fn default() -> Self {
        ck_call_info {
            call: ck_uuid::default(),
            group: ck_uuid::default(),
            deferred_action: ck_uuid::default(),
            direction: 0,
            phase: 0,
            has_deferred_action: false,
            report_pending: false,
            end_pending: false,
            connection_ready: false,
            media_running: false,
            on_hold: false,
            muted: false,
            translating: false,
            local_language_len: 0,
            local_language: [0; CK_MAX_LANGUAGE_TAG_LEN],
            remote_language_len: 0,
            remote_language: [0; CK_MAX_LANGUAGE_TAG_LEN],
            has_video: false,
            ringback_playing: false,
            remote_ringing: false,
        }
    }
}
