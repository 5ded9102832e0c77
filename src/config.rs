//! The engine's configuration: the `CXProviderConfiguration` limits, the per-call
//! capabilities announced in every `CXCallUpdate`, the payload schema, and time-outs.

use crate::payload::PayloadSchema;
use crate::types::{HandleType, HandleTypes};

/// Default ring time-out: 30 000 ms, as flutter_callkit_incoming's default and Twilio's
/// invite expiry (docs/callkit-facts.md, "Actions and timing").
pub const DEFAULT_RING_TIMEOUT_MS: u64 = 30_000;

/// Default bound on how long an answered incoming call waits for its connection:
/// 10 000 ms. Signal holds the `CXAnswerCallAction` until its media stack is ready and
/// fails it after a bound; CallKit's own action time-out is undocumented (about a minute
/// observed), so this stays well below it.
pub const DEFAULT_ANSWER_CONNECT_TIMEOUT_MS: u64 = 10_000;

/// Default bound on how long a performed `CXStartCallAction` waits for signalling to
/// report connecting: 10 000 ms, the answer side's bound
/// ([`DEFAULT_ANSWER_CONNECT_TIMEOUT_MS`]). CallKit's own action time-out is about a
/// minute and leaves "Calling…" on screen all that time (Signal-iOS PR #1734,
/// voice-quickstart-objc PR #54); an INVITE that has not left in 10 s will not.
pub const DEFAULT_START_CONNECT_TIMEOUT_MS: u64 = 10_000;

/// Default bound on how long an outgoing call waits for the far end to answer once it
/// started connecting: 60 000 ms. Matrix clients give an invite a 60 s lifetime
/// (`m.call.invite` `lifetime`; the Matrix Dart SDK's `callInviteLifetime`), Twilio's
/// Calls API rings 60 s by default (`Timeout`), Signal ends an unanswered outgoing
/// call after 120 s (Signal-iOS PR #1718) and Telnyx users expect 30 s
/// (flutter-voice-sdk #165). Above a callee's own ring time-out (30 s here and in
/// flutter_callkit_incoming), so that the far end's own refusal or time-out normally
/// ends the call first and this bound catches only a far end that never says.
pub const DEFAULT_NO_ANSWER_TIMEOUT_MS: u64 = 60_000;

/// Default PushKit completion deadline: 5 000 ms after the push arrived, the push is
/// completed even if `reportNewIncomingCall` has not called back (Signal waits up to
/// 5 s; `callservicesd` checks at about 7 s).
pub const DEFAULT_PUSH_COMPLETION_TIMEOUT_MS: u64 = 5_000;

/// Default bound on how long an answered or started call waits for
/// `provider(_:didActivate:)` after its answer or start action was fulfilled: 5 000 ms.
///
/// CallKit activates the session right after the fulfil (Apple's Speakerbox starts
/// audio there); when it does not, it never does (openradar 28774388, a first answer
/// from a VoIP push; flutter_callkit_incoming #4, a session the app activated itself),
/// and the user hears silence. Any bound catches that; 5 s, the push completion bound,
/// leaves a cold start from a push (app launch, then CallKit) time to activate, and
/// tells the host while the user is still on the line
/// (docs/callkit-facts.md, "Audio activation that never comes").
pub const DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS: u64 = 5_000;

/// Default maximum push age: 30 000 ms, the default ring time-out
/// ([`DEFAULT_RING_TIMEOUT_MS`]). A push sent longer ago than the caller's side rings
/// (30 s in flutter_callkit_incoming and Twilio) reaches a caller who gave up; APNs has
/// no delivery bound and delivers 20 to 30 s late after a device comes back online
/// (Apple developer forums thread 795610). Element X drops relayed calls after 10 s; a
/// shorter bound suits servers that ring for less (docs/callkit-facts.md, "Late, stale
/// and reordered pushes").
pub const DEFAULT_MAX_PUSH_AGE_MS: u64 = 30_000;

/// `CXProviderConfiguration`: the limits CallKit enforces and the engine checks before
/// fulfilling an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProviderConfiguration {
    /// `maximumCallGroups` (Apple's default 2).
    pub maximum_call_groups: u8,
    /// `maximumCallsPerCallGroup` (Apple's default 5).
    pub maximum_calls_per_call_group: u8,
    /// `supportsVideo` (Apple's default `false`). Incoming pushes asking for video are
    /// reported as audio when this is off; outgoing video requests are refused
    /// ([`Error::NotSupported`](crate::Error::NotSupported)).
    pub supports_video: bool,
    /// `supportedHandleTypes`: handle types an outgoing call may use.
    pub supported_handle_types: HandleTypes,
    /// `includesCallsInRecents` (Apple's default `true`); carried for the host.
    pub includes_calls_in_recents: bool,
    /// `supportsAudioTranslation` (iOS 26; `false` here, Apple documents no default):
    /// without it every `CXSetTranslatingCallAction` is failed.
    pub supports_audio_translation: bool,
}

impl Default for ProviderConfiguration {
    fn default() -> Self {
        ProviderConfiguration {
            maximum_call_groups: 2,
            maximum_calls_per_call_group: 5,
            supports_video: false,
            supported_handle_types: HandleTypes::only(HandleType::PhoneNumber)
                .with(HandleType::Generic)
                .with(HandleType::EmailAddress),
            includes_calls_in_recents: true,
            supports_audio_translation: false,
        }
    }
}

/// The capabilities announced for every call in its `CXCallUpdate`
/// (`supportsHolding`, `supportsGrouping`, `supportsUngrouping`, `supportsDTMF`); the
/// engine fails `CXSetHeldCallAction`, `CXSetGroupCallAction` and
/// `CXPlayDTMFCallAction` for capabilities switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallCapabilities {
    /// `CXCallUpdate.supportsHolding`.
    pub supports_holding: bool,
    /// `CXCallUpdate.supportsGrouping`.
    pub supports_grouping: bool,
    /// `CXCallUpdate.supportsUngrouping`.
    pub supports_ungrouping: bool,
    /// `CXCallUpdate.supportsDTMF`.
    pub supports_dtmf: bool,
}

impl Default for CallCapabilities {
    fn default() -> Self {
        CallCapabilities {
            supports_holding: true,
            supports_grouping: false,
            supports_ungrouping: false,
            supports_dtmf: true,
        }
    }
}

/// Everything the engine is configured with. `Config::default()` suits an audio-only
/// app whose server sends react-native-voip-push-notification style payloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The `CXProviderConfiguration` limits.
    pub provider: ProviderConfiguration,
    /// Capabilities announced for every call.
    pub capabilities: CallCapabilities,
    /// Where the call fields sit in the VoIP push payload.
    pub schema: PayloadSchema,
    /// Ring time-out for incoming calls, in milliseconds, unless the payload carries its
    /// own (see [`PayloadSchema::ring_timeout_key`]). Default
    /// [`DEFAULT_RING_TIMEOUT_MS`].
    pub ring_timeout_ms: u64,
    /// How long an answered call waits for its connection before the answer action is
    /// failed and the call ended as failed, in milliseconds. Default
    /// [`DEFAULT_ANSWER_CONNECT_TIMEOUT_MS`].
    pub answer_connect_timeout_ms: u64,
    /// How long a performed start action waits for signalling to report connecting
    /// ([`Event::OutgoingCallConnecting`](crate::Event::OutgoingCallConnecting) or a
    /// later progress) before the engine fails the action, hangs the leg up and ends the
    /// call as failed, in milliseconds. Default [`DEFAULT_START_CONNECT_TIMEOUT_MS`].
    pub start_connect_timeout_ms: u64,
    /// How long an outgoing call that started connecting waits for the far end to
    /// answer ([`Event::OutgoingCallConnected`](crate::Event::OutgoingCallConnected))
    /// before the engine stops ringback, hangs the leg up and ends the call as
    /// unanswered, in milliseconds. Default [`DEFAULT_NO_ANSWER_TIMEOUT_MS`].
    pub no_answer_timeout_ms: u64,
    /// How long after its arrival a push is completed at the latest, in milliseconds.
    /// Default [`DEFAULT_PUSH_COMPLETION_TIMEOUT_MS`].
    pub push_completion_timeout_ms: u64,
    /// How long after an answer or start action is fulfilled, with the audio session
    /// inactive, the engine waits for `provider(_:didActivate:)` before emitting
    /// [`Effect::AudioActivationTimedOut`](crate::Effect::AudioActivationTimedOut), in
    /// milliseconds. Default [`DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS`].
    pub audio_activation_timeout_ms: u64,
    /// The oldest a VoIP push may be and still ring, in milliseconds from the payload's
    /// sent time ([`PayloadSchema::sent_at_key`]) to the host's wall clock at its arrival
    /// (`received_at_unix_ms` of [`Event::VoipPushReceived`](crate::Event::VoipPushReceived)).
    /// An older push is a missed call ([`Effect::MissedCall`](crate::Effect::MissedCall)):
    /// it never rings or connects. A sent time in the future (the server's clock ahead of
    /// the device's) counts as fresh. Off when the schema has no sent-time key or the
    /// host gives no wall clock. Default [`DEFAULT_MAX_PUSH_AGE_MS`].
    pub max_push_age_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            provider: ProviderConfiguration::default(),
            capabilities: CallCapabilities::default(),
            schema: PayloadSchema::default(),
            ring_timeout_ms: DEFAULT_RING_TIMEOUT_MS,
            answer_connect_timeout_ms: DEFAULT_ANSWER_CONNECT_TIMEOUT_MS,
            start_connect_timeout_ms: DEFAULT_START_CONNECT_TIMEOUT_MS,
            no_answer_timeout_ms: DEFAULT_NO_ANSWER_TIMEOUT_MS,
            push_completion_timeout_ms: DEFAULT_PUSH_COMPLETION_TIMEOUT_MS,
            audio_activation_timeout_ms: DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS,
            max_push_age_ms: DEFAULT_MAX_PUSH_AGE_MS,
        }
    }
}

impl Config {
    /// The default configuration reading payloads with `schema`.
    pub fn with_schema(schema: PayloadSchema) -> Self {
        Config {
            schema,
            ..Config::default()
        }
    }
}
