//! SWIM on the wire (Das, Gupta, Motivala, DSN 2002): the failure detector's
//! `Ping`, `PingReq` and `Ack` (§3.1), the membership updates they carry
//! piggybacked (§4.1, infection-style dissemination), memberlist's extra
//! `Gossip` and the `Join`/`Sync` exchange of whole member lists (its
//! push-pull), the timers, and the `params` of the `swim` engine with
//! hashicorp/memberlist's LAN defaults.

use serde::Serialize;

use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName};
use crate::scenario::ScenarioError;

/// What a member thinks of another (§4.2, the suspicion mechanism; `left`
/// is memberlist's graceful leave).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Alive,
    Suspect,
    Dead,
    Left,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Alive => "alive",
            State::Suspect => "suspect",
            State::Dead => "dead",
            State::Left => "left",
        }
    }
    /// Dead or left: no longer probed.
    pub fn gone(self) -> bool {
        matches!(self, State::Dead | State::Left)
    }
    /// §4.2's order within one incarnation: alive < suspect < confirm.
    pub fn rank(self) -> u8 {
        match self {
            State::Alive => 0,
            State::Suspect => 1,
            State::Dead | State::Left => 2,
        }
    }
}

/// One membership update: `node` is in `state` at `incarnation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Update {
    pub node: NodeId,
    pub state: State,
    pub incarnation: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum SwimMsg {
    /// A direct probe (§3.1), numbered so that its ack can be matched.
    Ping { seq: u64, updates: Vec<Update> },
    /// "Probe `target` for me" (§3.1, the indirect probe through k members).
    PingReq { seq: u64, target: NodeId, updates: Vec<Update> },
    /// The answer to a ping; a relay forwards its target's ack with the
    /// asker's `seq`.
    Ack { seq: u64, updates: Vec<Update> },
    /// memberlist's gossip: updates sent to a few random members between probes.
    Gossip { updates: Vec<Update> },
    /// A joining (or restarted) node announces itself to a contact.
    Join { incarnation: u64 },
    /// The contact's whole member list, answering a join.
    Sync { members: Vec<Update> },
}

fn tail(updates: &[Update]) -> String {
    if updates.is_empty() { String::new() } else { format!(" +{}", updates.len()) }
}

impl Message for SwimMsg {
    fn kind(&self) -> &'static str {
        match self {
            SwimMsg::Ping { .. } => "Ping",
            SwimMsg::PingReq { .. } => "PingReq",
            SwimMsg::Ack { .. } => "Ack",
            SwimMsg::Gossip { .. } => "Gossip",
            SwimMsg::Join { .. } => "Join",
            SwimMsg::Sync { .. } => "Sync",
        }
    }

    fn label(&self) -> String {
        match self {
            SwimMsg::Ping { seq, updates } => format!("ping #{seq}{}", tail(updates)),
            SwimMsg::PingReq { target, updates, .. } => format!("ping-req n{target}{}", tail(updates)),
            SwimMsg::Ack { seq, updates } => format!("ack #{seq}{}", tail(updates)),
            SwimMsg::Gossip { updates } => format!("gossip{}", tail(updates)),
            SwimMsg::Join { incarnation } => format!("join i{incarnation}"),
            SwimMsg::Sync { members } => format!("sync ({})", members.len()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SwimTimer {
    /// The protocol period (§3.1, T'): pick the next probe target.
    Period,
    /// The earliest deadline of the node's agenda (probe timeouts, relayed
    /// probes, suspicion timeouts) is due.
    Deadline,
    /// memberlist's gossip interval.
    Gossip,
}

impl TimerName for SwimTimer {
    fn name(&self) -> &'static str {
        match self {
            SwimTimer::Period => "period",
            SwimTimer::Deadline => "deadline",
            SwimTimer::Gossip => "gossip",
        }
    }
}

/// What a deadline in a node's agenda is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    /// The direct probe `seq` got no ack in time: ask k members.
    ProbeTimeout(u64),
    /// A probe this node relays for someone else (its own `seq`) is over.
    Relay(u64),
    /// The suspicion of a member runs out: confirm it dead.
    Suspicion(NodeId),
}

/// `params` for `swim`; see docs/protocols/swim.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwimParams {
    pub probe_interval_ms: Time,
    pub probe_timeout_ms: Time,
    pub indirect_checks: u64,
    pub suspicion_mult: u64,
    pub retransmit_mult: u64,
    pub gossip_interval_ms: Time,
    pub gossip_nodes: u64,
    pub suspicion: bool,
}

impl Default for SwimParams {
    fn default() -> Self {
        SwimParams {
            probe_interval_ms: 1000,
            probe_timeout_ms: 500,
            indirect_checks: 3,
            suspicion_mult: 4,
            retransmit_mult: 4,
            gossip_interval_ms: 200,
            gossip_nodes: 3,
            suspicion: true,
        }
    }
}

impl SwimParams {
    /// memberlist's suspicion timeout: `suspicion_mult · max(1, log10 n) ·
    /// probe_interval_ms` for a group of `n` members.
    pub fn suspicion_ms(&self, n: usize) -> Time {
        let scale = crate::base::maths::log10(n.max(1) as f64).max(1.0);
        (self.suspicion_mult as f64 * scale * self.probe_interval_ms as f64) as Time
    }
    /// memberlist's retransmit limit: each update is piggybacked
    /// `retransmit_mult · ⌈log10(n + 1)⌉` times (§4.1's λ log n).
    pub fn retransmits(&self, n: usize) -> u64 {
        let l = libm::ceil(crate::base::maths::log10((n + 1) as f64)) as u64;
        self.retransmit_mult * l.max(1)
    }
}

const MAX_MS: Time = 600_000;

impl Params for SwimParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("probe_interval_ms", "The protocol period T' (§3.1): each member probes one other member this often.", &mut self.probe_interval_ms)?;
        r.field("probe_timeout_ms", "How long a direct ping waits for its ack before k members are asked to probe indirectly (§3.1).", &mut self.probe_timeout_ms)?;
        r.field("indirect_checks", "k, the members asked to probe a target that missed its direct ack (§3.1); 0 turns indirect probes off.", &mut self.indirect_checks)?;
        r.field("suspicion_mult", "The suspicion timeout is suspicion_mult · max(1, log10 n) · probe_interval_ms (memberlist).", &mut self.suspicion_mult)?;
        r.field("retransmit_mult", "Each update is piggybacked retransmit_mult · ⌈log10(n + 1)⌉ times (§4.1, λ log n).", &mut self.retransmit_mult)?;
        r.field("gossip_interval_ms", "memberlist's gossip: every this often a member sends its pending updates to gossip_nodes random members; 0 leaves dissemination to piggybacking alone, as in the paper.", &mut self.gossip_interval_ms)?;
        r.field("gossip_nodes", "How many random members each gossip goes to.", &mut self.gossip_nodes)?;
        r.field("suspicion", "The suspicion mechanism (§4.2); false declares a member dead at once when a probe fails (§3's basic SWIM).", &mut self.suspicion)?;
        Ok(())
    }

    fn validate(&self, _nodes: usize) -> Result<(), String> {
        if !(10..=MAX_MS).contains(&self.probe_interval_ms) {
            return Err(format!("probe_interval_ms must be between 10 and {MAX_MS} (got {})", self.probe_interval_ms));
        }
        if self.probe_timeout_ms == 0 || self.probe_timeout_ms >= self.probe_interval_ms {
            return Err(format!("probe_timeout_ms must be above 0 and below probe_interval_ms (got {})", self.probe_timeout_ms));
        }
        if self.indirect_checks > 16 {
            return Err(format!("indirect_checks must be between 0 and 16 (got {})", self.indirect_checks));
        }
        if !(1..=20).contains(&self.suspicion_mult) {
            return Err(format!("suspicion_mult must be between 1 and 20 (got {})", self.suspicion_mult));
        }
        if !(1..=20).contains(&self.retransmit_mult) {
            return Err(format!("retransmit_mult must be between 1 and 20 (got {})", self.retransmit_mult));
        }
        if self.gossip_interval_ms != 0 && !(10..=MAX_MS).contains(&self.gossip_interval_ms) {
            return Err(format!("gossip_interval_ms must be 0 (off) or between 10 and {MAX_MS} (got {})", self.gossip_interval_ms));
        }
        if !(1..=16).contains(&self.gossip_nodes) {
            return Err(format!("gossip_nodes must be between 1 and 16 (got {})", self.gossip_nodes));
        }
        Ok(())
    }
}
