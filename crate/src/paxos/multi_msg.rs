//! Multi-Paxos on the wire: commands, the per-slot phase 2 messages, the
//! leader's phase 1 for all slots at once, heartbeats and catch-up, the
//! timers, and the `params` of the `multi-paxos` engine.

use std::rc::Rc;

use serde::{Serialize, Serializer};

use super::ballot::{Ballot, short};
use crate::params::ParamReader;
use crate::protocol::{ClientOp, Message, Params, Time, TimerName, Value};
use crate::scenario::ScenarioError;

/// A log position; the first slot is 0.
pub type Slot = u64;

/// What a slot holds: a client's value, or the no-op a new leader uses to
/// fill a gap ("Paxos Made Simple" §3).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cmd {
    Noop,
    Value(Value),
    /// A client operation, answered by the leader once executed.
    Op(Rc<OpCmd>),
}

/// A client operation in a slot, with the text the page shows for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpCmd {
    pub op: ClientOp,
    pub text: String,
}

impl Cmd {
    /// How the page shows a no-op.
    pub const NOOP_TEXT: &'static str = "no-op";

    pub fn text(&self) -> &str {
        match self {
            Cmd::Noop => Cmd::NOOP_TEXT,
            Cmd::Value(v) => v,
            Cmd::Op(o) => &o.text,
        }
    }
}

impl Serialize for Cmd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

/// A proposal an acceptor accepted for a slot (a "pvalue").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PValue {
    pub slot: Slot,
    pub ballot: Ballot,
    pub cmd: Cmd,
}

/// A slot known to be chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub slot: Slot,
    pub cmd: Cmd,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum MultiMsg {
    /// Phase 1a for every slot from `from_slot` on.
    Prepare { ballot: Ballot, from_slot: Slot },
    /// Phase 1b: the promise, with every proposal accepted from `from_slot` on.
    Promise { ballot: Ballot, accepted: Vec<PValue> },
    /// Phase 2a for one slot.
    Accept { ballot: Ballot, slot: Slot, cmd: Cmd },
    /// Phase 2b for one slot.
    Accepted { ballot: Ballot, slot: Slot },
    /// `ballot` was refused: this acceptor promised the higher `promised`.
    Nack { ballot: Ballot, promised: Ballot },
    /// Slots known chosen: one after each phase 2, or a batch for catch-up.
    Decide { decisions: Vec<Decision> },
    /// The leader is alive; it knows every slot below `chosen_upto` is chosen.
    Heartbeat { ballot: Ballot, chosen_upto: Slot },
    /// A replica that misses decisions asks for those from `from_slot` on.
    CatchUp { from_slot: Slot },
}

impl Message for MultiMsg {
    fn kind(&self) -> &'static str {
        match self {
            MultiMsg::Prepare { .. } => "Prepare",
            MultiMsg::Promise { .. } => "Promise",
            MultiMsg::Accept { .. } => "Accept",
            MultiMsg::Accepted { .. } => "Accepted",
            MultiMsg::Nack { .. } => "Nack",
            MultiMsg::Decide { .. } => "Decide",
            MultiMsg::Heartbeat { .. } => "Heartbeat",
            MultiMsg::CatchUp { .. } => "CatchUp",
        }
    }

    fn label(&self) -> String {
        match self {
            MultiMsg::Prepare { ballot, from_slot } => format!("prepare {ballot} s{from_slot}+"),
            MultiMsg::Promise { ballot, accepted } if accepted.is_empty() => format!("promise {ballot}"),
            MultiMsg::Promise { ballot, accepted } => format!("promise {ballot} +{}", accepted.len()),
            MultiMsg::Accept { ballot, slot, cmd } => format!("accept s{slot} {ballot} {}", short(cmd.text(), 8)),
            MultiMsg::Accepted { ballot, slot } => format!("accepted s{slot} {ballot}"),
            MultiMsg::Nack { ballot, promised } => format!("nack {ballot}<{promised}"),
            MultiMsg::Decide { decisions } => match decisions.as_slice() {
                [one] => format!("decide s{} {}", one.slot, short(one.cmd.text(), 8)),
                [first, .., last] => format!("decide s{}..s{} ({})", first.slot, last.slot, decisions.len()),
                [] => "decide".to_string(),
            },
            MultiMsg::Heartbeat { ballot, .. } => format!("heartbeat {ballot}"),
            MultiMsg::CatchUp { from_slot } => format!("catch up s{from_slot}+"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum MultiTimer {
    /// Follower or candidate: no word from a leader for a while.
    Election,
    /// Leader: time to send heartbeats and resend unanswered accepts.
    Heartbeat,
}

impl TimerName for MultiTimer {
    fn name(&self) -> &'static str {
        match self {
            MultiTimer::Election => "election",
            MultiTimer::Heartbeat => "heartbeat",
        }
    }
}

/// `params` for `multi-paxos`; see docs/protocols/paxos.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MultiPaxosParams {
    /// How often the leader sends heartbeats.
    pub heartbeat_ms: Time,
    /// A node that hears no leader for a time drawn from this range suspects
    /// it failed and runs phase 1 to become leader.
    pub leader_timeout_ms: (Time, Time),
    /// The most decisions one catch-up reply carries.
    pub max_decisions_per_message: u64,
    /// Deliberately unsafe: a new leader ignores the values reported in
    /// promises and reuses slots from its own first gap.
    pub unsafe_ignore_promised_values: bool,
    /// Deliberately unsafe: the leader answers a read from its own state at
    /// once, without checking that it still leads.
    pub unsafe_local_reads: bool,
    /// Deliberately unsafe: a new leader does not re-propose the values
    /// reported accepted in promises; it fills those slots with no-ops, as
    /// it fills gaps (new commands still go after them). A value chosen
    /// there but not yet known to the leader is replaced.
    pub unsafe_skip_re_propose: bool,
}

impl Default for MultiPaxosParams {
    fn default() -> Self {
        MultiPaxosParams {
            heartbeat_ms: 50,
            leader_timeout_ms: (150, 300),
            max_decisions_per_message: 32,
            unsafe_ignore_promised_values: false,
            unsafe_local_reads: false,
            unsafe_skip_re_propose: false,
        }
    }
}

impl Params for MultiPaxosParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("heartbeat_ms", "How often the leader sends heartbeats.", &mut self.heartbeat_ms)?;
        r.field("leader_timeout_ms", "A node that hears no leader for a time drawn from this range suspects it failed and runs phase 1 to become leader.", &mut self.leader_timeout_ms)?;
        r.field(
            "max_decisions_per_message",
            "The most decisions one catch-up reply carries.",
            &mut self.max_decisions_per_message,
        )?;
        r.field("unsafe_ignore_promised_values", "Deliberately unsafe: a new leader ignores the values reported in promises and reuses slots from its own first gap.", &mut self.unsafe_ignore_promised_values)?;
        r.field(
            "unsafe_local_reads",
            "Deliberately unsafe: the leader answers a read from its own state at once, without checking that it still leads.",
            &mut self.unsafe_local_reads,
        )?;
        r.field("unsafe_skip_re_propose", "Deliberately unsafe: a new leader does not re-propose the values reported accepted in promises; it fills those slots with no-ops, as it fills gaps (new commands still go after them). A value chosen there but not yet known to the leader is replaced.", &mut self.unsafe_skip_re_propose)?;
        Ok(())
    }
    fn validate(&self, _nodes: usize) -> Result<(), String> {
        let (lo, hi) = self.leader_timeout_ms;
        if lo == 0 || lo > hi || hi > 600_000 {
            return Err(format!(
                "leader_timeout_ms [{lo}, {hi}] must be a range [min, max] with 1 <= min <= max <= 600000"
            ));
        }
        if self.heartbeat_ms == 0 || self.heartbeat_ms > 600_000 {
            return Err("heartbeat_ms must be between 1 and 600000".into());
        }
        if self.heartbeat_ms >= lo {
            return Err(format!(
                "heartbeat_ms ({}) must be below leader_timeout_ms's minimum ({lo})",
                self.heartbeat_ms
            ));
        }
        if self.max_decisions_per_message == 0 || self.max_decisions_per_message > 10_000 {
            return Err("max_decisions_per_message must be between 1 and 10000".into());
        }
        Ok(())
    }
}
