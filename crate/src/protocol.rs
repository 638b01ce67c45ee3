//! The one interface every protocol engine implements.
//!
//! Engines are sans-IO state machines in the style of quinn-proto and stateright:
//! a handler receives an input (a start, a message, a timer, a client request) and
//! only *records* what it wants done in an [`Out`] buffer — send a message, set or
//! cancel a timer, leave a note for the reader. It never reads a clock, never draws
//! randomness except from the seeded stream in [`Ctx`], and never touches a network.
//! The [`crate::sim::Simulator`] owns time, randomness, the network and faults.
//!
//! Durability is explicit: an engine keeps what survives a crash in its `Stable`
//! part. A crash calls [`Protocol::crash`], which keeps only that part; a restart
//! builds a fresh node from it with [`Protocol::boot`]. Handlers run to completion,
//! and everything they write to their stable part is on disk before any message
//! they emit leaves, which is the ordering Raft's Figure 2 asks for.

use std::fmt::Debug;
use std::rc::Rc;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::invariant::Checker;
use crate::params::ParamReader;
use crate::scenario::ScenarioError;

/// A node's id: `0..nodes`.
pub type NodeId = usize;
/// Simulated time in integer milliseconds from 0.
pub type Time = u64;

/// Everything a handler may read about the world: the current simulated time,
/// its own id, the cluster size, and its own seeded random stream.
pub struct Ctx<'a> {
    pub now: Time,
    pub id: NodeId,
    pub nodes: usize,
    pub(crate) rng: &'a mut ChaCha8Rng,
}

impl<'a> Ctx<'a> {
    /// A context for driving a handler by hand (tests); the simulator builds
    /// its own.
    pub fn new(now: Time, id: NodeId, nodes: usize, rng: &'a mut ChaCha8Rng) -> Ctx<'a> {
        Ctx { now, id, nodes, rng }
    }

    /// A uniformly drawn integer in `lo..=hi` from this node's own stream.
    pub fn random_range(&mut self, lo: u64, hi: u64) -> u64 {
        if lo >= hi {
            return lo;
        }
        self.rng.random_range(lo..=hi)
    }

    /// Every other node's id, in order.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + use<> {
        let me = self.id;
        (0..self.nodes).filter(move |&p| p != me)
    }

    /// How many nodes make a majority of the cluster.
    pub fn majority(&self) -> usize {
        self.nodes / 2 + 1
    }
}

/// What a handler asks the world to do.
#[derive(Clone)]
pub enum Effect<P: Protocol> {
    Send { to: NodeId, msg: P::Msg },
    SetTimer { timer: P::Timer, after_ms: Time },
    CancelTimer { timer: P::Timer },
    Note { text: String, milestone: bool },
}

/// The buffer handlers write their effects into; the simulator applies them in
/// order once the handler returns.
pub struct Out<P: Protocol> {
    pub(crate) effects: Vec<Effect<P>>,
    /// Whether anyone reads notes; when not, they are never even formatted.
    pub(crate) recording: bool,
}

impl<P: Protocol> Default for Out<P> {
    fn default() -> Self {
        Out { effects: Vec::new(), recording: true }
    }
}

impl<P: Protocol> Out<P> {
    /// An empty buffer that keeps notes (tests); the simulator builds its own.
    pub fn new() -> Out<P> {
        Out::default()
    }

    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }
    /// (Re)arms `timer` to fire `after_ms` from now; an armed timer of the same
    /// kind is replaced.
    pub fn set_timer(&mut self, timer: P::Timer, after_ms: Time) {
        self.effects.push(Effect::SetTimer { timer, after_ms });
    }
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer { timer });
    }
    /// A line for the reader's event log ("votes for 3 in term 2"). Notes
    /// are commentary: they are kept in recorded traces but are not part of
    /// the digest, and the closure only runs when someone records.
    pub fn note(&mut self, text: impl FnOnce() -> String) {
        if self.recording {
            self.effects.push(Effect::Note { text: text(), milestone: false });
        }
    }
    /// A notable moment that gets a marker on the timeline ("leader for term 3").
    pub fn milestone(&mut self, text: impl FnOnce() -> String) {
        if self.recording {
            self.effects.push(Effect::Note { text: text(), milestone: true });
        }
    }
    /// The effects recorded so far (tests inspect them).
    pub fn effects(&self) -> &[Effect<P>] {
        &self.effects
    }
}

/// How a node answers a client that contacted it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientReply {
    /// The node took the request on.
    Accepted,
    /// Not here: try that node (or, without a hint, someone else).
    Redirect(Option<NodeId>),
}

/// Message metadata the simulator and the page need without knowing the type.
pub trait Message: Clone + Debug + Serialize {
    /// A short kind the page uses to colour and shape the message, such as
    /// `"RequestVote"` or `"Heartbeat"`.
    fn kind(&self) -> &'static str;
    /// A few characters for the message's caption, such as `"AE t3 [4..5]"`.
    fn label(&self) -> String;
}

/// A timer kind's name for the trace and the page.
pub trait TimerName: Copy + Debug + Eq + Serialize {
    fn name(&self) -> &'static str;
}

/// Protocol parameters: every key has a default (`Default`), `fields` names
/// each key for the scenario's reader (a key it does not name is refused),
/// and `validate` checks ranges once the cluster size is known.
pub trait Params: Clone + Debug + Default + Serialize {
    /// Names every field, in the order the docs list them:
    /// `r.field("heartbeat_ms", &mut self.heartbeat_ms)?;` for each.
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError>;
    fn validate(&self, nodes: usize) -> Result<(), String>;
}

/// A node's part in a leader-based protocol (Raft, Multi-Paxos).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// Network settings a protocol prefers when the scenario does not give them.
#[derive(Clone, Copy, Debug)]
pub struct NetworkDefaults {
    pub latency_ms: (Time, Time),
    pub drop_rate: f64,
    pub duplicate_rate: f64,
}

/// A protocol engine: one instance per node.
pub trait Protocol: Clone + Sized + 'static {
    /// The scenario's `protocol` name.
    const NAME: &'static str;
    /// Allowed cluster sizes.
    const NODES: std::ops::RangeInclusive<usize>;
    const DEFAULT_NODES: usize;

    type Params: Params;
    type Msg: Message;
    type Timer: TimerName;
    /// What survives a crash.
    type Stable: Clone + Debug + Default;
    /// The node's fields for the page and the CLI (beyond `id` and `up`).
    type View: Serialize;
    /// The protocol's safety invariants.
    type Checker: Checker<Self>;

    fn network_defaults() -> NetworkDefaults;

    /// A node starting fresh (`stable` is `None`) or restarting from what it
    /// kept. Only the handlers may emit effects, so `on_start` follows.
    fn boot(id: NodeId, nodes: usize, params: &Self::Params, stable: Option<Self::Stable>) -> Self;
    /// The node crashes: keep what is durable, lose the rest.
    fn crash(self) -> Self::Stable;
    /// The durable part, read by invariant checkers (also for crashed nodes).
    fn stable(&self) -> &Self::Stable;

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>);
    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Self::Msg, out: &mut Out<Self>);
    fn on_timer(&mut self, cx: &mut Ctx, timer: Self::Timer, out: &mut Out<Self>);
    fn on_client_request(&mut self, cx: &mut Ctx, value: Rc<str>, out: &mut Out<Self>) -> ClientReply;
    /// The `timeout` inject: fire this node's main protocol timer now
    /// (election timeout, retry, probe…). Returns false if it has none armed.
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool;

    fn view(&self) -> Self::View;
    /// The view of a crashed node, from what it kept.
    fn view_down(id: NodeId, stable: &Self::Stable) -> Self::View;
}

/// A shared string for client values: cloned into many logs and messages.
pub type Value = Rc<str>;
