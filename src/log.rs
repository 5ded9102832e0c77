//! The one logging macro, `log_transition!`. With the `defmt` feature it forwards to
//! `defmt::debug!`; with the `log` feature it sends the same message to the `log`
//! facade (level debug, target `"callkit_engine"`); with neither it compiles to nothing.
//!
//! Callers pass only ids, phases, counts and event names: caller names, handles and
//! payload bytes are never logged. The `log` path enforces this by type: an argument
//! must implement `Loggable`, and only those types do (no `Handle`, `CallerName`,
//! `&str` or `&[u8]`).
//!
//! One format string serves both back ends: it is written for defmt (`{}`,
//! `{=usize}`, `{=u64}`), and the `log` path replaces each `{...}` placeholder with the
//! next argument's `Loggable` text when a logger asks for the record.

macro_rules! log_transition {
    ($($arg:tt)*) => {{
        #[cfg(feature = "defmt")]
        {
            defmt::debug!($($arg)*);
        }
        #[cfg(feature = "log")]
        {
            $crate::log::log_line!($($arg)*);
        }
    }};
}

pub(crate) use log_transition;

#[cfg(feature = "log")]
pub(crate) use log_facade::*;

#[cfg(feature = "log")]
mod log_facade {
    use core::fmt;

    use crate::{CallId, CallPhase, Error, Event, PayloadError};

    /// The `log` target of every record.
    pub(crate) const TARGET: &str = "callkit_engine";

    macro_rules! log_line {
        ($format:literal $(, $arg:expr)* $(,)?) => {
            $crate::log::emit($format, &[$(&$arg as &dyn $crate::log::Loggable),*])
        };
    }

    pub(crate) use log_line;

    /// A value that may appear in a log record: ids, phases, counts, event names and
    /// errors (whose texts hold only ids and numbers).
    pub(crate) trait Loggable {
        /// Writes the value's log text.
        fn log(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    }

    /// Implements [`Loggable`] as each type's `Display` or `Debug` text.
    macro_rules! loggable {
        ($($via:ident: $($ty:ty),+;)*) => {
            $($(impl Loggable for $ty {
                fn log(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::$via::fmt(self, f)
                }
            })+)*
        };
    }

    loggable! {
        // Counts and instants; `i64` for Apple's `NSInteger` error codes. Call UUIDs
        // are random or hashed ids, not personal data: shown in full, as defmt does.
        // Errors' texts hold only ids and numbers.
        Display: usize, i64, u64, CallId, Error, PayloadError;
        Debug: CallPhase;
    }

    /// Only the kind: payload bytes, handles and digits stay out (as in its defmt form).
    impl Loggable for Event<'_> {
        fn log(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "Event::{}", self.name())
        }
    }

    /// Sends one record at debug level; the text is built only if a logger wants it.
    pub(crate) fn emit(format: &'static str, args: &[&dyn Loggable]) {
        ::log::debug!(target: TARGET, "{}", Line { format, args });
    }

    /// A defmt-style format string with its arguments, written out on demand.
    struct Line<'a> {
        format: &'static str,
        args: &'a [&'a dyn Loggable],
    }

    impl fmt::Display for Line<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let mut args = self.args.iter();
            let mut rest = self.format;
            while let Some(at) = rest.find(['{', '}']) {
                f.write_str(&rest[..at])?;
                let brace = rest.as_bytes()[at];
                rest = &rest[at + 1..];
                if rest.as_bytes().first() == Some(&brace) {
                    // `{{` or `}}`: one literal brace.
                    f.write_str(if brace == b'{' { "{" } else { "}" })?;
                    rest = &rest[1..];
                } else if brace == b'{' {
                    // A placeholder (`{}`, `{=u64}`, ...): the next argument.
                    rest = rest.find('}').map_or("", |end| &rest[end + 1..]);
                    if let Some(arg) = args.next() {
                        arg.log(f)?;
                    }
                } else {
                    f.write_str("}")?;
                }
            }
            f.write_str(rest)
        }
    }
}
