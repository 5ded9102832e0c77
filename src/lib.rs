//! # callkit-engine
//!
//! A pure, `no_std`, allocation-free state machine for the call handling of iOS VoIP
//! apps: PushKit VoIP pushes, `CXProvider` reports, `CXProviderDelegate` actions,
//! `CXCallController` requests, the audio session and the app's own signalling.
//!
//! The host (a Swift layer over a C ABI, or any Rust program) feeds [`Event`]s with the
//! current time to [`Engine::handle`] and carries out the [`Effect`]s it returns. The
//! engine never does I/O, never reads a clock, never allocates and never panics.
//!
//! ## The run-loop rule
//!
//! 1. For every callback the host receives (PushKit, `CXProviderDelegate`, a
//!    `CXCallController` or `reportNewIncomingCall` completion, the signalling stack, a
//!    timer), call [`Engine::handle`] with the monotonic time in milliseconds
//!    ([`Instant`]) and the matching [`Event`], on one serial queue.
//! 2. Carry out the returned [`Effects`] in order before handling the next event
//!    ([`Engine::handle_into`] fills a container the host keeps instead). For a
//!    VoIP push this happens *inside* the PushKit delegate method: its first effect is
//!    always [`Effect::ReportNewIncomingCall`], and PushKit kills the app if no report
//!    was made by the time the delegate returns (iOS 13 rule, Apple DTS).
//! 3. Run timers: [`Effect::StartTimer`] arms one with an absolute deadline,
//!    [`Effect::CancelTimer`] disarms it, and when a deadline passes the host sends
//!    [`Event::TimerFired`]. A host that prefers a single wake-up uses
//!    [`Engine::poll_timeout`] instead (quinn-style) and fires what [`Engine::timers`]
//!    lists as due.
//! 4. An `Err` from [`Engine::handle`] means the event was refused as a whole: nothing
//!    changed and there is nothing to do. Protocol outcomes (an action CallKit asked for
//!    that cannot be performed, a malformed push) are effects, never errors.
//!
//! The clock must keep counting while the device sleeps: deadlines are promises to the
//! user (ring time-out) and to PushKit (completion), measured in real time.
//!
//! ## Quick start
//!
//! ```
//! use callkit_engine::{CallId, Config, Effect, Engine, Event, Instant, PayloadSchema, PushId};
//!
//! let mut engine: Engine = Engine::new(Config::with_schema(PayloadSchema::apple_docs()));
//! let payload = br#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#;
//! let effects = engine
//!     .handle(
//!         Instant::from_millis(1_000),
//!         Event::VoipPushReceived {
//!             push: PushId(1),
//!             payload,
//!             fallback_call: CallId::from_bytes([7; 16]),
//!         },
//!     )
//!     .expect("a push is never refused");
//! // The report comes first, in the same step as the push.
//! assert!(matches!(effects[0], Effect::ReportNewIncomingCall { push: PushId(1), .. }));
//! ```
//!
//! ## Capacities
//!
//! Live calls, pending pushes and the effects of one step are const parameters of
//! [`Engine`] (defaults 4, 8 and [`limits::effects_needed`]`(4, 8)` = 28). Every fixed capacity
//! is a constant of [`limits`]: the string lengths ([`limits::MAX_HANDLE_LEN`],
//! [`limits::MAX_CALLER_NAME_LEN`], [`limits::MAX_DTMF_DIGITS`],
//! [`limits::MAX_PUSH_TOKEN_LEN`]), the payload bound (payloads above
//! [`limits::MAX_PAYLOAD_LEN`] bytes are refused), and the engine's bounded tables.
//!
//! ## Features
//!
//! - `defmt`: derives `defmt::Format` on every public type and logs each transition
//!   through one macro (ids, phases and counts only; names, handles and payload bytes
//!   are never logged in clear).
//! - `log`: sends the same transition logs, under the same rule, to the `log` facade
//!   (`no_std`): level debug, target `"callkit_engine"`. Install any `log` logger to read
//!   them.
//!
//! No feature is needed for `std` hosts: the error types implement `core::error::Error`,
//! which is `std::error::Error`, in every build.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// docs.rs (nightly, `--cfg docsrs`) labels feature-gated items with their feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod effect;
mod effects;
mod engine;
mod error;
mod event;
pub mod limits;
mod log;
mod payload;
mod types;

pub use config::*;
pub use effect::*;
pub use effects::*;
pub use engine::*;
pub use error::*;
pub use event::*;
pub use payload::*;
pub use types::*;

/// Re-exported so hosts can build [`CallId`]s without naming the `uuid` crate.
pub use uuid::Uuid;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
