//! How object keys are matched against the schema: unescaped first, control bytes
//! refused, and every schema key counted once per object.

use callkit_engine::{PayloadError, PayloadSchema};

const UUID: &str = "0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20";

#[test]
fn an_escaped_key_matches_the_schema_key_it_spells() {
    let payload = format!(r#"{{"\u0075uid":"{UUID}","h\u0061ndle":"+15550100"}}"#);
    let parsed = PayloadSchema::default()
        .parse(payload.as_bytes())
        .expect("escaped keys are read");
    assert_eq!(parsed.call.map(|c| c.to_string()), Some(UUID.to_string()));
    assert_eq!(
        parsed.handle.map(|h| h.value.as_str().to_owned()),
        Some("+15550100".to_owned())
    );
}

#[test]
fn a_raw_control_character_in_a_key_is_a_syntax_error() {
    for control in [0x01u8, 0x1f] {
        let mut payload = br#"{"ke"#.to_vec();
        payload.push(control);
        payload.extend_from_slice(br#"y":1,"uuid":null}"#);
        assert_eq!(
            PayloadSchema::default().parse(&payload),
            Err(PayloadError::Syntax),
            "control byte {control:#04x}"
        );
    }
    // A space (0x20) is an ordinary character in a key.
    assert!(PayloadSchema::default().parse(br#"{"a key":1}"#).is_ok());
}

#[test]
fn every_schema_key_seen_twice_in_one_object_is_a_duplicate() {
    let flutter = PayloadSchema::flutter_callkit_incoming();
    let twilio = PayloadSchema::twilio();
    let cases: [(&PayloadSchema, String); 7] = [
        (
            &PayloadSchema::default(),
            format!(r#"{{"uuid":"{UUID}","uuid":"{UUID}"}}"#),
        ),
        (
            &PayloadSchema::default(),
            r#"{"handle":"+1","handle":"+2"}"#.to_owned(),
        ),
        (
            &PayloadSchema::default(),
            r#"{"callerName":"A","callerName":"B"}"#.to_owned(),
        ),
        (
            &PayloadSchema::default(),
            r#"{"hasVideo":true,"hasVideo":false}"#.to_owned(),
        ),
        (&flutter, r#"{"type":0,"type":1}"#.to_owned()),
        (&flutter, r#"{"duration":1000,"duration":2000}"#.to_owned()),
        (
            &twilio,
            r#"{"twi_message_type":"twilio.voice.call","twi_message_type":"twilio.voice.cancel"}"#
                .to_owned(),
        ),
    ];
    for (schema, payload) in cases {
        assert_eq!(
            schema.parse(payload.as_bytes()),
            Err(PayloadError::DuplicateKey),
            "{payload}"
        );
    }
    // Keys the schema does not read may repeat.
    assert!(PayloadSchema::default().parse(br#"{"x":1,"x":2}"#).is_ok());
}

#[test]
fn a_string_or_key_made_only_of_control_bytes_is_a_syntax_error() {
    let value = b"{\"handle\":\"\x01\"}";
    assert_eq!(
        PayloadSchema::default().parse(value),
        Err(PayloadError::Syntax)
    );
    let key = b"{\"\x01\":1}";
    assert_eq!(
        PayloadSchema::default().parse(key),
        Err(PayloadError::Syntax)
    );
}

#[test]
fn an_escaped_uuid_id_is_unescaped_before_it_is_parsed() {
    let payload = br#"{"uuid":"0b7b8a3e\u002d2f0c-4d57-8c9e-1c5a9e7d4f20"}"#;
    let parsed = PayloadSchema::default().parse(payload).expect("a valid id");
    assert_eq!(parsed.call.map(|c| c.to_string()), Some(UUID.to_string()));
}

#[test]
fn schema_builders_set_the_namespace_the_handle_type_and_the_video_key() {
    use callkit_engine::{CallId, CallIdKind, HandleType, Uuid};
    let namespace = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
    let schema = PayloadSchema::default()
        .with_id("sid", CallIdKind::Opaque)
        .unwrap()
        .with_opaque_namespace(namespace)
        .with_handle("to", Some(HandleType::Generic))
        .unwrap()
        .with_video(Some("v"))
        .unwrap();
    let parsed = schema
        .parse(br#"{"sid":"CA42","to":"+15550100","v":true}"#)
        .expect("the custom layout is read");
    assert_eq!(parsed.call, Some(CallId(Uuid::new_v5(&namespace, b"CA42"))));
    let handle = parsed.handle.expect("a handle");
    // Set by the schema, not inferred (inference would say phone number).
    assert_eq!(handle.kind, HandleType::Generic);
    assert!(parsed.has_video);
}

#[test]
fn presets_fix_the_handle_type_their_servers_use() {
    use callkit_engine::HandleType;
    let cases = [
        // Twilio: `twi_from` is a client name or a number, shown as a generic handle.
        (
            PayloadSchema::twilio(),
            &br#"{"twi_call_sid":"CA1","twi_from":"+14155550100"}"#[..],
            HandleType::Generic,
        ),
        // Telegram relays a phone number, whatever it looks like.
        (
            PayloadSchema::telegram(),
            &br#"{"call_id":"1","phoneNumber":"alice"}"#[..],
            HandleType::PhoneNumber,
        ),
        // Flexisip sends SIP addresses: generic, even without the `sip:` scheme.
        (
            PayloadSchema::linphone_flexisip(),
            &br#"{"call-id":"x","from-uri":"carol@sip.example.org"}"#[..],
            HandleType::Generic,
        ),
    ];
    for (schema, payload, kind) in cases {
        let handle = schema.parse(payload).unwrap().handle.expect("a handle");
        assert_eq!(handle.kind, kind, "{}", handle.value);
    }
}
