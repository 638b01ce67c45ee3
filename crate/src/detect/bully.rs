//! The bully election of Garcia-Molina, "Elections in a Distributed
//! Computing System" (IEEE Trans. Computers, 1982), in the three-message form
//! textbooks teach (ELECTION, OK, COORDINATOR), with the coordinator's
//! liveness watched through its heartbeats.
//!
//! - A node holds an election when it starts (or restarts), when its
//!   coordinator has been silent for `timeout_ms`, and when a lower id sends
//!   it an ELECTION while it follows someone. It sends ELECTION to every
//!   higher id — except the coordinator it has just found silent, which it
//!   knows to be gone — and waits `answer_timeout_ms` for an OK.
//! - No OK (or no higher id to ask): it has won. It sends COORDINATOR to every
//!   lower id and from then on ALIVE to every other id every `heartbeat_ms`.
//! - An OK: a live higher id takes over. It waits `coordinator_timeout_ms`
//!   for a COORDINATOR and holds a new election if none comes.
//! - A node answers every ELECTION from a lower id with OK; a follower then
//!   holds its own election, a coordinator sends the asker COORDINATOR (it
//!   already knows no higher id answers).
//! - COORDINATOR from a higher id is obeyed in any state; ALIVE from a higher
//!   id than the node's coordinator is obeyed too (two coordinators meet after
//!   a heal: the lower one and its followers defer). A coordinator that hears
//!   a lower id claim the post re-sends COORDINATOR to every lower id: it
//!   bullies. So no node ever names a lower id than its own.
//!
//! Garcia-Molina's nodes ask the coordinator "are you there?" and wait for an
//! answer; here the coordinator heartbeats instead (n − 1 messages a period,
//! not 2(n − 1)), which also lets two coordinators find each other once a
//! partition heals. Nothing is durable: a restarted node knows nothing and
//! holds an election, which a recovering higher id always wins.

use std::rc::Rc;

use serde::Serialize;

use super::bully_msg::{BullyMsg, BullyParams, BullyTimer, Phase};
use super::detector::Nothing;
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol};
use crate::spec::Spec;

/// One node running the bully election.
#[derive(Clone, Debug)]
pub struct Bully {
    id: NodeId,
    params: BullyParams,
    /// Every other member, ascending.
    others: Vec<NodeId>,
    phase: Phase,
    seq: u64,
    /// Messages sent since the node (re)started, by kind ([`super::bully_msg::KIND_NAMES`]).
    sent: [u64; 4],
    /// Elections this node has held since it (re)started.
    elections: u64,
}

/// The node fields of the scenario format (`coordinator`, `electing`), and
/// what the page draws.
#[derive(Serialize)]
pub struct BullyView {
    /// Who this node takes to be the coordinator (itself when it is), or
    /// null while it is electing.
    pub coordinator: Option<NodeId>,
    /// Holding an election, or waiting for the COORDINATOR of a higher id.
    pub electing: bool,
    /// "coordinator", "follower", "electing" (waiting for an OK), "waiting"
    /// (got an OK, waiting for COORDINATOR) or "down".
    pub state: &'static str,
    /// Elections held since the node (re)started.
    pub elections: u64,
}

impl Bully {
    /// Node `id` of `nodes`, already in `phase`, with the default params: a
    /// hand-made state for the checker's tests (the engine itself reaches
    /// a phase only through its handlers).
    pub fn in_phase(id: NodeId, nodes: usize, phase: Phase) -> Bully {
        let others = (0..nodes).filter(|&o| o != id).collect();
        Bully { id, params: BullyParams::default(), others, phase, seq: 0, sent: [0; 4], elections: 0 }
    }

    pub fn params(&self) -> &BullyParams {
        &self.params
    }
    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// Who this node takes to be the coordinator (None while electing).
    pub fn coordinator(&self) -> Option<NodeId> {
        match self.phase {
            Phase::Normal(c) => Some(c),
            _ => None,
        }
    }
    pub fn electing(&self) -> bool {
        !matches!(self.phase, Phase::Normal(_))
    }
    pub fn is_coordinator(&self) -> bool {
        self.phase == Phase::Normal(self.id)
    }
    /// Messages sent since the node (re)started, by kind, in the order of
    /// [`super::bully_msg::KIND_NAMES`].
    pub fn sent(&self) -> [u64; 4] {
        self.sent
    }
    pub fn elections(&self) -> u64 {
        self.elections
    }

    fn send(&mut self, to: NodeId, msg: BullyMsg, out: &mut Out<Self>) {
        self.sent[msg.index()] += 1;
        out.send(to, msg);
    }

    fn lower(&self) -> Vec<NodeId> {
        self.others.iter().copied().filter(|&o| o < self.id).collect()
    }

    fn stop_timers(out: &mut Out<Self>) {
        for t in [BullyTimer::Beat, BullyTimer::Watch, BullyTimer::Answer, BullyTimer::Await] {
            out.cancel_timer(t);
        }
    }

    /// ELECTION to every higher id but `gone`; or, with none to ask, victory.
    fn elect(&mut self, gone: Option<NodeId>, out: &mut Out<Self>) {
        self.elections += 1;
        Self::stop_timers(out);
        let me = self.id;
        let higher: Vec<NodeId> = self.others.iter().copied().filter(|&o| o > me && Some(o) != gone).collect();
        if higher.is_empty() {
            out.note(|| "holds an election: no higher id to ask".to_string());
            self.win(out);
            return;
        }
        out.note(|| format!("holds an election: ELECTION to {}", names(&higher)));
        self.phase = Phase::Electing;
        for &h in &higher {
            self.send(h, BullyMsg::Election, out);
        }
        out.set_timer(BullyTimer::Answer, self.params.answer_timeout_ms);
    }

    /// No higher id answered: COORDINATOR to every lower id, then heartbeats.
    fn win(&mut self, out: &mut Out<Self>) {
        Self::stop_timers(out);
        self.phase = Phase::Normal(self.id);
        let lower = self.lower();
        out.milestone(|| {
            if lower.is_empty() { "coordinator".to_string() } else { format!("coordinator: tells {}", names(&lower)) }
        });
        self.announce(&lower, out);
        out.set_timer(BullyTimer::Beat, self.params.heartbeat_ms);
    }

    fn announce(&mut self, to: &[NodeId], out: &mut Out<Self>) {
        for &l in to {
            self.send(l, BullyMsg::Coordinator, out);
        }
    }

    /// Takes `c` (a higher id) as coordinator, or hears from it again.
    fn follow(&mut self, c: NodeId, out: &mut Out<Self>) {
        if self.phase != Phase::Normal(c) {
            Self::stop_timers(out);
            self.phase = Phase::Normal(c);
            out.note(|| format!("follows n{c}"));
        }
        out.set_timer(BullyTimer::Watch, self.params.timeout_ms);
    }

    fn beat(&mut self, out: &mut Out<Self>) {
        self.seq += 1;
        let seq = self.seq;
        for o in self.others.clone() {
            self.send(o, BullyMsg::Alive { seq }, out);
        }
        out.set_timer(BullyTimer::Beat, self.params.heartbeat_ms);
    }

    /// A lower id claims to be coordinator (COORDINATOR or ALIVE from it).
    fn claimed_by_lower(&mut self, from: NodeId, out: &mut Out<Self>) {
        if self.is_coordinator() {
            out.note(|| format!("n{from} claims to coordinate: bullies it and every lower id"));
            let lower = self.lower();
            self.announce(&lower, out);
        }
        // A follower leaves it to its own (higher) coordinator, which hears
        // the claim too; an electing node's own election settles it.
    }
}

/// "n1 n3 n4".
fn names(ids: &[NodeId]) -> String {
    ids.iter().map(|i| format!("n{i}")).collect::<Vec<_>>().join(" ")
}

impl Protocol for Bully {
    const NAME: &'static str = "bully";
    const NODES: std::ops::RangeInclusive<usize> = 2..=25;
    const DEFAULT_NODES: usize = 5;

    type Params = BullyParams;
    type Msg = BullyMsg;
    type Timer = BullyTimer;
    type Stable = Nothing;
    type View = BullyView;

    fn spec() -> Spec {
        super::spec_bully()
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, _n: usize, params: &BullyParams, _stable: Option<Nothing>) -> Self {
        Bully { id, params: params.clone(), others: Vec::new(), phase: Phase::Electing, seq: 0, sent: [0; 4], elections: 0 }
    }

    fn crash(self) -> Nothing {
        Nothing
    }

    fn stable(&self) -> &Nothing {
        &Nothing
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.others = cx.peers().collect();
        self.others.sort_unstable();
        self.elect(None, out);
    }

    fn on_message(&mut self, _cx: &mut Ctx, from: NodeId, msg: BullyMsg, out: &mut Out<Self>) {
        let me = self.id;
        match msg {
            BullyMsg::Election if from < me => {
                self.send(from, BullyMsg::Ok, out);
                match self.phase {
                    Phase::Normal(c) if c == me => self.send(from, BullyMsg::Coordinator, out),
                    Phase::Normal(_) => self.elect(None, out),
                    Phase::Electing | Phase::Waiting => {}
                }
            }
            BullyMsg::Ok if from > me && self.phase == Phase::Electing => {
                out.cancel_timer(BullyTimer::Answer);
                self.phase = Phase::Waiting;
                out.note(|| format!("n{from} answered OK: waits for its COORDINATOR"));
                out.set_timer(BullyTimer::Await, self.params.coordinator_timeout_ms);
            }
            BullyMsg::Coordinator if from > me => self.follow(from, out),
            BullyMsg::Alive { .. } if from > me => match self.phase {
                // A higher coordinator than the one it follows (or itself):
                // two met after a heal, and the higher one stays.
                Phase::Normal(c) if from >= c => self.follow(from, out),
                Phase::Normal(_) => {}
                Phase::Electing | Phase::Waiting => self.follow(from, out),
            },
            BullyMsg::Coordinator | BullyMsg::Alive { .. } if from < me => self.claimed_by_lower(from, out),
            // An ELECTION from a higher id, an OK from a lower one, or one
            // that comes too late: nothing to do.
            _ => {}
        }
    }

    fn on_timer(&mut self, _cx: &mut Ctx, timer: BullyTimer, out: &mut Out<Self>) {
        match (timer, self.phase) {
            (BullyTimer::Beat, Phase::Normal(c)) if c == self.id => self.beat(out),
            (BullyTimer::Watch, Phase::Normal(c)) if c != self.id => {
                out.milestone(|| format!("n{c} is silent: takes it for dead"));
                self.elect(Some(c), out);
            }
            (BullyTimer::Answer, Phase::Electing) => self.win(out),
            (BullyTimer::Await, Phase::Waiting) => {
                out.note(|| "no COORDINATOR came: holds the election again".to_string());
                self.elect(None, out);
            }
            _ => {}
        }
    }

    fn on_client_request(&mut self, _cx: &mut Ctx, _value: Rc<str>, out: &mut Out<Self>) -> ClientReply {
        let c = self.coordinator();
        out.note(|| match c {
            Some(c) => format!("an election takes no client requests (its coordinator is n{c})"),
            None => "an election takes no client requests (it is electing)".to_string(),
        });
        ClientReply::Accepted
    }

    /// The `timeout` inject fires the timer the node is waiting on: a
    /// follower takes its coordinator for dead at once (how a test or a
    /// story picks who notices a crash first), an electing node stops
    /// waiting for an OK (and wins), a waiting one for a COORDINATOR, and a
    /// coordinator heartbeats now.
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        let timer = match self.phase {
            Phase::Normal(c) if c == self.id => BullyTimer::Beat,
            Phase::Normal(_) => BullyTimer::Watch,
            Phase::Electing => BullyTimer::Answer,
            Phase::Waiting => BullyTimer::Await,
        };
        self.on_timer(cx, timer, out);
        true
    }

    fn view(&self) -> BullyView {
        BullyView {
            coordinator: self.coordinator(),
            electing: self.electing(),
            state: self.phase.name(self.id),
            elections: self.elections,
        }
    }

    fn view_down(_id: NodeId, _s: &Nothing) -> BullyView {
        BullyView { coordinator: None, electing: false, state: "down", elections: 0 }
    }
}
