//! The calls: the public [`Call`] and [`CallPhase`], the private per-phase state behind
//! them, and the call table that owns the live calls and the recently ended ones.
//!
//! Rules owned here: a call has at most one armed timer (the ring time-out while it
//! rings, the answer time-out while its answer is deferred) and at most one deferred action, both
//! facts of the private [`State`]; ending a call emits its effects in one fixed order and
//! remembers its UUID.

use crate::limits::RECENTLY_ENDED_CALLS;
use heapless::{HistoryBuf, Vec};

use crate::effect::{CallUpdate, RejectReason};
use crate::effects::Effects;
use crate::error::Error;
use crate::event::Timer;
use crate::log::log_transition;
use crate::types::{ActionId, CallId, CallerName, Handle, Instant, PushId};

use super::phase::{CallPhase, Direction, State};
use super::teardown::{End, PendingEnd, Release, Spent};

/// Where `reportNewIncomingCall` stands for an incoming call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(super) struct Report {
    /// The push whose report result answers for this call.
    pub(super) push: Option<PushId>,
    /// Whether CallKit has not yet confirmed the call.
    pub(super) awaiting: bool,
    /// An end kept until CallKit knows the call.
    pub(super) pending_end: Option<PendingEnd>,
    /// New caller details (a later push's, or the app's) kept in the call's remote
    /// party until CallKit knows the call, then sent with `reportCall(with:updated:)`.
    pub(super) details_pending: bool,
}

impl Report {
    /// Keeps `end` until CallKit knows the call, unless an earlier end is kept: the
    /// first end wins.
    #[inline]
    pub(super) fn keep_end(&mut self, end: PendingEnd) {
        if self.pending_end.is_none() {
            self.pending_end = Some(end);
        }
    }
}

/// What CallKit shows of the remote party.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(super) struct Remote {
    pub(super) handle: Option<Handle>,
    pub(super) caller_name: Option<CallerName>,
    pub(super) has_video: bool,
}

/// A live call, as the engine sees it. Read with [`Engine::call`] / [`Engine::calls`].
///
/// [`Engine::call`]: super::Engine::call
/// [`Engine::calls`]: super::Engine::calls
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub(super) id: CallId,
    pub(super) state: State,
    pub(super) report: Report,
    pub(super) connection_ready: bool,
    pub(super) media: bool,
    pub(super) ringback: bool,
    pub(super) on_hold: bool,
    pub(super) muted: bool,
    pub(super) group: CallId,
    pub(super) remote: Remote,
}

impl Call {
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
        }
    }

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
    /// The audio-activation time-out's deadline, while an answered or started call waits
    /// for `provider(_:didActivate:)`
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

    /// The call's one armed timer and its deadline, if any.
    #[inline]
    pub(super) fn armed_timer(&self) -> Option<(Timer, Instant)> {
        match self.state {
            State::Ringing { deadline, .. } => Some((Timer::Ring(self.id), deadline)),
            State::Answering { deadline, .. } => Some((Timer::AnswerConnect(self.id), deadline)),
            state => state
                .audio_deadline()
                .map(|deadline| (Timer::AudioActivation(self.id), deadline)),
        }
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
}

/// The live calls (at most `CALLS`, in slot order) and the UUIDs of the last
/// [`RECENTLY_ENDED_CALLS`] calls that ended.
///
/// A handler looks its call up once: [`CallTable::get`] / [`CallTable::get_mut`] give the
/// call, [`CallTable::find`] / [`CallTable::find_mut`] the slot with it, for an end to
/// follow. Every end goes through [`CallTable::end`] or [`CallTable::end_all`], which
/// remember the UUID.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CallTable<const CALLS: usize> {
    calls: Vec<Call, CALLS>,
    recently_ended: HistoryBuf<CallId, RECENTLY_ENDED_CALLS>,
}

impl<const CALLS: usize> CallTable<CALLS> {
    #[inline]
    pub(super) const fn new() -> Self {
        CallTable {
            calls: Vec::new(),
            recently_ended: HistoryBuf::new(),
        }
    }

    #[inline]
    pub(super) fn iter(&self) -> core::slice::Iter<'_, Call> {
        self.calls.iter()
    }

    #[inline]
    pub(super) fn iter_mut(&mut self) -> core::slice::IterMut<'_, Call> {
        self.calls.iter_mut()
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    #[inline]
    pub(super) fn is_full(&self) -> bool {
        self.calls.is_full()
    }

    /// The live call `id`.
    #[inline]
    pub(super) fn get(&self, id: CallId) -> Option<&Call> {
        self.calls.iter().find(|c| c.id == id)
    }

    /// The live call `id`, to change.
    #[inline]
    pub(super) fn get_mut(&mut self, id: CallId) -> Option<&mut Call> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    /// The slot of the live call `id`, with the call.
    #[inline]
    pub(super) fn find(&self, id: CallId) -> Option<(usize, &Call)> {
        self.calls.iter().enumerate().find(|(_, c)| c.id == id)
    }

    /// The slot of the live call `id`, with the call to change.
    #[inline]
    pub(super) fn find_mut(&mut self, id: CallId) -> Option<(usize, &mut Call)> {
        self.calls.iter_mut().enumerate().find(|(_, c)| c.id == id)
    }

    /// The slot of the live call `id`, with the call to change; `Ok(None)` when the call
    /// ended lately (an event about it raced its end: no error, nothing to do), and
    /// [`Error::UnknownCall`] when the engine never knew it or forgot it long ago.
    #[inline]
    pub(super) fn live_or_gone(&mut self, id: CallId) -> Result<Option<(usize, &mut Call)>, Error> {
        if self.recently_ended.contains(&id) && !self.calls.iter().any(|c| c.id == id) {
            return Ok(None);
        }
        self.find_mut(id).map(Some).ok_or(Error::UnknownCall(id))
    }

    /// The call in slot `idx`.
    #[inline]
    pub(super) fn at_mut(&mut self, idx: usize) -> Option<&mut Call> {
        self.calls.get_mut(idx)
    }

    /// The slot of the call whose report's result `push` answers.
    #[inline]
    pub(super) fn reporting(&self, push: PushId) -> Option<usize> {
        self.calls.iter().position(|c| c.report.push == Some(push))
    }

    /// Whether `id` is among the calls that ended lately.
    #[inline]
    pub(super) fn ended_recently(&self, id: CallId) -> bool {
        self.recently_ended.contains(&id)
    }

    /// Remembers `id` as ended, for a call reported and ended without a slot.
    #[inline]
    pub(super) fn remember_ended(&mut self, id: CallId) {
        self.recently_ended.write(id);
    }

    /// Adds a call; [`Error::CallCapacity`] when the table is full.
    #[inline]
    pub(super) fn add(&mut self, call: Call) -> Result<(), Error> {
        self.calls.push(call).map_err(|_| Error::CallCapacity)
    }

    /// Removes the call in slot `idx` (the last call takes its slot, O(1)), emits the
    /// effects of `end` (at most 5, see [`End`]) and remembers its UUID. Nothing when the
    /// slot is empty.
    #[inline]
    pub(super) fn end<const N: usize>(
        &mut self,
        idx: usize,
        end: End,
        now: Instant,
        out: &mut Effects<N>,
    ) {
        if idx >= self.calls.len() {
            return;
        }
        let c = self.calls.swap_remove(idx);
        c.emit_end(end, now, out);
        self.recently_ended.write(c.id);
        log_transition!("call {} ended", c.id);
    }

    /// Ends every call, in slot order, as `providerDidReset` does: each deferred action is
    /// void, each signalling leg released as failed, nothing reported.
    #[inline]
    pub(super) fn end_all<const N: usize>(&mut self, now: Instant, out: &mut Effects<N>) {
        let end = End::new(Release::Auto(RejectReason::Failed), None).spent(Spent::Action);
        for c in self.calls.iter() {
            c.emit_end(end, now, out);
            self.recently_ended.write(c.id);
        }
        self.calls.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effect::Effect;
    use crate::engine::testing::{action_id as action, at, call_id as id};
    use crate::types::CallEndedReason;

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
        let mut table: CallTable<2> = CallTable::new();
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
        let mut table: CallTable<2> = CallTable::new();
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
            let mut table: CallTable<1> = CallTable::new();
            assert!(table.add(call(1, state)).is_ok());
            let mut out: Effects<8> = Effects::new();
            table.end(0, auto.spent(Spent::Timer), at(0), &mut out);
            assert_eq!(out.last(), signal.as_ref());
        }
    }

    #[test]
    fn the_last_call_takes_an_ended_calls_slot_and_lookups_give_the_slot() {
        let mut table: CallTable<3> = CallTable::new();
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
        assert_eq!(table.find_mut(id(2)).map(|(i, _)| i), Some(1));
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
        let mut report = Report::default();
        report.keep_end(remote);
        report.keep_end(PendingEnd::Local);
        assert_eq!(report.pending_end, Some(remote));
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
        let mut table: CallTable<2> = CallTable::new();
        assert!(table.is_empty() && !table.is_full());
        let mut first = call(1, State::Connected { audio: None });
        first.report.push = Some(PushId(7));
        assert!(table.add(first).is_ok());
        assert!(!table.is_empty() && !table.is_full());
        let mut second = call(2, State::ANSWERED);
        second.report.push = Some(PushId(8));
        assert!(table.add(second).is_ok());
        assert!(table.is_full());
        assert_eq!(table.get(id(2)).map(Call::id), Some(id(2)));
        assert_eq!(table.get_mut(id(1)).map(|c| c.id), Some(id(1)));
        assert!(table.get(id(3)).is_none() && table.get_mut(id(3)).is_none());
        assert_eq!(table.at_mut(1).map(|c| c.id), Some(id(2)));
        assert!(table.at_mut(2).is_none());
        assert_eq!(table.reporting(PushId(8)), Some(1));
        assert_eq!(table.reporting(PushId(7)), Some(0));
        assert_eq!(table.reporting(PushId(9)), None);
        table.remember_ended(id(5));
        assert!(table.ended_recently(id(5)) && !table.ended_recently(id(6)));
    }

    #[test]
    fn ending_every_call_voids_deferred_actions_and_remembers_every_call() {
        let mut table: CallTable<2> = CallTable::new();
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
}
