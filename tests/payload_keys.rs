//! How object keys are matched against the schema: unescaped first, control bytes
//! refused, and every schema key counted once per object.

use callkit_engine::{PayloadError, PayloadSchema, PushKind};

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
fn a_twilio_cancel_is_told_from_a_call_by_its_message_type() {
    let twilio = PayloadSchema::twilio();
    let call = twilio
        .parse(include_bytes!("payloads/twilio-call.json"))
        .unwrap();
    let cancel = twilio
        .parse(include_bytes!("payloads/twilio-cancel.json"))
        .unwrap();
    assert_eq!(call.kind, PushKind::Call);
    assert_eq!(cancel.kind, PushKind::Cancel);
    assert_eq!(call.call, cancel.call);
}
