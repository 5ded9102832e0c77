//! Call groups (`CXSetGroupCallAction`) under the `CXProviderConfiguration` limits, and
//! the start action's checks against the provider configuration.

use callkit_engine::{
    CallCapabilities, CallId, Config, Effect, Event, HandleType, HandleTypes, IncomingReport,
    PushId,
};
use callkit_engine_testkit::{action_id, call_id, Harness};

fn payload(call: CallId) -> Vec<u8> {
    format!(r#"{{"uuid":"{call}","handle":"+15550100"}}"#).into_bytes()
}

fn grouping_config(maximum_call_groups: u8) -> Config {
    let mut config = Config {
        capabilities: CallCapabilities {
            supports_grouping: true,
            supports_ungrouping: true,
            ..CallCapabilities::default()
        },
        ..Config::default()
    };
    config.provider.maximum_call_groups = maximum_call_groups;
    config.provider.maximum_calls_per_call_group = 5;
    config
}

/// Rings, reports, connects and answers call `n` (action ids from `10 * n`).
fn answered(h: &mut Harness, n: u8) -> CallId {
    let call = call_id(n);
    h.push(u64::from(n), &payload(call));
    h.step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(u64::from(n))),
        result: Ok(()),
    });
    h.step(Event::IncomingCallConnected { call });
    h.step(Event::PerformAnswerCall {
        action: action_id(10 * n),
        call,
    });
    call
}

fn set_group(h: &mut Harness, action: u8, call: CallId, with: Option<CallId>) -> Vec<Effect> {
    h.step(Event::PerformSetGroup {
        action: action_id(action),
        call,
        group_with: with,
    })
    .effects
}

/// Taking `call` out of its group (action 101) is failed.
fn assert_ungroup_fails(h: &mut Harness, call: CallId) {
    let effects = set_group(h, 101, call, None);
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(101)
        }]
    );
}

fn group(h: &Harness, call: CallId) -> CallId {
    h.engine.call(call).expect("live call").group()
}

#[test]
fn ungrouping_the_call_a_group_is_named_after_leaves_the_rest_grouped_under_a_new_label() {
    let mut h: Harness = Harness::new(grouping_config(3));
    let [a, b, c] = [1, 2, 3].map(|n| answered(&mut h, n));
    set_group(&mut h, 100, b, Some(a));
    set_group(&mut h, 101, c, Some(a));
    assert_eq!([group(&h, a), group(&h, b), group(&h, c)], [a, a, a]);

    // A leaves: it stands alone again, and B and C stay together under B's label.
    let effects = set_group(&mut h, 102, a, None);
    assert_eq!(
        effects,
        vec![
            Effect::SetGroup {
                call: a,
                group_with: None,
            },
            Effect::FulfillAction {
                action: action_id(102),
            },
        ]
    );
    assert_eq!([group(&h, a), group(&h, b), group(&h, c)], [a, b, b]);

    // B leaves too: three groups of one, within maximumCallGroups = 3.
    set_group(&mut h, 103, b, None);
    assert_eq!([group(&h, a), group(&h, b), group(&h, c)], [a, b, c]);
    h.checker.finish(h.now);
    h.assert_rules();
}

#[test]
fn ungrouping_a_call_that_is_alone_is_fulfilled_without_change() {
    let mut h: Harness = Harness::new(grouping_config(1));
    let a = answered(&mut h, 1);
    let effects = set_group(&mut h, 100, a, None);
    assert!(effects.contains(&Effect::FulfillAction {
        action: action_id(100)
    }));
    assert_eq!(group(&h, a), a);
}

#[test]
fn ungrouping_fails_when_it_would_exceed_the_maximum_call_groups() {
    let mut h: Harness = Harness::new(grouping_config(2));
    let [a, b, c] = [1, 2, 3].map(|n| answered(&mut h, n));
    set_group(&mut h, 100, b, Some(a));
    // Two groups now: {A, B} and {C}. Taking B out would make three.
    assert_ungroup_fails(&mut h, b);
    assert_eq!([group(&h, a), group(&h, b), group(&h, c)], [a, a, c]);
}

#[test]
fn ungrouping_fails_without_ungrouping_support() {
    let mut config = grouping_config(3);
    config.capabilities.supports_ungrouping = false;
    let mut h: Harness = Harness::new(config);
    let (a, b) = (answered(&mut h, 1), answered(&mut h, 2));
    set_group(&mut h, 100, b, Some(a));
    assert_ungroup_fails(&mut h, b);
    assert_eq!(group(&h, b), a);
}

/// A requested outgoing call, its transaction completed, then CallKit's start action
/// with `handle_type` and `video`.
fn perform_start(config: Config, handle_type: HandleType, video: bool) -> Vec<Effect> {
    let mut h: Harness = Harness::new(config);
    let call = call_id(1);
    let effects = h.step(Event::RequestStartCall {
        call,
        handle: "+15550199",
        handle_type: HandleType::PhoneNumber,
        video: false,
    });
    let transaction = effects.transaction().expect("a start transaction");
    h.step(Event::TransactionCompleted {
        transaction,
        result: Ok(()),
    });
    h.step(Event::PerformStartCall {
        action: action_id(1),
        call,
        handle: "+15550199",
        handle_type,
        video,
    })
    .effects
}

#[test]
fn a_start_action_fails_for_an_unsupported_handle_type_even_without_video() {
    let mut config = Config::default();
    config.provider.supported_handle_types = HandleTypes::only(HandleType::PhoneNumber);
    let effects = perform_start(config.clone(), HandleType::EmailAddress, false);
    assert_eq!(
        effects.first(),
        Some(&Effect::FailAction {
            action: action_id(1)
        })
    );
    let effects = perform_start(config, HandleType::PhoneNumber, false);
    assert!(effects.contains(&Effect::StartOutgoing {
        call: call_id(1),
        video: false,
    }));
}

#[test]
fn a_start_action_fails_for_video_without_video_support_even_with_a_supported_handle() {
    let config = Config::default(); // supportsVideo off
    let effects = perform_start(config, HandleType::PhoneNumber, true);
    assert_eq!(
        effects.first(),
        Some(&Effect::FailAction {
            action: action_id(1)
        })
    );
}
