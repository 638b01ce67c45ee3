//! Two-phase commit's wire messages, timers and parameters.

use serde::Serialize;

use super::{Tx, check_ms, check_no_voters, short};
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName};
use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum TwoPcMsg {
    /// Coordinator → participant: phase 1, "are you prepared to commit?"
    Prepare { tx: Tx },
    /// Participant → coordinator: yes (prepared) or no (aborted).
    Vote { tx: Tx, yes: bool },
    /// Coordinator → participant: phase 2, the decision is commit.
    Commit { tx: Tx },
    /// Coordinator → participant: the decision is abort.
    Abort { tx: Tx },
    /// Participant → coordinator: the decision is in my log.
    Ack { tx: Tx },
    /// Uncertain participant → coordinator: what was decided?
    Query { tx: Tx },
}

impl TwoPcMsg {
    pub fn tx(&self) -> &Tx {
        match self {
            TwoPcMsg::Prepare { tx }
            | TwoPcMsg::Vote { tx, .. }
            | TwoPcMsg::Commit { tx }
            | TwoPcMsg::Abort { tx }
            | TwoPcMsg::Ack { tx }
            | TwoPcMsg::Query { tx } => tx,
        }
    }
}

impl Message for TwoPcMsg {
    fn kind(&self) -> &'static str {
        match self {
            TwoPcMsg::Prepare { .. } => "Prepare",
            TwoPcMsg::Vote { .. } => "Vote",
            TwoPcMsg::Commit { .. } => "Commit",
            TwoPcMsg::Abort { .. } => "Abort",
            TwoPcMsg::Ack { .. } => "Ack",
            TwoPcMsg::Query { .. } => "Query",
        }
    }

    fn label(&self) -> String {
        let word = match self {
            TwoPcMsg::Prepare { .. } => "prepare",
            TwoPcMsg::Vote { yes: true, .. } => "yes",
            TwoPcMsg::Vote { yes: false, .. } => "no",
            TwoPcMsg::Commit { .. } => "commit",
            TwoPcMsg::Abort { .. } => "abort",
            TwoPcMsg::Ack { .. } => "ack",
            TwoPcMsg::Query { .. } => "outcome?",
        };
        format!("{word} {}", short(self.tx()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TwoPcTimer {
    /// Coordinator: a transaction's votes are overdue.
    Votes,
    /// Coordinator: resend a decision to participants that have not
    /// acknowledged it. Uncertain participant: ask again.
    Retry,
    /// Participant: its local work is done and it votes.
    Work,
    /// Participant: a prepared transaction's decision is overdue.
    Decision,
}

impl TimerName for TwoPcTimer {
    fn name(&self) -> &'static str {
        match self {
            TwoPcTimer::Votes => "votes",
            TwoPcTimer::Retry => "retry",
            TwoPcTimer::Work => "work",
            TwoPcTimer::Decision => "decision",
        }
    }
}

/// `params` for `2pc`; see docs/protocols/commit.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TwoPcParams {
    /// Participants that vote no on every transaction.
    pub no_voters: Vec<NodeId>,
    /// How long a participant works on a transaction after Prepare arrives
    /// before it votes (finishing its work and forcing its vote record).
    pub vote_delay_ms: Time,
    /// How long the coordinator waits for all votes before it aborts.
    pub vote_timeout_ms: Time,
    /// How long a prepared participant waits for the decision before it
    /// counts itself uncertain (blocked) and starts asking the coordinator.
    pub decision_timeout_ms: Time,
    /// How often the coordinator resends an unacknowledged decision, and an
    /// uncertain participant asks again.
    pub retry_ms: Time,
    /// Deliberately unsafe: the coordinator does not force its decision to
    /// its log. Restarted, it has forgotten it, presumes abort and may
    /// decide the other way.
    pub unsafe_no_durable_log: bool,
    /// Deliberately unsafe: a prepared participant whose decision is overdue
    /// aborts on its own instead of waiting for the coordinator (§3: after a
    /// yes vote it may not).
    pub unsafe_decide_alone: bool,
}

impl Default for TwoPcParams {
    fn default() -> Self {
        TwoPcParams {
            no_voters: Vec::new(),
            vote_delay_ms: 50,
            vote_timeout_ms: 500,
            decision_timeout_ms: 500,
            retry_ms: 500,
            unsafe_no_durable_log: false,
            unsafe_decide_alone: false,
        }
    }
}

impl Params for TwoPcParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("no_voters", "Participants that vote no on every transaction.", &mut self.no_voters)?;
        r.field("vote_delay_ms", "How long a participant works on a transaction after Prepare arrives before it votes (finishing its work and forcing its vote record).", &mut self.vote_delay_ms)?;
        r.field(
            "vote_timeout_ms",
            "How long the coordinator waits for all votes before it aborts.",
            &mut self.vote_timeout_ms,
        )?;
        r.field("decision_timeout_ms", "How long a prepared participant waits for the decision before it counts itself uncertain (blocked) and starts asking the coordinator.", &mut self.decision_timeout_ms)?;
        r.field(
            "retry_ms",
            "How often the coordinator resends an unacknowledged decision, and an uncertain participant asks again.",
            &mut self.retry_ms,
        )?;
        r.field("unsafe_no_durable_log", "Deliberately unsafe: the coordinator does not force its decision to its log. Restarted, it has forgotten it, presumes abort and may decide the other way.", &mut self.unsafe_no_durable_log)?;
        r.field("unsafe_decide_alone", "Deliberately unsafe: a prepared participant whose decision is overdue aborts on its own instead of waiting for the coordinator (§3: after a yes vote it may not).", &mut self.unsafe_decide_alone)?;
        Ok(())
    }
    fn validate(&self, nodes: usize) -> Result<(), String> {
        check_no_voters(&self.no_voters, nodes)?;
        check_ms("vote_delay_ms", self.vote_delay_ms, 0)?;
        check_ms("vote_timeout_ms", self.vote_timeout_ms, 1)?;
        check_ms("decision_timeout_ms", self.decision_timeout_ms, 1)?;
        check_ms("retry_ms", self.retry_ms, 1)
    }
}
