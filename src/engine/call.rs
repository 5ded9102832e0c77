//! A live call: the public read-only view [`Call`], and every change a call goes
//! through, each a transition that emits its own effects.
//!
//! Rules owned here:
//! - A transition compares what the call holds before and after it (its armed timer and
//!   a connecting call's no-answer time-out, its deferred action, its media, its
//!   ringback, its audio-activation wait) and emits the difference itself ([`Call::settle`]): the cancel of a timer it disarms (unless the
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
#[cfg(test)]
mod tests;
mod transition;

use crate::effect::CallUpdate;
use crate::event::Timer;
use crate::types::{ActionId, CallId, CallerName, Handle, Instant, PushId, Translation};

use super::phase::{CallPhase, Direction, State};
use super::teardown::{End, PendingEnd};

pub(super) use table::CallTable;
pub(super) use transition::{blank_update, emit_end};

/// What a transition needs from the engine beside the call: the time, the audio session
/// and the time-outs a transition arms (audio activation, start-connect, no-answer).
#[derive(Clone, Copy, Debug)]
pub(super) struct Ctx {
    /// The time of the event being handled.
    pub(super) now: Instant,
    /// Whether the audio session is active (between `didActivate` and `didDeactivate`).
    pub(super) audio_active: bool,
    /// [`Config::audio_activation_timeout_ms`](crate::Config::audio_activation_timeout_ms).
    pub(super) audio_timeout_ms: u64,
    /// [`Config::start_connect_timeout_ms`](crate::Config::start_connect_timeout_ms).
    pub(super) start_timeout_ms: u64,
    /// [`Config::no_answer_timeout_ms`](crate::Config::no_answer_timeout_ms).
    pub(super) no_answer_timeout_ms: u64,
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
    /// Whether the report made without a push (an announced call) has not completed.
    announced: bool,
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
    /// [`Timer::StartConnect`].
    Start,
}

impl Wait {
    /// The timer of call `id`.
    #[inline(always)]
    const fn timer(self, id: CallId) -> Timer {
        match self {
            Wait::Ring => Timer::Ring(id),
            Wait::Answer => Timer::AnswerConnect(id),
            Wait::Audio => Timer::AudioActivation(id),
            Wait::Start => Timer::StartConnect(id),
        }
    }
}

/// What a call held before a transition, for [`Call::settle`] to compare with after.
#[derive(Clone, Copy)]
struct Before {
    armed: Option<(Wait, Instant)>,
    no_answer: Option<Instant>,
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
    translation: Option<Translation>,
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
    /// Whether the report made without a push for this call (announced over the app's
    /// connection, [`IncomingReport::Call`]) has not completed; takes it (the result
    /// came).
    ///
    /// [`IncomingReport::Call`]: crate::IncomingReport::Call
    #[inline]
    pub(in crate::engine) fn take_report_without_push(&mut self) -> bool {
        core::mem::take(&mut self.report.announced)
    }
    /// Whether an end arrived while CallKit could not take it yet, and waits.
    #[inline]
    pub fn end_pending(&self) -> bool {
        self.report.pending_end.is_some()
    }
    /// Whether new caller details arrived while CallKit did not know the call yet, and
    /// wait to be sent as [`Effect::ReportCallUpdated`](crate::Effect::ReportCallUpdated) once it does.
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
            State::Answering { action, .. } | State::Starting { action, .. } => Some(action),
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
    /// The call's translation (its languages) while it runs: from a fulfilled
    /// `CXSetTranslatingCallAction` with `isTranslating` until one without, or the end.
    #[inline]
    pub fn translation(&self) -> Option<&Translation> {
        self.translation.as_ref()
    }
    /// Whether the call is being translated ([`Call::translation`]).
    #[inline]
    pub fn is_translating(&self) -> bool {
        self.translation.is_some()
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
    /// The start-connect time-out's deadline while the start action is deferred
    /// ([`Config::start_connect_timeout_ms`](crate::Config::start_connect_timeout_ms)).
    #[inline]
    pub fn start_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Starting { deadline, .. } => Some(deadline),
            _ => None,
        }
    }
    /// The no-answer time-out's deadline while the outgoing call is connecting
    /// ([`Config::no_answer_timeout_ms`](crate::Config::no_answer_timeout_ms)).
    #[inline]
    pub fn no_answer_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Connecting { no_answer, .. } => Some(no_answer),
            _ => None,
        }
    }
}

// --- what the engine reads -----------------------------------------------------------------

impl Call {
    /// The call's armed timer and its deadline, if any, the no-answer time-out aside
    /// ([`Call::no_answer_deadline`]).
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
            State::Starting { deadline, .. } => Some((Wait::Start, deadline)),
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
            no_answer: self.no_answer_deadline(),
            action: self.deferred_action(),
            needs_audio: self.needs_audio(),
        }
    }
}
