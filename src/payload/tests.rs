//! Unit and property tests of payload reading.

use super::*;
use crate::limits::{
    MAX_CALLER_NAME_LEN, MAX_HANDLE_LEN, MAX_JSON_DEPTH, MAX_OPAQUE_ID_LEN, MAX_PAYLOAD_LEN,
};

fn uuid(text: &str) -> CallId {
    CallId(Uuid::try_parse(text).unwrap_or_default())
}

fn opaque(id: &str) -> CallId {
    CallId(Uuid::new_v5(&OPAQUE_ID_NAMESPACE, id.as_bytes()))
}

fn handle(kind: HandleType, value: &str) -> Option<Handle> {
    Handle::new(kind, value)
}

fn name(text: &str) -> Option<CallerName> {
    Some(CallerName::truncating(text))
}

/// A call push with these fields.
fn expect(
    call: Option<CallId>,
    handle: Option<Handle>,
    caller_name: Option<CallerName>,
    has_video: bool,
    ring_timeout_ms: Option<u64>,
) -> PushPayload {
    PushPayload {
        call,
        kind: PushKind::Call,
        handle,
        caller_name,
        has_video,
        ring_timeout_ms,
        sent_at_unix_ms: None,
    }
}

#[test]
fn the_sent_time_is_read_in_the_schemas_unit_and_a_negative_or_null_one_is_no_time() {
    let seconds = PayloadSchema::default()
        .with_sent_at(Some("sentAt"), SentAtUnit::Seconds)
        .unwrap();
    let millis = seconds
        .clone()
        .with_sent_at(Some("sentAt"), SentAtUnit::Milliseconds)
        .unwrap();
    let read = |schema: &PayloadSchema, json: &str| schema.parse(json.as_bytes());
    let sent = |r: Result<PushPayload, PayloadError>| r.map(|p| p.sent_at_unix_ms);
    assert_eq!(
        sent(read(&seconds, r#"{"sentAt": 1700000000}"#)),
        Ok(Some(1_700_000_000_000))
    );
    assert_eq!(
        sent(read(&millis, r#"{"sentAt": 1700000000123}"#)),
        Ok(Some(1_700_000_000_123))
    );
    assert_eq!(sent(read(&seconds, r#"{"sentAt": -5}"#)), Ok(None));
    assert_eq!(sent(read(&seconds, r#"{"sentAt": null}"#)), Ok(None));
    assert_eq!(sent(read(&seconds, r#"{"uuid": null}"#)), Ok(None));
    // Saturates instead of overflowing.
    assert_eq!(
        sent(read(&seconds, r#"{"sentAt": 9223372036854775807}"#)),
        Ok(Some(u64::MAX))
    );
    // Without the key in the schema the field is skipped like any other.
    assert_eq!(
        sent(read(&PayloadSchema::default(), r#"{"sentAt": 1}"#)),
        Ok(None)
    );
    assert_eq!(
        seconds
            .parse_at(br#"{"sentAt": "yesterday"}"#)
            .map(|p| p.sent_at_unix_ms),
        Err((PayloadError::WrongType, Some(PayloadField::SentAt)))
    );
    assert_eq!(
        seconds
            .parse_at(br#"{"sentAt": 1, "sentAt": 2}"#)
            .map(|p| p.sent_at_unix_ms),
        Err((PayloadError::DuplicateKey, Some(PayloadField::SentAt)))
    );
}

#[test]
fn the_presets_whose_servers_always_send_the_call_id_require_it() {
    let required = [
        PayloadSchema::apple_docs(),
        PayloadSchema::speakerbox(),
        PayloadSchema::react_native_voip_push(),
        PayloadSchema::nested_data(),
        PayloadSchema::flutter_callkit_incoming(),
        PayloadSchema::twilio(),
        PayloadSchema::telegram(),
        PayloadSchema::linphone_flexisip(),
    ]
    .map(|s| s.require_call_id);
    assert_eq!(
        required,
        [false, false, false, false, true, true, true, true]
    );
}

#[test]
fn every_corpus_push_reads_to_exactly_the_fields_its_preset_promises() {
    use HandleType::{EmailAddress, Generic, PhoneNumber};
    // A Twilio call and its cancel name the same call, derived from the SID; the cancel
    // differs only in its kind.
    let twilio_call = expect(
        Some(opaque("CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a")),
        handle(Generic, "client:alice"),
        None,
        false,
        None,
    );
    let twilio_cancel = PushPayload {
        kind: PushKind::Cancel,
        ..twilio_call.clone()
    };
    let rows: [(&str, PayloadSchema, &[u8], PushPayload); 12] = [
        (
            "apple-docs-calluuid.json",
            PayloadSchema::apple_docs(),
            include_bytes!("../../tests/payloads/apple-docs-calluuid.json"),
            expect(
                Some(uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11")),
                handle(PhoneNumber, "+14085551234"),
                None,
                false,
                None,
            ),
        ),
        (
            // An upper-case UUID reads as the same UUID.
            "speakerbox-uppercase-uuid.json",
            PayloadSchema::speakerbox(),
            include_bytes!("../../tests/payloads/speakerbox-uppercase-uuid.json"),
            expect(
                Some(uuid("e621e1f8-c36c-495a-93fc-0c247a3e6e5f")),
                handle(PhoneNumber, "+821012345678"),
                None,
                true,
                None,
            ),
        ),
        (
            // No id: the host's fallback UUID will name the call.
            "callername-no-uuid.json",
            PayloadSchema::default(),
            include_bytes!("../../tests/payloads/callername-no-uuid.json"),
            expect(
                None,
                handle(EmailAddress, "alice@example.org"),
                name("Alice Kim"),
                false,
                None,
            ),
        ),
        (
            "rn-voip-push.json",
            PayloadSchema::react_native_voip_push(),
            include_bytes!("../../tests/payloads/rn-voip-push.json"),
            expect(
                Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")),
                handle(PhoneNumber, "+442071838750"),
                name("Bob"),
                false,
                None,
            ),
        ),
        (
            "flutter-callkit-incoming.json",
            PayloadSchema::flutter_callkit_incoming(),
            include_bytes!("../../tests/payloads/flutter-callkit-incoming.json"),
            expect(
                Some(uuid("44d915e1-5ff4-4bed-bf13-c423048ec97a")),
                handle(PhoneNumber, "0123456789"),
                name("Hien Nguyen"),
                true,
                None,
            ),
        ),
        (
            // `type` 0 (audio) and `duration`, the ring time-out.
            "flutter-callkit-incoming-full.json",
            PayloadSchema::flutter_callkit_incoming(),
            include_bytes!("../../tests/payloads/flutter-callkit-incoming-full.json"),
            expect(
                Some(uuid("a3f7c2d0-1e4b-4f9a-8c6d-2b1e0f9d7c35")),
                handle(PhoneNumber, "+4930901820"),
                name("Jürgen Müller"),
                false,
                Some(30_000),
            ),
        ),
        (
            "twilio-call.json",
            PayloadSchema::twilio(),
            include_bytes!("../../tests/payloads/twilio-call.json"),
            twilio_call.clone(),
        ),
        (
            "twilio-cancel.json",
            PayloadSchema::twilio(),
            include_bytes!("../../tests/payloads/twilio-cancel.json"),
            twilio_cancel,
        ),
        (
            "telegram-relay.json",
            PayloadSchema::telegram(),
            include_bytes!("../../tests/payloads/telegram-relay.json"),
            expect(
                Some(opaque("6823910254189346817")),
                handle(PhoneNumber, "+15551234567"),
                None,
                false,
                None,
            ),
        ),
        (
            "linphone-flexisip.json",
            PayloadSchema::linphone_flexisip(),
            include_bytes!("../../tests/payloads/linphone-flexisip.json"),
            expect(
                Some(opaque("Jd7xK2pQ-8h3F9vLmN")),
                handle(Generic, "sip:carol@sip.example.org"),
                name("Carol"),
                false,
                None,
            ),
        ),
        (
            // Read through the `data` root.
            "nested-data.json",
            PayloadSchema::nested_data(),
            include_bytes!("../../tests/payloads/nested-data.json"),
            expect(
                Some(uuid("3e9d2c41-6b7a-4f08-9e15-7d2c8a4b1f63")),
                handle(PhoneNumber, "+33142685300"),
                name("Chloé Élise"),
                false,
                None,
            ),
        ),
        (
            // `\u` escapes, a surrogate pair and an escaped quote, decoded.
            "escaped-unicode-name.json",
            PayloadSchema::default(),
            include_bytes!("../../tests/payloads/escaped-unicode-name.json"),
            expect(
                Some(uuid("9c1f5b2e-3d4a-4e6f-8a7b-0c9d1e2f3a4b")),
                handle(PhoneNumber, "+819012345678"),
                name("山田 📞 \"Taro\""),
                false,
                None,
            ),
        ),
    ];
    for (file, schema, bytes, want) in &rows {
        assert_eq!(schema.parse(bytes).as_ref(), Ok(want), "{file}");
    }
}

#[test]
fn long_caller_name() {
    let p = PayloadSchema::default()
        .parse(include_bytes!("../../tests/payloads/long-caller-name.json"))
        .unwrap();
    let got = p.caller_name.unwrap_or_default();
    assert_eq!(got.as_str().len(), MAX_CALLER_NAME_LEN);
    assert!(got.as_str().bytes().all(|b| b == b'A'));
    assert!(p.has_video);
}

#[test]
fn every_unreadable_corpus_payload_gets_the_error_that_names_why() {
    let rows: [(&[u8], PayloadError); 6] = [
        (
            include_bytes!("../../tests/payloads/missing-uuid-invalid.json"),
            PayloadError::InvalidCallId,
        ),
        (
            include_bytes!("../../tests/payloads/wrong-types.json"),
            PayloadError::WrongType,
        ),
        (
            include_bytes!("../../tests/payloads/duplicate-keys.json"),
            PayloadError::DuplicateKey,
        ),
        (
            include_bytes!("../../tests/payloads/truncated.json"),
            PayloadError::Syntax,
        ),
        (
            include_bytes!("../../tests/payloads/not-json.bin"),
            PayloadError::Syntax,
        ),
        (
            include_bytes!("../../tests/payloads/empty.json"),
            PayloadError::Syntax,
        ),
    ];
    for (bytes, error) in rows {
        assert_eq!(PayloadSchema::default().parse(bytes), Err(error));
    }
}

#[test]
fn bom_prefixed() {
    let r =
        PayloadSchema::default().parse(include_bytes!("../../tests/payloads/bom-prefixed.json"));
    assert_eq!(r, Err(PayloadError::Syntax));
}

#[test]
fn deep_nesting() {
    let r =
        PayloadSchema::default().parse(include_bytes!("../../tests/payloads/deep-nesting.json"));
    assert_eq!(r, Err(PayloadError::TooDeep));
}

#[test]
fn oversize_5kib() {
    let r =
        PayloadSchema::default().parse(include_bytes!("../../tests/payloads/oversize-5kib.json"));
    assert_eq!(r, Err(PayloadError::TooLarge { len: 5335 }));
}

/// Overwrites the start of `buf` with `head` and its end with `tail`.
fn frame(buf: &mut [u8], head: &[u8], tail: &[u8]) {
    for (dst, src) in buf.iter_mut().zip(head) {
        *dst = *src;
    }
    for (dst, src) in buf.iter_mut().rev().zip(tail.iter().rev()) {
        *dst = *src;
    }
}

/// `{"uuid":"…","handle":"+1555","pad":"xxx…x"}` padded to exactly `N` bytes.
fn padded<const N: usize>() -> [u8; N] {
    let head = br#"{"uuid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20","handle":"+1555","pad":""#;
    let mut buf = [b'x'; N];
    frame(&mut buf, head, b"\"}");
    buf
}

#[test]
fn exactly_max_len_is_parsed() {
    let buf = padded::<MAX_PAYLOAD_LEN>();
    let p = PayloadSchema::default().parse(&buf).unwrap();
    assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
    let over = padded::<{ MAX_PAYLOAD_LEN + 1 }>();
    assert_eq!(
        PayloadSchema::default().parse(&over),
        Err(PayloadError::TooLarge {
            len: MAX_PAYLOAD_LEN + 1
        })
    );
}

#[test]
fn different_opaque_ids_differ() {
    let schema = PayloadSchema::twilio();
    let a = schema.parse(br#"{"twi_call_sid":"CA1"}"#).unwrap();
    let b = schema.parse(br#"{"twi_call_sid":"CA2"}"#).unwrap();
    let a_again = schema.parse(br#"{"twi_call_sid":"C\u00411"}"#).unwrap();
    assert!(a.call.is_some() && b.call.is_some());
    assert_ne!(a.call, b.call);
    assert_eq!(a.call, a_again.call);
    let other_ns = schema
        .clone()
        .with_opaque_namespace(Uuid::from_u128(1))
        .parse(br#"{"twi_call_sid":"CA1"}"#)
        .unwrap();
    assert_ne!(a.call, other_ns.call);
}

#[test]
fn opaque_id_empty_or_too_long() {
    let schema = PayloadSchema::twilio();
    assert_eq!(
        schema.parse(br#"{"twi_call_sid":""}"#),
        Err(PayloadError::InvalidCallId)
    );
    let mut buf = [b'a'; 20 + MAX_OPAQUE_ID_LEN + 1];
    let head = br#"{"twi_call_sid":""#;
    frame(&mut buf, head, b"\"}");
    assert_eq!(schema.parse(&buf), Err(PayloadError::InvalidCallId));
}

#[test]
fn custom_root_path() {
    let schema = PayloadSchema::default().with_root("a.b").unwrap();
    let p = schema
        .parse(
            r#"{"uuid":"ignored","a":{"x":[1,{"y":2}],"b":{"uuid":"0B7B8A3E-2F0C-4D57-8C9E-1C5A9E7D4F20","callerName":"Zoë"},"c":null}}"#
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
    assert_eq!(p.caller_name, name("Zoë"));
    assert_eq!(p.handle, None);

    assert_eq!(schema.parse(br#"{"a":{}}"#), Err(PayloadError::MissingRoot));
    assert_eq!(
        schema.parse(br#"{"a":{"b":null}}"#),
        Err(PayloadError::MissingRoot)
    );
    assert_eq!(
        schema.parse(br#"{"a":{"b":"x"}}"#),
        Err(PayloadError::WrongType)
    );
    assert_eq!(schema.parse(br#"{"a":[]}"#), Err(PayloadError::WrongType));
    assert_eq!(
        schema.parse(br#"{"a":{"b":{}},"a":{"b":{}}}"#),
        Err(PayloadError::DuplicateKey)
    );
    assert!(schema.parse(br#"{"a":{"b":{}}}"#).is_ok());
}

#[test]
fn schema_builders() {
    let s = PayloadSchema::default();
    assert_eq!(
        s.clone().with_root("a.b.c.d").map(|s| s.root),
        PayloadSchema::key("a.b.c.d")
    );
    assert_eq!(
        s.clone().with_root("a.b.c.d.e"),
        Err(SchemaError::PathTooDeep)
    );
    assert_eq!(s.clone().with_root("a..b"), Err(SchemaError::EmptySegment));
    assert_eq!(s.clone().with_root(".a"), Err(SchemaError::EmptySegment));
    assert_eq!(
        s.clone().with_root("abcdefghijklmnopqrstuvwxyz0123456"),
        Err(SchemaError::KeyTooLong)
    );
    assert_eq!(s.clone().with_root("").map(|s| s.root.len()), Ok(0));
    let custom = s
        .with_id("cid", CallIdKind::Opaque)
        .and_then(|s| s.with_handle("from", Some(HandleType::Generic)))
        .and_then(|s| s.with_caller_name(Some("who")))
        .and_then(|s| s.with_video(None))
        .and_then(|s| s.with_media_type(Some("media")))
        .and_then(|s| s.with_ring_timeout(Some("ring_ms")))
        .and_then(|s| s.with_message_type(Some("kind"), Some("bye")))
        .unwrap();
    let p = custom
        .parse(br#"{"cid":"7","from":"bob","who":"Bob","media":1,"ring_ms":45000,"kind":"bye"}"#)
        .unwrap();
    assert_eq!(p.call, Some(opaque("7")));
    assert_eq!(p.handle, handle(HandleType::Generic, "bob"));
    assert_eq!(p.caller_name, name("Bob"));
    assert!(p.has_video);
    assert_eq!(p.ring_timeout_ms, Some(45_000));
    assert_eq!(p.kind, PushKind::Cancel);
}

#[test]
fn preset_keys_are_intact() {
    // preset_key falls back to "" on overflow; make sure no preset hit that.
    for s in [
        PayloadSchema::apple_docs(),
        PayloadSchema::speakerbox(),
        PayloadSchema::react_native_voip_push(),
        PayloadSchema::flutter_callkit_incoming(),
        PayloadSchema::twilio(),
        PayloadSchema::telegram(),
        PayloadSchema::linphone_flexisip(),
        PayloadSchema::nested_data(),
    ] {
        assert!(!s.id_key.is_empty() && !s.handle_key.is_empty());
        for k in [
            &s.caller_name_key,
            &s.video_key,
            &s.media_type_key,
            &s.ring_timeout_key,
            &s.message_type_key,
            &s.cancel_message_type,
        ]
        .into_iter()
        .flatten()
        {
            assert!(!k.is_empty());
        }
        assert_eq!(s.opaque_namespace, OPAQUE_ID_NAMESPACE);
    }
    assert_eq!(
        PayloadSchema::default(),
        PayloadSchema::react_native_voip_push()
    );
    assert_eq!(PayloadSchema::nested_data().root.as_str(), "data");
    assert_eq!(
        PayloadSchema::twilio().cancel_message_type.as_deref(),
        Some("twilio.voice.cancel")
    );
}

#[test]
fn nulls_are_absent() {
    let p = PayloadSchema::flutter_callkit_incoming()
        .parse(br#"{"id":null,"handle":null,"nameCaller":null,"isVideo":null,"type":null,"duration":null}"#)
        .unwrap();
    assert_eq!(p.call, None);
    assert_eq!(p.handle, None);
    assert_eq!(p.caller_name, None);
    assert!(!p.has_video);
    assert_eq!(p.ring_timeout_ms, None);
    assert_eq!(p.kind, PushKind::Call);
    let p = PayloadSchema::twilio()
        .parse(br#"{"twi_call_sid":"CA1","twi_message_type":null}"#)
        .unwrap();
    assert_eq!(p.kind, PushKind::Call);
}

#[test]
fn empty_strings_are_absent() {
    let p = PayloadSchema::default()
        .parse(br#"{"handle":"","callerName":""}"#)
        .unwrap();
    assert_eq!(p.handle, None);
    assert_eq!(p.caller_name, None);
}

#[test]
fn media_type_and_ring_timeout() {
    let s = PayloadSchema::flutter_callkit_incoming();
    assert!(s.parse(br#"{"type":1}"#).unwrap().has_video);
    assert!(!s.parse(br#"{"type":0}"#).unwrap().has_video);
    assert!(s.parse(br#"{"type":0,"isVideo":true}"#).unwrap().has_video);
    assert_eq!(s.parse(br#"{"type":2}"#), Err(PayloadError::WrongType));
    assert_eq!(s.parse(br#"{"type":-1}"#), Err(PayloadError::WrongType));
    assert_eq!(s.parse(br#"{"type":"1"}"#), Err(PayloadError::WrongType));
    let ring = |json: &[u8]| s.parse(json).map(|p| p.ring_timeout_ms);
    assert_eq!(ring(br#"{"duration":1}"#), Ok(Some(1)));
    assert_eq!(ring(br#"{"duration":600000}"#), Ok(Some(600_000)));
    assert_eq!(ring(br#"{"duration":600001}"#), Ok(None));
    assert_eq!(ring(br#"{"duration":0}"#), Ok(None));
    assert_eq!(ring(br#"{"duration":-5}"#), Ok(None));
    assert_eq!(ring(br#"{"duration":9223372036854775807}"#), Ok(None));
    assert_eq!(
        ring(br#"{"duration":"30000"}"#),
        Err(PayloadError::WrongType)
    );
    assert_eq!(
        ring(br#"{"duration":99999999999999999999}"#),
        Err(PayloadError::Syntax)
    );
    assert_eq!(ring(br#"{"duration":1.5}"#), Err(PayloadError::Syntax));
}

#[test]
fn handle_too_long() {
    let mut buf = [b'1'; 12 + MAX_HANDLE_LEN + 1 + 2];
    let head = br#"{"handle":""#;
    frame(&mut buf, head, b"\"}");
    assert_eq!(
        PayloadSchema::default().parse(&buf),
        Err(PayloadError::HandleTooLong)
    );
    // Exactly MAX_HANDLE_LEN fits.
    let mut buf = [b'1'; 11 + MAX_HANDLE_LEN + 2];
    frame(&mut buf, head, b"\"}");
    let p = PayloadSchema::default().parse(&buf).unwrap();
    assert_eq!(p.handle.map(|h| h.value.len()), Some(MAX_HANDLE_LEN));
}

#[test]
fn escapes() {
    let s = PayloadSchema::default();
    let n = |json: &[u8]| s.parse(json).map(|p| p.caller_name);
    assert_eq!(
        n(br#"{"callerName":"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u20AC"}"#),
        Ok(name("a\"b\\c/d\u{8}e\u{c}f\ng\rh\tié€"))
    );
    assert_eq!(n(br#"{"callerName":"\ud83d\ude00"}"#), Ok(name("😀")));
    for bad in [
        &br#"{"callerName":"\ud83d"}"#[..],
        br#"{"callerName":"\ud83dx"}"#,
        br#"{"callerName":"\ud83d\u0041"}"#,
        br#"{"callerName":"\ude00"}"#,
        br#"{"callerName":"\ude00\ud83d"}"#,
        br#"{"callerName":"\x41"}"#,
        br#"{"callerName":"\u12"}"#,
        br#"{"callerName":"\u+123"}"#,
        br#"{"callerName":"\u12g4"}"#,
    ] {
        assert_eq!(
            n(bad),
            Err(PayloadError::InvalidEscape),
            "{:?}",
            core::str::from_utf8(bad)
        );
    }
    // A bad escape after the cut is still found.
    let mut buf = [b'A'; 16 + 100 + 4];
    let head = br#"{"callerName":""#;
    frame(&mut buf, head, b"\\q\"}");
    assert_eq!(n(&buf), Err(PayloadError::InvalidEscape));
    // A raw control character is not JSON.
    assert_eq!(n(b"{\"callerName\":\"a\tb\"}"), Err(PayloadError::Syntax));
}

#[test]
fn caller_name_cut_at_char_boundary() {
    // 21 x "山" (3 bytes each) = 63 bytes, then "📞" (4 bytes) does not fit.
    let json = "{\"callerName\":\"山山山山山山山山山山山山山山山山山山山山山📞a\"}";
    let p = PayloadSchema::default().parse(json.as_bytes()).unwrap();
    assert_eq!(
        p.caller_name,
        name("山山山山山山山山山山山山山山山山山山山山山")
    );
}

#[test]
fn escaped_keys_match_and_collide() {
    let s = PayloadSchema::default();
    let p = s
        .parse(br#"{"\u0075uid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"}"#)
        .unwrap();
    assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
    assert_eq!(
        s.parse(br#"{"uuid":null,"\u0075uid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"}"#),
        Err(PayloadError::DuplicateKey)
    );
    assert_eq!(s.parse(br#"{"\q":1}"#), Err(PayloadError::InvalidEscape));
}

#[test]
fn syntax_errors() {
    let s = PayloadSchema::default();
    for bad in [
        &b"[]"[..],
        b"\"x\"",
        b"null",
        b" ",
        b"{",
        b"{}x",
        b"{} {}",
        b"{\"a\":1,}",
        b"{\"a\" 1}",
        b"{\"hasVideo\":tru}",
        b"{\"uuid\":\"\xff\"}",
    ] {
        assert_eq!(s.parse(bad), Err(PayloadError::Syntax), "{:?}", bad);
    }
    assert!(s
        .parse(b" \r\n\t{ \"uuid\" : null , \"x\" : [ ] } \n")
        .is_ok());
    assert_eq!(s.parse(b"{\"hasVideo\":1}"), Err(PayloadError::WrongType));
}

#[test]
fn depth_limit() {
    // Exactly MAX_JSON_DEPTH levels parse; one more is refused.
    let ok = br#"{"a":[[[[[[[[[[[[[[{"b":1}]]]]]]]]]]]]]]}"#;
    assert!(PayloadSchema::default().parse(ok).is_ok());
    let deep = br#"{"a":[[[[[[[[[[[[[[[{"b":1}]]]]]]]]]]]]]]]}"#;
    assert_eq!(
        PayloadSchema::default().parse(deep),
        Err(PayloadError::TooDeep)
    );
    // Brackets inside strings do not count.
    let in_string = br#"{"a":"[[[[[[[[[[[[[[[[[[[[\"[[[[[[[[[[[[[["}"#;
    assert!(PayloadSchema::default().parse(in_string).is_ok());
}

#[test]
fn skipped_scalars_cannot_hide_nesting_from_the_depth_limit() {
    // serde-json-core skips `x"…` up to the next comma without seeing a string; the
    // brackets after it are nesting all the same, and the skip seed counts them.
    let mut buf = [b'['; 200];
    let head = br#"{"a":x","b":"#;
    frame(&mut buf, head, b"");
    assert_eq!(
        PayloadSchema::default().parse(&buf),
        Err(PayloadError::TooDeep)
    );
    assert_eq!(
        PayloadSchema::default().parse(br#"{"a":1{"b":2}}"#),
        Err(PayloadError::Syntax)
    );
}

#[test]
fn nesting_is_counted_in_objects_and_arrays_alike_up_to_the_limit() {
    // The top-level object is depth 1: 15 more levels are accepted, 16 are not.
    let deep = |levels: usize| {
        let mut text = heapless::String::<256>::new();
        text.push_str(r#"{"x":"#).unwrap();
        for i in 0..levels {
            text.push_str(if i % 2 == 0 { "[" } else { r#"{"y":"# })
                .unwrap();
        }
        text.push_str("1").unwrap();
        for i in (0..levels).rev() {
            text.push_str(if i % 2 == 0 { "]" } else { "}" }).unwrap();
        }
        text.push_str("}").unwrap();
        text
    };
    let schema = PayloadSchema::default();
    assert!(schema.parse(deep(MAX_JSON_DEPTH - 1).as_bytes()).is_ok());
    assert_eq!(
        schema.parse(deep(MAX_JSON_DEPTH).as_bytes()),
        Err(PayloadError::TooDeep)
    );
}

#[test]
fn display() {
    use core::fmt::Write;
    let mut s = heapless::String::<128>::new();
    write!(s, "{}", PayloadError::TooLarge { len: 5335 }).unwrap();
    assert!(s.contains("5335"));
    s.clear();
    write!(s, "{}", SchemaError::KeyTooLong).unwrap();
    assert!(s.contains("32"));
}

mod props {
    extern crate std;

    use super::*;
    use proptest::prelude::*;
    use std::string::String;
    use std::vec::Vec;

    proptest! {
        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
            let _ = PayloadSchema::default().parse(&bytes);
            let _ = PayloadSchema::nested_data().parse(&bytes);
        }

        #[test]
        fn never_panics_on_json_like(text in "[{}\\[\\]\":,\\\\ a1tnu\\-.e]{0,400}") {
            let mut bytes: Vec<u8> = Vec::from(&b"{"[..]);
            bytes.extend_from_slice(text.as_bytes());
            let _ = PayloadSchema::default().with_root("a.a").map(|s| s.parse(&bytes));
            let _ = PayloadSchema::twilio().parse(&bytes);
        }

        #[test]
        fn caller_name_round_trips(name in any::<String>()) {
            let mut json = String::from("{\"callerName\":");
            json.push_str(&serde_json::to_string(&name).unwrap_or_default());
            json.push('}');
            if json.len() <= MAX_PAYLOAD_LEN {
                let got = PayloadSchema::default().parse(json.as_bytes()).map(|p| p.caller_name);
                let want = (!name.is_empty()).then(|| CallerName::truncating(&name));
                prop_assert_eq!(got, Ok(want));
            }
            // Every character as `\uXXXX` UTF-16 escapes (surrogate pairs above U+FFFF).
            let mut json = String::from("{\"callerName\":\"");
            let mut units = [0u16; 2];
            for c in name.chars() {
                for unit in c.encode_utf16(&mut units).iter() {
                    json.push_str(&std::format!("\\u{unit:04x}"));
                }
            }
            json.push_str("\"}");
            if json.len() <= MAX_PAYLOAD_LEN {
                let got = PayloadSchema::default().parse(json.as_bytes()).map(|p| p.caller_name);
                let want = (!name.is_empty()).then(|| CallerName::truncating(&name));
                prop_assert_eq!(got, Ok(want));
            }
        }
    }

    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\\\"{}\\[\\] ]{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any valid JSON object without schema keys is read (no false Syntax/TooDeep
        /// from skipping its values), compact or pretty-printed.
        #[test]
        fn valid_json_without_schema_keys_is_read(
            members in proptest::collection::btree_map("[a-z]{1,4}", any_json(), 0..6),
            call in proptest::option::of("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        ) {
            let mut object: serde_json::Map<String, serde_json::Value> =
                members.into_iter().filter(|(k, _)| k != "uuid" && k != "handle").collect();
            if let Some(call) = &call {
                object.insert("uuid".into(), serde_json::Value::from(call.as_str()));
            }
            let value = serde_json::Value::Object(object);
            for text in [
                serde_json::to_string(&value).unwrap_or_default(),
                serde_json::to_string_pretty(&value).unwrap_or_default(),
            ] {
                if text.len() <= MAX_PAYLOAD_LEN {
                    let got = PayloadSchema::apple_docs()
                        .with_id("uuid", CallIdKind::Uuid)
                        .map(|s| s.parse(text.as_bytes()).map(|p| p.call));
                    let want = call.as_deref().map(|c| CallId(Uuid::try_parse(c).unwrap_or_default()));
                    prop_assert_eq!(got, Ok(Ok(want)), "{}", text);
                }
            }
        }
    }

    /// The deepest accepted payload, skipped by serde-json-core, on a small stack.
    #[test]
    fn max_depth_on_small_stack() {
        let mut json = String::from("{\"x\":");
        for _ in 1..MAX_JSON_DEPTH {
            json.push_str("{\"y\":");
        }
        json.push('1');
        for _ in 0..MAX_JSON_DEPTH {
            json.push('}');
        }
        let handle = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || PayloadSchema::default().parse(json.as_bytes()).is_ok());
        assert!(handle.map(|h| h.join().unwrap_or(false)).unwrap_or(false));
    }
}

#[test]
fn an_error_names_the_schema_field_being_read_and_no_payload_text() {
    let schema = PayloadSchema::default();
    let at = |bytes: &[u8]| schema.parse_at(bytes).map(|_| ()).map_err(|(_, f)| f);
    let field = Some;
    // {"uuid":12345,...}: the id has the wrong type.
    assert_eq!(
        schema
            .parse_at(include_bytes!("../../tests/payloads/wrong-types.json"))
            .map(|_| ()),
        Err((PayloadError::WrongType, field(PayloadField::CallId)))
    );
    assert_eq!(
        at(br#"{"uuid":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+44"#),
        Err(field(PayloadField::Handle)),
        "the input ends inside the handle"
    );
    assert_eq!(
        at(br#"{"callerName":"a\qb"}"#),
        Err(field(PayloadField::CallerName))
    );
    assert_eq!(
        at(br#"{"hasVideo":"yes"}"#),
        Err(field(PayloadField::Video))
    );
    assert_eq!(
        at(br#"{"uuid":"x","uuid":"y"}"#),
        Err(field(PayloadField::CallId))
    );
    assert_eq!(
        at(br#"{"uuid":"not-a-uuid"}"#),
        Err(field(PayloadField::CallId))
    );
    // Outside any field: the size, the text between fields, a skipped value.
    assert_eq!(at(b"[1]"), Err(None));
    assert_eq!(
        at(br#"{"uuid":null,"other":[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]}"#),
        Err(None)
    );
    assert_eq!(at(br#"{"handle":"+1" "x"}"#), Err(None));
    assert_eq!(at(&[b' '; MAX_PAYLOAD_LEN + 1]), Err(None));
    // A root path that is absent, or of the wrong type.
    let nested = PayloadSchema::nested_data();
    assert_eq!(
        nested.parse_at(br#"{"x":1}"#).map(|_| ()),
        Err((PayloadError::MissingRoot, field(PayloadField::Root)))
    );
    assert_eq!(
        nested.parse_at(br#"{"data":5}"#).map(|_| ()),
        Err((PayloadError::WrongType, field(PayloadField::Root)))
    );
    // The raw values are stable and round-trip.
    for raw in 1..=9 {
        assert_eq!(
            PayloadField::from_raw(raw).map(PayloadField::raw),
            Some(raw)
        );
    }
    assert_eq!(PayloadField::from_raw(0), None);
    assert_eq!(PayloadField::from_raw(10), None);
}

#[test]
fn a_server_call_id_maps_to_the_uuid_its_push_would_carry() {
    let twilio = PayloadSchema::twilio();
    let pushed = twilio
        .parse(br#"{"twi_call_sid":"CA5f3e","twi_from":"client:alice"}"#)
        .map(|p| p.call);
    assert_eq!(pushed, Ok(twilio.call_id("CA5f3e")));
    assert!(twilio.call_id("CA5f3e").is_some());
    assert_eq!(twilio.call_id(""), None);
    let apple = PayloadSchema::apple_docs();
    let text = "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11";
    assert_eq!(apple.call_id(text).map(|c| c.0), Uuid::try_parse(text).ok());
    assert_eq!(apple.call_id("CA5f3e"), None);
}
