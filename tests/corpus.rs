//! Every payload of the corpus (tests/payloads/) through the engine: with the schema
//! preset that fits it, against the outcome its README row promises; and under every
//! preset, against the PushKit rule.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use callkit_engine::limits::MAX_CALLER_NAME_LEN;
use callkit_engine::{
    CallEndedReason, CallId, Config, Effect, Event, HandleType, IncomingCallError, IncomingReport,
    PushEndReason, PushId, Timer, Uuid,
};
use callkit_engine_testkit::trace::{opaque_call_id, schema_by_name, SCHEMA_NAMES};
use callkit_engine_testkit::{fallback_id, Harness};

/// The call id a payload should be reported under.
#[derive(Clone, Copy, Debug)]
enum Id {
    /// The UUID in the payload (any case).
    Uuid(&'static str),
    /// Derived from an opaque server id.
    Opaque(&'static str),
    /// The host's fallback (no id in the payload).
    Fallback,
}

#[derive(Clone, Copy, Debug)]
enum Name {
    None,
    Exact(&'static str),
    /// Cut to this many bytes.
    Bytes(usize),
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// A new call rings.
    Rings {
        id: Id,
        handle: &'static str,
        handle_type: HandleType,
        name: Name,
        video: bool,
        /// The ring timer's deadline (the push arrives at 0 ms).
        ring_deadline_ms: u64,
    },
    /// A cancel for a call this engine does not know: reported and ended at once,
    /// remoteEnded.
    CancelUnknown { id: Id },
    /// Unreadable: reported under the fallback id and ended at once, failed.
    Malformed,
}

struct Row {
    file: &'static str,
    schema: &'static str,
    supports_video: bool,
    ring_timeout_ms: u64,
    expect: Expect,
}

const RING: u64 = callkit_engine::DEFAULT_RING_TIMEOUT_MS;
const TWILIO_SID: &str = "CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a";

const fn rings(
    id: Id,
    handle: &'static str,
    handle_type: HandleType,
    name: Name,
    video: bool,
) -> Expect {
    Expect::Rings {
        id,
        handle,
        handle_type,
        name,
        video,
        ring_deadline_ms: RING,
    }
}

const fn row(file: &'static str, schema: &'static str, expect: Expect) -> Row {
    Row {
        file,
        schema,
        supports_video: false,
        ring_timeout_ms: RING,
        expect,
    }
}

const fn with_video(mut r: Row) -> Row {
    r.supports_video = true;
    r
}

/// File → preset → expected outcome (tests/payloads/README.md).
fn table() -> Vec<Row> {
    use HandleType::*;
    let rn = "react_native_voip_push";
    vec![
        row(
            "apple-docs-calluuid.json",
            "apple_docs",
            rings(
                Id::Uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11"),
                "+14085551234",
                PhoneNumber,
                Name::None,
                false,
            ),
        ),
        with_video(row(
            "speakerbox-uppercase-uuid.json",
            "speakerbox",
            rings(
                Id::Uuid("E621E1F8-C36C-495A-93FC-0C247A3E6E5F"),
                "+821012345678",
                PhoneNumber,
                Name::None,
                true,
            ),
        )),
        row(
            "callername-no-uuid.json",
            rn,
            rings(
                Id::Fallback,
                "alice@example.org",
                EmailAddress,
                Name::Exact("Alice Kim"),
                false,
            ),
        ),
        row(
            "rn-voip-push.json",
            rn,
            rings(
                Id::Uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"),
                "+442071838750",
                PhoneNumber,
                Name::Exact("Bob"),
                false,
            ),
        ),
        with_video(row(
            "flutter-callkit-incoming.json",
            "flutter_callkit_incoming",
            rings(
                Id::Uuid("44d915e1-5ff4-4bed-bf13-c423048ec97a"),
                "0123456789",
                PhoneNumber,
                Name::Exact("Hien Nguyen"),
                true,
            ),
        )),
        // The configured ring time-out is 45 s: the 30 s deadline comes from `duration`.
        Row {
            ring_timeout_ms: 45_000,
            ..with_video(row(
                "flutter-callkit-incoming-full.json",
                "flutter_callkit_incoming",
                Expect::Rings {
                    id: Id::Uuid("a3f7c2d0-1e4b-4f9a-8c6d-2b1e0f9d7c35"),
                    handle: "+4930901820",
                    handle_type: PhoneNumber,
                    name: Name::Exact("Jürgen Müller"),
                    video: false,
                    ring_deadline_ms: 30_000,
                },
            ))
        },
        row(
            "twilio-call.json",
            "twilio",
            rings(
                Id::Opaque(TWILIO_SID),
                "client:alice",
                Generic,
                Name::None,
                false,
            ),
        ),
        row(
            "twilio-cancel.json",
            "twilio",
            Expect::CancelUnknown {
                id: Id::Opaque(TWILIO_SID),
            },
        ),
        row(
            "telegram-relay.json",
            "telegram",
            rings(
                Id::Opaque("6823910254189346817"),
                "+15551234567",
                PhoneNumber,
                Name::None,
                false,
            ),
        ),
        row(
            "linphone-flexisip.json",
            "linphone_flexisip",
            rings(
                Id::Opaque("Jd7xK2pQ-8h3F9vLmN"),
                "sip:carol@sip.example.org",
                Generic,
                Name::Exact("Carol"),
                false,
            ),
        ),
        row(
            "nested-data.json",
            "nested_data",
            rings(
                Id::Uuid("3e9d2c41-6b7a-4f08-9e15-7d2c8a4b1f63"),
                "+33142685300",
                PhoneNumber,
                Name::Exact("Chloé Élise"),
                false,
            ),
        ),
        row(
            "escaped-unicode-name.json",
            rn,
            rings(
                Id::Uuid("9c1f5b2e-3d4a-4e6f-8a7b-0c9d1e2f3a4b"),
                "+819012345678",
                PhoneNumber,
                Name::Exact("山田 📞 \"Taro\""),
                false,
            ),
        ),
        // hasVideo is true but the default provider does not support video.
        row(
            "long-caller-name.json",
            rn,
            rings(
                Id::Uuid("7a4b1f63-3e9d-4c41-8b7a-5d2c8a4b1f63"),
                "+15553334444",
                PhoneNumber,
                Name::Bytes(MAX_CALLER_NAME_LEN),
                false,
            ),
        ),
        row("missing-uuid-invalid.json", rn, Expect::Malformed),
        row("wrong-types.json", rn, Expect::Malformed),
        row("duplicate-keys.json", rn, Expect::Malformed),
        row("truncated.json", rn, Expect::Malformed),
        row("not-json.bin", rn, Expect::Malformed),
        row("empty.json", rn, Expect::Malformed),
        row("deep-nesting.json", rn, Expect::Malformed),
        row("bom-prefixed.json", rn, Expect::Malformed),
        row("oversize-5kib.json", rn, Expect::Malformed),
    ]
}

fn payload_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/payloads")
}

/// Every payload file (everything in tests/payloads/ but its README).
fn payload_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(payload_dir())
        .expect("tests/payloads exists")
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| !n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(payload_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn resolve(id: Id) -> CallId {
    match id {
        Id::Uuid(text) => CallId(Uuid::parse_str(text).expect("a UUID in the table")),
        Id::Opaque(server_id) => opaque_call_id(server_id),
        Id::Fallback => fallback_id(1),
    }
}

fn config_for(schema: &str, supports_video: bool, ring_timeout_ms: u64) -> Config {
    let mut config = Config::with_schema(schema_by_name(schema).expect("a preset name"));
    config.provider.supports_video = supports_video;
    config.ring_timeout_ms = ring_timeout_ms;
    config
}

fn completions(effects: &[Effect]) -> Vec<PushId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::CompletePush { push } => Some(*push),
            _ => None,
        })
        .collect()
}

fn reports(effects: &[Effect]) -> usize {
    callkit_engine_testkit::count(effects, |e| {
        matches!(e, Effect::ReportNewIncomingCall { .. })
    })
}

#[test]
fn every_payload_file_has_a_row_and_every_row_a_file() {
    let files = payload_files();
    let rows: Vec<&str> = table().iter().map(|r| r.file).collect();
    for f in &files {
        assert!(
            rows.contains(&f.as_str()),
            "{f} has no row in the corpus table"
        );
    }
    for r in &rows {
        assert!(
            files.iter().any(|f| f == r),
            "row {r} names no file in tests/payloads"
        );
    }
    assert_eq!(rows.len(), files.len(), "a file has two rows");
}

/// Each payload with its preset: the README's outcome, the report as the push step's
/// first (and only) report, and one PushKit completion once the report's result is in.
#[test]
fn every_payload_gets_the_outcome_its_corpus_row_promises() {
    for row in table() {
        let file = row.file;
        let payload = read(file);
        let mut h: Harness = Harness::new(config_for(
            row.schema,
            row.supports_video,
            row.ring_timeout_ms,
        ));
        let effects = h
            .try_step(Event::VoipPushReceived {
                push: PushId(1),
                payload: &payload,
                fallback_call: fallback_id(1),
                must_report: None,
                received_at_unix_ms: None,
            })
            .unwrap_or_else(|e| panic!("{file}: push refused: {e}"));
        let timeline = || h.timeline();
        assert_eq!(
            reports(&effects),
            1,
            "{file}: reports in the push step\n{}",
            timeline()
        );
        let Some(Effect::ReportNewIncomingCall { push, call }) = effects.first() else {
            panic!("{file}: the first effect is not the report\n{}", timeline());
        };
        let update = effects
            .call_update
            .as_ref()
            .unwrap_or_else(|| panic!("{file}: the report has no call update"));
        assert_eq!(*push, Some(PushId(1)), "{file}");
        assert!(
            completions(&effects).is_empty(),
            "{file}: completed before the report's result"
        );
        let ended: Vec<(CallId, CallEndedReason)> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::ReportCallEnded { call, reason, .. } => Some((*call, *reason)),
                _ => None,
            })
            .collect();
        let connects = effects
            .iter()
            .any(|e| matches!(e, Effect::ConnectIncoming { .. }));
        // A push reported to be ended at once says why, and is ended once its report is
        // accepted.
        let mut owed_end = None;

        match row.expect {
            Expect::Rings {
                id,
                handle,
                handle_type,
                name,
                video,
                ring_deadline_ms,
            } => {
                let want = resolve(id);
                assert_eq!(*call, want, "{file}: call id");
                let h_ = update
                    .remote_handle
                    .as_ref()
                    .unwrap_or_else(|| panic!("{file}: no handle"));
                assert_eq!(h_.value.as_str(), handle, "{file}: handle");
                assert_eq!(h_.kind, handle_type, "{file}: handle type");
                let got_name = update.localized_caller_name.as_ref().map(|n| n.as_str());
                match name {
                    Name::None => assert_eq!(got_name, None, "{file}: name"),
                    Name::Exact(text) => assert_eq!(got_name, Some(text), "{file}: name"),
                    Name::Bytes(len) => {
                        let got = got_name.unwrap_or_else(|| panic!("{file}: no name"));
                        assert_eq!(got.len(), len, "{file}: name length");
                    }
                }
                assert_eq!(update.has_video, video, "{file}: video");
                assert!(
                    ended.is_empty(),
                    "{file}: a ringing call was ended: {ended:?}"
                );
                assert!(connects, "{file}: the signalling leg is not connected");
                assert!(
                    effects.contains(&Effect::StartTimer {
                        timer: Timer::Ring(want),
                        deadline: callkit_engine::Instant::from_millis(ring_deadline_ms),
                    }),
                    "{file}: ring deadline {ring_deadline_ms} ms\n{}",
                    timeline()
                );
                let live = h
                    .engine
                    .call(want)
                    .unwrap_or_else(|| panic!("{file}: the call is not live"));
                assert_eq!(
                    live.ring_deadline().map(|d| d.as_millis()),
                    Some(ring_deadline_ms)
                );
            }
            Expect::CancelUnknown { id } => {
                let want = resolve(id);
                assert_eq!(*call, want, "{file}: call id");
                assert_eq!(
                    ended,
                    [],
                    "{file}: ended before CallKit accepted the report"
                );
                assert!(effects.push_end_reason.is_some(), "{file}: no reason");
                owed_end = Some((want, CallEndedReason::RemoteEnded));
                assert!(!connects, "{file}: a cancelled call connects");
                assert!(
                    h.engine.call(want).is_none(),
                    "{file}: the cancelled call stays live"
                );
            }
            Expect::Malformed => {
                assert_eq!(
                    *call,
                    fallback_id(1),
                    "{file}: not reported under the fallback id"
                );
                assert_eq!(
                    ended,
                    [],
                    "{file}: ended before CallKit accepted the report"
                );
                assert!(
                    matches!(
                        effects.push_end_reason,
                        Some(PushEndReason::Unreadable { .. })
                    ),
                    "{file}: {:?}",
                    effects.push_end_reason
                );
                owed_end = Some((fallback_id(1), CallEndedReason::Failed));
                assert!(!connects, "{file}: a malformed push connects");
                assert!(
                    h.engine.calls().next().is_none(),
                    "{file}: a malformed push left a call"
                );
            }
        }

        let result = h
            .try_step(Event::IncomingCallReported {
                report: IncomingReport::Push(PushId(1)),
                result: Ok(()),
            })
            .unwrap_or_else(|e| panic!("{file}: report result refused: {e}"));
        assert_eq!(
            completions(&result),
            [PushId(1)],
            "{file}: completions after the report's result"
        );
        if let Some((call, reason)) = owed_end {
            assert!(
                result.iter().any(|e| matches!(e,
                    Effect::ReportCallEnded { call: c, reason: r, .. } if *c == call && *r == reason)),
                "{file}: not ended once the report was accepted: {result:?}"
            );
        }
        h.checker.finish(h.now);
        assert!(
            h.checker.violations().is_empty(),
            "{file}: {:?}",
            h.checker.violations()
        );
    }
}

/// The twilio call and cancel pushes name the same call (README: "same derived id").
#[test]
fn twilio_call_and_cancel_payloads_derive_the_same_call_id() {
    let schema = schema_by_name("twilio").expect("preset");
    let call = schema
        .parse(&read("twilio-call.json"))
        .expect("call parses");
    let cancel = schema
        .parse(&read("twilio-cancel.json"))
        .expect("cancel parses");
    assert_eq!(call.call, Some(opaque_call_id(TWILIO_SID)));
    assert_eq!(call.call, cancel.call);
    assert_eq!(cancel.kind, callkit_engine::PushKind::Cancel);
    assert_eq!(call.kind, callkit_engine::PushKind::Call);
}

/// Speakerbox asks for video; a provider without `supportsVideo` reports audio.
#[test]
fn a_video_payload_is_reported_as_audio_when_video_is_not_supported() {
    for (file, schema) in [
        ("speakerbox-uppercase-uuid.json", "speakerbox"),
        ("flutter-callkit-incoming.json", "flutter_callkit_incoming"),
    ] {
        let payload = read(file);
        let mut h: Harness = Harness::new(config_for(schema, false, RING));
        let effects = h.push(1, &payload);
        assert!(
            matches!(&effects[0], Effect::ReportNewIncomingCall { .. }),
            "{file}: {effects:?}"
        );
        assert!(
            !effects
                .call_update
                .as_ref()
                .expect("a call update")
                .has_video,
            "{file}: {effects:?}"
        );
    }
}

/// How the push's PushKit completion comes about in a cross-product run.
#[derive(Clone, Copy, Debug)]
enum Completion {
    /// The report's completion handler called back with this result.
    Report(Result<(), IncomingCallError>),
    /// No callback: the push-completion timer fires.
    Timer,
}

fn completion_paths() -> Vec<Completion> {
    let mut paths = vec![Completion::Report(Ok(())), Completion::Timer];
    paths.extend((0..=8).map(|raw| Completion::Report(Err(IncomingCallError::from_raw(raw)))));
    paths
}

/// One payload, pushed twice under one configuration: each push is reported in its own
/// step (first effect, exactly once) and completed exactly once after its report's
/// result (or at its deadline); the checker sees no violation through the ring time-out.
fn pushkit_rule_holds(payload: &[u8], config: Config, path: Completion) -> Result<(), String> {
    let mut h: Harness = Harness::new(config);
    for push in 1..=2u64 {
        let at = h.now;
        let effects = h
            .try_step(Event::VoipPushReceived {
                push: PushId(push),
                payload,
                fallback_call: fallback_id(push),
                must_report: None,
                received_at_unix_ms: None,
            })
            .map_err(|e| format!("push {push} refused: {e}"))?;
        if reports(&effects) != 1
            || !matches!(effects.first(), Some(Effect::ReportNewIncomingCall { push: p, .. }) if *p == Some(PushId(push)))
        {
            return Err(format!(
                "push {push}: the report is not the step's first and only report\n{}",
                h.timeline()
            ));
        }
        if !completions(&effects).is_empty() {
            return Err(format!(
                "push {push}: completed in its own step\n{}",
                h.timeline()
            ));
        }
        let done = match path {
            Completion::Report(result) => {
                h.advance(50);
                h.try_step(Event::IncomingCallReported {
                    report: IncomingReport::Push(PushId(push)),
                    result,
                })
                .map_err(|e| format!("report result of push {push} refused: {e}"))?
                .effects
            }
            Completion::Timer => {
                let deadline = at + h.engine.config().push_completion_timeout_ms;
                h.advance_firing(deadline - h.now)
            }
        };
        let want = [PushId(push)];
        if completions(&done) != want {
            return Err(format!(
                "push {push} ({path:?}): completions {:?}, want {want:?}\n{}",
                completions(&done),
                h.timeline()
            ));
        }
        h.advance(100);
    }
    // Let every ring and answer timer run out.
    h.advance_firing(10 * 60 * 1_000);
    h.checker.finish(h.now);
    if !h.checker.violations().is_empty() {
        return Err(format!("{:#?}\n{}", h.checker.violations(), h.timeline()));
    }
    Ok(())
}

/// Every payload under every preset, video on and off, through every way a push gets
/// completed: the PushKit rule never breaks and nothing panics.
#[test]
fn every_payload_under_every_preset_keeps_the_pushkit_rule() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for file in payload_files() {
        let payload = read(&file);
        for schema in SCHEMA_NAMES {
            for supports_video in [false, true] {
                for path in completion_paths() {
                    runs += 1;
                    let config = config_for(schema, supports_video, RING);
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        pushkit_rule_holds(&payload, config, path)
                    }));
                    match outcome {
                        Ok(Ok(())) => {}
                        Ok(Err(why)) => failures.push(format!(
                            "{file} / {schema} / video {supports_video} / {path:?}: {why}"
                        )),
                        Err(_) => failures.push(format!(
                            "{file} / {schema} / video {supports_video} / {path:?}: panicked"
                        )),
                    }
                }
            }
        }
    }
    assert!(runs >= 22 * 8 * 2, "{runs} runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[path = "support/golden.rs"]
mod golden;

/// Golden vectors of every payload under its preset (tests/golden/payloads/), for the
/// Swift package's conformance test: the push at 0 ms, its report's completion at
/// 100 ms, then every timer fired up to 120 s. Rewrite them with
/// `GOLDEN_BLESS=1 cargo test --test corpus`.
#[test]
fn golden_vectors_of_every_payload_are_fresh() {
    use callkit_engine_testkit::trace::{parse_trace, run_trace_observed};
    let mut vectors = std::collections::BTreeMap::new();
    for row in table() {
        let text = format!(
            "{{\"config\": {{\"schema\": \"{}\", \"supports_video\": {}, \"ring_timeout_ms\": {}}}}}\n\
             {{\"at_ms\": 0, \"event\": \"voip_push_received\", \"push\": 1, \"payload_file\": \"{}\"}}\n\
             {{\"at_ms\": 100, \"event\": \"incoming_call_reported\", \"push\": 1}}\n\
             {{\"at_ms\": 120000, \"event\": \"advance_firing\"}}\n",
            row.schema, row.supports_video, row.ring_timeout_ms, row.file
        );
        let trace =
            parse_trace(&text, &payload_dir()).unwrap_or_else(|e| panic!("{}: {e:?}", row.file));
        let mut steps = Vec::new();
        run_trace_observed(&trace, &mut |at, event, result| {
            steps.push(golden::step_json(at, event, result));
        })
        .unwrap_or_else(|e| panic!("{}: {e:?}", row.file));
        let source = format!("tests/payloads/{}", row.file);
        vectors.insert(
            golden::vector_name(Path::new(row.file)),
            golden::vector_json(&source, &trace.config, row.schema, steps),
        );
    }
    assert_eq!(
        vectors.len(),
        payload_files().len(),
        "one vector per payload file"
    );
    golden::check_fresh("tests/golden/payloads", &vectors, "corpus");
}
