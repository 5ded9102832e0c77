//! The serde seeds and visitors that read a payload under a schema, including the
//! depth-counting seed every skipped value goes through.

use super::unescape::{decode_into, map_json_error};
use super::*;
use crate::limits::{MAX_CALLER_NAME_LEN, MAX_HANDLE_LEN, MAX_JSON_DEPTH, MAX_OPAQUE_ID_LEN};

/// Reads the object in `payload` (already checked for size and its opening `{`) under
/// `schema`.
pub(super) fn read(
    schema: &PayloadSchema,
    payload: &[u8],
) -> Result<PushPayload, (PayloadError, Option<PayloadField>)> {
    let mut ctx = Ctx {
        schema,
        root_depth: if schema.root.is_empty() {
            0
        } else {
            schema.root.split('.').count()
        },
        found: Found::default(),
        error: None,
        at: None,
    };
    let mut de = serde_json_core::de::Deserializer::new(payload, None);
    let read = Object {
        ctx: &mut ctx,
        level: 0,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Err(e) = read {
        return Err((ctx.error.unwrap_or(map_json_error(&e)), ctx.at));
    }

    let found = ctx.found;
    if !found.root {
        return Err((PayloadError::MissingRoot, Some(PayloadField::Root)));
    }
    Ok(PushPayload {
        call: found.call,
        kind: if found.cancel {
            PushKind::Cancel
        } else {
            PushKind::Call
        },
        handle: found.handle,
        caller_name: found.caller_name,
        has_video: found.video_flag || found.media_video,
        ring_timeout_ms: found.ring_timeout_ms,
        sent_at_unix_ms: found.sent_at_unix_ms,
    })
}

/// The fields found so far.
#[derive(Default)]
struct Found {
    root: bool,
    call: Option<CallId>,
    handle: Option<Handle>,
    caller_name: Option<CallerName>,
    video_flag: bool,
    media_video: bool,
    ring_timeout_ms: Option<u64>,
    sent_at_unix_ms: Option<u64>,
    cancel: bool,
}

/// State shared by the visitors of one `parse`.
struct Ctx<'s> {
    schema: &'s PayloadSchema,
    /// Segments in the root path.
    root_depth: usize,
    found: Found,
    /// The precise error behind a `CustomError` a visitor returned.
    error: Option<PayloadError>,
    /// The schema field whose value is being read, `None` between fields: where an
    /// error happened.
    at: Option<PayloadField>,
}

use PayloadField as Field;

impl Field {
    /// This field's bit in an object's set of seen keys (one bit per field).
    fn bit(self) -> u16 {
        1 << (self as u8 - 1)
    }
}

impl Ctx<'_> {
    /// Records `error` and returns the serde error that aborts the parse with it.
    fn fail<E: de::Error>(&mut self, error: PayloadError) -> E {
        self.error = Some(error);
        E::custom(error)
    }

    /// Which schema field the raw (escaped) key `raw` is in an object at `level` of
    /// the root path; `None` for keys to skip.
    fn classify(&self, raw: &str, level: usize) -> Result<Option<Field>, PayloadError> {
        let mut decoded = SchemaKey::new();
        let key = if raw.bytes().any(|b| b == b'\\' || b < 0x20) {
            if !decode_into(raw, &mut decoded)? {
                return Ok(None); // longer than any schema key
            }
            decoded.as_str()
        } else {
            // Nothing to unescape: compare the key as it stands.
            raw
        };
        let schema = self.schema;
        if level < self.root_depth {
            let segment = schema.root.split('.').nth(level);
            return Ok((segment == Some(key)).then_some(Field::Root));
        }
        let is = |k: &Option<SchemaKey>| k.as_deref() == Some(key);
        Ok(if key == schema.id_key.as_str() {
            Some(Field::CallId)
        } else if key == schema.handle_key.as_str() {
            Some(Field::Handle)
        } else if is(&schema.caller_name_key) {
            Some(Field::CallerName)
        } else if is(&schema.video_key) {
            Some(Field::Video)
        } else if is(&schema.media_type_key) {
            Some(Field::MediaType)
        } else if is(&schema.ring_timeout_key) {
            Some(Field::RingTimeout)
        } else if is(&schema.message_type_key) {
            Some(Field::MessageType)
        } else if is(&schema.sent_at_key) {
            Some(Field::SentAt)
        } else {
            None
        })
    }

    fn set_id(&mut self, raw: &str) -> Result<(), PayloadError> {
        let uuid = match self.schema.id_kind {
            // Plain UUID text (hex digits and hyphens: nothing to unescape) parses as
            // is; anything else is unescaped first.
            CallIdKind::Uuid => match Uuid::try_parse(raw) {
                Ok(uuid) => uuid,
                Err(_) => {
                    // The longest form try_parse reads is the 45-byte URN.
                    let mut text = heapless::String::<64>::new();
                    if !decode_into(raw, &mut text)? {
                        return Err(PayloadError::InvalidCallId);
                    }
                    Uuid::try_parse(&text).map_err(|_| PayloadError::InvalidCallId)?
                }
            },
            CallIdKind::Opaque => {
                let mut text = heapless::String::<MAX_OPAQUE_ID_LEN>::new();
                if !decode_into(raw, &mut text)? {
                    return Err(PayloadError::InvalidCallId);
                }
                let id = self.schema.call_id(&text);
                id.ok_or(PayloadError::InvalidCallId)?.0
            }
        };
        self.found.call = Some(CallId(uuid));
        Ok(())
    }

    fn set_handle(&mut self, raw: &str) -> Result<(), PayloadError> {
        let mut value = heapless::String::<MAX_HANDLE_LEN>::new();
        if !decode_into(raw, &mut value)? {
            return Err(PayloadError::HandleTooLong);
        }
        self.found.handle = (!value.is_empty()).then(|| Handle {
            kind: self
                .schema
                .handle_type
                .unwrap_or_else(|| HandleType::infer(&value)),
            value,
        });
        Ok(())
    }

    fn set_caller_name(&mut self, raw: &str) -> Result<(), PayloadError> {
        let mut name = heapless::String::<MAX_CALLER_NAME_LEN>::new();
        decode_into(raw, &mut name)?; // cut when full
        self.found.caller_name = (!name.is_empty()).then_some(CallerName(name));
        Ok(())
    }

    fn set_message_type(&mut self, raw: &str) -> Result<(), PayloadError> {
        let mut value = SchemaKey::new();
        let fits = decode_into(raw, &mut value)?;
        self.found.cancel = fits && self.schema.cancel_message_type.as_ref() == Some(&value);
        Ok(())
    }

    fn set_media_type(&mut self, media_type: i64) -> Result<(), PayloadError> {
        self.found.media_video = match media_type {
            0 => false,
            1 => true,
            _ => return Err(PayloadError::WrongType),
        };
        Ok(())
    }

    /// A negative sent time is no time: the push is treated as fresh.
    fn set_sent_at(&mut self, sent_at: i64) {
        let per_unit = match self.schema.sent_at_unit {
            SentAtUnit::Seconds => 1_000,
            SentAtUnit::Milliseconds => 1,
        };
        self.found.sent_at_unix_ms = u64::try_from(sent_at)
            .ok()
            .map(|t| t.saturating_mul(per_unit));
    }

    fn set_ring_timeout(&mut self, timeout_ms: i64) {
        self.found.ring_timeout_ms = u64::try_from(timeout_ms)
            .ok()
            .filter(|ms| (1..=600_000).contains(ms));
    }
}

/// A key, taken raw (still escaped) from the input. The key deserializer of
/// serde-json-core supports only string requests, so this asks for exactly that.
struct RawKey;

impl<'de> DeserializeSeed<'de> for RawKey {
    type Value = &'de str;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<&'de str, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RawKey {
    type Value = &'de str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<&'de str, E> {
        Ok(v)
    }
}

/// An object at `level` of the root path (level 0 is the top-level object); the call
/// fields are read once `level` reaches the root path's length.
struct Object<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for Object<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Object<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        if self.level >= ctx.root_depth {
            ctx.found.root = true;
        }
        let mut seen: u16 = 0;
        ctx.at = None;
        while let Some(raw_key) = map.next_key_seed(RawKey)? {
            let field = match ctx.classify(raw_key, self.level) {
                Ok(Some(field)) => field,
                Ok(None) => {
                    // A value in the object at `level` (depth level + 1) sits at depth
                    // level + 2 if it is an object or array.
                    map.next_value_seed(Skip {
                        ctx: &mut *ctx,
                        depth: self.level.saturating_add(2),
                    })?;
                    continue;
                }
                Err(e) => return Err(ctx.fail(e)),
            };
            if seen & field.bit() != 0 {
                ctx.at = Some(field);
                return Err(ctx.fail(PayloadError::DuplicateKey));
            }
            seen |= field.bit();
            ctx.at = Some(field);
            let done = match field {
                Field::Root => {
                    let inner = Object {
                        ctx: &mut *ctx,
                        level: self.level.saturating_add(1),
                    };
                    map.next_value_seed(Nullable(inner))?;
                    Ok(())
                }
                Field::CallId => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_id(raw.0),
                    None => Ok(()),
                },
                Field::Handle => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_handle(raw.0),
                    None => Ok(()),
                },
                Field::CallerName => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_caller_name(raw.0),
                    None => Ok(()),
                },
                Field::MessageType => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_message_type(raw.0),
                    None => Ok(()),
                },
                Field::Video => {
                    ctx.found.video_flag = map.next_value::<Option<bool>>()?.unwrap_or(false);
                    Ok(())
                }
                Field::MediaType => match map.next_value::<Option<i64>>()? {
                    Some(media_type) => ctx.set_media_type(media_type),
                    None => Ok(()),
                },
                Field::RingTimeout => {
                    if let Some(timeout_ms) = map.next_value::<Option<i64>>()? {
                        ctx.set_ring_timeout(timeout_ms);
                    }
                    Ok(())
                }
                Field::SentAt => {
                    if let Some(sent_at) = map.next_value::<Option<i64>>()? {
                        ctx.set_sent_at(sent_at);
                    }
                    Ok(())
                }
            };
            if let Err(e) = done {
                return Err(ctx.fail(e));
            }
            ctx.at = None;
        }
        Ok(())
    }
}

/// `seed`'s value, or `None` for a JSON `null`.
struct Nullable<S>(S);

/// A value the schema does not read, skipped with its nesting counted: `depth` is the
/// depth it has if it is an object or array. serde-json-core recurses into skipped
/// containers without a limit, so every one goes through this seed, which refuses to
/// open one deeper than [`MAX_JSON_DEPTH`] ([`PayloadError::TooDeep`]) before
/// serde-json-core reads its contents.
struct Skip<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    depth: usize,
}

impl Skip<'_, '_> {
    fn enter<E: de::Error>(&mut self) -> Result<usize, E> {
        if self.depth > MAX_JSON_DEPTH {
            return Err(self.ctx.fail(PayloadError::TooDeep));
        }
        Ok(self.depth.saturating_add(1))
    }
}

impl<'de> DeserializeSeed<'de> for Skip<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_ignored_any(self)
    }
}

impl<'de> Visitor<'de> for Skip<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while map.next_key_seed(RawKey)?.is_some() {
            map.next_value_seed(Skip {
                ctx: &mut *self.ctx,
                depth: inner,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while seq
            .next_element_seed(Skip {
                ctx: &mut *self.ctx,
                depth: inner,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}
