//! Raft's wire messages (Figure 2's two RPCs and their replies), its timers
//! and its parameters.

use serde::Serialize;

use super::log::{Entry, Index, Term};
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName};
use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum RaftMsg {
    /// Invoked by candidates to gather votes (§5.2).
    RequestVote { term: Term, candidate: NodeId, last_log_index: Index, last_log_term: Term },
    /// The RequestVote result.
    Vote { term: Term, granted: bool },
    /// Invoked by the leader to replicate entries (§5.3); also the heartbeat.
    AppendEntries {
        term: Term,
        leader: NodeId,
        prev_log_index: Index,
        prev_log_term: Term,
        entries: Vec<Entry>,
        leader_commit: Index,
    },
    /// The AppendEntries result. Beyond Figure 2's `term` and `success` it
    /// says which request it answers (`prev_log_index`) and, on success, the
    /// last index it verified (`match_index`), so that late or reordered
    /// replies cannot move the leader's bookkeeping backwards.
    AppendReply { term: Term, success: bool, prev_log_index: Index, match_index: Index },
}

impl Message for RaftMsg {
    fn kind(&self) -> &'static str {
        match self {
            RaftMsg::RequestVote { .. } => "RequestVote",
            RaftMsg::Vote { .. } => "Vote",
            RaftMsg::AppendEntries { entries, .. } if entries.is_empty() => "Heartbeat",
            RaftMsg::AppendEntries { .. } => "AppendEntries",
            RaftMsg::AppendReply { .. } => "AppendReply",
        }
    }

    fn label(&self) -> String {
        match self {
            RaftMsg::RequestVote { term, .. } => format!("RequestVote t{term}"),
            RaftMsg::Vote { term, granted: true } => format!("vote yes t{term}"),
            RaftMsg::Vote { term, granted: false } => format!("vote no t{term}"),
            RaftMsg::AppendEntries { term, entries, .. } if entries.is_empty() => format!("heartbeat t{term}"),
            RaftMsg::AppendEntries { term, prev_log_index, entries, .. } => {
                let first = prev_log_index + 1;
                let last = prev_log_index + entries.len() as u64;
                if first == last {
                    format!("append [{first}] t{term}")
                } else {
                    format!("append [{first}..{last}] t{term}")
                }
            }
            RaftMsg::AppendReply { success: true, match_index, .. } => format!("ok, have {match_index}"),
            RaftMsg::AppendReply { success: false, prev_log_index, .. } => format!("no match at {prev_log_index}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum RaftTimer {
    Election,
    Heartbeat,
}

impl TimerName for RaftTimer {
    fn name(&self) -> &'static str {
        match self {
            RaftTimer::Election => "election",
            RaftTimer::Heartbeat => "heartbeat",
        }
    }
}

/// `params` for `raft`; see docs/PROTOCOLS.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RaftParams {
    /// Each election timeout is drawn uniformly from this range (§5.2).
    pub election_timeout_ms: (Time, Time),
    /// How often a leader sends AppendEntries when it has nothing new.
    pub heartbeat_ms: Time,
    /// The most entries one AppendEntries carries.
    pub max_entries_per_message: u64,
    /// A new leader appends a no-op entry so it can commit earlier terms' entries
    /// without waiting for a client (§8). Off by default, as in Figure 2.
    pub leader_noop: bool,
    /// Deliberately unsafe: a leader commits entries from earlier terms by
    /// counting replicas, which §5.4.2 forbids. For watching Figure 8 go wrong.
    pub unsafe_commit_previous_terms: bool,
    /// Deliberately unsafe: a leader answers a read from its own state at
    /// once, without checking that it still leads (no read through the log,
    /// no ReadIndex). Under a partition it returns stale values.
    pub unsafe_local_reads: bool,
    /// Deliberately unsafe: a server grants every candidate that asks in its
    /// current term, not only the first (§5.2 allows one vote per term).
    /// Two candidates win the same term.
    pub unsafe_double_vote: bool,
    /// Deliberately unsafe: a server grants its vote without the §5.4.1
    /// check that the candidate's log is at least as up-to-date as its own.
    /// A leader without a committed entry erases it.
    pub unsafe_skip_up_to_date_check: bool,
}

impl Default for RaftParams {
    fn default() -> Self {
        RaftParams {
            election_timeout_ms: (150, 300),
            heartbeat_ms: 50,
            max_entries_per_message: 64,
            leader_noop: false,
            unsafe_commit_previous_terms: false,
            unsafe_local_reads: false,
            unsafe_double_vote: false,
            unsafe_skip_up_to_date_check: false,
        }
    }
}

impl Params for RaftParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field(
            "election_timeout_ms",
            "each election timeout is drawn uniformly from this range (§5.2)",
            &mut self.election_timeout_ms,
        )?;
        r.field(
            "heartbeat_ms",
            "how often a leader sends AppendEntries when it has nothing new",
            &mut self.heartbeat_ms,
        )?;
        r.field(
            "max_entries_per_message",
            "the most entries one AppendEntries carries",
            &mut self.max_entries_per_message,
        )?;
        r.field(
            "leader_noop",
            "a new leader appends a no-op entry so it can commit earlier terms' entries (§8)",
            &mut self.leader_noop,
        )?;
        r.field(
            "unsafe_commit_previous_terms",
            "deliberately unsafe: commit earlier terms' entries by counting replicas, which §5.4.2 forbids",
            &mut self.unsafe_commit_previous_terms,
        )?;
        r.field(
            "unsafe_local_reads",
            "deliberately unsafe: a leader answers reads from its own state without checking it still leads",
            &mut self.unsafe_local_reads,
        )?;
        r.field(
            "unsafe_double_vote",
            "deliberately unsafe: grant a vote to every candidate of the term, not only the first (§5.2)",
            &mut self.unsafe_double_vote,
        )?;
        r.field(
            "unsafe_skip_up_to_date_check",
            "deliberately unsafe: grant a vote without the §5.4.1 check that the candidate's log is up to date",
            &mut self.unsafe_skip_up_to_date_check,
        )?;
        Ok(())
    }
    fn validate(&self, _nodes: usize) -> Result<(), String> {
        let (lo, hi) = self.election_timeout_ms;
        if lo == 0 || lo > hi || hi > 600_000 {
            return Err(format!(
                "election_timeout_ms [{lo}, {hi}] must be a range [min, max] with 1 <= min <= max <= 600000"
            ));
        }
        if self.heartbeat_ms == 0 || self.heartbeat_ms > 600_000 {
            return Err("heartbeat_ms must be between 1 and 600000".into());
        }
        if self.max_entries_per_message == 0 {
            return Err("max_entries_per_message must be at least 1".into());
        }
        Ok(())
    }
}
