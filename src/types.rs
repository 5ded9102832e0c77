//! Identifiers, time, and the CallKit value types shared by events and effects.
//!
//! Every enumeration that mirrors an Apple type carries Apple's raw values (`raw()`, and
//! `from_raw()` where the host hands one in), taken from CallKit's headers as summarised
//! in `docs/callkit-facts.md`.

use crate::limits::{MAX_CALLER_NAME_LEN, MAX_HANDLE_LEN};
use core::fmt;

use uuid::Uuid;

/// A point on the host's monotonic clock, in milliseconds.
///
/// The engine never reads a clock: the host passes `now` on every call. The clock must
/// keep counting while the device sleeps (on iOS `mach_continuous_time`, which "increments
/// monotonically ... including while the system is asleep", or its documented equivalent
/// `clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW)`; not `mach_absolute_time` /
/// `CLOCK_UPTIME_RAW`, which stop: Apple, "mach_continuous_time"; the Swift package's
/// `Instant.now()` reads it), because ring
/// and push deadlines are wall-clock promises to the user and to PushKit. Time must not
/// go backwards between calls; if it does, the event is refused with
/// [`Error::TimeWentBackwards`](crate::Error::TimeWentBackwards).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Instant(u64);

impl Instant {
    /// The instant `millis` milliseconds after the clock's origin.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis)
    }

    /// Milliseconds since the clock's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + delay_ms`, saturating at the end of time instead of overflowing.
    pub const fn saturating_add_ms(self, delay_ms: u64) -> Self {
        Instant(self.0.saturating_add(delay_ms))
    }
}

/// A call's identity: the `UUID` CallKit knows the call by (`CXCall.uuid`).
///
/// Incoming calls take it from the push payload (a UUID, or a v5 UUID derived from an
/// opaque server call id), or from the host's fallback UUID when the payload carries
/// none. Outgoing calls take the UUID the app chose for its `CXStartCallAction`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallId(pub Uuid);

impl CallId {
    /// Wraps 16 raw bytes (as `NSUUID.getBytes` gives them).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        CallId(Uuid::from_bytes(bytes))
    }

    /// The 16 raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl From<Uuid> for CallId {
    fn from(uuid: Uuid) -> Self {
        CallId(uuid)
    }
}

impl fmt::Debug for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for CallId {
    fn format(&self, f: defmt::Formatter) {
        // Call UUIDs are random or hashed ids, not personal data: shown in full.
        defmt::write!(f, "{=[u8]:02x}", self.0.as_bytes()[..])
    }
}

/// A `CXAction`'s identity (`CXAction.uuid`), chosen by the system and passed through
/// by the host. Every action the host hands in is fulfilled or failed exactly once by an
/// [`Effect`](crate::Effect), unless CallKit timed it out first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId(pub Uuid);

impl ActionId {
    /// Wraps 16 raw bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        ActionId(Uuid::from_bytes(bytes))
    }
}

impl fmt::Debug for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "action:{}", self.0.hyphenated())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ActionId {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "action:{=[u8]:02x}", self.0.as_bytes()[..])
    }
}

/// A VoIP push's identity, chosen by the host when PushKit delivers it
/// (`pushRegistry(_:didReceiveIncomingPushWith:for:completion:)`); any value unique
/// among the pushes still pending will do, a counter is simplest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PushId(pub u64);

/// A `CXCallController.request(_:completion:)` the engine asked for, numbered by the
/// engine so the host can report its completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TransactionId(pub u64);

/// `CXHandle.HandleType`, with Apple's raw values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum HandleType {
    /// `CXHandle.HandleType.generic` (1): SIP URIs, user names, anything else.
    Generic = 1,
    /// `CXHandle.HandleType.phoneNumber` (2).
    PhoneNumber = 2,
    /// `CXHandle.HandleType.emailAddress` (3).
    EmailAddress = 3,
}

impl HandleType {
    /// Apple's raw value.
    pub const fn raw(self) -> u8 {
        self as u8
    }

    /// The type for an Apple raw value, `None` for anything but 1, 2, 3.
    pub const fn from_raw(raw: u8) -> Option<Self> {
        match raw {
            1 => Some(HandleType::Generic),
            2 => Some(HandleType::PhoneNumber),
            3 => Some(HandleType::EmailAddress),
            _ => None,
        }
    }

    /// Guesses the type of a handle from its text: a value with a `:` (a URI such as
    /// `sip:carol@example.org` or `client:alice`) is generic; one made only of digits,
    /// spaces and `+-().`, with a digit, is a phone number; one with exactly one `@` is
    /// an e-mail address; anything else is generic.
    pub fn infer(value: &str) -> Self {
        // One pass: a colon (any URI scheme, `sip:` included) makes it generic; only
        // digits and `+ -().` with at least one digit make a phone number; otherwise
        // exactly one `@` makes an e-mail address.
        let (mut colon, mut digits, mut phone_only, mut ats) = (false, false, true, 0usize);
        for b in value.bytes() {
            match b {
                b':' => colon = true,
                b'0'..=b'9' => digits = true,
                b'+' | b' ' | b'-' | b'(' | b')' | b'.' => {}
                b'@' => {
                    ats = ats.saturating_add(1);
                    phone_only = false;
                }
                _ => phone_only = false,
            }
        }
        if colon {
            HandleType::Generic
        } else if phone_only && digits {
            HandleType::PhoneNumber
        } else if ats == 1 {
            HandleType::EmailAddress
        } else {
            HandleType::Generic
        }
    }
}

/// A set of [`HandleType`]s (`CXProviderConfiguration.supportedHandleTypes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HandleTypes(u8);

impl HandleTypes {
    /// No handle type.
    pub const NONE: HandleTypes = HandleTypes(0);
    /// All three handle types.
    pub const ALL: HandleTypes = HandleTypes(0b1110);

    /// The set holding exactly `ty`.
    pub const fn only(ty: HandleType) -> Self {
        HandleTypes(1 << ty as u8)
    }

    /// This set plus `ty`.
    pub const fn with(self, ty: HandleType) -> Self {
        HandleTypes(self.0 | (1 << ty as u8))
    }

    /// Whether `ty` is in the set.
    pub const fn contains(self, ty: HandleType) -> bool {
        self.0 & (1 << ty as u8) != 0
    }

    /// The set as bits: bit `n` stands for the handle type with raw value `n`
    /// (bit 1 generic, bit 2 phone number, bit 3 e-mail address).
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The set from [`HandleTypes::bits`]; bits that name no handle type are dropped.
    pub const fn from_bits(bits: u8) -> Self {
        HandleTypes(bits & HandleTypes::ALL.0)
    }
}

/// A `CXHandle`: the remote party's handle value and its type.
///
/// `value` holds at most [`MAX_HANDLE_LEN`] bytes. Handles are personal data: the
/// `defmt` form shows only the type and length.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Handle {
    /// `CXHandle.type`.
    pub kind: HandleType,
    /// `CXHandle.value`.
    pub value: heapless::String<MAX_HANDLE_LEN>,
}

impl Handle {
    /// A handle from its text, `None` when `value` is longer than [`MAX_HANDLE_LEN`].
    pub fn new(kind: HandleType, value: &str) -> Option<Self> {
        let mut s = heapless::String::new();
        s.push_str(value).ok()?;
        Some(Handle { kind, value: s })
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}({:?})", self.kind, self.value.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Handle {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "Handle({}, <{=usize} bytes>)",
            self.kind,
            self.value.len()
        )
    }
}

/// A caller name (`CXCallUpdate.localizedCallerName`), at most [`MAX_CALLER_NAME_LEN`]
/// bytes, cut at a character boundary. Personal data: the `defmt` form shows only the
/// length.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct CallerName(pub heapless::String<MAX_CALLER_NAME_LEN>);

impl CallerName {
    /// The name from `text`, cut at the last character boundary that fits.
    pub fn truncating(text: &str) -> Self {
        let mut s = heapless::String::new();
        for ch in text.chars() {
            if s.push(ch).is_err() {
                break;
            }
        }
        CallerName(s)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for CallerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for CallerName {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "CallerName(<{=usize} bytes>)", self.0.len())
    }
}

/// An Apple error code that this version of the engine has no name for (a code Apple
/// added after it, or one a host made up), kept as its raw value so that nothing is
/// lost on the way to a log or a crash report.
///
/// Only [`IncomingCallError::from_raw`] and [`RequestTransactionError::from_raw`] make
/// one, and only for a code they do not name: so each raw value has exactly one reading
/// and `from_raw(e.raw()) == e` for every error `e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnrecognizedCode(i64);

impl UnrecognizedCode {
    /// The raw value (`NSError.code`).
    pub const fn raw(self) -> i64 {
        self.0
    }
}

/// `CXErrorCodeIncomingCallError`: why `reportNewIncomingCall` failed, with Apple's raw
/// values (CallKit `CXError.h`; the `NSError.code`, an `NSInteger`).
///
/// Non-exhaustive: Apple adds codes (5-7 came with iOS 17.4 and 18), and a later
/// version of this crate may name one that reads as `Unrecognized` today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IncomingCallError {
    /// `unknown` (0).
    Unknown,
    /// `unentitled` (1): the app lacks the VoIP entitlement or CallKit is unavailable
    /// (for example in China).
    Unentitled,
    /// `callUUIDAlreadyExists` (2): CallKit already knows a call with this UUID. For a
    /// duplicate push reported under a live call's UUID this is the expected answer and
    /// counts as success (Apple DTS, forums thread 768136).
    CallUuidAlreadyExists,
    /// `filteredByDoNotDisturb` (3).
    FilteredByDoNotDisturb,
    /// `filteredByBlockList` (4).
    FilteredByBlockList,
    /// `filteredDuringRestrictedSharingMode` (5).
    FilteredDuringRestrictedSharingMode,
    /// `callIsProtected` (6).
    CallIsProtected,
    /// `filteredBySensitiveParticipants` (7).
    FilteredBySensitiveParticipants,
    /// Any other code (one Apple may add later), kept as its raw value. The engine
    /// treats it as it treats `unknown`.
    Unrecognized(UnrecognizedCode),
}

impl IncomingCallError {
    /// Apple's raw value; an [`Unrecognized`](Self::Unrecognized) code's own.
    pub const fn raw(self) -> i64 {
        match self {
            IncomingCallError::Unknown => 0,
            IncomingCallError::Unentitled => 1,
            IncomingCallError::CallUuidAlreadyExists => 2,
            IncomingCallError::FilteredByDoNotDisturb => 3,
            IncomingCallError::FilteredByBlockList => 4,
            IncomingCallError::FilteredDuringRestrictedSharingMode => 5,
            IncomingCallError::CallIsProtected => 6,
            IncomingCallError::FilteredBySensitiveParticipants => 7,
            IncomingCallError::Unrecognized(code) => code.raw(),
        }
    }

    /// The error for an Apple raw value: 0-7 by name, any other value
    /// [`Unrecognized`](Self::Unrecognized) with the value kept, so
    /// `from_raw(n).raw() == n` for every `n`.
    pub const fn from_raw(raw: i64) -> Self {
        match raw {
            0 => IncomingCallError::Unknown,
            1 => IncomingCallError::Unentitled,
            2 => IncomingCallError::CallUuidAlreadyExists,
            3 => IncomingCallError::FilteredByDoNotDisturb,
            4 => IncomingCallError::FilteredByBlockList,
            5 => IncomingCallError::FilteredDuringRestrictedSharingMode,
            6 => IncomingCallError::CallIsProtected,
            7 => IncomingCallError::FilteredBySensitiveParticipants,
            _ => IncomingCallError::Unrecognized(UnrecognizedCode(raw)),
        }
    }
}

/// `CXErrorCodeRequestTransactionError`: why a `CXCallController` request failed, with
/// Apple's raw values (CallKit `CXError.h`; the `NSError.code`, an `NSInteger`).
///
/// Non-exhaustive, as [`IncomingCallError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestTransactionError {
    /// `unknown` (0).
    Unknown,
    /// `unentitled` (1).
    Unentitled,
    /// `unknownCallProvider` (2).
    UnknownCallProvider,
    /// `emptyTransaction` (3).
    EmptyTransaction,
    /// `unknownCallUUID` (4).
    UnknownCallUuid,
    /// `callUUIDAlreadyExists` (5).
    CallUuidAlreadyExists,
    /// `invalidAction` (6).
    InvalidAction,
    /// `maximumCallGroupsReached` (7).
    MaximumCallGroupsReached,
    /// `callIsProtected` (8).
    CallIsProtected,
    /// Any other code (one Apple may add later), kept as its raw value. The engine
    /// treats it as it treats `unknown`.
    Unrecognized(UnrecognizedCode),
}

impl RequestTransactionError {
    /// Apple's raw value; an [`Unrecognized`](Self::Unrecognized) code's own.
    pub const fn raw(self) -> i64 {
        match self {
            RequestTransactionError::Unknown => 0,
            RequestTransactionError::Unentitled => 1,
            RequestTransactionError::UnknownCallProvider => 2,
            RequestTransactionError::EmptyTransaction => 3,
            RequestTransactionError::UnknownCallUuid => 4,
            RequestTransactionError::CallUuidAlreadyExists => 5,
            RequestTransactionError::InvalidAction => 6,
            RequestTransactionError::MaximumCallGroupsReached => 7,
            RequestTransactionError::CallIsProtected => 8,
            RequestTransactionError::Unrecognized(code) => code.raw(),
        }
    }

    /// The error for an Apple raw value: 0-8 by name, any other value
    /// [`Unrecognized`](Self::Unrecognized) with the value kept, so
    /// `from_raw(n).raw() == n` for every `n`.
    pub const fn from_raw(raw: i64) -> Self {
        match raw {
            0 => RequestTransactionError::Unknown,
            1 => RequestTransactionError::Unentitled,
            2 => RequestTransactionError::UnknownCallProvider,
            3 => RequestTransactionError::EmptyTransaction,
            4 => RequestTransactionError::UnknownCallUuid,
            5 => RequestTransactionError::CallUuidAlreadyExists,
            6 => RequestTransactionError::InvalidAction,
            7 => RequestTransactionError::MaximumCallGroupsReached,
            8 => RequestTransactionError::CallIsProtected,
            _ => RequestTransactionError::Unrecognized(UnrecognizedCode(raw)),
        }
    }
}

/// `CXCallEndedReason`, with Apple's raw values: why a call ended without the local
/// user ending it (`reportCall(with:endedAt:reason:)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum CallEndedReason {
    /// `failed` (1): an error occurred while trying to service the call.
    Failed = 1,
    /// `remoteEnded` (2): the remote party ended the call.
    RemoteEnded = 2,
    /// `unanswered` (3): the call never started connecting and was never explicitly
    /// ended (ring timeout).
    Unanswered = 3,
    /// `answeredElsewhere` (4): the call was answered on another device.
    AnsweredElsewhere = 4,
    /// `declinedElsewhere` (5): the call was declined on another device.
    DeclinedElsewhere = 5,
}

impl CallEndedReason {
    /// Apple's raw value.
    pub const fn raw(self) -> u8 {
        self as u8
    }
}

/// A BCP 47 language tag (`en`, `pt-BR`, `zh-Hant-TW`), as
/// `CXSetTranslatingCallAction.localLanguage` / `remoteLanguage` carry it: 1 to
/// [`MAX_LANGUAGE_TAG_LEN`](crate::limits::MAX_LANGUAGE_TAG_LEN) bytes of ASCII letters,
/// digits and `-`, neither starting nor ending with `-`. Only this shape is checked, not
/// the registry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LanguageTag(heapless::String<{ crate::limits::MAX_LANGUAGE_TAG_LEN }>);

impl LanguageTag {
    /// The tag `text`, or `None` when it is empty, too long or not of the shape above.
    pub fn parse(text: &str) -> Option<Self> {
        let shaped = text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if !shaped || text.is_empty() {
            return None;
        }
        heapless::String::try_from(text).ok().map(LanguageTag)
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for LanguageTag {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "LanguageTag({=usize} bytes)", self.0.len())
    }
}

/// A call's translation, while it runs (`CXSetTranslatingCallAction` with
/// `isTranslating`): the user's language and the remote party's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Translation {
    /// `localLanguage`.
    pub local: LanguageTag,
    /// `remoteLanguage`.
    pub remote: LanguageTag,
}

/// Why the far end refused an outgoing call before answering it, as the app's
/// signalling stack reports it ([`Event::OutgoingCallRefused`](crate::Event::OutgoingCallRefused)),
/// with the SIP final response each stands for (RFC 3261, section 21) and the
/// [`CallEndedReason`] it is reported with ([`RefusalReason::ended_reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum RefusalReason {
    /// The callee is busy: SIP `486 Busy Here` (`600 Busy Everywhere`), Q.850 cause 17.
    Busy = 1,
    /// The callee declined: SIP `603 Decline`, Q.850 cause 21 (call rejected).
    Declined = 2,
    /// The callee is not reachable or did not answer: SIP `480 Temporarily
    /// Unavailable`, Q.850 cause 19 (no answer from user), as RFC 3398 maps them.
    Unavailable = 3,
}

impl RefusalReason {
    /// The `CXCallEndedReason` the call is reported ended with. Apple's definitions
    /// decide: `remoteEnded` is "the remote party explicitly ended the call", which a
    /// busy or declining callee did; `unanswered` is "the call never started connecting
    /// and was never explicitly ended, such as when an outgoing or incoming call times
    /// out", which is what a 480 (no answer from user, RFC 3398) says.
    pub const fn ended_reason(self) -> CallEndedReason {
        match self {
            RefusalReason::Busy | RefusalReason::Declined => CallEndedReason::RemoteEnded,
            RefusalReason::Unavailable => CallEndedReason::Unanswered,
        }
    }

    /// The raw value (1 busy, 2 declined, 3 unavailable), as the C ABI carries it.
    pub const fn raw(self) -> u8 {
        self as u8
    }

    /// The reason with raw value `raw`, if any.
    pub const fn from_raw(raw: u8) -> Option<Self> {
        match raw {
            1 => Some(RefusalReason::Busy),
            2 => Some(RefusalReason::Declined),
            3 => Some(RefusalReason::Unavailable),
            _ => None,
        }
    }
}

/// `CXPlayDTMFCallAction.ActionType`, with Apple's raw values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum DtmfType {
    /// `singleTone` (1).
    SingleTone = 1,
    /// `softPause` (2).
    SoftPause = 2,
    /// `hardPause` (3).
    HardPause = 3,
}

impl DtmfType {
    /// Apple's raw value.
    pub const fn raw(self) -> u8 {
        self as u8
    }

    /// The type for an Apple raw value, `None` for anything but 1, 2, 3.
    pub const fn from_raw(raw: u8) -> Option<Self> {
        match raw {
            1 => Some(DtmfType::SingleTone),
            2 => Some(DtmfType::SoftPause),
            3 => Some(DtmfType::HardPause),
            _ => None,
        }
    }
}
