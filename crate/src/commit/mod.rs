//! Atomic commit: two-phase commit ([`TwoPc`], `"2pc"`) and three-phase commit
//! ([`ThreePc`], `"3pc"`); and the flexible transactions that give up
//! isolation for availability: sagas ([`Saga`], `"saga"`) and try / confirm /
//! cancel ([`Tcc`], `"tcc"`), in `saga*.rs` and `tcc*.rs`. All four share the
//! cast (node 0 coordinates, a client request names a transaction) and the
//! [`Agenda`] of per-transaction deadlines.
//!
//! Both engines share their cast and their bookkeeping: node 0 is the
//! coordinator, every other node is a participant in every transaction, a
//! client request starts a transaction named by its value, and each node keeps
//! a durable [`DurableLog`] of forced records (begin, votes, pre-commit,
//! decisions, end) that survives crashes. The same [`CommitChecker`] watches
//! both for the atomicity invariant. The steps the two protocols take alike
//! (a participant's work and vote, the coordinator's vote count, decision,
//! resends and restart, the timers and the view) are written once, in
//! `common.rs`; what differs is the protocol, in [`twopc`] and [`threepc`].

mod common;
pub mod invariants;
pub mod log;
pub mod saga;
pub mod saga_check;
pub mod saga_msg;
pub mod tcc;
pub mod tcc_check;
pub mod tcc_msg;
pub mod threepc;
pub mod threepc_msg;
pub mod twopc;
pub mod twopc_msg;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::protocol::{NodeId, Out, Protocol, Time, Value};
pub use invariants::CommitChecker;
pub use log::{Decision, DurableLog, Record, RecordKind, TxRecord};
pub use saga::{Saga, SagaTxView, SagaView, StepView};
pub use saga_check::SagaChecker;
pub use saga_msg::{SagaLog, SagaMsg, SagaParams, SagaRecord, SagaTimer};
pub use tcc::{Tcc, TccTxView, TccView};
pub use tcc_check::TccChecker;
pub use tcc_msg::{Hold, Seats, TccMsg, TccParams, TccStable, TccTimer};
pub use threepc::ThreePc;
pub use threepc_msg::{ThreePcMsg, ThreePcParams, ThreePcTimer};
pub use twopc::TwoPc;
pub use twopc_msg::{TwoPcMsg, TwoPcParams, TwoPcTimer};

/// The family's protocols for the registry.
pub fn registry() -> Vec<crate::registry::Entry> {
    use crate::registry::Entry;
    vec![
        Entry::of::<TwoPc>("commit").checker::<CommitChecker>().done(),
        Entry::of::<ThreePc>("commit").checker::<CommitChecker>().done(),
        Entry::of::<Saga>("commit").checker::<SagaChecker>().done(),
        Entry::of::<Tcc>("commit").checker::<TccChecker>().done(),
    ]
}

/// A transaction's name: the value of the client request that started it.
pub type Tx = Value;

/// The node that coordinates every transaction.
pub const COORDINATOR: NodeId = 0;

/// The longest limit any duration parameter accepts (ten simulated minutes).
pub const MAX_PARAM_MS: Time = 600_000;

/// A node's fields for the page and the CLI: `role` and `transactions` as
/// the scenario format requires, plus the durable log in writing order.
#[derive(Clone, Debug, Serialize)]
pub struct CommitView {
    /// "coordinator" or "participant".
    pub role: &'static str,
    pub transactions: BTreeMap<Tx, TxView>,
    /// The node's forced log records, oldest first, such as `"yes t1"`.
    pub log: Vec<String>,
}

/// One transaction as one node sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TxView {
    /// A plain word: "voting", "precommitting", "working", "prepared",
    /// "uncertain", "precommitted", "committed" or "aborted".
    pub state: &'static str,
    /// "commit", "abort" or null while undecided at this node.
    pub decision: Option<Decision>,
    /// Participant: its vote, "yes" or "no", once cast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vote: Option<&'static str>,
    /// Participant: prepared, waiting and unable to decide alone (2PC).
    pub blocked: bool,
    /// Participant: decided by its own timeout rule rather than by the
    /// coordinator's message (3PC).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub by_timeout: bool,
    /// Coordinator: the votes received so far, in participant order. (A
    /// list, not a map keyed by node id: the page's serializer turns maps
    /// into plain objects, which take string keys only.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Vec<NodeVote>>,
    /// Coordinator: the participants that acknowledged the current phase
    /// (PreCommit while pre-committing, the decision afterwards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acks: Option<Vec<NodeId>>,
    /// Coordinator: every participant acknowledged the decision and the end
    /// record is written.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
}

/// One participant's vote as the coordinator received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeVote {
    pub node: NodeId,
    /// "yes" or "no".
    pub vote: &'static str,
}

/// A transaction name clipped for a message label.
pub(crate) fn short(tx: &str) -> String {
    crate::base::text::clip(tx, 12)
}

/// Checks a duration parameter's range.
pub(crate) fn check_ms(name: &str, v: Time, min: Time) -> Result<(), String> {
    if v < min || v > MAX_PARAM_MS {
        return Err(format!("{name} must be between {min} and {MAX_PARAM_MS} (got {v})"));
    }
    Ok(())
}

/// Checks `no_voters`: participants only, ids that exist.
pub(crate) fn check_no_voters(no_voters: &[NodeId], nodes: usize) -> Result<(), String> {
    for &v in no_voters {
        if v == COORDINATOR {
            return Err("no_voters: node 0 is the coordinator and does not vote".into());
        }
        if v >= nodes {
            return Err(format!(
                "no_voters: node {v} does not exist (this scenario has nodes 0..{})",
                nodes.saturating_sub(1)
            ));
        }
    }
    Ok(())
}

/// Per-transaction deadlines behind one timer kind. Timers are identified by
/// kind only, so each kind is armed at the earliest deadline among the
/// transactions waiting on it, and re-armed after it fires.
#[derive(Clone, Debug, Default)]
pub(crate) struct Agenda {
    due: BTreeSet<(Time, Tx)>,
    at: BTreeMap<Tx, Time>,
    /// When the timer is currently armed to fire, as far as we asked.
    armed: Option<Time>,
}

impl Agenda {
    pub fn set(&mut self, tx: &Tx, at: Time) {
        self.clear(tx);
        self.due.insert((at, tx.clone()));
        self.at.insert(tx.clone(), at);
    }

    pub fn clear(&mut self, tx: &str) {
        if let Some(at) = self.at.remove(tx) {
            self.due.retain(|(t, x)| !(*t == at && &**x == tx));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The timer fired: forget that it was armed and hand back every
    /// transaction due by now, earliest first.
    pub fn fired(&mut self, now: Time) -> Vec<Tx> {
        self.armed = None;
        let mut out = Vec::new();
        while let Some((t, _)) = self.due.first() {
            if *t > now {
                break;
            }
            if let Some((_, tx)) = self.due.pop_first() {
                self.at.remove(&tx);
                out.push(tx);
            }
        }
        out
    }

    /// Every waiting transaction, as if all deadlines passed now (the
    /// `timeout` inject).
    pub fn take_all(&mut self) -> Vec<Tx> {
        let out = self.due.iter().map(|(_, tx)| tx.clone()).collect();
        self.due.clear();
        self.at.clear();
        out
    }

    /// Arms `timer` for the earliest deadline, or cancels it when nothing
    /// waits; emits nothing when that is already so.
    pub fn sync<P: Protocol>(&mut self, timer: P::Timer, now: Time, out: &mut Out<P>) {
        let next = self.due.first().map(|(t, _)| *t);
        if next == self.armed {
            return;
        }
        match next {
            Some(t) => out.set_timer(timer, t.saturating_sub(now).max(1)),
            None => out.cancel_timer(timer),
        }
        self.armed = next;
    }
}
