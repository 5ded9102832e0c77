//! The one logging macro. With the `defmt` feature it forwards to `defmt::debug!`;
//! without it, it compiles to nothing. Callers pass only ids, phases, counts and event
//! names: caller names, handles and payload bytes are never logged.

macro_rules! log_transition {
    ($($arg:tt)*) => {{
        #[cfg(feature = "defmt")]
        {
            defmt::debug!($($arg)*);
        }
    }};
}

pub(crate) use log_transition;
