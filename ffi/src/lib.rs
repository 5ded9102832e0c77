//! The C ABI of callkit-engine (work in progress).
