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

use crate::kv::{KvOp, KvResult, Store};
use crate::params::ParamReader;
use crate::spec::{Command, Spec};

pub use crate::base::{NodeId, ScenarioError, Time, Value};

/// Everything a handler may read about the world: the current simulated time,
/// its own id, the cluster size, the nodes configured to run from the start,
/// and its own seeded random stream.
pub struct Ctx<'a> {
    pub now: Time,
    pub id: NodeId,
    pub nodes: usize,
    /// The scenario's `members` (the nodes running at time 0), or `None`
    /// for all of `0..nodes`. Static configuration, not a live view.
    pub(crate) members: Option<&'a [NodeId]>,
    pub(crate) rng: &'a mut ChaCha8Rng,
}

impl<'a> Ctx<'a> {
    /// A context for driving a handler by hand (tests); the simulator builds
    /// its own.
    pub fn new(now: Time, id: NodeId, nodes: usize, rng: &'a mut ChaCha8Rng) -> Ctx<'a> {
        Ctx { now, id, nodes, members: None, rng }
    }

    /// The nodes configured to run from the start, in order (all of
    /// `0..nodes` unless the scenario names `members`).
    pub fn members(&self) -> impl Iterator<Item = NodeId> + use<'a> {
        let list = self.members;
        let n = self.nodes;
        let all = list.is_none().then_some(0..n).into_iter().flatten();
        all.chain(list.unwrap_or(&[]).iter().copied())
    }

    /// A uniformly drawn integer in `lo..=hi` from this node's own stream.
    pub fn random_range(&mut self, lo: u64, hi: u64) -> u64 {
        if lo >= hi {
            return lo;
        }
        self.rng.random_range(lo..=hi)
    }

    /// A uniformly drawn float in `[0, 1)` from this node's own stream.
    pub fn random_unit(&mut self) -> f64 {
        self.rng.random()
    }

    /// Every other member's id, in order.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + use<'a> {
        let me = self.id;
        self.members().filter(move |&p| p != me)
    }

    /// How many nodes make a majority of the configured members.
    pub fn majority(&self) -> usize {
        crate::base::quorum::majority(self.members.map_or(self.nodes, <[NodeId]>::len))
    }
}

/// A client operation handed to a node: reply to it by its `id` with
/// [`Out::reply`] once it has taken effect.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ClientOp {
    pub id: u64,
    pub client: u64,
    pub op: KvOp,
}

/// What a handler asks the world to do.
#[derive(Clone)]
pub enum Effect<P: Protocol> {
    Send {
        to: NodeId,
        msg: P::Msg,
    },
    SetTimer {
        timer: P::Timer,
        after_ms: Time,
    },
    CancelTimer {
        timer: P::Timer,
    },
    Note {
        text: String,
        milestone: bool,
    },
    /// The answer to client operation `op`.
    Reply {
        op: u64,
        result: KvResult,
    },
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
    /// Answers client operation `op` (see [`Protocol::on_client_op`]). The
    /// simulator keeps the first answer and ignores any later one.
    pub fn reply(&mut self, op: u64, result: KvResult) {
        self.effects.push(Effect::Reply { op, result });
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
    /// Whether messages of this kind go through a send queue that holds one
    /// per peer behind the one on the wire, the newer replacing the older
    /// (ZooKeeper's election notifications, `QuorumCnxManager`): a message
    /// still queued when a newer one to the same receiver is sent is lost as
    /// superseded, and each arrives after the one on the wire before it.
    fn latest_only(&self) -> bool {
        false
    }
}

/// A timer's name for the trace and the page. A timer may carry data
/// (`Probe { seq }`, `Suspect(member)`): each distinct value is its own
/// timer, and setting an equal one again re-arms it.
pub trait TimerName: Clone + Debug + Ord + Serialize {
    fn name(&self) -> &'static str;
}

/// Protocol parameters: every key has a default (`Default`), `fields` names
/// each key for the scenario's reader (a key it does not name is refused),
/// and `validate` checks ranges once the cluster size is known.
pub trait Params: Clone + Debug + Default + Serialize {
    /// Names every field with a one-line doc, in the order the docs list them:
    /// `r.field("heartbeat_ms", "How often…", &mut self.heartbeat_ms)?;`.
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

    /// What the protocol declares about itself (see [`crate::spec`]).
    fn spec() -> Spec;

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

    /// A node joins for the first time (`Spec::membership`), knowing only
    /// `contact`. By default it starts as at time 0.
    fn on_join(&mut self, cx: &mut Ctx, contact: &[NodeId], out: &mut Out<Self>) {
        let _ = contact;
        self.on_start(cx, out);
    }
    /// A node leaves gracefully; it may say goodbye before it is gone.
    fn on_leave(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let _ = (cx, out);
    }
    /// A `command` event, already checked against `Spec::commands`. `Err`
    /// says why this node did nothing (the event log shows it).
    fn on_command(&mut self, cx: &mut Ctx, cmd: &Command, out: &mut Out<Self>) -> Result<ClientReply, String> {
        let _ = (cx, out);
        Err(format!("{} has no command {}", Self::NAME, cmd.name))
    }
    /// A client operation (`Spec::clients`): accept it and [`Out::reply`]
    /// once it has taken effect, or redirect the client.
    fn on_client_op(&mut self, cx: &mut Ctx, op: Rc<ClientOp>, out: &mut Out<Self>) -> ClientReply {
        let _ = (cx, op, out);
        ClientReply::Redirect(None)
    }
    /// The replica's key-value state, for the convergence check.
    fn store(&self) -> Option<&Store> {
        None
    }
    /// Whether this replica is meant to hold `key`, for the convergence
    /// check: true for a protocol that replicates every key on every node;
    /// a store that partitions its keys (quorum-kv's preference lists)
    /// says which are its own, and only those replicas must agree.
    fn holds(&self, _key: &str) -> bool {
        true
    }

    fn view(&self) -> Self::View;
    /// The view of a crashed node, from what it kept.
    fn view_down(id: NodeId, stable: &Self::Stable) -> Self::View;
}

/// A node as a checker sees it.
pub enum NodeRef<'a, P: Protocol> {
    Up(&'a P),
    Down(&'a P::Stable),
    /// Not a member (never joined, or left): it keeps nothing, which the
    /// protocol's default stable state stands for.
    Absent(&'a P::Stable),
}

impl<P: Protocol> Clone for NodeRef<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Protocol> Copy for NodeRef<'_, P> {}

impl<'a, P: Protocol> NodeRef<'a, P> {
    /// What the node keeps across crashes (nothing, for an absent node).
    pub fn stable(&self) -> &'a P::Stable {
        match self {
            NodeRef::Up(p) => p.stable(),
            NodeRef::Down(s) | NodeRef::Absent(s) => s,
        }
    }
    pub fn up(&self) -> Option<&'a P> {
        match self {
            NodeRef::Up(p) => Some(p),
            _ => None,
        }
    }
    pub fn is_absent(&self) -> bool {
        matches!(self, NodeRef::Absent(_))
    }
}

/// Read access to every node for a checker.
pub trait Nodes<P: Protocol> {
    fn len(&self) -> usize;
    fn node(&self, id: NodeId) -> NodeRef<'_, P>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
