//! A live call: the public read-only view [`Call`], and every change a call goes
//! through, each a transition that emits its own effects.
//!
//! Rules owned here:
//! - A transition compares what the call holds before and after it (its armed timer, its
//!   deferred action, its media, its ringback, its audio-activation wait) and emits the
//!   difference itself ([`Call::settle`]): the cancel of a timer it disarms (unless the
//!   timer fired), the failure of a deferred action it drops (unless fulfilled by the
//!   transition or voided by CallKit), the transition's own effects, the start of a timer
//!   it arms, then media and ringback brought in line with the audio session. No handler
//!   emits a call's timer, media or ringback effects.
//! - Media runs only while the audio session is active, the phase allows media and the
//!   call is not on hold; ringback plays only under the same session and hold
//!   conditions, for an outgoing call whose remote side rings.
//! - The audio-activation wait is armed whenever the call comes to need audio (an answer
//!   or start fulfilled, a held call resumed) while the session is inactive; it is
//!   disarmed by `didActivate` or by its own time-out.
//! - Ending a call is its last transition ([`Call::emit_end`], through
//!   [`CallTable::end`]): cancel, fail, stop media, stop ringback, release, report, in
//!   that order and each at most once. The same function reports the end kept for a call
//!   that has no slot (a push reported and ended at once, [`emit_end`]).
//! - An end that arrives while CallKit does not know the call yet is kept with the call
//!   ([`Call::keep_end`]), the first one winning, and applied when CallKit confirms it.

mod table;

use crate::config::CallCapabilities;
use crate::effect::{CallUpdate, Effect};
use crate::effects::Effects;
use crate::event::Timer;
use crate::log::log_transition;
use crate::payload::PushPayload;
use crate::types::{ActionId, CallEndedReason, CallId, CallerName, Handle, Instant, PushId};

use super::phase::{CallPhase, Direction, State};
use super::teardown::{End, PendingEnd, Release, Spent};

pub(super) use table::CallTable;

/// What a transition needs from the engine beside the call: the time, the audio session
/// and the audio-activation time-out.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ctx {
    /// The time of the event being handled.
    pub(super) now: Instant,
    /// Whether the audio session is active (between `didActivate` and `didDeactivate`).
    pub(super) audio_active: bool,
    /// [`Config::audio_activation_timeout_ms`](crate::Config::audio_activation_timeout_ms).
    pub(super) audio_timeout_ms: u64,
}

impl Ctx {
    /// The deadline of an audio-activation wait armed now.
    #[inline]
    fn audio_deadline(&self) -> Instant {
        self.now.saturating_add_ms(self.audio_timeout_ms)
    }
}

/// Where `reportNewIncomingCall` stands for an incoming call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Report {
    /// The push whose report result answers for this call.
    push: Option<PushId>,
    /// Whether CallKit has not yet confirmed the call.
    awaiting: bool,
    /// An end kept until CallKit knows the call.
    pending_end: Option<PendingEnd>,
    /// New caller details (a later push's, or the app's) kept in the call's remote
    /// party until CallKit knows the call, then sent with `reportCall(with:updated:)`.
    details_pending: bool,
}

/// What CallKit shows of the remote party.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(super) struct Remote {
    pub(super) handle: Option<Handle>,
    pub(super) caller_name: Option<CallerName>,
    pub(super) has_video: bool,
}

/// Which of its timers a call has armed: the [`Timer`] without the call's UUID, so that
/// a transition compares what it armed before and after as two small values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// [`Timer::Ring`].
    Ring,
    /// [`Timer::AnswerConnect`].
    Answer,
    /// [`Timer::AudioActivation`].
    Audio,
}

impl Wait {
    /// The timer of call `id`.
    #[inline(always)]
    const fn timer(self, id: CallId) -> Timer {
        match self {
            Wait::Ring => Timer::Ring(id),
            Wait::Answer => Timer::AnswerConnect(id),
            Wait::Audio => Timer::AudioActivation(id),
        }
    }
}

/// What a call held before a transition, for [`Call::settle`] to compare with after.
#[derive(Clone, Copy)]
struct Before {
    armed: Option<(Wait, Instant)>,
    action: Option<ActionId>,
    needs_audio: bool,
}

/// How far an outgoing call got on the signalling leg.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Progress {
    /// `OutgoingCallConnecting`.
    Connecting,
    /// `OutgoingCallRinging` (SIP 180).
    Ringing,
    /// `OutgoingCallConnected`.
    Connected,
}

/// What confirming a call's report leaves to do ([`Call::confirm`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Confirmed {
    /// The call stays; anything it kept (new details) was sent.
    Live,
    /// The app asked to end the call before CallKit knew it: request a
    /// `CXEndCallAction` now (or, with no room for the request, end it at once).
    EndRequested,
    /// An end was kept: apply it now.
    Ends(End),
}

/// A live call, as the engine sees it. Read with [`Engine::call`] / [`Engine::calls`].
///
/// [`Engine::call`]: super::Engine::call
/// [`Engine::calls`]: super::Engine::calls
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    id: CallId,
    state: State,
    report: Report,
    connection_ready: bool,
    media: bool,
    ringback: bool,
    on_hold: bool,
    muted: bool,
    group: CallId,
    remote: Remote,
}

// --- the public view ---------------------------------------------------------------------

impl Call {
    /// The call's UUID.
    #[inline]
    pub fn id(&self) -> CallId {
        self.id
    }
    /// Incoming or outgoing.
    #[inline]
    pub fn direction(&self) -> Direction {
        match self.state {
            State::Ringing { .. } | State::Answering { .. } | State::Answered { .. } => {
                Direction::Incoming
            }
            _ => Direction::Outgoing,
        }
    }
    /// Where the call stands.
    #[inline]
    pub fn phase(&self) -> CallPhase {
        self.state.phase()
    }
    /// Whether the `reportNewIncomingCall` that created the call has not called back.
    #[inline]
    pub fn report_pending(&self) -> bool {
        self.report.awaiting
    }
    /// Whether an end arrived while CallKit could not take it yet, and waits.
    #[inline]
    pub fn end_pending(&self) -> bool {
        self.report.pending_end.is_some()
    }
    /// Whether new caller details arrived while CallKit did not know the call yet, and
    /// wait to be sent as [`Effect::ReportCallUpdated`] once it does.
    #[inline]
    pub fn update_pending(&self) -> bool {
        self.report.details_pending
    }
    /// Whether the incoming call's connection is ready to answer.
    #[inline]
    pub fn connection_ready(&self) -> bool {
        self.connection_ready
    }
    /// The answer or start action deferred for this call, if any.
    #[inline]
    pub fn deferred_action(&self) -> Option<ActionId> {
        match self.state {
            State::Answering { action, .. } | State::Starting { action } => Some(action),
            _ => None,
        }
    }
    /// Whether media was started and not stopped.
    #[inline]
    pub fn media_running(&self) -> bool {
        self.media
    }
    /// Whether local ringback was started and not stopped (an outgoing call whose remote
    /// side rings, [`Event::OutgoingCallRinging`]).
    ///
    /// [`Event::OutgoingCallRinging`]: crate::Event::OutgoingCallRinging
    #[inline]
    pub fn ringback_playing(&self) -> bool {
        self.ringback
    }
    /// Whether the remote side of this outgoing call rings (SIP 180) and it is not
    /// connected yet.
    #[inline]
    pub fn remote_ringing(&self) -> bool {
        matches!(self.state, State::Connecting { ringing: true, .. })
    }
    /// The audio-activation time-out's deadline, while an established call that needs
    /// audio waits for `provider(_:didActivate:)`
    /// ([`Config::audio_activation_timeout_ms`](crate::Config::audio_activation_timeout_ms)).
    #[inline]
    pub fn audio_activation_deadline(&self) -> Option<Instant> {
        self.state.audio_deadline()
    }
    /// Whether the call is on hold.
    #[inline]
    pub fn is_on_hold(&self) -> bool {
        self.on_hold
    }
    /// Whether the call is muted.
    #[inline]
    pub fn is_muted(&self) -> bool {
        self.muted
    }
    /// The group label: calls with equal labels are grouped (a call alone is its own).
    #[inline]
    pub fn group(&self) -> CallId {
        self.group
    }
    /// The remote handle, if known.
    #[inline]
    pub fn handle(&self) -> Option<&Handle> {
        self.remote.handle.as_ref()
    }
    /// The caller name, if known.
    #[inline]
    pub fn caller_name(&self) -> Option<&CallerName> {
        self.remote.caller_name.as_ref()
    }
    /// Whether the call has video.
    #[inline]
    pub fn has_video(&self) -> bool {
        self.remote.has_video
    }
    /// The ring time-out's deadline while the call rings.
    #[inline]
    pub fn ring_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Ringing { deadline, .. } => Some(deadline),
            _ => None,
        }
    }
    /// The answer time-out's deadline while the answer action is deferred.
    #[inline]
    pub fn answer_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Answering { deadline, .. } => Some(deadline),
            _ => None,
        }
    }
}

// --- what the engine reads -----------------------------------------------------------------

impl Call {
    /// The call's one armed timer and its deadline, if any.
    #[inline]
    pub(super) fn armed_timer(&self) -> Option<(Timer, Instant)> {
        self.armed()
            .map(|(wait, deadline)| (wait.timer(self.id), deadline))
    }

    /// Which timer the call has armed, and its deadline.
    #[inline(always)]
    fn armed(&self) -> Option<(Wait, Instant)> {
        match self.state {
            State::Ringing { deadline, .. } => Some((Wait::Ring, deadline)),
            State::Answering { deadline, .. } => Some((Wait::Answer, deadline)),
            state => state
                .audio_deadline()
                .map(|deadline| (Wait::Audio, deadline)),
        }
    }

    /// Whether the outgoing call waits for signalling to start connecting (its start
    /// action deferred).
    #[inline(always)]
    pub(super) fn starting(&self) -> bool {
        matches!(self.state, State::Starting { .. })
    }

    /// Whether the outgoing call is connecting (its start action fulfilled, not yet
    /// connected).
    #[inline(always)]
    pub(super) fn connecting(&self) -> bool {
        matches!(self.state, State::Connecting { .. })
    }

    /// Whether the ring time-out was already re-armed once as a backstop.
    #[inline]
    pub(super) fn ring_backstop(&self) -> bool {
        matches!(self.state, State::Ringing { backstop: true, .. })
    }

    /// The end kept until CallKit knows the call, if any.
    #[inline]
    pub(super) fn kept_end(&self) -> Option<PendingEnd> {
        self.report.pending_end
    }

    /// Whether the report's result of `push` answers for this call.
    #[inline]
    pub(super) fn reported_by(&self, push: PushId) -> bool {
        self.report.push == Some(push)
    }

    /// Whether CallKit may not know the call yet: its report is pending, or it is an
    /// outgoing call CallKit has not performed the start of.
    #[inline]
    pub(super) fn unknown_to_callkit(&self) -> bool {
        self.report.awaiting || self.phase() == CallPhase::Requested
    }

    /// The call update CallKit is given for this call, on `blank`'s capabilities.
    #[inline]
    pub(super) fn update(&self, blank: CallUpdate) -> CallUpdate {
        CallUpdate {
            remote_handle: self.remote.handle.clone(),
            localized_caller_name: self.remote.caller_name.clone(),
            has_video: self.remote.has_video,
            ..blank
        }
    }

    /// Whether the call needs audio now: established or coming up (a phase with an
    /// audio-activation slot) and not on hold.
    #[inline]
    fn needs_audio(&self) -> bool {
        !self.on_hold && self.state.has_audio_slot()
    }

    #[inline(always)]
    fn before(&self) -> Before {
        Before {
            armed: self.armed(),
            action: self.deferred_action(),
            needs_audio: self.needs_audio(),
        }
    }
}

// --- transitions -------------------------------------------------------------------------

impl Call {
    /// A new incoming call, ringing until `ring_deadline`, its report made for `push`:
    /// connects its signalling and starts its ring timer.
    #[inline]
    fn incoming<const N: usize>(
        id: CallId,
        remote: Remote,
        push: PushId,
        ring_deadline: Instant,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> Self {
        let mut c = Call::new(id, State::Requested, remote);
        c.report = Report {
            push: Some(push),
            awaiting: true,
            ..Report::default()
        };
        let before = c.before();
        c.state = State::Ringing {
            deadline: ring_deadline,
            backstop: false,
        };
        c.settle(
            before,
            Spent::Nothing,
            ctx,
            out,
            #[inline(always)]
            |out| out.push(Effect::ConnectIncoming { call: id }),
        );
        log_transition!("call {} ringing", id);
        c
    }

    /// A new outgoing call the app requested, to `handle`.
    #[inline(always)]
    fn outgoing(id: CallId, handle: Handle, video: bool) -> Self {
        let remote = Remote {
            handle: Some(handle),
            caller_name: None,
            has_video: video,
        };
        Call::new(id, State::Requested, remote)
    }

    #[inline]
    fn new(id: CallId, state: State, remote: Remote) -> Self {
        Call {
            id,
            state,
            report: Report::default(),
            connection_ready: false,
            media: false,
            ringback: false,
            on_hold: false,
            muted: false,
            group: id,
            remote,
        }
    }

    /// Brings what the host was told of the call in line with what it holds now (see
    /// the module rules): arms the audio-activation wait if the call came to need audio
    /// with the session inactive, cancels the timer the change disarmed (unless it
    /// fired, `spent`), fails the deferred action it dropped (unless `spent` says it was
    /// fulfilled or voided), emits `between`, starts the timer it armed, then starts or
    /// stops media and ringback. The only place a live call's timers are armed or
    /// disarmed.
    #[inline(always)]
    fn settle<const N: usize>(
        &mut self,
        before: Before,
        spent: Spent,
        ctx: &Ctx,
        out: &mut Effects<N>,
        between: impl FnOnce(&mut Effects<N>),
    ) {
        if !before.needs_audio && !ctx.audio_active && self.needs_audio() {
            if let Some(slot @ None) = self.state.audio_slot() {
                *slot = Some(ctx.audio_deadline());
            }
        }
        let told = if spent == Spent::Timer {
            None
        } else {
            before.armed
        };
        let armed = self.armed();
        let changed = told != armed;
        if changed {
            if let Some((wait, _)) = told {
                out.push(Effect::CancelTimer {
                    timer: wait.timer(self.id),
                });
            }
        }
        if let Some(action) = before.action {
            if spent == Spent::Nothing && self.deferred_action() != Some(action) {
                out.push(Effect::FailAction { action });
            }
        }
        between(out);
        if changed {
            if let Some((wait, deadline)) = armed {
                out.push(Effect::StartTimer {
                    timer: wait.timer(self.id),
                    deadline,
                });
            }
        }
        self.sync_audio(ctx.audio_active, out);
    }

    /// Starts or stops media and ringback as the rules want them (media before
    /// ringback).
    #[inline(always)]
    fn sync_audio<const N: usize>(&mut self, active: bool, out: &mut Effects<N>) {
        let call = self.id;
        let media = active && !self.on_hold && self.phase().media_allowed();
        if media != self.media {
            self.media = media;
            out.push(if media {
                Effect::StartMedia { call }
            } else {
                Effect::StopMedia { call }
            });
        }
        let ringback = active && !self.on_hold && self.remote_ringing();
        if ringback != self.ringback {
            self.ringback = ringback;
            out.push(if ringback {
                Effect::StartRingback { call }
            } else {
                Effect::StopRingback { call }
            });
        }
    }

    /// `CXAnswerCallAction` `action` on this ringing call. With the connection ready the
    /// call is answered and the action fulfilled; otherwise the action is deferred until
    /// the connection is ready or `answer_deadline`. Returns `false`, with nothing done,
    /// when the call is not ringing or an end is kept for it.
    #[inline(always)]
    fn answer<const N: usize>(
        &mut self,
        action: ActionId,
        answer_deadline: Instant,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> bool {
        if self.phase() != CallPhase::Ringing || self.report.pending_end.is_some() {
            return false;
        }
        let before = self.before();
        let call = self.id;
        if self.connection_ready {
            self.state = State::ANSWERED;
            self.settle(
                before,
                Spent::Nothing,
                ctx,
                out,
                #[inline(always)]
                |out| {
                    out.push(Effect::ConfigureAudioSession);
                    out.push(Effect::AnswerIncoming { call });
                    out.push(Effect::FulfillAction { action });
                },
            );
        } else {
            // Not connected yet (cold start from a push): hold the action until the
            // connection is ready, and fail it after a bound (as Signal does).
            self.state = State::Answering {
                action,
                deadline: answer_deadline,
            };
            self.settle(
                before,
                Spent::Nothing,
                ctx,
                out,
                #[inline(always)]
                |out| out.push(Effect::ConfigureAudioSession),
            );
        }
        log_transition!("call {} {}", call, self.phase());
        true
    }

    /// The incoming call's connection is ready: a deferred answer is released (the call
    /// answered, the action fulfilled). Returns `false`, with nothing done, for an
    /// outgoing call.
    #[inline(always)]
    fn connected<const N: usize>(&mut self, ctx: &Ctx, out: &mut Effects<N>) -> bool {
        if self.direction() != Direction::Incoming {
            return false;
        }
        self.connection_ready = true;
        if let State::Answering { action, .. } = self.state {
            let before = self.before();
            let call = self.id;
            self.state = State::ANSWERED;
            self.settle(
                before,
                Spent::Fulfilled,
                ctx,
                out,
                #[inline(always)]
                |out| {
                    out.push(Effect::AnswerIncoming { call });
                    out.push(Effect::FulfillAction { action });
                },
            );
            log_transition!("call {} answered", call);
        }
        true
    }

    /// `CXStartCallAction` `action` on this requested call, to `handle`: signalling is
    /// asked to start and the action is deferred until it starts connecting. The host
    /// is handed the handle with the step ([`Effects::outgoing_handle`]).
    #[inline(always)]
    fn start<const N: usize>(
        &mut self,
        action: ActionId,
        handle: &Handle,
        video: bool,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let before = self.before();
        let call = self.id;
        self.state = State::Starting { action };
        self.remote.handle = Some(handle.clone());
        self.remote.has_video = video;
        self.settle(
            before,
            Spent::Nothing,
            ctx,
            out,
            #[inline(always)]
            |out| {
                out.push(Effect::ConfigureAudioSession);
                out.push(Effect::StartOutgoing { call, video });
            },
        );
        log_transition!("call {} starting", call);
    }

    /// The outgoing call started connecting: `startedConnectingAt` is reported and the
    /// deferred start action fulfilled; details the app gave before CallKit performed
    /// the start are sent. Nothing when the call is not starting.
    #[inline(always)]
    fn started_connecting<const N: usize>(
        &mut self,
        caps: CallCapabilities,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let State::Starting { action } = self.state else {
            return;
        };
        let before = self.before();
        let call = self.id;
        self.state = State::Connecting {
            audio: None,
            ringing: false,
        };
        let at = ctx.now;
        self.settle(
            before,
            Spent::Fulfilled,
            ctx,
            out,
            #[inline(always)]
            |out| {
                out.push(Effect::ReportOutgoingCallStartedConnecting { call, at });
                out.push(Effect::FulfillAction { action });
            },
        );
        if core::mem::take(&mut self.report.details_pending) {
            out.set_call_update(self.update(blank_update(caps)));
            out.push(Effect::ReportCallUpdated { call });
        }
    }

    /// The connecting outgoing call's remote side rings (SIP 180): ringback may play.
    /// Connecting holds its audio-activation wait in the same slot before and after,
    /// and no action, so of [`Call::settle`]'s differences only ringback can change.
    #[inline(always)]
    pub(super) fn remote_rings<const N: usize>(&mut self, ctx: &Ctx, out: &mut Effects<N>) {
        if let State::Connecting { ringing, .. } = &mut self.state {
            *ringing = true;
        }
        self.sync_audio(ctx.audio_active, out);
    }

    /// The connecting outgoing call connected: `connectedAt` is reported, ringback
    /// stops. The audio-activation wait moves to the connected phase unchanged and no
    /// action is deferred in either phase, so of [`Call::settle`]'s differences only
    /// ringback can change.
    #[inline(always)]
    pub(super) fn remote_answered<const N: usize>(&mut self, ctx: &Ctx, out: &mut Effects<N>) {
        let call = self.id;
        self.state = State::Connected {
            audio: self.audio_activation_deadline(),
        };
        out.push(Effect::ReportOutgoingCallConnected { call, at: ctx.now });
        self.sync_audio(ctx.audio_active, out);
    }

    /// Holds or resumes the call on the signalling leg; media and ringback follow, and a
    /// call resumed while the audio session is inactive waits for it.
    #[inline(never)]
    pub(super) fn set_held<const N: usize>(
        &mut self,
        on_hold: bool,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let before = self.before();
        let call = self.id;
        self.on_hold = on_hold;
        self.settle(
            before,
            Spent::Nothing,
            ctx,
            out,
            #[inline(always)]
            |out| out.push(Effect::SetHeld { call, on_hold }),
        );
        log_transition!("call {} held or resumed", call);
    }

    /// Mutes or unmutes the call.
    #[inline]
    pub(super) fn set_muted<const N: usize>(&mut self, muted: bool, out: &mut Effects<N>) {
        self.muted = muted;
        out.push(Effect::SetMuted {
            call: self.id,
            muted,
        });
    }

    /// Gives the call the group label `group`.
    #[inline]
    pub(super) fn set_group(&mut self, group: CallId) {
        self.group = group;
    }

    /// The audio session became `active` (`didActivate`, which disarms the
    /// audio-activation wait) or inactive (`didDeactivate`): media and ringback follow.
    /// The session changes nothing else a call holds, so this is [`Call::settle`]'s
    /// difference written for its one case: the wait's cancel, then media and ringback.
    #[inline]
    pub(super) fn audio_session<const N: usize>(&mut self, ctx: &Ctx, out: &mut Effects<N>) {
        if ctx.audio_active {
            if let Some(slot @ Some(_)) = self.state.audio_slot() {
                *slot = None;
                out.push(Effect::CancelTimer {
                    timer: Wait::Audio.timer(self.id),
                });
            }
        }
        self.sync_audio(ctx.audio_active, out);
    }

    /// The audio-activation time-out fired: the wait is over, and the host is told.
    #[inline]
    pub(super) fn audio_timed_out<const N: usize>(&mut self, ctx: &Ctx, out: &mut Effects<N>) {
        let before = self.before();
        if let Some(slot) = self.state.audio_slot() {
            *slot = None;
        }
        self.settle(before, Spent::Timer, ctx, out, |_| {});
        out.push(Effect::AudioActivationTimedOut { call: self.id });
        log_transition!("call {} audio activation time-out", self.id);
    }

    /// The ring time-out fired while CallKit has not confirmed the call: the time-out is
    /// kept like any other end, and the ring timer re-armed once, at `backstop_at`, so
    /// that a report that never completes does not ring forever.
    #[inline]
    pub(super) fn ring_backstop_at<const N: usize>(
        &mut self,
        backstop_at: Instant,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let before = self.before();
        self.keep_end(PendingEnd::Remote {
            reason: CallEndedReason::Unanswered,
            release: Release::Auto(crate::effect::RejectReason::Unanswered),
        });
        self.state = State::Ringing {
            deadline: backstop_at,
            backstop: true,
        };
        self.settle(before, Spent::Timer, ctx, out, |_| {});
    }

    /// Keeps `end` until CallKit knows the call, unless an earlier end is kept: the
    /// first end wins.
    #[inline]
    pub(super) fn keep_end(&mut self, end: PendingEnd) {
        if self.report.pending_end.is_none() {
            self.report.pending_end = Some(end);
        }
    }

    /// Takes the kept end out (a start performed for a call the app already ended).
    #[inline]
    pub(super) fn take_kept_end(&mut self) -> Option<PendingEnd> {
        self.report.pending_end.take()
    }

    /// The report's result of `push` no longer answers for this call (the host reused
    /// the id for a newer report, or the result came).
    #[inline]
    pub(super) fn forget_push(&mut self, push: PushId) {
        if self.report.push == Some(push) {
            self.report.push = None;
        }
    }

    /// Takes a later push's caller details for this incoming call (a copy of its push
    /// that names the caller anew). While CallKit has not confirmed the call the details
    /// wait with it; returns whether they are to be sent now.
    #[inline]
    pub(super) fn merge_push_details(&mut self, parsed: &PushPayload) -> bool {
        let fresh_name =
            parsed.caller_name.is_some() && parsed.caller_name != self.remote.caller_name;
        let fresh_handle = parsed.handle.is_some() && parsed.handle != self.remote.handle;
        if !(fresh_name || fresh_handle) {
            return false;
        }
        if fresh_name {
            self.remote.caller_name = parsed.caller_name.clone();
        }
        if fresh_handle {
            self.remote.handle = parsed.handle.clone();
        }
        self.report.details_pending |= self.report.awaiting;
        !self.report.awaiting
    }

    /// Takes caller details the app learned ([`Event::CallDetailsChanged`]). Returns
    /// whether they are to be sent now: not when nothing changed or an end is kept, and
    /// not while CallKit does not know the call (they wait with it).
    ///
    /// [`Event::CallDetailsChanged`]: crate::Event::CallDetailsChanged
    #[inline]
    pub(super) fn merge_app_details(
        &mut self,
        name: Option<CallerName>,
        has_video: Option<bool>,
    ) -> bool {
        let fresh_name = name.is_some() && name != self.remote.caller_name;
        let fresh_video = has_video.is_some_and(|v| v != self.remote.has_video);
        if !(fresh_name || fresh_video) || self.report.pending_end.is_some() {
            return false;
        }
        if fresh_name {
            self.remote.caller_name = name;
        }
        if let Some(video) = has_video {
            self.remote.has_video = video;
        }
        if self.unknown_to_callkit() {
            self.report.details_pending = true;
            return false;
        }
        true
    }

    /// CallKit now knows the call (its report completed, its push deadline passed, or
    /// CallKit performed an action on it). Details kept while it did not are sent; what
    /// is left to do with a kept end is returned.
    #[inline]
    pub(super) fn confirm<const N: usize>(
        &mut self,
        blank: CallUpdate,
        out: &mut Effects<N>,
    ) -> Confirmed {
        if !self.report.awaiting {
            return Confirmed::Live;
        }
        self.report.awaiting = false;
        let details = core::mem::take(&mut self.report.details_pending);
        match self.report.pending_end.take() {
            None => {
                if details {
                    out.set_call_update(self.update(blank));
                    out.push(Effect::ReportCallUpdated { call: self.id });
                }
                Confirmed::Live
            }
            Some(PendingEnd::Local) => Confirmed::EndRequested,
            Some(kept) => Confirmed::Ends(kept.end()),
        }
    }

    /// The effects of ending this call: see [`emit_end`].
    #[inline(always)]
    fn emit_end<const N: usize>(&self, end: End, now: Instant, out: &mut Effects<N>) {
        emit_end(self.id, Some(self), end, now, out);
    }
}

/// A call update with nothing known of the remote party, on capabilities `caps`.
#[inline]
pub(super) fn blank_update(caps: CallCapabilities) -> CallUpdate {
    CallUpdate {
        remote_handle: None,
        localized_caller_name: None,
        has_video: false,
        supports_holding: caps.supports_holding,
        supports_grouping: caps.supports_grouping,
        supports_ungrouping: caps.supports_ungrouping,
        supports_dtmf: caps.supports_dtmf,
    }
}

/// The effects of ending `call`, in order: for a live call, the cancel of its armed timer
/// (unless it fired), the failure of its deferred action (unless CallKit voided it), the
/// stop of its media and of its ringback and the release of its signalling leg; then,
/// with `end.ended`, `reportCall(endedAt:reason:)`. A call with no slot (`live` is
/// `None`: a push reported and ended at once) has only the report. At most 5 effects: a
/// call with a deferred action has no media or ringback, and one with ringback has no
/// armed timer (ringback plays only with the audio session active, which disarms the
/// audio-activation wait).
#[inline(always)]
pub(super) fn emit_end<const N: usize>(
    call: CallId,
    live: Option<&Call>,
    end: End,
    now: Instant,
    out: &mut Effects<N>,
) {
    if let Some(c) = live {
        if end.spent != Spent::Timer {
            if let Some((timer, _)) = c.armed_timer() {
                out.push(Effect::CancelTimer { timer });
            }
        }
        if end.spent != Spent::Action {
            if let Some(action) = c.deferred_action() {
                out.push(Effect::FailAction { action });
            }
        }
        if c.media {
            out.push(Effect::StopMedia { call });
        }
        if c.ringback {
            out.push(Effect::StopRingback { call });
        }
        let signal = match end.release {
            Release::Nothing => None,
            Release::HangUp => Some(Effect::HangUp { call }),
            Release::Auto(reason) => match c.phase() {
                CallPhase::Ringing | CallPhase::Answering => {
                    Some(Effect::RejectIncoming { call, reason })
                }
                CallPhase::Requested => None,
                _ => Some(Effect::HangUp { call }),
            },
        };
        if let Some(signal) = signal {
            out.push(signal);
        }
    }
    if let Some(reason) = end.ended {
        out.push(Effect::ReportCallEnded {
            call,
            at: now,
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effect::RejectReason;
    use crate::engine::testing::{action_id as action, at, call_id as id};
    use crate::error::Error;
    use crate::types::HandleType;

    fn call(n: u8, state: State) -> Call {
        Call::new(id(n), state, Remote::default())
    }

    #[test]
    fn the_public_view_is_read_from_the_phase_state() {
        let ringing = call(
            1,
            State::Ringing {
                deadline: at(5),
                backstop: false,
            },
        );
        assert_eq!(ringing.phase(), CallPhase::Ringing);
        assert_eq!(ringing.direction(), Direction::Incoming);
        assert_eq!(ringing.ring_deadline(), Some(at(5)));
        assert_eq!(ringing.answer_deadline(), None);
        assert_eq!(ringing.deferred_action(), None);
        assert_eq!(ringing.armed_timer(), Some((Timer::Ring(id(1)), at(5))));

        let answering = call(
            2,
            State::Answering {
                action: action(9),
                deadline: at(7),
            },
        );
        assert_eq!(answering.phase(), CallPhase::Answering);
        assert_eq!(answering.ring_deadline(), None);
        assert_eq!(answering.answer_deadline(), Some(at(7)));
        assert_eq!(answering.deferred_action(), Some(action(9)));
        assert_eq!(
            answering.armed_timer(),
            Some((Timer::AnswerConnect(id(2)), at(7)))
        );

        let starting = call(3, State::Starting { action: action(4) });
        assert_eq!(starting.phase(), CallPhase::Starting);
        assert_eq!(starting.direction(), Direction::Outgoing);
        assert_eq!(starting.deferred_action(), Some(action(4)));
        assert_eq!(starting.armed_timer(), None);

        for (state, phase) in [
            (State::ANSWERED, CallPhase::Answered),
            (State::Requested, CallPhase::Requested),
            (
                State::Connecting {
                    audio: None,
                    ringing: true,
                },
                CallPhase::Connecting,
            ),
            (State::Connected { audio: None }, CallPhase::Connected),
        ] {
            let c = call(4, state);
            assert_eq!(c.phase(), phase);
            assert_eq!((c.armed_timer(), c.deferred_action()), (None, None));
        }
        assert_eq!(call(4, State::ANSWERED).direction(), Direction::Incoming);
        assert_eq!(
            call(4, State::Connected { audio: None }).direction(),
            Direction::Outgoing
        );
    }

    #[test]
    fn ending_emits_cancel_fail_stop_release_and_report_in_that_order() {
        let mut table: CallTable<2, 2> = CallTable::new();
        let mut c = call(
            1,
            State::Answering {
                action: action(9),
                deadline: at(7),
            },
        );
        c.media = true;
        assert!(table.add(c).is_ok());
        let mut out: Effects<8> = Effects::new();
        table.end(0, End::failed(), at(3), &mut out);
        assert_eq!(
            &out[..],
            &[
                Effect::CancelTimer {
                    timer: Timer::AnswerConnect(id(1))
                },
                Effect::FailAction { action: action(9) },
                Effect::StopMedia { call: id(1) },
                Effect::RejectIncoming {
                    call: id(1),
                    reason: RejectReason::Failed
                },
                Effect::ReportCallEnded {
                    call: id(1),
                    at: at(3),
                    reason: CallEndedReason::Failed
                },
            ]
        );
        assert!(table.is_empty());
        assert!(table.ended_recently(id(1)));
    }

    #[test]
    fn a_fired_timer_is_not_cancelled_and_a_voided_action_is_not_failed() {
        let answering = State::Answering {
            action: action(9),
            deadline: at(7),
        };
        let mut out: Effects<8> = Effects::new();
        let mut table: CallTable<2, 2> = CallTable::new();
        assert!(table.add(call(1, answering)).is_ok());
        let end = End::new(Release::Nothing, None);
        table.end(0, end.spent(Spent::Timer), at(3), &mut out);
        assert_eq!(&out[..], &[Effect::FailAction { action: action(9) }]);

        out.clear();
        assert!(table.add(call(2, answering)).is_ok());
        table.end(0, end.spent(Spent::Action), at(3), &mut out);
        assert_eq!(
            &out[..],
            &[Effect::CancelTimer {
                timer: Timer::AnswerConnect(id(2))
            }]
        );
    }

    #[test]
    fn the_release_follows_the_phase() {
        let auto = End::new(Release::Auto(RejectReason::Declined), None);
        for (state, signal) in [
            (
                State::Ringing {
                    deadline: at(1),
                    backstop: true,
                },
                Some(Effect::RejectIncoming {
                    call: id(1),
                    reason: RejectReason::Declined,
                }),
            ),
            (State::Requested, None),
            (
                State::Connected { audio: None },
                Some(Effect::HangUp { call: id(1) }),
            ),
        ] {
            let mut table: CallTable<1, 2> = CallTable::new();
            assert!(table.add(call(1, state)).is_ok());
            let mut out: Effects<8> = Effects::new();
            table.end(0, auto.spent(Spent::Timer), at(0), &mut out);
            assert_eq!(out.last(), signal.as_ref());
        }
    }

    #[test]
    fn the_last_call_takes_an_ended_calls_slot_and_lookups_give_the_slot() {
        let mut table: CallTable<3, 2> = CallTable::new();
        for n in 1..=3 {
            assert!(table.add(call(n, State::Connected { audio: None })).is_ok());
        }
        assert!(table.is_full());
        assert_eq!(
            table.add(call(4, State::Connected { audio: None })),
            Err(Error::CallCapacity)
        );
        let mut out: Effects<8> = Effects::new();
        table.end(0, End::new(Release::Nothing, None), at(0), &mut out);
        assert!(out.is_empty());
        assert_eq!(table.find(id(3)).map(|(i, _)| i), Some(0));
        assert_eq!(
            table.live_or_gone(id(2)).map(|f| f.map(|(i, _)| i)),
            Ok(Some(1))
        );
        assert!(table.get(id(1)).is_none());
        assert!(table.ended_recently(id(1)) && !table.ended_recently(id(2)));
        // An empty slot ends nothing.
        table.end(5, End::failed(), at(0), &mut out);
        assert!(out.is_empty());
        assert_eq!(table.iter().count(), 2);
    }

    #[test]
    fn the_first_kept_end_wins_and_a_kept_end_becomes_its_end() {
        let remote = PendingEnd::Remote {
            reason: CallEndedReason::RemoteEnded,
            release: Release::HangUp,
        };
        let mut c = call(1, State::Requested);
        c.keep_end(remote);
        c.keep_end(PendingEnd::Local);
        assert_eq!(c.kept_end(), Some(remote));
        assert!(c.end_pending());
        assert_eq!(
            remote.end(),
            End::new(Release::HangUp, Some(CallEndedReason::RemoteEnded))
        );
        assert_eq!(PendingEnd::Local.end(), End::declined());
        assert_eq!(
            End::declined(),
            End::new(
                Release::Auto(RejectReason::Declined),
                Some(CallEndedReason::Failed)
            )
        );
        assert_eq!(c.take_kept_end(), Some(remote));
        assert!(!c.end_pending());
    }

    #[test]
    fn a_calls_update_carries_its_remote_party_on_the_given_capabilities() {
        let remote = Remote {
            handle: Handle::new(crate::types::HandleType::Generic, "alice"),
            caller_name: Some(CallerName::truncating("Alice")),
            has_video: true,
        };
        let c = Call::new(id(1), State::ANSWERED, remote.clone());
        let blank = CallUpdate {
            remote_handle: None,
            localized_caller_name: None,
            has_video: false,
            supports_holding: true,
            supports_grouping: false,
            supports_ungrouping: true,
            supports_dtmf: false,
        };
        let update = c.update(blank.clone());
        assert_eq!(update.remote_handle, remote.handle);
        assert_eq!(update.localized_caller_name, remote.caller_name);
        assert!(update.has_video);
        assert_eq!(
            (update.supports_holding, update.supports_grouping),
            (true, false)
        );
        assert_eq!(
            (update.supports_ungrouping, update.supports_dtmf),
            (true, false)
        );
    }

    #[test]
    fn lookups_find_the_call_by_id_or_by_the_push_its_report_waits_for() {
        let mut table: CallTable<2, 2> = CallTable::new();
        assert!(table.is_empty() && !table.is_full());
        let mut first = call(1, State::Connected { audio: None });
        first.report.push = Some(PushId(7));
        assert!(first.reported_by(PushId(7)) && !first.reported_by(PushId(8)));
        assert!(table.add(first).is_ok());
        assert!(!table.is_empty() && !table.is_full());
        let mut second = call(2, State::ANSWERED);
        second.report.push = Some(PushId(8));
        assert!(table.add(second).is_ok());
        assert!(table.is_full());
        assert_eq!(table.get(id(2)).map(Call::id), Some(id(2)));
        assert_eq!(table.get_mut(id(1)).map(|c| c.id), Some(id(1)));
        table.forget_push(PushId(8));
        assert_eq!(table.reporting(PushId(8)), None);
        second_forgotten_check(&table);
        assert!(table.get(id(3)).is_none() && table.get_mut(id(3)).is_none());
        assert_eq!(table.at_mut(1).map(|c| c.id), Some(id(2)));
        assert!(table.at_mut(2).is_none());
        assert_eq!(table.reporting(PushId(7)), Some(0));
        assert_eq!(table.reporting(PushId(9)), None);
        table.remember_ended(id(5));
        assert!(table.ended_recently(id(5)) && !table.ended_recently(id(6)));
    }

    fn second_forgotten_check<const C: usize>(table: &CallTable<C, 2>) {
        assert_eq!(table.reporting(PushId(7)), Some(0));
    }

    #[test]
    fn ending_every_call_voids_deferred_actions_and_remembers_every_call() {
        let mut table: CallTable<2, 2> = CallTable::new();
        assert!(table
            .add(call(1, State::Starting { action: action(5) }))
            .is_ok());
        assert!(table.add(call(2, State::Requested)).is_ok());
        let mut out: Effects<8> = Effects::new();
        table.end_all(at(0), &mut out);
        assert_eq!(&out[..], &[Effect::HangUp { call: id(1) }]);
        assert!(table.is_empty());
        assert!(table.ended_recently(id(1)) && table.ended_recently(id(2)));
    }

    /// The effects of settling a call through `change`, at 100 ms, with the session
    /// `active` or not and a 5 s audio-activation time-out.
    fn settled(
        c: &mut Call,
        active: bool,
        change: impl FnOnce(&mut Call, &Ctx, &mut Effects<8>),
    ) -> Effects<8> {
        let ctx = Ctx {
            now: at(100),
            audio_active: active,
            audio_timeout_ms: 5_000,
        };
        let mut out = Effects::new();
        change(c, &ctx, &mut out);
        out
    }

    #[test]
    fn a_transition_cancels_then_emits_its_own_effects_then_arms_then_starts_media() {
        let mut c = call(
            1,
            State::Ringing {
                deadline: at(30_000),
                backstop: false,
            },
        );
        c.connection_ready = true;
        let out = settled(&mut c, false, |c, ctx, out| {
            assert!(c.answer(action(2), at(20_000), ctx, out));
        });
        assert_eq!(
            &out[..],
            &[
                Effect::CancelTimer {
                    timer: Timer::Ring(id(1))
                },
                Effect::ConfigureAudioSession,
                Effect::AnswerIncoming { call: id(1) },
                Effect::FulfillAction { action: action(2) },
                Effect::StartTimer {
                    timer: Timer::AudioActivation(id(1)),
                    deadline: at(5_100)
                },
            ]
        );
        // With the session active: no wait, media at once.
        let mut c = call(
            1,
            State::Ringing {
                deadline: at(30_000),
                backstop: false,
            },
        );
        c.connection_ready = true;
        let out = settled(&mut c, true, |c, ctx, out| {
            assert!(c.answer(action(2), at(20_000), ctx, out));
        });
        assert_eq!(out.last(), Some(&Effect::StartMedia { call: id(1) }));
        assert_eq!(c.audio_activation_deadline(), None);
    }

    #[test]
    fn a_deferred_action_dropped_by_a_transition_is_failed_unless_fulfilled() {
        let mut c = call(
            1,
            State::Answering {
                action: action(2),
                deadline: at(9),
            },
        );
        let out = settled(&mut c, true, |c, ctx, out| {
            assert!(c.connected(ctx, out));
        });
        assert_eq!(
            &out[..],
            &[
                Effect::CancelTimer {
                    timer: Timer::AnswerConnect(id(1))
                },
                Effect::AnswerIncoming { call: id(1) },
                Effect::FulfillAction { action: action(2) },
                Effect::StartMedia { call: id(1) },
            ]
        );
        let mut c = call(
            1,
            State::Answering {
                action: action(2),
                deadline: at(9),
            },
        );
        let before = c.before();
        c.state = State::ANSWERED;
        let out = settled(&mut c, true, |c, ctx, out| {
            c.settle(before, Spent::Nothing, ctx, out, |_| {})
        });
        assert_eq!(out.get(1), Some(&Effect::FailAction { action: action(2) }));
    }

    #[test]
    fn a_resumed_call_waits_for_audio_only_with_the_session_inactive_and_holding_keeps_the_wait() {
        let mut c = call(1, State::ANSWERED);
        c.on_hold = true;
        let out = settled(&mut c, false, |c, ctx, out| c.set_held(false, ctx, out));
        assert_eq!(
            &out[..],
            &[
                Effect::SetHeld {
                    call: id(1),
                    on_hold: false
                },
                Effect::StartTimer {
                    timer: Timer::AudioActivation(id(1)),
                    deadline: at(5_100)
                },
            ]
        );
        // Held again: the wait stays armed (it fires as AudioActivationTimedOut).
        let out = settled(&mut c, false, |c, ctx, out| c.set_held(true, ctx, out));
        assert_eq!(
            &out[..],
            &[Effect::SetHeld {
                call: id(1),
                on_hold: true
            }]
        );
        assert_eq!(c.audio_activation_deadline(), Some(at(5_100)));
        // Resumed with the session active: media, no wait.
        let mut c = call(1, State::ANSWERED);
        c.on_hold = true;
        let out = settled(&mut c, true, |c, ctx, out| c.set_held(false, ctx, out));
        assert_eq!(out.last(), Some(&Effect::StartMedia { call: id(1) }));
        assert_eq!(c.audio_activation_deadline(), None);
        // A resume of an unheld call does not re-arm a wait that fired.
        let mut c = call(1, State::ANSWERED);
        let out = settled(&mut c, false, |c, ctx, out| c.set_held(false, ctx, out));
        assert_eq!(
            &out[..],
            &[Effect::SetHeld {
                call: id(1),
                on_hold: false
            }]
        );
    }

    #[test]
    fn a_fired_timer_is_replaced_without_a_cancel() {
        let mut c = call(
            1,
            State::Ringing {
                deadline: at(100),
                backstop: false,
            },
        );
        c.report.awaiting = true;
        let out = settled(&mut c, false, |c, ctx, out| {
            c.ring_backstop_at(at(400), ctx, out)
        });
        assert_eq!(
            &out[..],
            &[Effect::StartTimer {
                timer: Timer::Ring(id(1)),
                deadline: at(400)
            }]
        );
        assert!(c.ring_backstop() && c.end_pending());
        let mut c = call(
            2,
            State::Answered {
                audio: Some(at(100)),
            },
        );
        let out = settled(&mut c, false, |c, ctx, out| c.audio_timed_out(ctx, out));
        assert_eq!(&out[..], &[Effect::AudioActivationTimedOut { call: id(2) }]);
        assert_eq!(c.armed_timer(), None);
    }

    #[test]
    fn the_table_counts_deferring_calls_and_refuses_a_deferred_action_id_only_then() {
        let ctx = Ctx {
            now: at(0),
            audio_active: false,
            audio_timeout_ms: 5_000,
        };
        let mut table: CallTable<3, 2> = CallTable::new();
        let mut out: Effects<16> = Effects::new();
        assert!(table
            .ring(id(1), Remote::default(), PushId(1), at(10), &ctx, &mut out)
            .is_ok());
        assert!(table.locate(action(7), id(1)) == Ok(Some(0)));
        assert!(table.answer(0, action(7), at(20), &ctx, &mut out));
        assert_eq!(table.deferring_slot(action(7)), Some(0));
        assert_eq!(
            table.locate(action(7), id(2)),
            Err(Error::DuplicateAction(action(7)))
        );
        let handle = Handle::new(HandleType::Generic, "bob").unwrap_or_else(|| unreachable!());
        assert!(table.request(id(2), handle.clone(), false).is_ok());
        table.start(1, action(8), &handle, false, &ctx, &mut out);
        assert_eq!(table.deferring_slot(action(8)), Some(1));
        // Released, the answer no longer counts; ended, the start neither.
        assert!(table.connected(0, &ctx, &mut out));
        assert_eq!(table.deferring_slot(action(7)), None);
        assert_eq!(table.locate(action(7), id(1)), Ok(Some(0)));
        table.end(1, End::failed(), at(1), &mut out);
        assert_eq!(table.deferring, 0);
        assert_eq!(table.locate(action(8), id(2)), Ok(None));
    }

    #[test]
    fn a_lookup_compares_whole_uuids_when_fingerprints_collide() {
        // Bytes 0 and 8 swapped: the fold gives both UUIDs one key.
        let a = CallId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
        let b = CallId::from_bytes([9, 2, 3, 4, 5, 6, 7, 8, 1, 10, 11, 12, 13, 14, 15, 16]);
        assert_eq!(table::fingerprint(a), table::fingerprint(b));
        let mut table: CallTable<2, 2> = CallTable::new();
        assert!(table
            .add(Call::new(a, State::ANSWERED, Remote::default()))
            .is_ok());
        assert!(table
            .add(Call::new(b, State::ANSWERED, Remote::default()))
            .is_ok());
        assert_eq!(table.position(b), Some(1));
        assert_eq!(table.position(a), Some(0));
        assert_eq!(table.position(id(3)), None);
    }

    #[test]
    fn an_end_kept_for_a_slotless_call_is_reported_once_callkit_has_it_or_dropped() {
        let ended = |call: CallId, ms: u64| Effect::ReportCallEnded {
            call,
            at: at(ms),
            reason: CallEndedReason::Failed,
        };
        let kept = PendingEnd::Remote {
            reason: CallEndedReason::Failed,
            release: Release::Nothing,
        };
        let mut table: CallTable<1, 2> = CallTable::new();
        let mut out: Effects<8> = Effects::new();
        table.keep_ending(PushId(1), id(1), kept, at(0), &mut out);
        table.keep_ending(PushId(2), id(2), kept, at(0), &mut out);
        assert!(out.is_empty());
        assert!(table.owes_end(id(1)) && table.owes_end(id(2)) && !table.owes_end(id(3)));
        // Full (cannot happen beside the push table): reported at once, not lost.
        table.keep_ending(PushId(3), id(3), kept, at(5), &mut out);
        assert_eq!(&out[..], &[ended(id(3), 5)]);
        out.clear();
        // CallKit has the call: its end, once.
        assert!(table.release_ending(PushId(1), at(7), &mut out));
        assert!(!table.release_ending(PushId(1), at(7), &mut out));
        assert_eq!(&out[..], &[ended(id(1), 7)]);
        assert!(!table.owes_end(id(1)));
        // Refused, or ended by CallKit itself: dropped without a word.
        out.clear();
        table.keep_ending(PushId(4), id(4), kept, at(0), &mut out);
        table.drop_ending(PushId(2));
        table.drop_endings_of(id(4));
        assert!(!table.owes_end(id(2)) && !table.owes_end(id(4)));
        assert!(!table.release_ending(PushId(4), at(9), &mut out));
        // A reset forgets every kept end.
        table.keep_ending(PushId(5), id(5), kept, at(0), &mut out);
        table.end_all(at(9), &mut out);
        assert!(out.is_empty() && !table.owes_end(id(5)));
    }
}
