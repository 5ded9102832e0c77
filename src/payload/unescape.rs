//! Unescaping raw JSON string bodies, and mapping serde-json-core's errors.

use super::*;

// ---------------------------------------------------------------------------------------
// String unescaping
// ---------------------------------------------------------------------------------------

/// The characters of a raw JSON string body (between the quotes), unescaped.
///
/// Yields `Err(InvalidEscape)` for a bad escape and `Err(Syntax)` for a raw control
/// character (U+0000 to U+001F), then stops.
struct Unescape<'a> {
    rest: &'a str,
}

impl Iterator for Unescape<'_> {
    type Item = Result<char, PayloadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut chars = self.rest.chars();
        let item = match chars.next()? {
            '\\' => unescape_one(&mut chars),
            c if u32::from(c) < 0x20 => Err(PayloadError::Syntax),
            c => Ok(c),
        };
        self.rest = if item.is_ok() { chars.as_str() } else { "" };
        Some(item)
    }
}

/// Decodes the escape after a backslash.
pub(super) fn unescape_one(chars: &mut core::str::Chars<'_>) -> Result<char, PayloadError> {
    let c = match chars.next() {
        Some('"') => '"',
        Some('\\') => '\\',
        Some('/') => '/',
        Some('b') => '\u{8}',
        Some('f') => '\u{c}',
        Some('n') => '\n',
        Some('r') => '\r',
        Some('t') => '\t',
        Some('u') => {
            let unit = hex4(chars)?;
            let code = match unit {
                0xD800..=0xDBFF => {
                    if chars.next() != Some('\\') || chars.next() != Some('u') {
                        return Err(PayloadError::InvalidEscape);
                    }
                    let low = hex4(chars)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return Err(PayloadError::InvalidEscape);
                    }
                    // At most 0x10000 + (0x3FF << 10) + 0x3FF = 0x10FFFF: no overflow.
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                0xDC00..=0xDFFF => return Err(PayloadError::InvalidEscape),
                _ => unit,
            };
            return char::from_u32(code).ok_or(PayloadError::InvalidEscape);
        }
        _ => return Err(PayloadError::InvalidEscape),
    };
    Ok(c)
}

/// Four hex digits (either case) as a UTF-16 code unit, at most 0xFFFF.
pub(super) fn hex4(chars: &mut core::str::Chars<'_>) -> Result<u32, PayloadError> {
    let mut unit = 0u32;
    for _ in 0..4 {
        let digit = chars
            .next()
            .and_then(|c| c.to_digit(16))
            .ok_or(PayloadError::InvalidEscape)?;
        unit = (unit << 4) | digit;
    }
    Ok(unit)
}

/// Unescapes `raw` into `out`, whole characters only: once a character does not fit,
/// nothing more is pushed (so `out` is a prefix cut at a character boundary), but the
/// rest is still checked for bad escapes. Returns whether everything fit.
pub(super) fn decode_into<const N: usize>(
    raw: &str,
    out: &mut heapless::String<N>,
) -> Result<bool, PayloadError> {
    // Fast path: nothing to unescape and no control byte, so the text is the value;
    // copy it whole (or its longest prefix that ends on a character boundary).
    if !raw.bytes().any(|b| b == b'\\' || b < 0x20) {
        let room = N.saturating_sub(out.len());
        let mut end = raw.len().min(room);
        while !raw.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let head = raw.get(..end).unwrap_or("");
        // Cannot fail: `head` fits in the room left.
        let _ = out.push_str(head);
        return Ok(end == raw.len());
    }
    let mut fits = true;
    for c in (Unescape { rest: raw }) {
        let c = c?;
        if fits && out.push(c).is_err() {
            fits = false;
        }
    }
    Ok(fits)
}

// ---------------------------------------------------------------------------------------
// Schema-driven visitor
// ---------------------------------------------------------------------------------------

/// Maps a serde-json-core error that no visitor of ours recorded (see [`PayloadError`]).
pub(super) fn map_json_error(e: &serde_json_core::de::Error) -> PayloadError {
    match e {
        serde_json_core::de::Error::InvalidType | serde_json_core::de::Error::CustomError => {
            PayloadError::WrongType
        }
        _ => PayloadError::Syntax,
    }
}
