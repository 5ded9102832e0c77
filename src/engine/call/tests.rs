//! Unit tests of the call and the call table.

use super::*;
use crate::effect::{Effect, RejectReason};
use crate::effects::Effects;
use crate::engine::teardown::{Release, Spent};
use crate::engine::testing::{action_id as action, at, call_id as id};
use crate::error::Error;
use crate::types::CallEndedReason;
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

    let starting = call(
        3,
        State::Starting {
            action: action(4),
            deadline: at(6),
        },
    );
    assert_eq!(starting.phase(), CallPhase::Starting);
    assert_eq!(starting.direction(), Direction::Outgoing);
    assert_eq!(starting.deferred_action(), Some(action(4)));
    assert_eq!(starting.start_deadline(), Some(at(6)));
    assert_eq!(
        starting.armed_timer(),
        Some((Timer::StartConnect(id(3)), at(6)))
    );

    let connecting = call(
        5,
        State::Connecting {
            audio: None,
            ringing: true,
            no_answer: at(8),
        },
    );
    assert_eq!(connecting.no_answer_deadline(), Some(at(8)));
    assert_eq!(connecting.armed_timer(), None);

    for (state, phase) in [
        (State::ANSWERED, CallPhase::Answered),
        (State::Requested, CallPhase::Requested),
        (
            State::Connecting {
                audio: None,
                ringing: true,
                no_answer: at(8),
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
        .add(call(
            1,
            State::Starting {
                action: action(5),
                deadline: at(9),
            },
        ))
        .is_ok());
    assert!(table.add(call(2, State::Requested)).is_ok());
    let mut out: Effects<8> = Effects::new();
    table.end_all(at(0), &mut out);
    assert_eq!(
        &out[..],
        &[
            Effect::CancelTimer {
                timer: Timer::StartConnect(id(1))
            },
            Effect::HangUp { call: id(1) }
        ]
    );
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
        start_timeout_ms: 10_000,
        no_answer_timeout_ms: 60_000,
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
        start_timeout_ms: 10_000,
        no_answer_timeout_ms: 60_000,
    };
    let mut table: CallTable<3, 2> = CallTable::new();
    let mut out: Effects<16> = Effects::new();
    assert!(table
        .ring(
            id(1),
            Remote::default(),
            Some(PushId(1)),
            at(10),
            &ctx,
            &mut out
        )
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

#[test]
fn a_lookup_key_changes_with_any_one_bit_of_the_uuid() {
    // Bases: every bit clear, every bit set, and halves that fold to all ones.
    let mut halves = [0u8; 16];
    halves[..8].fill(0xFF);
    for base in [[0u8; 16], [0xFF; 16], halves] {
        let key = table::fingerprint(CallId::from_bytes(base));
        for bit in 0..128 {
            let mut flipped = base;
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(
                table::fingerprint(CallId::from_bytes(flipped)),
                key,
                "bit {bit} of {base:?}"
            );
        }
    }
}

#[test]
fn the_index_check_fails_on_a_stale_key_a_miscounted_deferral_or_an_orphaned_kept_end() {
    let mut table: CallTable<2, 2> = CallTable::new();
    let mut out: Effects<8> = Effects::new();
    assert!(table
        .add(Call::new(id(1), State::ANSWERED, Remote::default()))
        .is_ok());
    assert!(table.consistent());
    // A deferral counted that no call holds.
    table.deferring = 1;
    assert!(!table.consistent());
    table.deferring = 0;
    assert!(table.consistent());
    // A call whose UUID no longer folds to its key (one key per call still). The
    // test ids fold to one key, so this one differs in one half only.
    let mut moved = [1u8; 16];
    moved[0] = 2;
    if let Some(c) = table.at_mut(0) {
        c.id = CallId::from_bytes(moved);
    }
    assert!(!table.consistent());
    // An end kept for a slotless call must wait with a pending push.
    assert!(table.endings_pending(|_| false));
    let kept = PendingEnd::Remote {
        reason: CallEndedReason::Failed,
        release: Release::Nothing,
    };
    table.keep_ending(PushId(1), id(3), kept, at(0), &mut out);
    assert!(out.is_empty());
    assert!(table.endings_pending(|p| p == PushId(1)));
    assert!(!table.endings_pending(|p| p != PushId(1)));
}
