//! `CXCallController` requests: the transaction table, the start and end requests (hold,
//! mute and DTMF in `in_call.rs`), and the completions.
//!
//! Rules owned here: a request is made only with room to track it (at most
//! [`MAX_PENDING_TRANSACTIONS`]), each gets a fresh [`TransactionId`], and its completion
//! is accepted once; a failed start or end request leaves no call CallKit never took.

use crate::limits::MAX_PENDING_TRANSACTIONS;
use heapless::Vec;

use crate::effect::{CallAction, Effect};
use crate::effects::Effects;
use crate::error::Error;
use crate::event::TransactionResult;
use crate::types::{CallId, Handle, HandleType, TransactionId};

use super::phase::CallPhase;
use super::teardown::{End, PendingEnd, Release};
use super::Engine;

/// What a pending transaction asked for, as far as its failure matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TransactionKind {
    /// `CXStartCallAction`.
    Start,
    /// `CXEndCallAction`.
    End,
    /// Hold, mute or DTMF.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingTransaction {
    id: TransactionId,
    call: CallId,
    kind: TransactionKind,
}

/// The requests awaiting their completion, and the id the next one gets.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TransactionTable {
    pending: Vec<PendingTransaction, MAX_PENDING_TRANSACTIONS>,
    /// The requests pending at the last `providerDidReset`: their completions may still
    /// come, and are accepted with no effect.
    voided: Vec<TransactionId, MAX_PENDING_TRANSACTIONS>,
    next: u64,
}

impl TransactionTable {
    #[inline]
    pub(super) const fn new() -> Self {
        TransactionTable {
            pending: Vec::new(),
            voided: Vec::new(),
            next: 0,
        }
    }

    /// Number of requests awaiting their completion.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.pending.len()
    }

    #[inline]
    pub(super) fn is_full(&self) -> bool {
        self.pending.is_full()
    }

    /// Forgets every request (`providerDidReset`: CallKit drops them), remembering
    /// their ids until the next reset, whose completions may still come. Ids keep
    /// counting.
    #[inline]
    pub(super) fn clear(&mut self) {
        self.voided.clear();
        for t in self.pending.iter() {
            // Cannot fail: both hold at most MAX_PENDING_TRANSACTIONS.
            let _ = self.voided.push(t.id);
        }
        self.pending.clear();
    }

    /// Whether `id` was pending at the last `providerDidReset` and has not completed
    /// since; takes it out, so a second completion is refused.
    #[inline]
    pub(super) fn take_voided(&mut self, id: TransactionId) -> bool {
        match self.voided.iter().position(|&v| v == id) {
            Some(i) => {
                self.voided.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// Records a request for `call` under a fresh id and asks for `action`. Nothing when
    /// the table is full (callers check [`TransactionTable::is_full`] first).
    #[inline]
    pub(super) fn request<const N: usize>(
        &mut self,
        call: CallId,
        kind: TransactionKind,
        action: CallAction,
        out: &mut Effects<N>,
    ) {
        let id = TransactionId(self.next);
        if self
            .pending
            .push(PendingTransaction { id, call, kind })
            .is_ok()
        {
            self.next = self.next.wrapping_add(1);
            out.push(Effect::RequestTransaction {
                transaction: id,
                action,
            });
        }
    }

    /// Takes the request `id` out: its call and kind, `None` when it is not pending.
    #[inline]
    pub(super) fn complete(&mut self, id: TransactionId) -> Option<(CallId, TransactionKind)> {
        let i = self.pending.iter().position(|t| t.id == id)?;
        let t = self.pending.remove(i);
        Some((t.call, t.kind))
    }
}

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    #[inline]
    pub(super) fn on_request_start(
        &mut self,
        call: CallId,
        handle: &str,
        handle_type: HandleType,
        video: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        // A UUID whose report-and-end push still owes its end is CallKit's too.
        if self.calls.get(call).is_some()
            || self.calls.ended_recently(call)
            || self.calls.owes_end(call)
        {
            return Err(Error::CallExists(call));
        }
        if self.calls.is_full() {
            return Err(Error::CallCapacity);
        }
        if self.transactions.is_full() {
            return Err(Error::TransactionCapacity);
        }
        let handle = Handle::new(handle_type, handle)
            .filter(|h| !h.value.is_empty())
            .ok_or(Error::InvalidHandle)?;
        let provider = self.config.provider;
        if (video && !provider.supports_video)
            || !provider.supported_handle_types.contains(handle_type)
        {
            return Err(Error::NotSupported(call));
        }
        self.calls.request(call, handle.clone(), video)?;
        out.set_handle(handle);
        let action = CallAction::StartCall { call, video };
        self.transactions
            .request(call, TransactionKind::Start, action, out);
        Ok(())
    }

    #[inline]
    pub(super) fn on_request_end(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let full = self.transactions.is_full();
        let Some((_, c)) = self.calls.live_or_gone(call)? else {
            // The call ended as the user asked to end it: done already.
            return Ok(());
        };
        if c.unknown_to_callkit() {
            // CallKit may not know the call yet: keep the end until it does.
            c.keep_end(PendingEnd::Local);
            return Ok(());
        }
        if full {
            return Err(Error::TransactionCapacity);
        }
        let action = CallAction::EndCall { call };
        self.transactions
            .request(call, TransactionKind::End, action, out);
        Ok(())
    }

    /// The user answered in the app's own UI: ask CallKit to perform the answer (it
    /// comes back as `PerformAnswerCall`). A failed request leaves the call ringing.
    pub(super) fn on_request_answer(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let full = self.transactions.is_full();
        let Some((_, c)) = self.calls.live_or_gone(call)? else {
            // The call ended as the user answered: nothing to answer.
            return Ok(());
        };
        if c.phase() != CallPhase::Ringing || c.report_pending() {
            return Err(Error::WrongPhase(call));
        }
        if full {
            return Err(Error::TransactionCapacity);
        }
        let action = CallAction::AnswerCall { call };
        self.transactions
            .request(call, TransactionKind::Other, action, out);
        Ok(())
    }

    #[inline]
    pub(super) fn on_transaction_completed(
        &mut self,
        transaction: TransactionId,
        result: TransactionResult,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some((call, kind)) = self.transactions.complete(transaction) else {
            if self.transactions.take_voided(transaction) {
                // CallKit dropped the request at providerDidReset and its completion
                // comes now: the reset already ended its call.
                return Ok(());
            }
            return Err(Error::UnknownTransaction(transaction));
        };
        if result.is_ok() {
            // The system now performs the action through the provider delegate.
            return Ok(());
        }
        let Some((idx, c)) = self.calls.find(call) else {
            return Ok(());
        };
        let end = match kind {
            // CallKit never took the call: drop it without a report.
            TransactionKind::Start if c.phase() == CallPhase::Requested => {
                End::new(Release::Nothing, None)
            }
            // CallKit would not end it (for example unknownCallUUID): end it here so
            // nothing stays ringing.
            TransactionKind::End => End::declined(),
            TransactionKind::Start | TransactionKind::Other => return Ok(()),
        };
        self.calls.end(idx, end, self.now, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::call_id as id;

    #[test]
    fn requests_get_consecutive_ids_and_complete_once() {
        let mut table = TransactionTable::new();
        let mut out: Effects<4> = Effects::new();
        assert!(table.len() == 0 && !table.is_full());
        table.request(
            id(1),
            TransactionKind::Start,
            CallAction::EndCall { call: id(1) },
            &mut out,
        );
        table.request(
            id(2),
            TransactionKind::End,
            CallAction::EndCall { call: id(2) },
            &mut out,
        );
        assert_eq!(
            &out[..],
            &[
                Effect::RequestTransaction {
                    transaction: TransactionId(0),
                    action: CallAction::EndCall { call: id(1) }
                },
                Effect::RequestTransaction {
                    transaction: TransactionId(1),
                    action: CallAction::EndCall { call: id(2) }
                },
            ]
        );
        assert_eq!(table.len(), 2);
        assert_eq!(
            table.complete(TransactionId(1)),
            Some((id(2), TransactionKind::End))
        );
        assert_eq!(table.complete(TransactionId(1)), None);
        assert_eq!(table.complete(TransactionId(7)), None);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn a_full_table_requests_nothing_and_spends_no_id() {
        let mut table = TransactionTable::new();
        let mut out: Effects<{ MAX_PENDING_TRANSACTIONS + 1 }> = Effects::new();
        let end = || CallAction::EndCall { call: id(1) };
        for n in 0..MAX_PENDING_TRANSACTIONS {
            assert!(!table.is_full() && table.len() == n);
            table.request(id(1), TransactionKind::Other, end(), &mut out);
        }
        assert!(table.is_full() && table.len() > 0);
        table.request(id(1), TransactionKind::Other, end(), &mut out);
        assert_eq!(out.len(), MAX_PENDING_TRANSACTIONS);
        table.clear();
        assert_eq!(table.len(), 0);
        out.clear();
        // Ids keep counting after a clear: a late completion of a dropped request stays
        // unknown.
        table.request(id(1), TransactionKind::Other, end(), &mut out);
        assert_eq!(
            out.first(),
            Some(&Effect::RequestTransaction {
                transaction: TransactionId(MAX_PENDING_TRANSACTIONS as u64),
                action: end()
            })
        );
    }
}
