//! The `log` feature: every corpus payload (tests/payloads/), read through every preset
//! schema, drives an incoming call (push, report, answer, DTMF, end, a refused event)
//! and an outgoing call to the payload's handle, plus a push-token update, with a
//! capturing `log` logger installed. Records arrive, all at debug level under the
//! `callkit_engine` target, and none holds a caller name, a handle, DTMF digits, a push
//! token or any other string of the payload.
//!
//! Only built with the `log` feature: `cargo test --workspace` has it (the crate's
//! self dev-dependency), and the published package runs it with `--features log`.
#![cfg(feature = "log")]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use callkit_engine::limits::DEFAULT_MAX_EFFECTS;
use callkit_engine::{
    ActionId, CallId, Config, DtmfType, Effect, Effects, Engine, Event, HandleType, IncomingReport,
    Instant, PayloadSchema, PushId, Uuid,
};
use log::{Level, Log, Metadata, Record};

/// One captured record: level, target and the message as a host would print it.
#[derive(Clone, Debug)]
struct Captured {
    level: Level,
    target: String,
    text: String,
}

struct CapturingLogger {
    records: Mutex<Vec<Captured>>,
}

impl Log for CapturingLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &Record<'_>) {
        let captured = Captured {
            level: record.level(),
            target: record.target().to_owned(),
            text: record.args().to_string(),
        };
        self.records.lock().unwrap().push(captured);
    }

    fn flush(&self) {}
}

static LOGGER: CapturingLogger = CapturingLogger {
    records: Mutex::new(Vec::new()),
};

/// Runs `drive` with the capturing logger installed and returns what it logged. The
/// logger is global, so runs are serialised.
fn capture(drive: impl FnOnce()) -> Vec<Captured> {
    static SERIAL: Mutex<()> = Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Only the first call installs it; later calls find it in place.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Trace);
    LOGGER.records.lock().unwrap().clear();
    drive();
    std::mem::take(&mut *LOGGER.records.lock().unwrap())
}

fn presets() -> [(&'static str, PayloadSchema); 8] {
    [
        ("apple_docs", PayloadSchema::apple_docs()),
        ("speakerbox", PayloadSchema::speakerbox()),
        (
            "react_native_voip_push",
            PayloadSchema::react_native_voip_push(),
        ),
        (
            "flutter_callkit_incoming",
            PayloadSchema::flutter_callkit_incoming(),
        ),
        ("twilio", PayloadSchema::twilio()),
        ("telegram", PayloadSchema::telegram()),
        ("linphone_flexisip", PayloadSchema::linphone_flexisip()),
        ("nested_data", PayloadSchema::nested_data()),
    ]
}

fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/payloads");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/payloads/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json" || e == "bin"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = fs::read(&path).expect("a corpus file is readable");
            (path, bytes)
        })
        .collect()
}

/// Every string value of the payload (not the keys: `handle` is also a word of the log
/// texts), when it is JSON at all. Call UUIDs are left out: they are ids, logged in full.
fn payload_strings(payload: &[u8]) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(payload) {
        walk(&value, &mut out);
    }
    out.retain(|s| s.chars().count() >= 3 && Uuid::parse_str(s).is_err());
    out
}

/// What the engine read as personal data from one step: the CXCallUpdate's handle and
/// caller name, an outgoing handle, DTMF digits and a push token.
fn personal_data(effects: &Effects<DEFAULT_MAX_EFFECTS>, out: &mut Vec<String>) {
    if let Some(update) = effects.call_update() {
        if let Some(handle) = &update.remote_handle {
            out.push(handle.value.as_str().to_owned());
        }
        if let Some(name) = &update.localized_caller_name {
            out.push(name.0.as_str().to_owned());
        }
    }
    if let Some(digits) = effects.dtmf_digits() {
        out.push(digits.to_owned());
    }
    if let Some(hex) = effects.push_token_hex() {
        out.push(hex.to_owned());
    }
}

const DIGITS: &str = "8675309#";
const TOKEN: &[u8] = b"\x5e\xc2\x7a\x11\x90\x3b\xd4\x06\x42\x42";
const TOKEN_HEX: &str = "5ec27a11903bd4064242";

/// One engine, one payload: the incoming call's life, then an outgoing call to the
/// handle the payload named. Returns the personal data the engine handled.
fn drive(schema: PayloadSchema, payload: &[u8]) -> Vec<String> {
    let mut engine: Engine = Engine::new(Config::with_schema(schema));
    let mut seen = Vec::new();
    let mut ms = 1_000;
    let mut step = |engine: &mut Engine, event: Event<'_>, seen: &mut Vec<String>| {
        ms += 10;
        if let Ok(effects) = engine.handle(Instant::from_millis(ms), event) {
            personal_data(&effects, seen);
            Some(effects)
        } else {
            None
        }
    };

    let effects = step(
        &mut engine,
        Event::VoipPushReceived {
            push: PushId(1),
            payload,
            fallback_call: CallId::from_bytes([0xf0; 16]),
            must_report: None,
            received_at_unix_ms: None,
        },
        &mut seen,
    )
    .expect("a push is never refused");
    let Some(Effect::ReportNewIncomingCall { call, .. }) = effects.first() else {
        panic!("a push is reported first");
    };
    let call = *call;
    let handle = seen.first().cloned();

    let action = |n: u8| ActionId::from_bytes([n; 16]);
    let incoming = [
        Event::IncomingCallReported {
            report: IncomingReport::Push(PushId(1)),
            result: Ok(()),
        },
        Event::PerformAnswerCall {
            action: action(1),
            call,
        },
        Event::DidActivateAudioSession,
        Event::IncomingCallConnected { call },
        Event::PerformPlayDtmf {
            action: action(2),
            call,
            digits: DIGITS,
            kind: DtmfType::SingleTone,
        },
        Event::PerformEndCall {
            action: action(3),
            call,
        },
        // The call is gone: fulfilled, nothing to end.
        Event::PerformEndCall {
            action: action(4),
            call,
        },
        // Refused: the engine never knew this call (a call that just ended is a race,
        // accepted with no effect, so the refusal needs a call never seen).
        Event::ConnectionFailed {
            call: CallId::from_bytes([0x0d; 16]),
        },
        Event::DidDeactivateAudioSession,
        Event::PushCredentialsUpdated { token: TOKEN },
    ];
    for event in incoming {
        step(&mut engine, event, &mut seen);
    }

    let outgoing = CallId::from_bytes([0x0e; 16]);
    let handle = handle.unwrap_or_else(|| "+15550100123".to_owned());
    seen.push(handle.clone());
    let requested = step(
        &mut engine,
        Event::RequestStartCall {
            call: outgoing,
            handle: &handle,
            handle_type: HandleType::Generic,
            video: false,
        },
        &mut seen,
    );
    let transaction = requested.and_then(|effects| {
        effects.iter().find_map(|effect| match effect {
            Effect::RequestTransaction { transaction, .. } => Some(*transaction),
            _ => None,
        })
    });
    if let Some(transaction) = transaction {
        step(
            &mut engine,
            Event::TransactionCompleted {
                transaction,
                result: Ok(()),
            },
            &mut seen,
        );
    }
    let calling = [
        Event::PerformStartCall {
            action: action(5),
            call: outgoing,
            handle: &handle,
            handle_type: HandleType::Generic,
            video: false,
        },
        Event::OutgoingCallConnecting { call: outgoing },
        Event::OutgoingCallConnected { call: outgoing },
        Event::RequestPlayDtmf {
            call: outgoing,
            digits: DIGITS,
            kind: DtmfType::SingleTone,
        },
        Event::RemoteEnded { call: outgoing },
    ];
    for event in calling {
        step(&mut engine, event, &mut seen);
    }
    seen
}

#[test]
fn no_caller_name_handle_digits_token_or_payload_text_reaches_a_log_record() {
    let mut secrets: Vec<(String, String)> = Vec::new();
    let records = capture(|| {
        for (path, payload) in corpus() {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            for (name, schema) in presets() {
                let seen = drive(schema, &payload);
                let from = format!("{file} read as {name}");
                secrets.extend(seen.into_iter().map(|s| (s, from.clone())));
            }
            secrets.extend(
                payload_strings(&payload)
                    .into_iter()
                    .map(|s| (s, file.clone())),
            );
        }
    });

    // Records do arrive, from the engine, at its level and target, naming the calls.
    assert!(records.len() > 1_000, "only {} records", records.len());
    for record in &records {
        assert_eq!(record.target, "callkit_engine", "{record:?}");
        assert_eq!(record.level, Level::Debug, "{record:?}");
    }
    let logged = |text: &str| records.iter().any(|r| r.text.contains(text));
    assert!(logged("call 6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11 ringing"));
    assert!(logged("refused"));
    assert!(logged("push payload malformed"));

    // The secrets are the real thing: names and handles the engine read and used.
    let known = |text: &str| secrets.iter().any(|(s, _)| s == text);
    for expected in [
        "Alice Kim",
        "alice@example.org",
        "+14085551234",
        "Hien Nguyen",
        "Chloé Élise",
        "山田 📞 \"Taro\"",
        "sip:carol@sip.example.org",
        "client:alice",
        "CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a",
        DIGITS,
        TOKEN_HEX,
    ] {
        assert!(known(expected), "{expected} was never handled");
    }

    for (secret, from) in &secrets {
        for record in &records {
            assert!(
                !record.text.contains(secret.as_str()),
                "{secret:?} (from {from}) reached a log record: {:?}",
                record.text
            );
        }
    }
}

#[test]
fn a_report_error_reaches_the_log_with_its_raw_code_named_or_not() {
    use callkit_engine::IncomingCallError;
    let payload = br#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#;
    for code in [4, 42, -9_000_000_000] {
        let records = capture(|| {
            let mut engine: Engine = Engine::new(Config::with_schema(PayloadSchema::apple_docs()));
            let push = Event::VoipPushReceived {
                push: PushId(7),
                payload,
                fallback_call: CallId::from_bytes([0xf0; 16]),
                must_report: None,
                received_at_unix_ms: None,
            };
            engine.handle(Instant::from_millis(0), push).unwrap();
            let reported = Event::IncomingCallReported {
                report: IncomingReport::Push(PushId(7)),
                result: Err(IncomingCallError::from_raw(code)),
            };
            engine.handle(Instant::from_millis(90), reported).unwrap();
        });
        let expected = format!("incoming call report refused by CallKit: error {code}");
        assert!(
            records.iter().any(|r| r.text == expected),
            "{expected:?} not in {records:?}"
        );
    }
}
