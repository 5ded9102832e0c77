//! Conversions between the C types of `abi` and the engine's Rust types. Decoders
//! validate every field a kind reads and return the result code to give back.

use callkit_engine::{
    ActionId, CallAction, CallCapabilities, CallEndedReason, CallId, CallIdKind, CallPhase,
    CallUpdate, Config, Direction, DtmfType, Effect, Effects, Error, Event, Handle, HandleType,
    HandleTypes, IncomingCallError, IncomingReport, Instant, LanguageTag, PayloadField,
    PayloadSchema, ProviderConfiguration, PushEndReason, PushId, RefusalReason, RejectReason,
    RequestTransactionError, SchemaError, SchemaKey, SentAtUnit, Timer, TransactionId, Uuid,
};

use crate::abi::*;

type Res<T> = Result<T, ck_result>;

// ---------------------------------------------------------------------------------------
// Borrowed input
// ---------------------------------------------------------------------------------------

/// The bytes `ptr`/`len` describe.
///
/// # Safety
///
/// When `ptr` is non-null it must be valid for reads of `len` bytes for `'a`, and the
/// bytes must not be written during `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Res<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(ck_result::CK_RESULT_NULL_POINTER);
    }
    if len > isize::MAX as usize {
        return Err(ck_result::CK_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: non-null, `len` is in range, and the caller promises `len` readable bytes
    // that stay unchanged for `'a`; `u8` has no alignment or validity requirement.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The UTF-8 text `ptr`/`len` describe.
///
/// # Safety
///
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize) -> Res<&'a str> {
    // SAFETY: the caller's promise is passed on unchanged.
    let raw = unsafe { bytes(ptr, len) }?;
    core::str::from_utf8(raw).map_err(|_| ck_result::CK_RESULT_INVALID_UTF8)
}

fn flag(value: u8) -> Res<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
    }
}

fn handle_type(raw: ck_handle_type) -> Res<HandleType> {
    HandleType::from_raw(raw).ok_or(ck_result::CK_RESULT_INVALID_ARGUMENT)
}

fn dtmf_type(raw: ck_dtmf_type) -> Res<DtmfType> {
    DtmfType::from_raw(raw).ok_or(ck_result::CK_RESULT_INVALID_ARGUMENT)
}

fn call_id(uuid: ck_uuid) -> CallId {
    CallId::from_bytes(uuid.bytes)
}

fn action_id(uuid: ck_uuid) -> ActionId {
    ActionId::from_bytes(uuid.bytes)
}

/// A CallKit completion's result: `Ok` unless `has_error`, else the error with raw
/// value `error_code` (a code the engine has no name for is kept: `Unrecognized`).
fn apple_result<E>(ev: &ck_event, from_raw: fn(i64) -> E) -> Res<Result<(), E>> {
    Ok(if flag(ev.has_error)? {
        Err(from_raw(ev.error_code))
    } else {
        Ok(())
    })
}

pub(crate) fn timer(t: &ck_timer) -> Res<Timer> {
    match t.kind {
        CK_TIMER_PUSH_COMPLETION => Ok(Timer::PushCompletion(PushId(t.push))),
        CK_TIMER_RING => Ok(Timer::Ring(call_id(t.call))),
        CK_TIMER_ANSWER_CONNECT => Ok(Timer::AnswerConnect(call_id(t.call))),
        CK_TIMER_AUDIO_ACTIVATION => Ok(Timer::AudioActivation(call_id(t.call))),
        CK_TIMER_START_CONNECT => Ok(Timer::StartConnect(call_id(t.call))),
        CK_TIMER_NO_ANSWER => Ok(Timer::NoAnswer(call_id(t.call))),
        _ => Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
    }
}

/// The highest `CK_EVENT_*` kind [`event`] decodes: the kinds are numbered 1 to this,
/// with no gap. Kept beside the decoder, so that a new kind moves it in the same edit;
/// the every-kind test reads it.
#[cfg(test)]
pub(crate) const LAST_EVENT_KIND: ck_event_kind = CK_EVENT_REQUEST_ANSWER_CALL;

/// The engine event for `ev`, borrowing its bytes and text.
///
/// # Safety
///
/// The pointers in `ev` that `ev.kind` reads must satisfy [`bytes`] for `'a`.
pub(crate) unsafe fn event<'a>(ev: &ck_event) -> Res<Event<'a>> {
    let call = call_id(ev.call);
    let action = action_id(ev.action);
    // SAFETY (for the `bytes` / `text` calls below): passed on from this function's
    // contract; each call reads only the field its kind names.
    Ok(match ev.kind {
        CK_EVENT_VOIP_PUSH_RECEIVED => Event::VoipPushReceived {
            push: PushId(ev.push),
            // SAFETY: see above.
            payload: unsafe { bytes(ev.payload.ptr, ev.payload.len) }?,
            fallback_call: call_id(ev.fallback_call),
            must_report: match ev.must_report {
                CK_MUST_REPORT_UNKNOWN => None,
                CK_MUST_REPORT_YES => Some(true),
                CK_MUST_REPORT_NO => Some(false),
                _ => return Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
            },
            received_at_unix_ms: flag(ev.has_received_at)?.then_some(ev.received_at_unix_ms),
        },
        CK_EVENT_PUSH_CREDENTIALS_UPDATED => Event::PushCredentialsUpdated {
            // SAFETY: see above.
            token: unsafe { bytes(ev.token.ptr, ev.token.len) }?,
        },
        CK_EVENT_PUSH_CREDENTIALS_INVALIDATED => Event::PushCredentialsInvalidated,
        CK_EVENT_INCOMING_CALL_REPORTED => Event::IncomingCallReported {
            report: IncomingReport::of(call, flag(ev.has_push)?.then_some(PushId(ev.push))),
            result: apple_result(ev, IncomingCallError::from_raw)?,
        },
        CK_EVENT_PROVIDER_DID_BEGIN => Event::ProviderDidBegin,
        CK_EVENT_PROVIDER_DID_RESET => Event::ProviderDidReset,
        CK_EVENT_PERFORM_START_CALL => Event::PerformStartCall {
            action,
            call,
            // SAFETY: see above.
            handle: unsafe { text(ev.handle.ptr, ev.handle.len) }?,
            handle_type: handle_type(ev.handle_type)?,
            video: flag(ev.video)?,
        },
        CK_EVENT_PERFORM_ANSWER_CALL => Event::PerformAnswerCall { action, call },
        CK_EVENT_PERFORM_END_CALL => Event::PerformEndCall { action, call },
        CK_EVENT_PERFORM_SET_HELD => Event::PerformSetHeld {
            action,
            call,
            on_hold: flag(ev.on_hold)?,
        },
        CK_EVENT_PERFORM_SET_MUTED => Event::PerformSetMuted {
            action,
            call,
            muted: flag(ev.muted)?,
        },
        CK_EVENT_PERFORM_SET_GROUP => Event::PerformSetGroup {
            action,
            call,
            group_with: flag(ev.has_group_with)?.then(|| call_id(ev.group_with)),
        },
        CK_EVENT_PERFORM_PLAY_DTMF => Event::PerformPlayDtmf {
            action,
            call,
            // SAFETY: see above.
            digits: unsafe { text(ev.digits.ptr, ev.digits.len) }?,
            kind: dtmf_type(ev.dtmf_type)?,
        },
        CK_EVENT_PERFORM_SET_TRANSLATING => Event::PerformSetTranslating {
            action,
            call,
            translating: flag(ev.translating)?,
            // SAFETY: see above.
            local_language: unsafe { text(ev.local_language.ptr, ev.local_language.len) }?,
            // SAFETY: see above.
            remote_language: unsafe { text(ev.remote_language.ptr, ev.remote_language.len) }?,
        },
        CK_EVENT_TIMED_OUT_PERFORMING => Event::TimedOutPerforming { action },
        CK_EVENT_DID_ACTIVATE_AUDIO_SESSION => Event::DidActivateAudioSession,
        CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION => Event::DidDeactivateAudioSession,
        CK_EVENT_REQUEST_START_CALL => Event::RequestStartCall {
            call,
            // SAFETY: see above.
            handle: unsafe { text(ev.handle.ptr, ev.handle.len) }?,
            handle_type: handle_type(ev.handle_type)?,
            video: flag(ev.video)?,
        },
        CK_EVENT_REQUEST_END_CALL => Event::RequestEndCall { call },
        CK_EVENT_REQUEST_ANSWER_CALL => Event::RequestAnswerCall { call },
        CK_EVENT_REQUEST_SET_HELD => Event::RequestSetHeld {
            call,
            on_hold: flag(ev.on_hold)?,
        },
        CK_EVENT_REQUEST_SET_MUTED => Event::RequestSetMuted {
            call,
            muted: flag(ev.muted)?,
        },
        CK_EVENT_REQUEST_PLAY_DTMF => Event::RequestPlayDtmf {
            call,
            // SAFETY: see above.
            digits: unsafe { text(ev.digits.ptr, ev.digits.len) }?,
            kind: dtmf_type(ev.dtmf_type)?,
        },
        CK_EVENT_TRANSACTION_COMPLETED => Event::TransactionCompleted {
            transaction: TransactionId(ev.transaction),
            result: apple_result(ev, RequestTransactionError::from_raw)?,
        },
        CK_EVENT_OUTGOING_CALL_CONNECTING => Event::OutgoingCallConnecting { call },
        CK_EVENT_OUTGOING_CALL_CONNECTED => Event::OutgoingCallConnected { call },
        CK_EVENT_OUTGOING_CALL_REFUSED => Event::OutgoingCallRefused {
            call,
            reason: RefusalReason::from_raw(ev.refusal_reason)
                .ok_or(ck_result::CK_RESULT_INVALID_ARGUMENT)?,
        },
        CK_EVENT_INCOMING_CALL_CONNECTED => Event::IncomingCallConnected { call },
        CK_EVENT_REMOTE_ENDED => Event::RemoteEnded { call },
        CK_EVENT_ANSWERED_ELSEWHERE => Event::AnsweredElsewhere { call },
        CK_EVENT_DECLINED_ELSEWHERE => Event::DeclinedElsewhere { call },
        CK_EVENT_CONNECTION_FAILED => Event::ConnectionFailed { call },
        CK_EVENT_TIMER_FIRED => Event::TimerFired {
            timer: timer(&ev.timer)?,
        },
        CK_EVENT_CALL_DETAILS_CHANGED => {
            // SAFETY: see above.
            let name = unsafe { text(ev.caller_name.ptr, ev.caller_name.len) }?;
            let video = flag(ev.video)?;
            Event::CallDetailsChanged {
                call,
                caller_name: (!name.is_empty()).then_some(name),
                has_video: flag(ev.changes_video)?.then_some(video),
            }
        }
        CK_EVENT_OUTGOING_CALL_RINGING => Event::OutgoingCallRinging { call },
        CK_EVENT_INCOMING_CALL_ANNOUNCED => {
            // SAFETY: see above.
            let name = unsafe { text(ev.caller_name.ptr, ev.caller_name.len) }?;
            Event::IncomingCallAnnounced {
                call,
                // SAFETY: see above.
                handle: unsafe { text(ev.handle.ptr, ev.handle.len) }?,
                handle_type: handle_type(ev.handle_type)?,
                caller_name: (!name.is_empty()).then_some(name),
                video: flag(ev.video)?,
            }
        }
        _ => return Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
    })
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

fn uuid(id: CallId) -> ck_uuid {
    ck_uuid {
        bytes: *id.as_bytes(),
    }
}

/// An armed timer and its deadline, for C.
pub(crate) fn timer_deadline((timer, deadline): (Timer, Instant)) -> ck_timer_deadline {
    ck_timer_deadline {
        timer: c_timer(timer),
        deadline_ms: deadline.as_millis(),
    }
}

pub(crate) fn c_timer(t: Timer) -> ck_timer {
    match t {
        Timer::PushCompletion(push) => ck_timer {
            kind: CK_TIMER_PUSH_COMPLETION,
            push: push.0,
            call: ck_uuid::default(),
        },
        Timer::Ring(call) => ck_timer {
            kind: CK_TIMER_RING,
            push: 0,
            call: uuid(call),
        },
        Timer::AnswerConnect(call) => ck_timer {
            kind: CK_TIMER_ANSWER_CONNECT,
            push: 0,
            call: uuid(call),
        },
        Timer::AudioActivation(call) => ck_timer {
            kind: CK_TIMER_AUDIO_ACTIVATION,
            push: 0,
            call: uuid(call),
        },
        Timer::StartConnect(call) => ck_timer {
            kind: CK_TIMER_START_CONNECT,
            push: 0,
            call: uuid(call),
        },
        Timer::NoAnswer(call) => ck_timer {
            kind: CK_TIMER_NO_ANSWER,
            push: 0,
            call: uuid(call),
        },
    }
}

fn reject_reason(reason: RejectReason) -> ck_reject_reason {
    reason.raw()
}

fn ended_reason(reason: CallEndedReason) -> ck_call_ended_reason {
    reason.raw()
}

/// The C form of one effect.
pub(crate) fn effect(e: &Effect) -> ck_effect {
    let mut out = ck_effect::default();
    let with_call = |kind, call| ck_effect {
        kind,
        call: uuid(call),
        ..ck_effect::default()
    };
    match *e {
        Effect::ReportNewIncomingCall { push, call } => {
            out = with_call(CK_EFFECT_REPORT_NEW_INCOMING_CALL, call);
            out.has_push = push.is_some();
            out.push = push.map_or(0, |p| p.0);
        }
        Effect::MissedCall { call } => out = with_call(CK_EFFECT_MISSED_CALL, call),
        Effect::ReportCallUpdated { call } => out = with_call(CK_EFFECT_REPORT_CALL_UPDATED, call),
        Effect::ReportOutgoingCallStartedConnecting { call, at } => {
            out = with_call(CK_EFFECT_REPORT_OUTGOING_CALL_STARTED_CONNECTING, call);
            out.at_ms = at.as_millis();
        }
        Effect::ReportOutgoingCallConnected { call, at } => {
            out = with_call(CK_EFFECT_REPORT_OUTGOING_CALL_CONNECTED, call);
            out.at_ms = at.as_millis();
        }
        Effect::ReportCallEnded { call, at, reason } => {
            out = with_call(CK_EFFECT_REPORT_CALL_ENDED, call);
            out.at_ms = at.as_millis();
            out.ended_reason = ended_reason(reason);
        }
        Effect::FulfillAction { action } => {
            out.kind = CK_EFFECT_FULFILL_ACTION;
            out.action.bytes = *action.0.as_bytes();
        }
        Effect::FailAction { action } => {
            out.kind = CK_EFFECT_FAIL_ACTION;
            out.action.bytes = *action.0.as_bytes();
        }
        Effect::CompletePush { push } => {
            out.kind = CK_EFFECT_COMPLETE_PUSH;
            out.push = push.0;
        }
        Effect::RequestTransaction {
            transaction,
            ref action,
        } => {
            out = with_call(CK_EFFECT_REQUEST_TRANSACTION, action.call());
            out.transaction = transaction.0;
            match *action {
                CallAction::StartCall { video, .. } => {
                    out.call_action = CK_CALL_ACTION_START_CALL;
                    out.video = video;
                }
                CallAction::EndCall { .. } => out.call_action = CK_CALL_ACTION_END_CALL,
                CallAction::AnswerCall { .. } => out.call_action = CK_CALL_ACTION_ANSWER_CALL,
                CallAction::SetHeld { on_hold, .. } => {
                    out.call_action = CK_CALL_ACTION_SET_HELD;
                    out.on_hold = on_hold;
                }
                CallAction::SetMuted { muted, .. } => {
                    out.call_action = CK_CALL_ACTION_SET_MUTED;
                    out.muted = muted;
                }
                CallAction::PlayDtmf { kind, .. } => {
                    out.call_action = CK_CALL_ACTION_PLAY_DTMF;
                    out.dtmf_type = kind.raw();
                }
            }
        }
        Effect::ConnectIncoming { call } => out = with_call(CK_EFFECT_CONNECT_INCOMING, call),
        Effect::AnswerIncoming { call } => out = with_call(CK_EFFECT_ANSWER_INCOMING, call),
        Effect::RejectIncoming { call, reason } => {
            out = with_call(CK_EFFECT_REJECT_INCOMING, call);
            out.reject_reason = reject_reason(reason);
        }
        Effect::HangUp { call } => out = with_call(CK_EFFECT_HANG_UP, call),
        Effect::SetHeld { call, on_hold } => {
            out = with_call(CK_EFFECT_SET_HELD, call);
            out.on_hold = on_hold;
        }
        Effect::SetMuted { call, muted } => {
            out = with_call(CK_EFFECT_SET_MUTED, call);
            out.muted = muted;
        }
        Effect::SetGroup { call, group_with } => {
            out = with_call(CK_EFFECT_SET_GROUP, call);
            if let Some(other) = group_with {
                out.has_group_with = true;
                out.group_with = uuid(other);
            }
        }
        Effect::PlayDtmf { call, kind } => {
            out = with_call(CK_EFFECT_PLAY_DTMF, call);
            out.dtmf_type = kind.raw();
        }
        Effect::StartTranslation { call } => out = with_call(CK_EFFECT_START_TRANSLATION, call),
        Effect::StopTranslation { call } => out = with_call(CK_EFFECT_STOP_TRANSLATION, call),
        Effect::StartOutgoing { call, video } => {
            out = with_call(CK_EFFECT_START_OUTGOING, call);
            out.video = video;
        }
        Effect::RegisterPushToken => out.kind = CK_EFFECT_REGISTER_PUSH_TOKEN,
        Effect::UnregisterPushToken => out.kind = CK_EFFECT_UNREGISTER_PUSH_TOKEN,
        Effect::ConfigureAudioSession => out.kind = CK_EFFECT_CONFIGURE_AUDIO_SESSION,
        Effect::StartMedia { call } => out = with_call(CK_EFFECT_START_MEDIA, call),
        Effect::StopMedia { call } => out = with_call(CK_EFFECT_STOP_MEDIA, call),
        Effect::StartTimer { timer, deadline } => {
            out.kind = CK_EFFECT_START_TIMER;
            out.timer = c_timer(timer);
            out.at_ms = deadline.as_millis();
        }
        Effect::CancelTimer { timer } => {
            out.kind = CK_EFFECT_CANCEL_TIMER;
            out.timer = c_timer(timer);
        }
        Effect::StartRingback { call } => out = with_call(CK_EFFECT_START_RINGBACK, call),
        Effect::StopRingback { call } => out = with_call(CK_EFFECT_STOP_RINGBACK, call),
        Effect::AudioActivationTimedOut { call } => {
            out = with_call(CK_EFFECT_AUDIO_ACTIVATION_TIMED_OUT, call)
        }
    }
    out
}

/// Copies `text` into `dst`, returning the length used. Every caller passes text whose
/// capacity equals `dst`'s length (the engine's fixed capacities), so nothing is cut;
/// the `min` only keeps this total.
fn copy_text(dst: &mut [u8], text: &str) -> u32 {
    let n = text.len().min(dst.len());
    dst[..n].copy_from_slice(&text.as_bytes()[..n]);
    n as u32
}

fn handle(h: &Handle) -> ck_handle {
    let mut out = ck_handle::zero();
    out.handle_type = h.kind.raw();
    out.value_len = copy_text(&mut out.value, h.value.as_str());
    out
}

fn call_update(u: &CallUpdate) -> ck_call_update {
    let mut out = ck_call_update::zero();
    if let Some(h) = &u.remote_handle {
        out.has_remote_handle = true;
        out.remote_handle = handle(h);
    }
    if let Some(name) = &u.localized_caller_name {
        out.has_caller_name = true;
        out.caller_name_len = copy_text(&mut out.caller_name, name.as_str());
    }
    out.has_video = u.has_video;
    out.supports_holding = u.supports_holding;
    out.supports_grouping = u.supports_grouping;
    out.supports_ungrouping = u.supports_ungrouping;
    out.supports_dtmf = u.supports_dtmf;
    out
}

/// The step data of `fx`, copied.
pub(crate) fn step_data<const N: usize>(fx: &Effects<N>) -> ck_step_data {
    let mut out = ck_step_data::zero();
    if let Some(u) = fx.call_update() {
        out.kind = CK_STEP_DATA_CALL_UPDATE;
        out.call_update = call_update(u);
    } else if let Some(h) = fx.outgoing_handle() {
        out.kind = CK_STEP_DATA_HANDLE;
        out.handle = handle(h);
    } else if let Some(digits) = fx.dtmf_digits() {
        out.kind = CK_STEP_DATA_DTMF_DIGITS;
        out.dtmf_digits_len = copy_text(&mut out.dtmf_digits, digits);
    } else if let Some(hex) = fx.push_token_hex() {
        out.kind = CK_STEP_DATA_PUSH_TOKEN_HEX;
        out.push_token_hex_len = copy_text(&mut out.push_token_hex, hex);
    }
    if let Some(reason) = fx.push_end_reason() {
        out.has_push_end_reason = true;
        out.push_end_reason = reason.raw();
        if let PushEndReason::Unreadable { error, field } = reason {
            out.payload_error = error.raw();
            out.payload_field = field.map_or(CK_PAYLOAD_FIELD_NONE, PayloadField::raw);
        }
    }
    out
}

/// The result code for an engine refusal.
pub(crate) fn error(e: Error) -> ck_result {
    use ck_result::*;
    match e {
        Error::TimeWentBackwards { .. } => CK_RESULT_TIME_WENT_BACKWARDS,
        Error::UnknownCall(_) => CK_RESULT_UNKNOWN_CALL,
        Error::UnknownPush(_) => CK_RESULT_UNKNOWN_PUSH,
        Error::DuplicateAction(_) => CK_RESULT_DUPLICATE_ACTION,
        Error::UnknownTransaction(_) => CK_RESULT_UNKNOWN_TRANSACTION,
        Error::UnknownTimer(_) => CK_RESULT_UNKNOWN_TIMER,
        Error::TimerNotDue { .. } => CK_RESULT_TIMER_NOT_DUE,
        Error::CallExists(_) => CK_RESULT_CALL_EXISTS,
        Error::CallCapacity => CK_RESULT_CALL_CAPACITY,
        Error::TransactionCapacity => CK_RESULT_TRANSACTION_CAPACITY,
        Error::WrongPhase(_) => CK_RESULT_WRONG_PHASE,
        Error::NotSupported(_) => CK_RESULT_NOT_SUPPORTED,
        Error::InvalidHandle => CK_RESULT_INVALID_HANDLE,
        Error::InvalidDtmf => CK_RESULT_INVALID_DTMF,
        Error::InvalidPushToken => CK_RESULT_INVALID_PUSH_TOKEN,
        // `Error` is `#[non_exhaustive]`: a reason added later reads as an invalid
        // argument until it gets a code of its own here.
        _ => CK_RESULT_INVALID_ARGUMENT,
    }
}

// ---------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------

pub(crate) fn direction(d: Direction) -> ck_direction {
    match d {
        Direction::Incoming => CK_DIRECTION_INCOMING,
        Direction::Outgoing => CK_DIRECTION_OUTGOING,
    }
}

pub(crate) fn phase(p: CallPhase) -> ck_call_phase {
    match p {
        CallPhase::Ringing => CK_CALL_PHASE_RINGING,
        CallPhase::Answering => CK_CALL_PHASE_ANSWERING,
        CallPhase::Answered => CK_CALL_PHASE_ANSWERED,
        CallPhase::Requested => CK_CALL_PHASE_REQUESTED,
        CallPhase::Starting => CK_CALL_PHASE_STARTING,
        CallPhase::Connecting => CK_CALL_PHASE_CONNECTING,
        CallPhase::Connected => CK_CALL_PHASE_CONNECTED,
    }
}

pub(crate) fn call_info(c: &callkit_engine::Call) -> ck_call_info {
    ck_call_info {
        call: uuid(c.id()),
        group: uuid(c.group()),
        deferred_action: c
            .deferred_action()
            .map(|a| ck_uuid {
                bytes: *a.0.as_bytes(),
            })
            .unwrap_or_default(),
        direction: direction(c.direction()),
        phase: phase(c.phase()),
        has_deferred_action: c.deferred_action().is_some(),
        report_pending: c.report_pending(),
        end_pending: c.end_pending(),
        connection_ready: c.connection_ready(),
        media_running: c.media_running(),
        on_hold: c.is_on_hold(),
        muted: c.is_muted(),
        has_video: c.has_video(),
        ringback_playing: c.ringback_playing(),
        remote_ringing: c.remote_ringing(),
        translating: c.is_translating(),
        local_language_len: language_len(c.translation().map(|t| &t.local)),
        local_language: language_bytes(c.translation().map(|t| &t.local)),
        remote_language_len: language_len(c.translation().map(|t| &t.remote)),
        remote_language: language_bytes(c.translation().map(|t| &t.remote)),
    }
}

fn language_len(tag: Option<&LanguageTag>) -> u8 {
    tag.map_or(0, |t| u8::try_from(t.as_str().len()).unwrap_or(u8::MAX))
}

fn language_bytes(tag: Option<&LanguageTag>) -> [u8; CK_MAX_LANGUAGE_TAG_LEN] {
    let mut bytes = [0; CK_MAX_LANGUAGE_TAG_LEN];
    if let Some(t) = tag {
        for (b, src) in bytes.iter_mut().zip(t.as_str().bytes()) {
            *b = src;
        }
    }
    bytes
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

fn key_text(k: &ck_key) -> Res<&str> {
    let len = usize::from(k.len);
    if len > CK_MAX_KEY_LEN {
        return Err(ck_result::CK_RESULT_INVALID_ARGUMENT);
    }
    core::str::from_utf8(&k.bytes[..len]).map_err(|_| ck_result::CK_RESULT_INVALID_UTF8)
}

fn optional_key(k: &ck_key) -> Res<Option<&str>> {
    key_text(k).map(|s| (!s.is_empty()).then_some(s))
}

/// The engine schema for `s`, built with the `PayloadSchema::with_*` builders (which
/// check the root path). Keys are checked (length, UTF-8) before anything is built.
pub(crate) fn schema(s: &ck_schema) -> Res<PayloadSchema> {
    let id_kind = match s.id_kind {
        CK_CALL_ID_UUID => CallIdKind::Uuid,
        CK_CALL_ID_OPAQUE => CallIdKind::Opaque,
        _ => return Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
    };
    let handle_kind = match s.handle_type {
        0 => None,
        raw => Some(handle_type(raw)?),
    };
    let root = key_text(&s.root)?;
    let id_key = key_text(&s.id_key)?;
    let handle_key = key_text(&s.handle_key)?;
    let caller_name = optional_key(&s.caller_name_key)?;
    let video = optional_key(&s.video_key)?;
    let media_type = optional_key(&s.media_type_key)?;
    let ring_timeout = optional_key(&s.ring_timeout_key)?;
    let message_type = optional_key(&s.message_type_key)?;
    let cancel = optional_key(&s.cancel_message_type)?;
    let sent_at = optional_key(&s.sent_at_key)?;
    let sent_at_unit = match s.sent_at_unit {
        CK_SENT_AT_SECONDS => SentAtUnit::Seconds,
        CK_SENT_AT_MILLISECONDS => SentAtUnit::Milliseconds,
        _ => return Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
    };
    let require_call_id = flag(s.require_call_id)?;
    let build = || -> Result<PayloadSchema, SchemaError> {
        PayloadSchema::apple_docs()
            .with_root(root)?
            .with_id(id_key, id_kind)?
            .with_opaque_namespace(Uuid::from_bytes(s.opaque_namespace.bytes))
            .with_handle(handle_key, handle_kind)?
            .with_caller_name(caller_name)?
            .with_video(video)?
            .with_media_type(media_type)?
            .with_ring_timeout(ring_timeout)?
            .with_message_type(message_type, cancel)?
            .with_sent_at(sent_at, sent_at_unit)
            .map(|s| s.with_required_call_id(require_call_id))
    };
    build().map_err(|_| ck_result::CK_RESULT_INVALID_SCHEMA)
}

fn c_key(k: &SchemaKey) -> ck_key {
    let mut out = ck_key::default();
    out.len = copy_text(&mut out.bytes, k.as_str()) as u8;
    out
}

fn c_optional_key(k: &Option<SchemaKey>) -> ck_key {
    k.as_ref().map(c_key).unwrap_or_default()
}

/// The C form of an engine schema.
pub(crate) fn c_schema(p: &PayloadSchema) -> ck_schema {
    ck_schema {
        root: c_key(&p.root),
        id_key: c_key(&p.id_key),
        id_kind: match p.id_kind {
            CallIdKind::Uuid => CK_CALL_ID_UUID,
            CallIdKind::Opaque => CK_CALL_ID_OPAQUE,
        },
        handle_type: p.handle_type.map_or(0, HandleType::raw),
        opaque_namespace: ck_uuid {
            bytes: *p.opaque_namespace.as_bytes(),
        },
        handle_key: c_key(&p.handle_key),
        caller_name_key: c_optional_key(&p.caller_name_key),
        video_key: c_optional_key(&p.video_key),
        media_type_key: c_optional_key(&p.media_type_key),
        ring_timeout_key: c_optional_key(&p.ring_timeout_key),
        message_type_key: c_optional_key(&p.message_type_key),
        cancel_message_type: c_optional_key(&p.cancel_message_type),
        require_call_id: p.require_call_id.into(),
        sent_at_unit: match p.sent_at_unit {
            SentAtUnit::Seconds => CK_SENT_AT_SECONDS,
            SentAtUnit::Milliseconds => CK_SENT_AT_MILLISECONDS,
        },
        sent_at_key: c_optional_key(&p.sent_at_key),
    }
}

pub(crate) fn preset(kind: ck_schema_preset_kind) -> Res<PayloadSchema> {
    Ok(match kind {
        CK_SCHEMA_APPLE_DOCS => PayloadSchema::apple_docs(),
        CK_SCHEMA_SPEAKERBOX => PayloadSchema::speakerbox(),
        CK_SCHEMA_REACT_NATIVE_VOIP_PUSH => PayloadSchema::react_native_voip_push(),
        CK_SCHEMA_FLUTTER_CALLKIT_INCOMING => PayloadSchema::flutter_callkit_incoming(),
        CK_SCHEMA_TWILIO => PayloadSchema::twilio(),
        CK_SCHEMA_TELEGRAM => PayloadSchema::telegram(),
        CK_SCHEMA_LINPHONE_FLEXISIP => PayloadSchema::linphone_flexisip(),
        CK_SCHEMA_NESTED_DATA => PayloadSchema::nested_data(),
        _ => return Err(ck_result::CK_RESULT_INVALID_ARGUMENT),
    })
}

fn handle_types(mask: ck_handle_types) -> Res<HandleTypes> {
    let all =
        CK_HANDLE_TYPES_GENERIC | CK_HANDLE_TYPES_PHONE_NUMBER | CK_HANDLE_TYPES_EMAIL_ADDRESS;
    if mask & !all != 0 {
        return Err(ck_result::CK_RESULT_INVALID_ARGUMENT);
    }
    let mut set = HandleTypes::NONE;
    for ty in [
        HandleType::Generic,
        HandleType::PhoneNumber,
        HandleType::EmailAddress,
    ] {
        if mask & (1 << ty.raw()) != 0 {
            set = set.with(ty);
        }
    }
    Ok(set)
}

fn c_handle_types(set: HandleTypes) -> ck_handle_types {
    [
        HandleType::Generic,
        HandleType::PhoneNumber,
        HandleType::EmailAddress,
    ]
    .into_iter()
    .filter(|ty| set.contains(*ty))
    .fold(0, |mask, ty| mask | (1 << ty.raw()))
}

/// The engine configuration for `c`, every field checked.
pub(crate) fn config(c: &ck_config) -> Res<Config> {
    Ok(Config {
        provider: ProviderConfiguration {
            maximum_call_groups: c.maximum_call_groups,
            maximum_calls_per_call_group: c.maximum_calls_per_call_group,
            supports_video: flag(c.supports_video)?,
            supported_handle_types: handle_types(c.supported_handle_types)?,
            includes_calls_in_recents: flag(c.includes_calls_in_recents)?,
            supports_audio_translation: flag(c.supports_audio_translation)?,
        },
        capabilities: CallCapabilities {
            supports_holding: flag(c.supports_holding)?,
            supports_grouping: flag(c.supports_grouping)?,
            supports_ungrouping: flag(c.supports_ungrouping)?,
            supports_dtmf: flag(c.supports_dtmf)?,
        },
        schema: schema(&c.schema)?,
        ring_timeout_ms: c.ring_timeout_ms,
        answer_connect_timeout_ms: c.answer_connect_timeout_ms,
        start_connect_timeout_ms: c.start_connect_timeout_ms,
        no_answer_timeout_ms: c.no_answer_timeout_ms,
        push_completion_timeout_ms: c.push_completion_timeout_ms,
        audio_activation_timeout_ms: c.audio_activation_timeout_ms,
        max_push_age_ms: c.max_push_age_ms,
    })
}

/// The C form of an engine configuration.
pub(crate) fn c_config(c: &Config) -> ck_config {
    ck_config {
        maximum_call_groups: c.provider.maximum_call_groups,
        maximum_calls_per_call_group: c.provider.maximum_calls_per_call_group,
        supports_video: c.provider.supports_video.into(),
        supported_handle_types: c_handle_types(c.provider.supported_handle_types),
        includes_calls_in_recents: c.provider.includes_calls_in_recents.into(),
        supports_audio_translation: c.provider.supports_audio_translation.into(),
        supports_holding: c.capabilities.supports_holding.into(),
        supports_grouping: c.capabilities.supports_grouping.into(),
        supports_ungrouping: c.capabilities.supports_ungrouping.into(),
        supports_dtmf: c.capabilities.supports_dtmf.into(),
        ring_timeout_ms: c.ring_timeout_ms,
        answer_connect_timeout_ms: c.answer_connect_timeout_ms,
        start_connect_timeout_ms: c.start_connect_timeout_ms,
        no_answer_timeout_ms: c.no_answer_timeout_ms,
        push_completion_timeout_ms: c.push_completion_timeout_ms,
        schema: c_schema(&c.schema),
        audio_activation_timeout_ms: c.audio_activation_timeout_ms,
        max_push_age_ms: c.max_push_age_ms,
    }
}
