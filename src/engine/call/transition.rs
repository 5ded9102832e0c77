//! Every change a call goes through, each a transition that emits its own effects
//! ([`Call::settle`]), and the end of a call ([`emit_end`]). The rules are the module's
//! (`call.rs`).

use crate::config::CallCapabilities;
use crate::effect::{CallUpdate, Effect};
use crate::effects::Effects;
use crate::event::Timer;
use crate::log::log_transition;
use crate::payload::PushPayload;
use crate::types::{
    ActionId, CallEndedReason, CallId, CallerName, Handle, Instant, PushId, Translation,
};

use super::super::phase::{CallPhase, Direction, State};
use super::super::teardown::{End, PendingEnd, Release, Spent};
use super::{Before, Call, Confirmed, Ctx, Remote, Report, Wait};

impl Call {
    /// A new incoming call, ringing until `ring_deadline`, its report made for `push`
    /// (`None`: announced over the app's connection): connects its signalling and starts
    /// its ring timer.
    #[inline]
    pub(super) fn incoming<const N: usize>(
        id: CallId,
        remote: Remote,
        push: Option<PushId>,
        ring_deadline: Instant,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> Self {
        let mut c = Call::new(id, State::Requested, remote);
        c.report = Report {
            push,
            announced: push.is_none(),
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
    pub(super) fn outgoing(id: CallId, handle: Handle, video: bool) -> Self {
        let remote = Remote {
            handle: Some(handle),
            caller_name: None,
            has_video: video,
        };
        Call::new(id, State::Requested, remote)
    }

    #[inline]
    pub(super) fn new(id: CallId, state: State, remote: Remote) -> Self {
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
            translation: None,
        }
    }

    /// Brings what the host was told of the call in line with what it holds now (see
    /// the module rules): arms the audio-activation wait if the call came to need audio
    /// with the session inactive, cancels the timer the change disarmed (unless it
    /// fired, `spent`), fails the deferred action it dropped (unless `spent` says it was
    /// fulfilled or voided), emits `between`, starts the timer it armed, then starts or
    /// stops media and ringback. The transitions whose difference has one shape are
    /// written here as that one case of it: `didActivate`'s disarm of the wait
    /// ([`Call::audio_session`]), the far end ringing or answering (the wait carried
    /// unchanged: [`Call::remote_rings`], [`Call::remote_answered`]), and the end
    /// ([`emit_end`]); every other change of a timer, an action or the audio comes
    /// through here.
    #[inline(always)]
    pub(super) fn settle<const N: usize>(
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
        // The no-answer time-out is armed only by the start of connecting, which
        // disarms nothing of it: it is started here, and cancelled by the connection
        // (`remote_answered`) or the end (`emit_end`).
        if before.no_answer.is_none() {
            if let Some(deadline) = self.no_answer_deadline() {
                out.push(Effect::StartTimer {
                    timer: Timer::NoAnswer(self.id),
                    deadline,
                });
            }
        }
        self.sync_audio(ctx.audio_active, out);
    }

    /// Starts or stops media and ringback as the rules want them (media before
    /// ringback). A muted call's media starts muted: `SetMuted(true)` follows its
    /// `StartMedia` in the same step (after an answer, a resume or an interruption), so
    /// the host never has to remember the mute across a restart.
    #[inline(always)]
    pub(super) fn sync_audio<const N: usize>(&mut self, active: bool, out: &mut Effects<N>) {
        let call = self.id;
        let media = active && !self.on_hold && self.phase().media_allowed();
        if media != self.media {
            self.media = media;
            if !media {
                out.push(Effect::StopMedia { call });
            } else {
                out.push(Effect::StartMedia { call });
                if self.muted {
                    out.push(Effect::SetMuted { call, muted: true });
                }
            }
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
    pub(super) fn answer<const N: usize>(
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
    pub(super) fn connected<const N: usize>(&mut self, ctx: &Ctx, out: &mut Effects<N>) -> bool {
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
    /// asked to start and the action is deferred until it starts connecting or the
    /// start-connect time-out. The host is handed the handle with the step
    /// ([`Effects::outgoing_handle`]). Returns `false`, with nothing done, for a call
    /// that is not requested.
    #[inline(always)]
    pub(super) fn start<const N: usize>(
        &mut self,
        action: ActionId,
        handle: &Handle,
        video: bool,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> bool {
        if self.state != State::Requested {
            return false;
        }
        let before = self.before();
        let call = self.id;
        self.state = State::Starting {
            action,
            deadline: ctx.now.saturating_add_ms(ctx.start_timeout_ms),
        };
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
        true
    }

    /// The outgoing call started connecting: `startedConnectingAt` is reported, the
    /// deferred start action fulfilled and the no-answer time-out armed; details the
    /// app gave before CallKit performed the start are sent. With `answered` (a 200
    /// straight from starting) the call goes on to connected in the same step, so no
    /// no-answer time-out is armed only to be cancelled ([`Call::remote_answered`]
    /// follows). Nothing when the call is not starting.
    #[inline(always)]
    pub(super) fn started_connecting<const N: usize>(
        &mut self,
        caps: CallCapabilities,
        answered: bool,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let State::Starting { action, .. } = self.state else {
            return;
        };
        let before = self.before();
        let call = self.id;
        self.state = if answered {
            State::Connected { audio: None }
        } else {
            State::Connecting {
                audio: None,
                ringing: false,
                no_answer: ctx.now.saturating_add_ms(ctx.no_answer_timeout_ms),
            }
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
    pub(in crate::engine) fn remote_rings<const N: usize>(
        &mut self,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        if let State::Connecting { ringing, .. } = &mut self.state {
            *ringing = true;
        }
        self.sync_audio(ctx.audio_active, out);
    }

    /// The connecting outgoing call connected: the no-answer time-out is cancelled,
    /// `connectedAt` reported, ringback stops. The audio-activation wait moves to the
    /// connected phase unchanged and no action is deferred in either phase, so of
    /// [`Call::settle`]'s differences only ringback can change.
    #[inline(always)]
    pub(in crate::engine) fn remote_answered<const N: usize>(
        &mut self,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let call = self.id;
        if self.no_answer_deadline().is_some() {
            out.push(Effect::CancelTimer {
                timer: Timer::NoAnswer(call),
            });
        }
        self.state = State::Connected {
            audio: self.audio_activation_deadline(),
        };
        out.push(Effect::ReportOutgoingCallConnected { call, at: ctx.now });
        self.sync_audio(ctx.audio_active, out);
    }

    /// Holds or resumes the call on the signalling leg; media and ringback follow, and a
    /// call resumed while the audio session is inactive waits for it.
    #[inline(never)]
    pub(in crate::engine) fn set_held<const N: usize>(
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
    pub(in crate::engine) fn set_muted<const N: usize>(
        &mut self,
        muted: bool,
        out: &mut Effects<N>,
    ) {
        self.muted = muted;
        out.push(Effect::SetMuted {
            call: self.id,
            muted,
        });
    }

    /// Starts (`Some`, with its languages) or stops translating the call: a start
    /// emits [`Effect::StartTranslation`] (again for new languages), a stop of a running
    /// translation [`Effect::StopTranslation`]. Media is untouched either way.
    #[inline]
    pub(in crate::engine) fn set_translation<const N: usize>(
        &mut self,
        translation: Option<Translation>,
        out: &mut Effects<N>,
    ) {
        let call = self.id;
        let was = self.translation.is_some();
        let now = translation.is_some();
        self.translation = translation;
        if now {
            out.push(Effect::StartTranslation { call });
        } else if was {
            out.push(Effect::StopTranslation { call });
        }
    }

    /// Gives the call the group label `group`.
    #[inline]
    pub(in crate::engine) fn set_group(&mut self, group: CallId) {
        self.group = group;
    }

    /// The audio session became `active` (`didActivate`, which disarms the
    /// audio-activation wait) or inactive (`didDeactivate`): media and ringback follow.
    /// The session changes nothing else a call holds, so this is [`Call::settle`]'s
    /// difference written for its one case: the wait's cancel, then media and ringback.
    #[inline]
    pub(in crate::engine) fn audio_session<const N: usize>(
        &mut self,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
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
    pub(in crate::engine) fn audio_timed_out<const N: usize>(
        &mut self,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
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
    pub(in crate::engine) fn ring_backstop_at<const N: usize>(
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
    pub(in crate::engine) fn keep_end(&mut self, end: PendingEnd) {
        if self.report.pending_end.is_none() {
            self.report.pending_end = Some(end);
        }
    }

    /// Takes the kept end out (a start performed for a call the app already ended).
    #[inline]
    pub(in crate::engine) fn take_kept_end(&mut self) -> Option<PendingEnd> {
        self.report.pending_end.take()
    }

    /// The report's result of `push` no longer answers for this call (the host reused
    /// the id for a newer report, or the result came).
    #[inline]
    pub(in crate::engine) fn forget_push(&mut self, push: PushId) {
        if self.report.push == Some(push) {
            self.report.push = None;
        }
    }

    /// Takes a later push's caller details for this incoming call (a copy of its push
    /// that names the caller anew). While CallKit has not confirmed the call the details
    /// wait with it; returns whether they are to be sent now.
    #[inline]
    pub(in crate::engine) fn merge_push_details(&mut self, parsed: &PushPayload) -> bool {
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
    pub(in crate::engine) fn merge_app_details(
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
    pub(in crate::engine) fn confirm<const N: usize>(
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
    pub(super) fn emit_end<const N: usize>(&self, end: End, now: Instant, out: &mut Effects<N>) {
        emit_end(self.id, Some(self), end, now, out);
    }
}

/// A call update with nothing known of the remote party, on capabilities `caps`.
#[inline]
pub(in crate::engine) fn blank_update(caps: CallCapabilities) -> CallUpdate {
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
/// (unless it fired) and of its no-answer time-out (unless that fired), the failure of
/// its deferred action (unless CallKit voided it), the stop of its media and of its
/// ringback and the release of its signalling leg; then, with `end.ended`,
/// `reportCall(endedAt:reason:)`. A call with no slot (`live` is `None`: a push reported
/// and ended at once) has only the report. At most 5 effects: a call with a deferred
/// action has no ringback and no no-answer time-out (it is starting or answering), and
/// one with ringback has no audio-activation wait (ringback plays only with the audio
/// session active, which disarms it), so its timers are the no-answer one alone.
#[inline(always)]
pub(in crate::engine) fn emit_end<const N: usize>(
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
        if end.spent != Spent::NoAnswer && c.no_answer_deadline().is_some() {
            out.push(Effect::CancelTimer {
                timer: Timer::NoAnswer(call),
            });
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
