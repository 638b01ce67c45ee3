//! Three-phase commit's wire messages, timers and parameters.

use serde::Serialize;

use super::{Tx, check_ms, check_no_voters, short};
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName};
use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum ThreePcMsg {
    /// Coordinator → participant: phase 1, "can you commit?"
    CanCommit { tx: Tx },
    /// Participant → coordinator: yes or no.
    Vote { tx: Tx, yes: bool },
    /// Coordinator → participant: phase 2, everyone voted yes; get ready.
    PreCommit { tx: Tx },
    /// Participant → coordinator: pre-committed.
    Ack { tx: Tx },
    /// Coordinator → participant: phase 3, commit.
    DoCommit { tx: Tx },
    /// Coordinator → participant: the decision is abort.
    Abort { tx: Tx },
    /// Participant → coordinator: the decision is in my log.
    Done { tx: Tx },
}

impl ThreePcMsg {
    pub fn tx(&self) -> &Tx {
        match self {
            ThreePcMsg::CanCommit { tx }
            | ThreePcMsg::Vote { tx, .. }
            | ThreePcMsg::PreCommit { tx }
            | ThreePcMsg::Ack { tx }
            | ThreePcMsg::DoCommit { tx }
            | ThreePcMsg::Abort { tx }
            | ThreePcMsg::Done { tx } => tx,
        }
    }
}

impl Message for ThreePcMsg {
    fn kind(&self) -> &'static str {
        match self {
            ThreePcMsg::CanCommit { .. } => "CanCommit",
            ThreePcMsg::Vote { .. } => "Vote",
            ThreePcMsg::PreCommit { .. } => "PreCommit",
            ThreePcMsg::Ack { .. } => "Ack",
            ThreePcMsg::DoCommit { .. } => "DoCommit",
            ThreePcMsg::Abort { .. } => "Abort",
            ThreePcMsg::Done { .. } => "Done",
        }
    }

    fn label(&self) -> String {
        let word = match self {
            ThreePcMsg::CanCommit { .. } => "can commit?",
            ThreePcMsg::Vote { yes: true, .. } => "yes",
            ThreePcMsg::Vote { yes: false, .. } => "no",
            ThreePcMsg::PreCommit { .. } => "precommit",
            ThreePcMsg::Ack { .. } => "ack",
            ThreePcMsg::DoCommit { .. } => "commit",
            ThreePcMsg::Abort { .. } => "abort",
            ThreePcMsg::Done { .. } => "done",
        };
        format!("{word} {}", short(self.tx()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ThreePcTimer {
    /// Coordinator: a transaction's votes are overdue.
    Votes,
    /// Coordinator: a transaction's PreCommit acknowledgements are overdue.
    Acks,
    /// Coordinator: resend a decision to participants that have not
    /// confirmed it.
    Retry,
    /// Participant: its local work is done and it votes.
    Work,
    /// Participant: the next message from the coordinator is overdue, and
    /// it decides by the timeout rule.
    Timeout,
}

impl TimerName for ThreePcTimer {
    fn name(&self) -> &'static str {
        match self {
            ThreePcTimer::Votes => "votes",
            ThreePcTimer::Acks => "acks",
            ThreePcTimer::Retry => "retry",
            ThreePcTimer::Work => "work",
            ThreePcTimer::Timeout => "timeout",
        }
    }
}

/// `params` for `3pc`; see docs/protocols/commit.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreePcParams {
    /// Participants that vote no on every transaction.
    pub no_voters: Vec<NodeId>,
    /// How long a participant works on a transaction after CanCommit
    /// arrives before it votes.
    pub vote_delay_ms: Time,
    /// How long the coordinator waits for all votes before it aborts.
    pub vote_timeout_ms: Time,
    /// How long the coordinator waits for PreCommit acknowledgements before
    /// it commits anyway.
    pub ack_timeout_ms: Time,
    /// How long a participant that voted yes waits for the coordinator's next
    /// message before it decides alone: abort if not pre-committed, commit
    /// if pre-committed.
    pub participant_timeout_ms: Time,
    /// How often the coordinator resends an unconfirmed decision.
    pub retry_ms: Time,
}

impl Default for ThreePcParams {
    fn default() -> Self {
        ThreePcParams {
            no_voters: Vec::new(),
            vote_delay_ms: 50,
            vote_timeout_ms: 500,
            ack_timeout_ms: 500,
            participant_timeout_ms: 1_000,
            retry_ms: 500,
        }
    }
}

impl Params for ThreePcParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("no_voters", "Participants that vote no on every transaction.", &mut self.no_voters)?;
        r.field(
            "vote_delay_ms",
            "How long a participant works on a transaction after CanCommit arrives before it votes.",
            &mut self.vote_delay_ms,
        )?;
        r.field(
            "vote_timeout_ms",
            "How long the coordinator waits for all votes before it aborts.",
            &mut self.vote_timeout_ms,
        )?;
        r.field(
            "ack_timeout_ms",
            "How long the coordinator waits for PreCommit acknowledgements before it commits anyway.",
            &mut self.ack_timeout_ms,
        )?;
        r.field("participant_timeout_ms", "How long a participant that voted yes waits for the coordinator's next message before it decides alone: abort if not pre-committed, commit if pre-committed.", &mut self.participant_timeout_ms)?;
        r.field("retry_ms", "How often the coordinator resends an unconfirmed decision.", &mut self.retry_ms)?;
        Ok(())
    }
    fn validate(&self, nodes: usize) -> Result<(), String> {
        check_no_voters(&self.no_voters, nodes)?;
        check_ms("vote_delay_ms", self.vote_delay_ms, 0)?;
        check_ms("vote_timeout_ms", self.vote_timeout_ms, 1)?;
        check_ms("ack_timeout_ms", self.ack_timeout_ms, 1)?;
        check_ms("participant_timeout_ms", self.participant_timeout_ms, 1)?;
        check_ms("retry_ms", self.retry_ms, 1)
    }
}
