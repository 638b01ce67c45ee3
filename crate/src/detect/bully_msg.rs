//! The bully election on the wire: its four messages, its four timers and
//! its `params` (see docs/protocols/bully.md).

use serde::Serialize;

use super::msg::ms_in;
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName};
use crate::scenario::ScenarioError;

/// Message kinds, in the order the legend and the metrics list them.
pub const KIND_NAMES: [&str; 4] = ["ELECTION", "OK", "COORDINATOR", "ALIVE"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum BullyMsg {
    /// "I am holding an election": sent to every higher id.
    Election,
    /// The answer of a live higher id to an ELECTION: "I am here and take
    /// over; wait for my COORDINATOR".
    Ok,
    /// "I am the coordinator": sent by the winner to every lower id.
    Coordinator,
    /// The coordinator's heartbeat, to every other id every `heartbeat_ms`.
    Alive { seq: u64 },
}

impl BullyMsg {
    /// The index of the message's kind in [`KIND_NAMES`].
    pub fn index(&self) -> usize {
        match self {
            BullyMsg::Election => 0,
            BullyMsg::Ok => 1,
            BullyMsg::Coordinator => 2,
            BullyMsg::Alive { .. } => 3,
        }
    }
}

impl Message for BullyMsg {
    fn kind(&self) -> &'static str {
        KIND_NAMES[self.index()]
    }
    fn label(&self) -> String {
        match self {
            BullyMsg::Election => "election".into(),
            BullyMsg::Ok => "ok".into(),
            BullyMsg::Coordinator => "coord".into(),
            BullyMsg::Alive { seq } => format!("♥{seq}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum BullyTimer {
    /// The coordinator's heartbeat (every `heartbeat_ms`).
    Beat,
    /// A follower's patience with its coordinator (`timeout_ms` after the
    /// last word from it): when it fires, the coordinator is taken for dead.
    Watch,
    /// Waiting for an OK from a higher id (`answer_timeout_ms`): when it
    /// fires, no higher id is alive and this node wins.
    Answer,
    /// Waiting for the COORDINATOR of whoever answered OK
    /// (`coordinator_timeout_ms`): when it fires, the election starts again.
    Await,
}

impl TimerName for BullyTimer {
    fn name(&self) -> &'static str {
        match self {
            BullyTimer::Beat => "beat",
            BullyTimer::Watch => "watch",
            BullyTimer::Answer => "answer",
            BullyTimer::Await => "await",
        }
    }
}

/// `params` for `bully`. The defaults suit the default network (10–30 ms):
/// an OK comes back within 60 ms, well inside `answer_timeout_ms`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BullyParams {
    pub heartbeat_ms: Time,
    pub timeout_ms: Time,
    pub answer_timeout_ms: Time,
    pub coordinator_timeout_ms: Time,
}

impl Default for BullyParams {
    fn default() -> Self {
        BullyParams { heartbeat_ms: 1000, timeout_ms: 3000, answer_timeout_ms: 200, coordinator_timeout_ms: 1000 }
    }
}

impl Params for BullyParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("heartbeat_ms", "How often the coordinator sends ALIVE to every other node.", &mut self.heartbeat_ms)?;
        r.field("timeout_ms", "A follower that hears nothing from its coordinator for this long takes it for dead and starts an election.", &mut self.timeout_ms)?;
        r.field("answer_timeout_ms", "How long an electing node waits for an OK from a higher id before it declares itself coordinator (T in the paper: at least a round trip).", &mut self.answer_timeout_ms)?;
        r.field("coordinator_timeout_ms", "How long a node that got an OK waits for the COORDINATOR message before it starts the election again.", &mut self.coordinator_timeout_ms)?;
        Ok(())
    }

    fn validate(&self, _nodes: usize) -> Result<(), String> {
        ms_in("heartbeat_ms", self.heartbeat_ms, 10)?;
        ms_in("timeout_ms", self.timeout_ms, 1)?;
        ms_in("answer_timeout_ms", self.answer_timeout_ms, 1)?;
        ms_in("coordinator_timeout_ms", self.coordinator_timeout_ms, 1)
    }
}

/// Where a node is in the algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Settled: `coordinator` names the coordinator (perhaps itself).
    Normal(NodeId),
    /// Sent ELECTION to the higher ids, waiting for an OK.
    Electing,
    /// Got an OK, waiting for a COORDINATOR.
    Waiting,
}

impl Phase {
    pub fn name(self, me: NodeId) -> &'static str {
        match self {
            Phase::Normal(c) if c == me => "coordinator",
            Phase::Normal(_) => "follower",
            Phase::Electing => "electing",
            Phase::Waiting => "waiting",
        }
    }
}
