//! Values for the engine modules' unit tests: ids and instants named by small numbers.

use crate::types::{ActionId, CallId, Instant};

/// The call whose UUID is sixteen bytes `n`.
pub(super) fn call_id(n: u8) -> CallId {
    CallId::from_bytes([n; 16])
}

/// The action whose UUID is sixteen bytes `n`.
pub(super) fn action_id(n: u8) -> ActionId {
    ActionId::from_bytes([n; 16])
}

/// `ms` milliseconds on the host's clock.
pub(super) fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}
