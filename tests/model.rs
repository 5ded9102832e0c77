//! Reference-model test (proptest-state-machine, as firezone's connlib tests do): random
//! sequences of up to 64 abstract events, mixing well-formed flows with hostile ones
//! (unknown ids, reordered and duplicate events, late and duplicate pushes, resets
//! mid-flow, time jumps, time going backwards, full capacity, corpus payloads), run
//! against the engine and against a small reference model written from docs/design.md.
//! After every step the model's prediction (accepted or refused; which calls exist, in
//! what phase, with which deferred action, report/end pending, media, timers; pending pushes
//! and transactions; the audio session) must match the engine, and the invariant checker
//! (I1-I10) must be silent.
//!
//! `cargo test --test model` runs 2,000 cases; `MODEL_CASES=100000 cargo test --release
//! --test model` runs more.

mod common;

use std::collections::VecDeque;

use callkit_engine::limits::{
    effects_needed, MAX_PENDING_TRANSACTIONS, RECENTLY_COMPLETED_PUSHES, RECENTLY_ENDED_CALLS,
};
use callkit_engine::{
    ActionId, CallId, CallPhase, Direction, PushId, PushKind, Timer, DEFAULT_MAX_PUSH_AGE_MS,
};
use callkit_engine_testkit::fallback_id;
use common::{action, call, config, corpus, payload, Abs, Body, Outcome, Report, Runner};
use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};

const CALLS: usize = 2;
const PUSHES: usize = 2;
const EFFECTS: usize = effects_needed(CALLS, PUSHES);
const IDS: u8 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PendingEnd {
    Remote,
    Local,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TxKind {
    Start,
    End,
    Other,
}

#[derive(Clone, Debug)]
struct MCall {
    id: CallId,
    dir: Direction,
    phase: CallPhase,
    report_push: Option<u8>,
    /// The report made without a push (an announced call) has not completed.
    announced: bool,
    awaiting: bool,
    pending_end: Option<PendingEnd>,
    ready: bool,
    held: Option<ActionId>,
    ring: Option<u64>,
    backstop: bool,
    answer: Option<u64>,
    media: bool,
    on_hold: bool,
    /// The remote side rings (SIP 180) and the call is still connecting.
    ringing: bool,
    ringback: bool,
    /// The audio-activation time-out's deadline.
    audio_timer: Option<u64>,
    /// The start-connect time-out's deadline (a performed start waiting for signalling).
    start: Option<u64>,
    /// The no-answer time-out's deadline (a connecting outgoing call).
    no_answer: Option<u64>,
    /// Translated (a fulfilled `CXSetTranslatingCallAction` that started it).
    translating: bool,
}

impl MCall {
    fn new(id: CallId, dir: Direction, phase: CallPhase) -> Self {
        MCall {
            id,
            dir,
            phase,
            report_push: None,
            announced: false,
            awaiting: false,
            pending_end: None,
            ready: false,
            held: None,
            ring: None,
            backstop: false,
            answer: None,
            media: false,
            on_hold: false,
            ringing: false,
            ringback: false,
            audio_timer: None,
            start: None,
            no_answer: None,
            translating: false,
        }
    }

    /// Media runs only while the session is active, the phase allows it and the call is
    /// not held; ringback only for an unheld connecting call that rings remotely.
    fn sync(&mut self, audio: bool) {
        self.media = audio && !self.on_hold && self.phase.media_allowed();
        self.ringback =
            audio && !self.on_hold && self.phase == CallPhase::Connecting && self.ringing;
    }

    /// An answer or start action was fulfilled: wait for didActivate unless active.
    fn arm_audio(&mut self, audio: bool, now: u64) {
        if !audio && self.audio_timer.is_none() {
            self.audio_timer = Some(now + common::AUDIO_ACTIVATION_MS);
        }
    }
}

/// The reference model: what docs/design.md says the engine does, written plainly.
#[derive(Clone, Debug)]
struct Model {
    now: u64,
    host_now: u64,
    calls: Vec<MCall>,
    /// Pending pushes: id, call, deadline, and whether it owes the end of its call (a
    /// report-and-end push).
    pushes: Vec<(u8, CallId, u64, bool)>,
    txs: Vec<(u64, CallId, TxKind)>,
    next_tx: u64,
    recently_ended: VecDeque<CallId>,
    completed: VecDeque<u8>,
    audio: bool,
    /// What the last transition did: `None` no step, else accepted or refused.
    last: Option<bool>,
    /// The runner's list of requested transaction ids (what `TxCompleted` picks from).
    requested: Vec<u64>,
    /// How many pushes used each id.
    push_uses: [u8; 4],
}

fn ended_ring<T: PartialEq>(ring: &mut VecDeque<T>, cap: usize, value: T) {
    if ring.len() == cap {
        ring.pop_front();
    }
    ring.push_back(value);
}

impl Model {
    fn new() -> Self {
        Model {
            now: 0,
            host_now: 0,
            calls: Vec::new(),
            pushes: Vec::new(),
            txs: Vec::new(),
            next_tx: 0,
            recently_ended: VecDeque::new(),
            completed: VecDeque::new(),
            audio: false,
            last: None,
            requested: Vec::new(),
            push_uses: [0; 4],
        }
    }

    fn idx(&self, id: CallId) -> Option<usize> {
        self.calls.iter().position(|c| c.id == id)
    }

    /// The call leaves its slot to the last one (the engine's O(1) removal), so the
    /// engine's slot order is not arrival order once a call has ended.
    fn teardown(&mut self, idx: usize) {
        let c = self.calls.swap_remove(idx);
        ended_ring(&mut self.recently_ended, RECENTLY_ENDED_CALLS, c.id);
    }

    fn complete(&mut self, push: u8) {
        ended_ring(&mut self.completed, RECENTLY_COMPLETED_PUSHES, push);
    }

    fn request(&mut self, call: CallId, kind: TxKind) {
        if self.txs.len() < MAX_PENDING_TRANSACTIONS {
            self.txs.push((self.next_tx, call, kind));
            self.requested.push(self.next_tx);
            self.next_tx += 1;
        }
    }

    fn confirm(&mut self, idx: usize) {
        let c = &mut self.calls[idx];
        if !c.awaiting {
            return;
        }
        c.awaiting = false;
        let id = c.id;
        match c.pending_end.take() {
            None => {}
            Some(PendingEnd::Remote) => self.teardown(idx),
            Some(PendingEnd::Local) => {
                if self.txs.len() >= MAX_PENDING_TRANSACTIONS {
                    self.teardown(idx);
                } else {
                    self.request(id, TxKind::End);
                }
            }
        }
    }

    /// Whether `id` ended lately or is to be ended once CallKit has it.
    fn ended(&self, id: CallId) -> bool {
        self.recently_ended.contains(&id) || self.pushes.iter().any(|p| p.1 == id && p.3)
    }

    fn track_push(&mut self, push: u8, call: CallId) {
        self.track_push_ending(push, call, false);
    }

    fn track_push_ending(&mut self, push: u8, call: CallId, end: bool) {
        // The newest report made under a push id is the one its next result answers.
        for c in self.calls.iter_mut() {
            if c.report_push == Some(push) {
                c.report_push = None;
            }
        }
        if self.pushes.len() == PUSHES {
            if let Some(i) = self.pushes.iter().position(|p| p.2 <= self.now) {
                let old = self.pushes.remove(i);
                self.complete(old.0);
            }
        }
        if self.pushes.len() < PUSHES {
            self.pushes
                .push((push, call, self.now + common::PUSH_DEADLINE_MS, end));
        } else {
            self.complete(push);
        }
    }

    /// Reported under the fallback and ended at once, unless the fallback is live;
    /// with `skip` (`mustReport == false`) completed at once without a report.
    fn report_unusable(&mut self, push: u8, fallback: CallId, skip: bool) {
        if self.idx(fallback).is_some() {
            self.report_copy(push, fallback, skip);
        } else {
            self.report_and_end(push, fallback, skip);
        }
    }

    /// A push whose call CallKit has: reported under it, or with `skip` completed at once.
    fn report_copy(&mut self, push: u8, call: CallId, skip: bool) {
        if skip {
            self.forget(push);
        } else {
            self.track_push(push, call);
        }
    }

    fn report_and_end(&mut self, push: u8, call: CallId, skip: bool) {
        if skip {
            self.forget(push);
        } else {
            self.track_push_ending(push, call, true);
        }
        ended_ring(&mut self.recently_ended, RECENTLY_ENDED_CALLS, call);
    }

    /// A push completed without a report: no older report answers to its id any more.
    fn forget(&mut self, push: u8) {
        for c in self.calls.iter_mut() {
            if c.report_push == Some(push) {
                c.report_push = None;
            }
        }
    }

    /// An incoming call announced over the app's connection: reported without a push
    /// and rung like a pushed one; the same call when it is live; nothing when it ended;
    /// busy (remembered as ended) with every slot taken; refused for an outgoing call.
    fn on_announce(&mut self, id: CallId) -> bool {
        match self.idx(id) {
            Some(idx) => return self.calls[idx].dir == Direction::Incoming,
            None if self.ended(id) => {}
            None if self.calls.len() == CALLS => {
                ended_ring(&mut self.recently_ended, RECENTLY_ENDED_CALLS, id);
            }
            None => {
                let mut c = MCall::new(id, Direction::Incoming, CallPhase::Ringing);
                c.awaiting = true;
                c.announced = true;
                c.ring = Some(self.now.saturating_add(common::RING_MS));
                self.calls.push(c);
            }
        }
        true
    }

    /// The completion of the report made without a push for `id`.
    fn on_reported_call(&mut self, id: CallId, report: Report) -> bool {
        let Some(idx) = self.idx(id) else {
            return self.ended(id);
        };
        if std::mem::take(&mut self.calls[idx].announced) {
            if report == Report::DoNotDisturb {
                self.teardown(idx);
            } else {
                self.confirm(idx);
            }
        }
        true
    }

    fn armed(&self) -> Vec<(Timer, u64)> {
        let mut t: Vec<(Timer, u64)> = self
            .pushes
            .iter()
            .map(|p| (Timer::PushCompletion(PushId(u64::from(p.0))), p.2))
            .collect();
        for c in &self.calls {
            if let Some(d) = c.ring {
                t.push((Timer::Ring(c.id), d));
            }
            if let Some(d) = c.answer {
                t.push((Timer::AnswerConnect(c.id), d));
            }
            if let Some(d) = c.audio_timer {
                t.push((Timer::AudioActivation(c.id), d));
            }
            if let Some(d) = c.start {
                t.push((Timer::StartConnect(c.id), d));
            }
            if let Some(d) = c.no_answer {
                t.push((Timer::NoAnswer(c.id), d));
            }
        }
        t.sort_by_key(|&(t, d)| (d, t));
        t
    }

    fn held_by_any(&self, a: ActionId) -> bool {
        self.calls.iter().any(|c| c.held == Some(a))
    }

    fn on_push(
        &mut self,
        push: u8,
        body: Body,
        backwards: bool,
        skip: bool,
        corpus: &[(String, Vec<u8>)],
    ) {
        let at = if backwards {
            self.host_now.saturating_sub(5)
        } else {
            self.host_now
        };
        self.now = self.now.max(at);
        let fallback = fallback_id(u64::from(push));
        let bytes = payload(body, corpus);
        self.push_uses[usize::from(push)] = self.push_uses[usize::from(push)].saturating_add(1);
        let parsed = match config().schema.parse(&bytes) {
            Ok(p) => p,
            Err(_) => {
                self.report_unusable(push, fallback, skip);
                return;
            }
        };
        let id = parsed.call.unwrap_or(fallback);
        let cancel = parsed.kind == PushKind::Cancel;
        // Sent longer ago than the maximum push age: a missed call, never rung.
        let stale = parsed.sent_at_unix_ms.is_some_and(|sent| {
            common::PUSH_WALL_CLOCK_MS.saturating_sub(sent) > DEFAULT_MAX_PUSH_AGE_MS
        });
        if self
            .idx(id)
            .is_some_and(|idx| self.calls[idx].dir == Direction::Outgoing)
        {
            // A push naming the app's own outgoing call: unusable, like a malformed one.
            self.report_unusable(push, fallback, skip);
        } else if let Some(idx) = self.idx(id) {
            let c = &mut self.calls[idx];
            let cancels = cancel
                && c.dir == Direction::Incoming
                && matches!(c.phase, CallPhase::Ringing | CallPhase::Answering);
            let awaiting = c.awaiting;
            if cancels && awaiting && c.pending_end.is_none() {
                c.pending_end = Some(PendingEnd::Remote);
            }
            self.report_copy(push, id, skip);
            if cancels && !awaiting {
                self.teardown(idx);
            }
        } else if cancel || self.ended(id) || stale || self.calls.len() == CALLS {
            self.report_and_end(push, id, skip);
        } else {
            let ring_ms = parsed.ring_timeout_ms.unwrap_or(common::RING_MS);
            let mut c = MCall::new(id, Direction::Incoming, CallPhase::Ringing);
            c.report_push = Some(push);
            c.awaiting = true;
            c.ring = Some(self.now.saturating_add(ring_ms));
            self.track_push(push, id);
            self.calls.push(c);
        }
    }

    fn on_reported(&mut self, push: u8, report: Report) -> bool {
        let pending = self.pushes.iter().position(|p| p.0 == push);
        let reporting = self.calls.iter().position(|c| c.report_push == Some(push));
        if pending.is_none() && reporting.is_none() {
            return self.completed.contains(&push);
        }
        let accepted = report != Report::DoNotDisturb;
        let mut confirmed = None;
        if let Some(i) = pending {
            let entry = self.pushes.remove(i);
            self.complete(push);
            if accepted {
                confirmed = Some(entry.1);
            }
        }
        let Some(idx) = reporting else {
            if let Some(idx) = confirmed.and_then(|c| self.idx(c)) {
                self.confirm(idx);
            }
            return true;
        };
        self.calls[idx].report_push = None;
        if accepted {
            self.confirm(idx);
        } else {
            self.teardown(idx);
        }
        true
    }

    /// A live call's slot; `Err(accepted)` when it is not live: accepted (a race) when
    /// it ended lately, refused otherwise.
    fn live(&self, id: CallId) -> Result<usize, bool> {
        self.idx(id).ok_or(self.recently_ended.contains(&id))
    }

    /// A remote end (`elsewhere`: answered or declined on another device). For a call
    /// never seen, an `early` end (anything but a connection failure) is remembered like
    /// an ended call, so that its push is reported and ended at once.
    fn remote_end(&mut self, id: CallId, elsewhere: bool, early: bool) -> bool {
        let idx = match self.live(id) {
            Ok(idx) => idx,
            Err(false) if early => {
                ended_ring(&mut self.recently_ended, RECENTLY_ENDED_CALLS, id);
                return true;
            }
            Err(ok) => return ok,
        };
        let c = &mut self.calls[idx];
        let unanswered = c.dir == Direction::Incoming
            && matches!(c.phase, CallPhase::Ringing | CallPhase::Answering);
        if c.phase == CallPhase::Requested {
            return false;
        }
        if elsewhere && !unanswered {
            return true;
        }
        if c.awaiting {
            c.pending_end.get_or_insert(PendingEnd::Remote);
            return true;
        }
        self.teardown(idx);
        true
    }

    fn outgoing(&mut self, id: CallId, connected: bool) -> bool {
        let (audio, now) = (self.audio, self.now);
        let idx = match self.live(id) {
            Ok(idx) => idx,
            Err(ok) => return ok,
        };
        let c = &mut self.calls[idx];
        let ok = c.dir == Direction::Outgoing
            && (c.phase == CallPhase::Starting || (c.phase == CallPhase::Connecting && connected));
        if !ok {
            return false;
        }
        if c.phase == CallPhase::Starting {
            c.held = None;
            c.start = None;
            c.phase = CallPhase::Connecting;
            c.no_answer = Some(now + common::NO_ANSWER_MS);
            c.arm_audio(audio, now);
        }
        if connected {
            c.no_answer = None;
            c.phase = CallPhase::Connected;
            c.ringing = false;
            c.sync(audio);
        }
        true
    }

    fn ringing(&mut self, id: CallId) -> bool {
        let c = match self.live(id) {
            Ok(idx) => &self.calls[idx],
            Err(ok) => return ok,
        };
        match (c.dir, c.phase) {
            (Direction::Outgoing, CallPhase::Starting) => {
                self.outgoing(id, false);
            }
            (Direction::Outgoing, CallPhase::Connecting) => {}
            _ => return false,
        }
        let audio = self.audio;
        if let Some(c) = self.calls.iter_mut().find(|c| c.id == id) {
            c.ringing = true;
            c.sync(audio);
        }
        true
    }

    fn on_timer(&mut self, timer: Timer, deadline: u64) -> bool {
        if deadline > self.now {
            return false;
        }
        match timer {
            Timer::PushCompletion(p) => {
                let p = p.0 as u8;
                let i = self.pushes.iter().position(|x| x.0 == p).expect("armed");
                self.pushes.remove(i);
                self.complete(p);
                if let Some(idx) = self.calls.iter().position(|c| c.report_push == Some(p)) {
                    self.confirm(idx);
                }
            }
            Timer::Ring(id) => {
                let idx = self.idx(id).expect("armed");
                let backstop = self.now + common::PUSH_DEADLINE_MS;
                let c = &mut self.calls[idx];
                c.ring = None;
                if c.awaiting && !c.backstop {
                    c.pending_end.get_or_insert(PendingEnd::Remote);
                    c.backstop = true;
                    c.ring = Some(backstop);
                    return true;
                }
                self.teardown(idx);
            }
            Timer::AnswerConnect(id) => {
                let idx = self.idx(id).expect("armed");
                self.calls[idx].answer = None;
                self.teardown(idx);
            }
            Timer::AudioActivation(id) => {
                let idx = self.idx(id).expect("armed");
                self.calls[idx].audio_timer = None;
            }
            Timer::StartConnect(id) | Timer::NoAnswer(id) => {
                // The start action failed, or the far end never answered: the call ends.
                let idx = self.idx(id).expect("armed");
                self.teardown(idx);
            }
        }
        true
    }

    /// Applies a non-push event at the host's time; returns whether it is accepted.
    fn event(&mut self, abs: Abs) -> bool {
        let at = match abs {
            Abs::Backwards { .. } => self.now.saturating_sub(1),
            _ => self.host_now,
        };
        if at < self.now {
            return false;
        }
        let before = self.clone();
        self.now = at;
        let ok = self.dispatch(abs);
        if !ok {
            *self = before;
        }
        ok
    }

    fn dispatch(&mut self, abs: Abs) -> bool {
        let established = |p: CallPhase| {
            matches!(
                p,
                CallPhase::Answered | CallPhase::Connecting | CallPhase::Connected
            )
        };
        match abs {
            Abs::Push { .. } | Abs::Tick | Abs::JumpToDeadline => unreachable!(),
            Abs::Reported { push, report } => self.on_reported(push, report),
            Abs::PushMayGoUnreported { .. } => unreachable!(),
            Abs::Announce { call: n } => self.on_announce(call(n)),
            Abs::ReportedCall { call: n, report } => self.on_reported_call(call(n), report),
            Abs::Reset => {
                while !self.calls.is_empty() {
                    self.teardown(0);
                }
                for p in std::mem::take(&mut self.pushes) {
                    self.complete(p.0);
                }
                self.txs.clear();
                self.requested.clear();
                self.audio = false;
                true
            }
            Abs::Begin | Abs::Invalidate => true,
            Abs::Credentials { valid } => valid,
            Abs::PerformStart { action: a, call: c } => {
                let (a, id) = (action(a), call(c));
                if self.held_by_any(a) {
                    return false;
                }
                let Some(idx) = self.idx(id) else { return true };
                let audio = self.audio;
                let m = &mut self.calls[idx];
                if m.phase != CallPhase::Requested {
                    return true;
                }
                if m.pending_end.take().is_some() {
                    self.teardown(idx);
                    return true;
                }
                m.phase = CallPhase::Starting;
                m.held = Some(a);
                m.start = Some(self.now + common::START_CONNECT_MS);
                m.sync(audio);
                true
            }
            Abs::PerformAnswer { action: a, call: c } => {
                let (a, id) = (action(a), call(c));
                if self.held_by_any(a) {
                    return false;
                }
                if let Some(idx) = self.idx(id) {
                    self.confirm(idx);
                }
                let (audio, now) = (self.audio, self.now);
                let Some(m) = self.calls.iter_mut().find(|m| m.id == id) else {
                    return true;
                };
                if m.dir != Direction::Incoming
                    || m.phase != CallPhase::Ringing
                    || m.pending_end.is_some()
                {
                    return true;
                }
                m.ring = None;
                if m.ready {
                    m.phase = CallPhase::Answered;
                    m.arm_audio(audio, now);
                    m.sync(audio);
                } else {
                    m.phase = CallPhase::Answering;
                    m.held = Some(a);
                    m.answer = Some(now + common::ANSWER_CONNECT_MS);
                }
                true
            }
            Abs::PerformEnd { action: a, call: c } => {
                if self.held_by_any(action(a)) {
                    return false;
                }
                if let Some(idx) = self.idx(call(c)) {
                    self.teardown(idx);
                } else {
                    // CallKit ends a call reported to be ended at once: no end owed.
                    for p in self.pushes.iter_mut().filter(|p| p.1 == call(c)) {
                        p.3 = false;
                    }
                }
                true
            }
            Abs::PerformHeld { action: a, call: c } | Abs::PerformUnheld { action: a, call: c } => {
                if self.held_by_any(action(a)) {
                    return false;
                }
                let (audio, now) = (self.audio, self.now);
                if let Some(m) = self.calls.iter_mut().find(|m| m.id == call(c)) {
                    if established(m.phase) {
                        let resumed = m.on_hold && matches!(abs, Abs::PerformUnheld { .. });
                        m.on_hold = matches!(abs, Abs::PerformHeld { .. });
                        if resumed {
                            // A resumed call needs audio again: it waits for didActivate.
                            m.arm_audio(audio, now);
                        }
                        m.sync(audio);
                    }
                }
                true
            }
            Abs::OutRinging { call: c } => self.ringing(call(c)),
            Abs::PerformTranslating {
                action: a,
                call: c,
                on,
            } => {
                if self.held_by_any(action(a)) {
                    return false;
                }
                if let Some(m) = self.calls.iter_mut().find(|m| m.id == call(c)) {
                    if matches!(m.phase, CallPhase::Answered | CallPhase::Connected) {
                        m.translating = on;
                    }
                }
                true
            }
            Abs::PerformMuted { action: a, .. }
            | Abs::PerformGroup { action: a, .. }
            | Abs::PerformDtmf { action: a, .. } => !self.held_by_any(action(a)),
            Abs::TimedOut { action: a } => {
                let a = action(a);
                let Some(idx) = self.calls.iter().position(|c| c.held == Some(a)) else {
                    // Resolved already: CallKit's time-out raced it.
                    return true;
                };
                self.calls[idx].held = None;
                self.teardown(idx);
                true
            }
            Abs::Activate => {
                self.audio = true;
                for c in &mut self.calls {
                    c.audio_timer = None;
                    c.sync(true);
                }
                true
            }
            Abs::Deactivate => {
                self.audio = false;
                for c in &mut self.calls {
                    c.sync(false);
                }
                true
            }
            Abs::RequestStart { call: c, valid } => {
                let id = call(c);
                if self.idx(id).is_some()
                    || self.ended(id)
                    || self.calls.len() == CALLS
                    || self.txs.len() >= MAX_PENDING_TRANSACTIONS
                    || !valid
                {
                    return false;
                }
                self.calls
                    .push(MCall::new(id, Direction::Outgoing, CallPhase::Requested));
                self.request(id, TxKind::Start);
                true
            }
            Abs::RequestEnd { call: c } => {
                let id = call(c);
                let full = self.txs.len() >= MAX_PENDING_TRANSACTIONS;
                let idx = match self.live(id) {
                    Ok(idx) => idx,
                    Err(ok) => return ok,
                };
                let m = &mut self.calls[idx];
                if m.awaiting || m.phase == CallPhase::Requested {
                    m.pending_end.get_or_insert(PendingEnd::Local);
                    return true;
                }
                if full {
                    return false;
                }
                self.request(id, TxKind::End);
                true
            }
            Abs::RequestAnswer { call: c } => {
                let id = call(c);
                let m = match self.live(id) {
                    Ok(idx) => &self.calls[idx],
                    Err(ok) => return ok,
                };
                // Only a ringing call CallKit knows, with room for the request.
                if m.phase != CallPhase::Ringing
                    || m.awaiting
                    || self.txs.len() >= MAX_PENDING_TRANSACTIONS
                {
                    return false;
                }
                self.request(id, TxKind::Other);
                true
            }
            Abs::RequestHeld { call: c } | Abs::RequestDtmf { call: c } => {
                let id = call(c);
                let m = match self.live(id) {
                    Ok(idx) => &self.calls[idx],
                    Err(ok) => return ok,
                };
                if !established(m.phase) || self.txs.len() >= MAX_PENDING_TRANSACTIONS {
                    return false;
                }
                self.request(id, TxKind::Other);
                true
            }
            Abs::RequestMuted { call: c } => {
                let id = call(c);
                let m = match self.live(id) {
                    Ok(idx) => &self.calls[idx],
                    Err(ok) => return ok,
                };
                // Mute applies once media may run, or while an answer waits for its
                // connection.
                let mute_applies = m.phase.media_allowed() || m.phase == CallPhase::Answering;
                if !mute_applies || self.txs.len() >= MAX_PENDING_TRANSACTIONS {
                    return false;
                }
                self.request(id, TxKind::Other);
                true
            }
            Abs::TxCompleted { .. } => unreachable!("handled by apply"),
            Abs::OutConnecting { call: c } => self.outgoing(call(c), false),
            Abs::OutConnected { call: c } => self.outgoing(call(c), true),
            Abs::OutRefused { call: c } => {
                let idx = match self.live(call(c)) {
                    Ok(idx) => idx,
                    Err(ok) => return ok,
                };
                let m = &self.calls[idx];
                let refusable = m.dir == Direction::Outgoing
                    && matches!(m.phase, CallPhase::Starting | CallPhase::Connecting);
                if refusable {
                    self.teardown(idx);
                }
                refusable
            }
            Abs::InConnected { call: c } => {
                let (audio, now) = (self.audio, self.now);
                let m = match self.live(call(c)) {
                    Ok(idx) => &mut self.calls[idx],
                    Err(ok) => return ok,
                };
                if m.dir != Direction::Incoming {
                    return false;
                }
                m.ready = true;
                if m.phase == CallPhase::Answering {
                    m.answer = None;
                    m.phase = CallPhase::Answered;
                    m.held = None;
                    m.arm_audio(audio, now);
                    m.sync(audio);
                }
                true
            }
            Abs::RemoteEnded { call: c } | Abs::Backwards { call: c } => {
                self.remote_end(call(c), false, true)
            }
            Abs::ConnectionFailed { call: c } => self.remote_end(call(c), false, false),
            Abs::AnsweredElsewhere { call: c } | Abs::DeclinedElsewhere { call: c } => {
                self.remote_end(call(c), true, true)
            }
            Abs::FireTimer { .. } => unreachable!("handled by apply"),
            Abs::FireUnknownTimer => false,
            Abs::Details { call: c, video } => match self.live(call(c)) {
                // Video needs supportsVideo, off in this configuration.
                Ok(_) => !video,
                Err(ok) => ok,
            },
            Abs::FireRing { call: c } => {
                let id = call(c);
                match self.live(id) {
                    Ok(idx) => match self.calls[idx].ring {
                        Some(deadline) => self.on_timer(Timer::Ring(id), deadline),
                        // Cancelled (answered, ...) as it fired: a race.
                        None => true,
                    },
                    Err(ok) => ok,
                }
            }
        }
    }

    fn tx_completed(&mut self, id: u64, ok: bool) -> bool {
        if self.host_now < self.now {
            return false;
        }
        let Some(i) = self.txs.iter().position(|t| t.0 == id) else {
            return false;
        };
        self.now = self.host_now;
        let (_, c, kind) = self.txs.remove(i);
        if ok {
            return true;
        }
        let Some(idx) = self.idx(c) else { return true };
        match kind {
            TxKind::Start if self.calls[idx].phase == CallPhase::Requested => self.teardown(idx),
            TxKind::Start | TxKind::Other => {}
            TxKind::End => self.teardown(idx),
        }
        true
    }

    fn apply(&mut self, abs: Abs, corpus: &[(String, Vec<u8>)]) {
        self.last = match abs {
            Abs::Push {
                push,
                body,
                backwards,
            } => {
                self.on_push(push, body, backwards, false, corpus);
                Some(true)
            }
            Abs::PushMayGoUnreported { push, body } => {
                self.on_push(push, body, false, true, corpus);
                Some(true)
            }
            Abs::Tick => {
                self.host_now += common::TICK_MS;
                None
            }
            Abs::JumpToDeadline => {
                self.host_now = match self.armed().first() {
                    Some((_, d)) => self.host_now.max(*d),
                    None => self.host_now + 1_000,
                };
                None
            }
            Abs::TxCompleted { newest, ok, bogus } => {
                // The runner's list of requested transactions, oldest first.
                let id = if bogus {
                    Some(u64::MAX)
                } else if newest {
                    self.requested.pop()
                } else if self.requested.is_empty() {
                    None
                } else {
                    Some(self.requested.remove(0))
                };
                id.map(|id| self.tx_completed(id, ok))
            }
            Abs::FireTimer { index } => match self.armed().get(usize::from(index)).copied() {
                None => None,
                Some((timer, deadline)) => {
                    if self.host_now < self.now {
                        Some(false)
                    } else {
                        let before = self.clone();
                        self.now = self.host_now;
                        let ok = self.on_timer(timer, deadline);
                        if !ok {
                            *self = before;
                        }
                        Some(ok)
                    }
                }
            },
            abs => Some(self.event(abs)),
        };
    }
}

fn corpus_cached() -> &'static [(String, Vec<u8>)] {
    use std::sync::OnceLock;
    static CORPUS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(corpus)
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Abs;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::new()).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Abs> {
        let mut smart = Vec::new();
        let fresh = (1..=IDS)
            .find(|a| !state.held_by_any(action(*a)))
            .unwrap_or(1);
        for p in &state.pushes {
            // `Ok` twice: the likely answer, weighted up.
            for report in [
                Report::Ok,
                Report::Ok,
                Report::AlreadyExists,
                Report::DoNotDisturb,
            ] {
                smart.push(Abs::Reported { push: p.0, report });
            }
        }
        for c in &state.calls {
            if c.announced {
                for report in [Report::Ok, Report::Ok, Report::DoNotDisturb] {
                    let n = (1..=IDS).find(|n| call(*n) == c.id).unwrap_or(1);
                    smart.push(Abs::ReportedCall { call: n, report });
                }
            }
        }
        for n in 1..=IDS {
            let Some(c) = state.calls.iter().find(|c| c.id == call(n)) else {
                smart.push(Abs::Push {
                    push: n,
                    body: Body::Call(n),
                    backwards: false,
                });
                smart.push(Abs::Announce { call: n });
                smart.push(Abs::RequestStart {
                    call: n,
                    valid: true,
                });
                continue;
            };
            match c.phase {
                CallPhase::Ringing => {
                    smart.push(Abs::PerformAnswer {
                        action: fresh,
                        call: n,
                    });
                    smart.push(Abs::InConnected { call: n });
                }
                CallPhase::Answering => smart.push(Abs::InConnected { call: n }),
                CallPhase::Requested => {
                    smart.push(Abs::TxCompleted {
                        newest: false,
                        ok: true,
                        bogus: false,
                    });
                    smart.push(Abs::PerformStart {
                        action: fresh,
                        call: n,
                    });
                }
                CallPhase::Starting => {
                    smart.push(Abs::OutConnecting { call: n });
                    smart.push(Abs::OutRinging { call: n });
                }
                CallPhase::Connecting => {
                    smart.push(Abs::OutConnected { call: n });
                    smart.push(Abs::OutRinging { call: n });
                    smart.push(Abs::OutRefused { call: n });
                }
                _ => {}
            }
            if c.phase.is_established() {
                let (action, call) = (fresh, n);
                smart.push(if c.on_hold {
                    Abs::PerformUnheld { action, call }
                } else {
                    Abs::PerformHeld { action, call }
                });
                smart.push(Abs::PerformTranslating {
                    action,
                    call,
                    on: !c.translating,
                });
            }
            smart.push(Abs::RemoteEnded { call: n });
            smart.push(Abs::RequestEnd { call: n });
            if c.phase == CallPhase::Ringing {
                smart.push(Abs::RequestAnswer { call: n });
            }
            smart.push(Abs::PerformEnd {
                action: fresh,
                call: n,
            });
        }
        smart.push(Abs::Activate);
        smart.push(Abs::JumpToDeadline);
        smart.push(Abs::FireTimer { index: 0 });
        // Generate only what the preconditions accept, so nothing is rejected later.
        smart.retain(|t| Self::preconditions(state, t));
        let mut hostile = common::alphabet(IDS, IDS, IDS);
        hostile.retain(|t| Self::preconditions(state, t));
        let free: Vec<u8> = (1..=IDS)
            .filter(|p| !state.pushes.iter().any(|x| x.0 == *p))
            .collect();
        let corpus_len = corpus_cached().len() as u8;
        let corpus_push = if free.is_empty() {
            Just(Abs::Tick).boxed()
        } else {
            (proptest::sample::select(free), 0..corpus_len)
                .prop_map(|(push, i)| Abs::Push {
                    push,
                    body: Body::Corpus(i),
                    backwards: false,
                })
                .boxed()
        };
        prop_oneof![
            6 => proptest::sample::select(smart),
            3 => proptest::sample::select(hostile),
            1 => corpus_push,
        ]
        .boxed()
    }

    fn preconditions(state: &Model, t: &Abs) -> bool {
        match *t {
            // The host's contract: a push id is unique among pending pushes.
            Abs::Push { push, .. } | Abs::PushMayGoUnreported { push, .. } => {
                !state.pushes.iter().any(|p| p.0 == push)
            }
            _ => true,
        }
    }

    fn apply(mut state: Model, t: &Abs) -> Model {
        state.apply(*t, corpus_cached());
        state
    }
}

struct EngineVsModel;

impl StateMachineTest for EngineVsModel {
    type SystemUnderTest = Runner<CALLS, PUSHES, EFFECTS>;
    type Reference = Reference;

    fn init_test(_: &Model) -> Self::SystemUnderTest {
        Runner::new(config())
    }

    fn apply(mut sut: Self::SystemUnderTest, model: &Model, t: Abs) -> Self::SystemUnderTest {
        let outcome = sut.apply(t, corpus_cached());
        let got = match &outcome {
            Outcome::NoStep => None,
            Outcome::Step(r) => Some(r.is_ok()),
        };
        assert_eq!(
            got, model.last,
            "{t:?}: engine {outcome:?}, model predicted {:?}\nmodel {model:#?}\nengine {:#?}",
            model.last, sut.harness.engine
        );
        compare(&sut, model, t);
        sut
    }

    fn check_invariants(sut: &Self::SystemUnderTest, _: &Model) {
        assert!(
            sut.harness.checker.violations().is_empty(),
            "{:#?}",
            sut.harness.checker.violations()
        );
    }
}

fn compare(sut: &Runner<CALLS, PUSHES, EFFECTS>, model: &Model, t: Abs) {
    let e = &sut.harness.engine;
    let calls: Vec<_> = e
        .calls()
        .map(|c| {
            (
                c.id(),
                c.direction(),
                c.phase(),
                c.report_pending(),
                c.end_pending(),
                c.deferred_action(),
                c.media_running(),
                c.ring_deadline().map(|d| d.as_millis()),
                c.answer_deadline().map(|d| d.as_millis()),
                c.connection_ready(),
                (
                    c.is_on_hold(),
                    c.remote_ringing(),
                    c.ringback_playing(),
                    c.audio_activation_deadline().map(|d| d.as_millis()),
                    c.start_deadline().map(|d| d.as_millis()),
                    c.no_answer_deadline().map(|d| d.as_millis()),
                    c.is_translating(),
                ),
            )
        })
        .collect();
    let want: Vec<_> = model
        .calls
        .iter()
        .map(|c| {
            (
                c.id,
                c.dir,
                c.phase,
                c.awaiting,
                c.pending_end.is_some(),
                c.held,
                c.media,
                c.ring,
                c.answer,
                c.ready,
                (
                    c.on_hold,
                    c.ringing && c.phase == CallPhase::Connecting,
                    c.ringback,
                    c.audio_timer,
                    c.start,
                    c.no_answer,
                    c.translating,
                ),
            )
        })
        .collect();
    assert_eq!(calls, want, "calls after {t:?}");
    assert_eq!(sut.armed(), model.armed(), "timers after {t:?}");
    assert_eq!(
        e.pending_pushes(),
        model.pushes.len(),
        "pending pushes after {t:?}"
    );
    assert_eq!(
        e.pending_transactions(),
        model.txs.len(),
        "transactions after {t:?}"
    );
    assert_eq!(e.audio_session_active(), model.audio, "audio after {t:?}");
    let idle = model.calls.is_empty() && model.pushes.is_empty() && model.txs.is_empty();
    assert_eq!(e.is_idle(), idle, "idle after {t:?}");
    assert_eq!(e.now().as_millis(), model.now, "engine clock after {t:?}");
    assert_eq!(sut.harness.now, model.host_now, "host clock after {t:?}");
}

fn cases() -> u32 {
    std::env::var("MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 4_096,
        max_local_rejects: u32::MAX,
        .. ProptestConfig::default()
    })]

    #[test]
    fn the_engine_matches_the_reference_model_and_keeps_every_invariant(
        sequential 1..64 => EngineVsModel
    );
}
