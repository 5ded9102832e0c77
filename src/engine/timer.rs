//! Timers: the armed timers read from the push table and the calls' states, the one due
//! order, and what a fired timer does.
//!
//! Rules owned here: a timer fires only when armed and due, and once; a timer the engine
//! cancelled that fires anyway (the host's timer raced the cancel) does nothing; a ring
//! time-out
//! while CallKit has not confirmed the call is kept as an end and re-armed once as a
//! backstop.

use crate::effect::RejectReason;
use crate::effects::Effects;
use crate::error::Error;
use crate::event::Timer;
use crate::log::log_transition;
use crate::types::{CallEndedReason, CallId, Instant};

use super::call::Call;
use super::teardown::{End, PendingEnd, Release, Spent};
use super::Engine;

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// Every armed timer and its deadline (the timers started and neither fired nor
    /// cancelled): push completions in arrival order, then ring time-outs, then answer
    /// time-outs, then audio-activation time-outs, then start-connect time-outs, then
    /// no-answer time-outs, each in slot order.
    pub fn timers(&self) -> impl Iterator<Item = (Timer, Instant)> + '_ {
        let rings = self
            .calls
            .iter()
            .filter_map(|c| c.ring_deadline().map(|d| (Timer::Ring(c.id()), d)));
        let answers = self.calls.iter().filter_map(|c| {
            c.answer_deadline()
                .map(|d| (Timer::AnswerConnect(c.id()), d))
        });
        let audio = self.calls.iter().filter_map(|c| {
            c.audio_activation_deadline()
                .map(|d| (Timer::AudioActivation(c.id()), d))
        });
        let starts = self
            .calls
            .iter()
            .filter_map(|c| c.start_deadline().map(|d| (Timer::StartConnect(c.id()), d)));
        let no_answers = self
            .calls
            .iter()
            .filter_map(|c| c.no_answer_deadline().map(|d| (Timer::NoAnswer(c.id()), d)));
        self.pushes
            .timers()
            .chain(rings)
            .chain(answers)
            .chain(audio)
            .chain(starts)
            .chain(no_answers)
    }

    /// The earliest timer deadline, quinn-style: a host that prefers one wake-up to one
    /// timer per [`Effect::StartTimer`](crate::Effect::StartTimer) sleeps until then and fires every timer due
    /// (from [`Engine::timers`]). `None` when no timer is armed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers().map(|(_, deadline)| deadline).min()
    }

    /// The armed timer to fire next at time `now`: among the timers whose deadline is at
    /// or before `now`, the one with the earliest deadline, ties broken by [`Timer`]'s
    /// `Ord`. `None` when no timer is due.
    ///
    /// This is the one due order: a host (or test driver) that wakes up late fires
    /// `next_due_timer(now)` with [`Event::TimerFired`], and repeats until it returns
    /// `None`, since firing one timer can cancel or arm others.
    ///
    /// [`Event::TimerFired`]: crate::Event::TimerFired
    pub fn next_due_timer(&self, now: Instant) -> Option<(Timer, Instant)> {
        self.timers()
            .filter(|&(_, deadline)| deadline <= now)
            .min_by_key(|&(timer, deadline)| (deadline, timer))
    }

    pub(super) fn on_timer(
        &mut self,
        timer: Timer,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        match timer {
            Timer::PushCompletion(push) => self.on_push_timer(push, out),
            Timer::Ring(call) => self.on_ring_timer(call, out),
            Timer::AnswerConnect(call) => self.on_answer_timer(call, out),
            Timer::AudioActivation(call) => self.on_audio_timer(call, out),
            Timer::StartConnect(call) => self.on_start_timer(call, out),
            Timer::NoAnswer(call) => self.on_no_answer_timer(call, out),
        }
    }

    /// The audio session was not activated in time after an answer or start action was
    /// fulfilled: the host is told, and the call is left as it is.
    fn on_audio_timer(&mut self, call: CallId, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        let timer = Timer::AudioActivation(call);
        let ctx = self.ctx();
        let Some((_, c)) = self.due(timer, call, Call::audio_activation_deadline)? else {
            return Ok(());
        };
        c.audio_timed_out(&ctx, out);
        Ok(())
    }

    /// The slot and the call of `timer`, once it is armed (`deadline` reads it from the
    /// call) and due. `Ok(None)` when it is not armed but its call is live or ended
    /// lately: the engine cancelled it while the host's timer was already firing (a
    /// race on the host's serial queue, no error). [`Error::UnknownTimer`] for a call
    /// the engine does not know; [`Error::TimerNotDue`] for an armed timer fired early.
    fn due(
        &mut self,
        timer: Timer,
        call: CallId,
        deadline: fn(&Call) -> Option<Instant>,
    ) -> Result<Option<(usize, &mut Call)>, Error> {
        let now = self.now;
        let Some((idx, c)) = self
            .calls
            .live_or_gone(call)
            .map_err(|_| Error::UnknownTimer(timer))?
        else {
            return Ok(None);
        };
        match deadline(c) {
            None => Ok(None),
            Some(deadline) if deadline > now => Err(Error::TimerNotDue { timer, deadline }),
            Some(_) => Ok(Some((idx, c))),
        }
    }

    fn on_ring_timer(&mut self, call: CallId, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        let timer = Timer::Ring(call);
        let push_timeout_ms = self.config.push_completion_timeout_ms;
        let Some((idx, c)) = self.due(timer, call, Call::ring_deadline)? else {
            return Ok(());
        };
        if c.report_pending() && !c.ring_backstop() {
            // CallKit has not confirmed the call: keep the time-out like any other
            // end, and give the report one push time-out more before ending it
            // regardless (a report that never completes must not ring forever).
            let ctx = self.ctx();
            let backstop_at = self.now.saturating_add_ms(push_timeout_ms);
            if let Some(c) = self.calls.at_mut(idx) {
                c.ring_backstop_at(backstop_at, &ctx, out);
            }
            return Ok(());
        }
        let end = c.kept_end().map_or(
            End::new(
                Release::Auto(RejectReason::Unanswered),
                Some(CallEndedReason::Unanswered),
            ),
            PendingEnd::end,
        );
        log_transition!("call {} ring time-out", call);
        self.calls.end(idx, end.spent(Spent::Timer), self.now, out);
        Ok(())
    }

    fn on_answer_timer(&mut self, call: CallId, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        let timer = Timer::AnswerConnect(call);
        let Some((idx, _)) = self.due(timer, call, Call::answer_deadline)? else {
            return Ok(());
        };
        log_transition!("call {} answer time-out", call);
        // The deferred answer action is failed by the end.
        self.calls
            .end(idx, End::failed().spent(Spent::Timer), self.now, out);
        Ok(())
    }

    /// Signalling did not report connecting in time after the start action was
    /// performed: the deferred start action is failed, the leg hung up and the call
    /// reported ended as failed.
    fn on_start_timer(&mut self, call: CallId, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        let timer = Timer::StartConnect(call);
        let Some((idx, _)) = self.due(timer, call, Call::start_deadline)? else {
            return Ok(());
        };
        log_transition!("call {} start-connect time-out", call);
        // The deferred start action is failed by the end; a starting call's leg is
        // hung up.
        self.calls
            .end(idx, End::failed().spent(Spent::Timer), self.now, out);
        Ok(())
    }

    /// The far end of a connecting outgoing call did not answer in time: ringback
    /// stops, the leg is hung up and the call reported ended as unanswered.
    fn on_no_answer_timer(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let timer = Timer::NoAnswer(call);
        let Some((idx, _)) = self.due(timer, call, Call::no_answer_deadline)? else {
            return Ok(());
        };
        log_transition!("call {} no-answer time-out", call);
        let end = End::new(Release::HangUp, Some(CallEndedReason::Unanswered));
        self.calls
            .end(idx, end.spent(Spent::NoAnswer), self.now, out);
        Ok(())
    }
}
