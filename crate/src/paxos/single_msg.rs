//! Single-decree Paxos on the wire: the two phases' messages and their
//! replies, the proposer's one timer, and the `params` of the `paxos` engine.

use serde::Serialize;

use super::ballot::{Ballot, short};
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName, Value};
use crate::scenario::ScenarioError;

/// An accepted proposal: the ballot it was accepted in and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub ballot: Ballot,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum PaxosMsg {
    /// Phase 1a: "prepare request with number n".
    Prepare { ballot: Ballot },
    /// Phase 1b: a promise not to accept anything numbered below `ballot`,
    /// with the highest-numbered proposal this acceptor has accepted.
    Promise { ballot: Ballot, accepted: Option<Proposal> },
    /// Phase 2a: "accept request" for `value` in `ballot`.
    Accept { ballot: Ballot, value: Value },
    /// Phase 2b: the acceptor accepted `ballot`'s proposal.
    Accepted { ballot: Ballot },
    /// The optional refusal of "Paxos Made Simple" §2.3: `ballot` was refused
    /// because this acceptor already promised the higher `promised`.
    Nack { ballot: Ballot, promised: Ballot },
    /// A learner's news (§2.4): `value` is chosen.
    Decide { value: Value },
}

impl Message for PaxosMsg {
    fn kind(&self) -> &'static str {
        match self {
            PaxosMsg::Prepare { .. } => "Prepare",
            PaxosMsg::Promise { .. } => "Promise",
            PaxosMsg::Accept { .. } => "Accept",
            PaxosMsg::Accepted { .. } => "Accepted",
            PaxosMsg::Nack { .. } => "Nack",
            PaxosMsg::Decide { .. } => "Decide",
        }
    }

    fn label(&self) -> String {
        match self {
            PaxosMsg::Prepare { ballot } => format!("prepare {ballot}"),
            PaxosMsg::Promise { ballot, accepted: None } => format!("promise {ballot}"),
            PaxosMsg::Promise { ballot, accepted: Some(p) } => {
                format!("promise {ballot} had {}={}", p.ballot, short(&p.value, 8))
            }
            PaxosMsg::Accept { ballot, value } => format!("accept {ballot} {}", short(value, 8)),
            PaxosMsg::Accepted { ballot } => format!("accepted {ballot}"),
            PaxosMsg::Nack { ballot, promised } => format!("nack {ballot}<{promised}"),
            PaxosMsg::Decide { value } => format!("decide {}", short(value, 8)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PaxosTimer {
    /// A proposer's round did not finish in time, or its back-off is over:
    /// start a new round.
    Retry,
}

impl TimerName for PaxosTimer {
    fn name(&self) -> &'static str {
        match self {
            PaxosTimer::Retry => "retry",
        }
    }
}

/// `params` for `paxos`; see docs/protocols/paxos.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaxosParams {
    /// The nodes that may propose; `null` means every node.
    pub proposers: Option<Vec<NodeId>>,
    /// When set, only this node proposes and every other node redirects
    /// clients to it (§2.4's distinguished proposer).
    pub distinguished_proposer: Option<NodeId>,
    /// After a refusal, wait a random delay before the next round. Off, a
    /// refused proposer retries at once, which can livelock (§2.4).
    pub backoff: bool,
    /// The back-off delay range; its upper end doubles with each failed
    /// round in a row, up to eight times.
    pub backoff_ms: (Time, Time),
    /// A round that has not finished by then is abandoned and retried
    /// (lost messages, crashed acceptors).
    pub round_timeout_ms: Time,
    /// Deliberately unsafe: a proposer ignores the values reported in
    /// promises and proposes its own, breaking the value-adoption rule.
    pub unsafe_ignore_promised_values: bool,
    /// Deliberately unsafe: nothing of the acceptor and learner survives a
    /// crash (no persistence): a restarted node has forgotten what it
    /// promised, accepted and learned. Only the proposer's round counter is
    /// kept, so the lesson is the acceptor's.
    pub unsafe_amnesia: bool,
}

impl Default for PaxosParams {
    fn default() -> Self {
        PaxosParams {
            proposers: None,
            distinguished_proposer: None,
            backoff: true,
            backoff_ms: (20, 120),
            round_timeout_ms: 300,
            unsafe_ignore_promised_values: false,
            unsafe_amnesia: false,
        }
    }
}

impl PaxosParams {
    /// Whether `node` may propose under these params.
    pub fn may_propose(&self, node: NodeId) -> bool {
        match (self.distinguished_proposer, &self.proposers) {
            (Some(d), _) => d == node,
            (None, Some(list)) => list.contains(&node),
            (None, None) => true,
        }
    }

    /// Where a node that may not propose sends clients.
    pub fn redirect_target(&self) -> Option<NodeId> {
        self.distinguished_proposer.or_else(|| self.proposers.as_ref().and_then(|l| l.iter().min().copied()))
    }
}

impl Params for PaxosParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("proposers", "The nodes that may propose; `null` means every node.", &mut self.proposers)?;
        r.field("distinguished_proposer", "When set, only this node proposes and every other node redirects clients to it (§2.4's distinguished proposer).", &mut self.distinguished_proposer)?;
        r.field("backoff", "After a refusal, wait a random delay before the next round. Off, a refused proposer retries at once, which can livelock (§2.4).", &mut self.backoff)?;
        r.field(
            "backoff_ms",
            "The back-off delay range; its upper end doubles with each failed round in a row, up to eight times.",
            &mut self.backoff_ms,
        )?;
        r.field(
            "round_timeout_ms",
            "A round that has not finished by then is abandoned and retried (lost messages, crashed acceptors).",
            &mut self.round_timeout_ms,
        )?;
        r.field("unsafe_ignore_promised_values", "Deliberately unsafe: a proposer ignores the values reported in promises and proposes its own, breaking the value-adoption rule.", &mut self.unsafe_ignore_promised_values)?;
        r.field("unsafe_amnesia", "Deliberately unsafe: nothing of the acceptor and learner survives a crash (no persistence): a restarted node has forgotten what it promised, accepted and learned. Only the proposer's round counter is kept, so the lesson is the acceptor's.", &mut self.unsafe_amnesia)?;
        Ok(())
    }
    fn validate(&self, nodes: usize) -> Result<(), String> {
        if let Some(list) = &self.proposers {
            if list.is_empty() {
                return Err("proposers must name at least one node (or be null for every node)".into());
            }
            for (i, &p) in list.iter().enumerate() {
                if p >= nodes {
                    return Err(format!("proposers[{i}]: node {p} does not exist (nodes 0..{})", nodes - 1));
                }
                if list[..i].contains(&p) {
                    return Err(format!("proposers[{i}]: node {p} is listed twice"));
                }
            }
        }
        if let Some(d) = self.distinguished_proposer {
            if d >= nodes {
                return Err(format!("distinguished_proposer: node {d} does not exist (nodes 0..{})", nodes - 1));
            }
            if self.proposers.as_ref().is_some_and(|l| !l.contains(&d)) {
                return Err(format!("distinguished_proposer {d} is not among the proposers"));
            }
        }
        let (lo, hi) = self.backoff_ms;
        if lo == 0 || lo > hi || hi > 600_000 {
            return Err(format!("backoff_ms [{lo}, {hi}] must be a range [min, max] with 1 <= min <= max <= 600000"));
        }
        if self.round_timeout_ms == 0 || self.round_timeout_ms > 600_000 {
            return Err("round_timeout_ms must be between 1 and 600000".into());
        }
        Ok(())
    }
}
