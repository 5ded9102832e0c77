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
//! ## Quick start: one incoming call, answered and hung up
//!
//! **An answer is fulfilled only once the connection is reported.** The engine carries
//! out a `CXAnswerCallAction` ([`Event::PerformAnswerCall`]) in the step where the call's
//! signalling connection is ready ([`Event::IncomingCallConnected`]): at once when the
//! connection came first, else when it comes; the action is failed and the call ended
//! if it has not come after [`Config::answer_connect_timeout_ms`]. A host that never
//! sends `IncomingCallConnected` never gets an answer fulfilled.
//!
//! The loop below is a whole host: it feeds each callback to [`Engine::handle`] and
//! carries out what comes back, for the lifecycle push, report, connection, answer,
//! audio, hang-up.
//!
//! ```
//! use callkit_engine::{
//!     ActionId, CallAction, CallId, Config, Effect, Engine, Error, Event, IncomingReport, Instant,
//!     PayloadSchema, PushId,
//! };
//!
//! /// Carries out one step's effects, in order, as an app would (the comments name the
//! /// Apple call); returns the `CXCallController` request to complete, if any.
//! fn carry_out(effects: &[Effect]) -> Option<callkit_engine::TransactionId> {
//!     let mut request = None;
//!     for effect in effects {
//!         match effect {
//!             Effect::ReportNewIncomingCall { .. } => {} // provider.reportNewIncomingCall(..)
//!             Effect::CompletePush { .. } => {}          // the kept PushKit completion()
//!             Effect::FulfillAction { .. } => {}         // action.fulfill()
//!             Effect::FailAction { .. } => {}            // action.fail()
//!             Effect::RequestTransaction { transaction, .. } => request = Some(*transaction),
//!             Effect::StartTimer { .. } | Effect::CancelTimer { .. } => {} // the host's timers
//!             _ => {} // signalling, audio session, media: see each `Effect` variant
//!         }
//!     }
//!     request
//! }
//!
//! # fn main() -> Result<(), Error> {
//! let mut engine = Engine::new(Config::with_schema(PayloadSchema::apple_docs()));
//! let at = Instant::from_millis; // the host's monotonic clock, in ms
//!
//! // PushKit delivers a VoIP push: report the call before the delegate method returns.
//! let payload = br#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#;
//! let push = Event::VoipPushReceived {
//!     push: PushId(1),
//!     payload,
//!     fallback_call: CallId::from_bytes([7; 16]), // used when the payload names no call
//!     must_report: None,        // PKVoIPPushMetadata.mustReport (iOS 26.4 and later)
//!     received_at_unix_ms: None, // the wall clock, for the maximum push age
//! };
//! let effects = engine.handle(at(1_000), push)?;
//! let Effect::ReportNewIncomingCall { push, call } = effects[0] else {
//!     unreachable!("a push's first effect is always its report")
//! };
//! let report = IncomingReport::of(call, push); // what its completion names
//! assert!(effects.contains(&Effect::ConnectIncoming { call })); // reach the server now
//! carry_out(&effects);
//!
//! // reportNewIncomingCall's completion: CallKit shows the call.
//! let effects = engine.handle(at(1_050), Event::IncomingCallReported { report, result: Ok(()) })?;
//! assert!(effects.contains(&Effect::CompletePush { push: PushId(1) }));
//! carry_out(&effects);
//!
//! // The signalling stack reached the server: the call can be answered.
//! carry_out(&engine.handle(at(1_300), Event::IncomingCallConnected { call })?);
//!
//! // The user answers on the lock screen.
//! let answer = ActionId::from_bytes([1; 16]); // CXAnswerCallAction.uuid
//! let effects = engine.handle(at(4_000), Event::PerformAnswerCall { action: answer, call })?;
//! assert!(effects.contains(&Effect::AnswerIncoming { call }));
//! assert!(effects.contains(&Effect::FulfillAction { action: answer }));
//! carry_out(&effects);
//!
//! // CallKit activates the audio session (provider(_:didActivate:)): media starts.
//! let effects = engine.handle(at(4_100), Event::DidActivateAudioSession)?;
//! assert!(effects.contains(&Effect::StartMedia { call }));
//! carry_out(&effects);
//!
//! // The user hangs up in the app: the engine asks CallKit through CXCallController ...
//! let effects = engine.handle(at(60_000), Event::RequestEndCall { call })?;
//! assert!(matches!(
//!     effects[0],
//!     Effect::RequestTransaction { action: CallAction::EndCall { .. }, .. }
//! ));
//! let transaction = carry_out(&effects).expect("an end-call request");
//! let completed = Event::TransactionCompleted { transaction, result: Ok(()) };
//! carry_out(&engine.handle(at(60_010), completed)?);
//! // ... and CallKit performs the end: media stops, the signalling leg is released.
//! let end = ActionId::from_bytes([2; 16]); // CXEndCallAction.uuid
//! let effects = engine.handle(at(60_020), Event::PerformEndCall { action: end, call })?;
//! assert!(effects.contains(&Effect::HangUp { call }));
//! assert!(effects.contains(&Effect::FulfillAction { action: end }));
//! carry_out(&effects);
//! assert!(engine.is_idle());
//! # Ok(())
//! # }
//! ```
//!
//! Had the remote party hung up instead, [`Event::RemoteEnded`] would have given
//! [`Effect::ReportCallEnded`] (`reportCall(with:endedAt:reason:)`, reason
//! `remoteEnded`). Engines with other capacities than the defaults are made with
//! [`Engine::with_capacities`].
//!
//! ## Capacities
//!
//! Live calls, pending pushes and the effects of one step are const parameters of
//! [`Engine`] (defaults 4, 8 and [`limits::effects_needed`]`(4, 8)` = 32). Every fixed capacity
//! is a constant of [`limits`]: the string lengths ([`limits::MAX_HANDLE_LEN`],
//! [`limits::MAX_CALLER_NAME_LEN`], [`limits::MAX_DTMF_DIGITS`],
//! [`limits::MAX_PUSH_TOKEN_LEN`]), the payload bound (a push whose payload is above
//! [`limits::MAX_PAYLOAD_LEN`] bytes is reported and ended, as every unreadable push),
//! and the engine's bounded tables.
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
