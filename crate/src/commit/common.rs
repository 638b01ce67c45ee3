//! The part of a commit node that two-phase and three-phase commit share,
//! written once: the durable log, the coordinator's per-transaction
//! bookkeeping and the deadlines behind each timer.

use std::collections::{BTreeMap, BTreeSet};

use super::log::DurableLog;
use super::{Agenda, COORDINATOR, Tx};
use crate::protocol::{NodeId, Time};

/// The coordinator's volatile view of one transaction.
#[derive(Clone, Debug, Default)]
pub(crate) struct CoordTx {
    pub votes: BTreeMap<NodeId, bool>,
    /// 3PC: participants that acknowledged PreCommit.
    pub precommitted: BTreeSet<NodeId>,
    /// Participants that confirmed the decision (2PC Ack, 3PC Done).
    pub confirmed: BTreeSet<NodeId>,
}

/// The durations the shared steps wait, taken from a protocol's params.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    /// How long a participant works before it votes.
    pub vote_delay_ms: Time,
    /// How long the coordinator waits for all votes before it aborts.
    pub vote_timeout_ms: Time,
    /// How long a participant that voted yes waits for the coordinator's
    /// next word (2PC `decision_timeout_ms`, 3PC `participant_timeout_ms`).
    pub wait_ms: Time,
    /// How often an unconfirmed decision is resent (and, in 2PC, how often an
    /// uncertain participant asks again).
    pub retry_ms: Time,
}

/// What every commit node keeps, whichever protocol it runs.
#[derive(Clone, Debug)]
pub(crate) struct Core {
    pub id: NodeId,
    pub n: usize,
    pub log: DurableLog,
    pub timing: Timing,
    /// This participant votes yes (it is not among `no_voters`).
    pub votes_yes: bool,
    // Coordinator, volatile.
    pub coord: BTreeMap<Tx, CoordTx>,
    pub votes_due: Agenda,
    /// 3PC: PreCommit acknowledgements are overdue.
    pub acks_due: Agenda,
    /// Coordinator: decision resends. 2PC participant: queries.
    pub retry: Agenda,
    // Participant, volatile.
    pub working: BTreeSet<Tx>,
    pub work_due: Agenda,
    /// The coordinator's next word on a transaction voted yes on is overdue.
    pub wait_due: Agenda,
}

impl Core {
    pub fn new(id: NodeId, n: usize, stable: Option<DurableLog>, timing: Timing, no_voters: &[NodeId]) -> Core {
        Core {
            id,
            n,
            log: stable.unwrap_or_default(),
            timing,
            votes_yes: !no_voters.contains(&id),
            coord: BTreeMap::new(),
            votes_due: Agenda::default(),
            acks_due: Agenda::default(),
            retry: Agenda::default(),
            working: BTreeSet::new(),
            work_due: Agenda::default(),
            wait_due: Agenda::default(),
        }
    }

    pub fn is_coordinator(&self) -> bool {
        self.id == COORDINATOR
    }

    pub fn participants(&self) -> usize {
        self.n.saturating_sub(1)
    }
}
