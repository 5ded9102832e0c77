//! A call's phase: the public [`CallPhase`] and [`Direction`], and the private per-phase
//! [`State`] they are read from.
//!
//! Rule owned here: each phase's data lives in its own variant (the ring time-out and
//! its backstop while ringing, the deferred answer and its deadline while answering,
//! the deferred start and its deadline while starting, the audio-activation wait once
//! answered or started, the no-answer deadline while connecting), so a call has at most
//! one deferred action, and at most one armed timer besides the no-answer time-out of a
//! connecting outgoing call, as facts of the type.

use crate::types::{ActionId, Instant};

/// Whether a call came in (push) or goes out (app request).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// Reported with `reportNewIncomingCall`.
    Incoming,
    /// Started with a `CXStartCallAction`.
    Outgoing,
}

/// Where a live call stands.
///
/// Incoming: `Ringing` -> (`Answering`) -> `Answered`. Outgoing: `Requested` ->
/// `Starting` -> `Connecting` -> `Connected`. A call that ends leaves the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallPhase {
    /// Incoming, reported (or its report pending), not answered; the ring timer runs.
    Ringing,
    /// Incoming, the user answered but the connection is not ready: the
    /// `CXAnswerCallAction` is deferred until [`Event::IncomingCallConnected`] or the answer
    /// time-out.
    ///
    /// [`Event::IncomingCallConnected`]: crate::Event::IncomingCallConnected
    Answering,
    /// Incoming, answered.
    Answered,
    /// Outgoing, the `CXStartCallAction` was requested from `CXCallController`.
    Requested,
    /// Outgoing, the start action is being performed: signalling was asked to start and
    /// the action is deferred until it starts connecting.
    Starting,
    /// Outgoing, `startedConnectingAt` reported, start action fulfilled.
    Connecting,
    /// Outgoing, `connectedAt` reported.
    Connected,
}

impl CallPhase {
    /// Whether the call is up or coming up on this device: answered, or an outgoing call
    /// whose start action was performed. Media may run only in these phases.
    #[inline]
    pub const fn media_allowed(self) -> bool {
        matches!(
            self,
            CallPhase::Answered
                | CallPhase::Starting
                | CallPhase::Connecting
                | CallPhase::Connected
        )
    }

    /// Whether hold, group and DTMF apply: answered, or outgoing and connecting or
    /// connected.
    #[inline]
    pub const fn is_established(self) -> bool {
        matches!(
            self,
            CallPhase::Answered | CallPhase::Connecting | CallPhase::Connected
        )
    }

    /// Whether mute applies: a phase that allows media, or an answer deferred until the
    /// connection is ready (the mute then takes effect when the media starts).
    #[inline]
    pub(super) const fn mute_applies(self) -> bool {
        self.media_allowed() || matches!(self, CallPhase::Answering)
    }

    /// Whether the call is incoming and not answered: ringing or answering.
    #[inline]
    pub(super) const fn unanswered(self) -> bool {
        matches!(self, CallPhase::Ringing | CallPhase::Answering)
    }
}

/// Each phase with the data only it has: the public [`CallPhase`], the armed timer and
/// the deferred action are read from it, so a call has at most one of each by construction.
///
/// The order of the variants is chosen for speed: the two phases that hold an action
/// are adjacent, and so are the three incoming ones; `repr(u8)` lays each variant out in
/// field order, so the action sits at one offset in both. Telling whether a call holds
/// an action (done for every call on every action, [`Call::deferred_action`](super::call::Call::deferred_action)) or is incoming
/// is then one range test of the tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum State {
    /// The start action is deferred until signalling starts connecting or `deadline`.
    Starting {
        action: ActionId,
        deadline: Instant,
    },
    /// The answer action is deferred until the connection is ready or `deadline`.
    Answering {
        action: ActionId,
        deadline: Instant,
    },
    /// The ring time-out runs until `deadline`; `backstop` once it fired while the
    /// report was pending and was re-armed one push time-out later.
    Ringing {
        deadline: Instant,
        backstop: bool,
    },
    /// Answered; `audio` is the audio-activation time-out's deadline while CallKit has
    /// not activated the audio session since the answer was fulfilled.
    Answered {
        audio: Option<Instant>,
    },
    Requested,
    /// Connecting (start action fulfilled); `audio` as for `Answered`; `ringing` once
    /// the remote side rings (SIP 180); `no_answer` the no-answer time-out's deadline,
    /// armed beside the audio-activation wait.
    Connecting {
        audio: Option<Instant>,
        ringing: bool,
        no_answer: Instant,
    },
    /// Connected; `audio` as for `Answered`.
    Connected {
        audio: Option<Instant>,
    },
}

impl State {
    /// Answered, with no audio-activation time-out armed.
    pub(super) const ANSWERED: State = State::Answered { audio: None };

    #[inline]
    pub(super) const fn phase(self) -> CallPhase {
        match self {
            State::Ringing { .. } => CallPhase::Ringing,
            State::Answering { .. } => CallPhase::Answering,
            State::Answered { .. } => CallPhase::Answered,
            State::Requested => CallPhase::Requested,
            State::Starting { .. } => CallPhase::Starting,
            State::Connecting { .. } => CallPhase::Connecting,
            State::Connected { .. } => CallPhase::Connected,
        }
    }

    /// The audio-activation time-out's deadline, in the phases that can arm it.
    #[inline]
    pub(super) const fn audio_deadline(self) -> Option<Instant> {
        match self {
            State::Answered { audio }
            | State::Connecting { audio, .. }
            | State::Connected { audio } => audio,
            _ => None,
        }
    }

    /// Whether the phase can arm the audio-activation time-out: answered, connecting or
    /// connected.
    #[inline]
    pub(super) const fn has_audio_slot(self) -> bool {
        matches!(
            self,
            State::Answered { .. } | State::Connecting { .. } | State::Connected { .. }
        )
    }

    /// The audio-activation time-out's slot, in the phases that can arm it.
    #[inline]
    pub(super) fn audio_slot(&mut self) -> Option<&mut Option<Instant>> {
        match self {
            State::Answered { audio }
            | State::Connecting { audio, .. }
            | State::Connected { audio } => Some(audio),
            _ => None,
        }
    }
}
