//! Multi-Paxos, after "Paxos Made Simple" §3 and van Renesse & Altinbuken,
//! "Paxos Made Moderately Complex".
//!
//! The replicated log is a sequence of slots, each an instance of Paxos.
//! Every node is an acceptor and a replica, and may become the leader (the
//! distinguished proposer). A node that hears no leader for a randomized
//! timeout runs phase 1 once, for every slot from its first undecided one on:
//! *prepare(b, s)*. Acceptors promise `b` for all those slots at once and
//! report every proposal they accepted there. With a majority of promises the
//! node leads: for each slot it re-proposes the highest-ballot value reported,
//! fills the gaps below the highest reported slot with no-ops, and puts new
//! client values in the slots after. Each proposal then costs one phase 2
//! round trip, *accept(b, s, v)* / *accepted(b, s)*; at a majority the slot is
//! chosen and the leader tells the replicas with *decide*. Replicas execute
//! chosen slots strictly in slot order into a small key-value store.
//!
//! The leader sends heartbeats carrying how far its log is decided; a replica
//! that is behind asks to *catch up* and gets the decisions in a batch. A
//! refused ballot (*nack*), or any higher ballot seen, makes a leader or
//! candidate step down. Non-leaders redirect clients to the leader they know.
//!
//! A node's leader role talks to its own acceptor without the network. The
//! acceptor state, the chosen slots and the last round used are persistent
//! ([`MultiStable`]); the rest (role, proposals, executed state) is rebuilt.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ballot::Ballot;
pub use super::multi_msg::{Cmd, Decision, MultiMsg, MultiPaxosParams, MultiTimer, OpCmd, PValue, Slot};
pub use crate::protocol::Role;
use std::rc::Rc;

use crate::kv::{F, KvResult, Store};
use crate::protocol::{ClientOp, ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Spec, Variant};

/// Slots past this are ignored: a guard against absurd positions.
pub const MAX_SLOT: Slot = 1 << 16;

/// An acceptance as stored: `seq` numbers acceptances so the invariant
/// checker can find the new ones cheaply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub ballot: Ballot,
    pub cmd: Cmd,
    pub seq: u64,
}

/// What a node keeps on stable storage.
#[derive(Clone, Debug, Default)]
pub struct MultiStable {
    /// Acceptor: the highest ballot promised (for every slot).
    pub promised: Option<Ballot>,
    /// Acceptor: the highest-ballot proposal accepted in each slot.
    pub accepted: BTreeMap<Slot, Stored>,
    /// How many acceptances ever happened.
    pub accept_seq: u64,
    /// Replica: the command chosen in each slot, when known.
    pub chosen: Vec<Option<Cmd>>,
    /// How many slots this replica ever learned.
    pub learned: u64,
    /// The highest round this node used as a leader candidate.
    pub last_round: u64,
}

#[derive(Clone, Debug)]
struct Pending {
    cmd: Cmd,
    accepts: Vec<bool>,
    sent_at: u64,
}

#[derive(Clone, Debug)]
pub struct MultiPaxos {
    id: NodeId,
    n: usize,
    params: MultiPaxosParams,
    st: MultiStable,
    role: Role,
    /// The ballot this node runs as candidate or leader.
    ballot: Option<Ballot>,
    /// The leader this node last heard from.
    leader: Option<NodeId>,
    top_round: u64,
    promises: Vec<bool>,
    /// Candidate: the highest-ballot proposal reported per slot.
    reported: BTreeMap<Slot, (Ballot, Cmd)>,
    /// Leader: proposals whose phase 2 is under way.
    proposals: BTreeMap<Slot, Pending>,
    next_slot: Slot,
    /// Replica: slots below this are executed (and all chosen).
    executed: Slot,
    kv: Store,
    /// The latest value a client handed this node (read by the checker).
    last_client: Option<Value>,
}

#[derive(Serialize)]
pub struct ProposalView {
    pub slot: Slot,
    pub value: Cmd,
    pub accepts: Vec<NodeId>,
}

#[derive(Serialize)]
pub struct AcceptedView {
    pub slot: Slot,
    pub ballot: Ballot,
    pub value: Cmd,
}

/// The node fields of the scenario format, and what the page draws.
#[derive(Serialize)]
pub struct MultiView {
    pub leader: bool,
    /// The highest ballot this node promised (a leader's own ballot).
    pub ballot: Option<Ballot>,
    /// Slot by slot: the chosen value (a no-op shows as "no-op"), or null.
    pub chosen: Vec<Option<Cmd>>,
    /// "follower", "candidate" or "leader".
    pub role: &'static str,
    /// The leader this node knows of.
    pub known_leader: Option<NodeId>,
    /// Slots below this are executed, in order.
    pub executed: Slot,
    /// Which chosen slots hold no-ops.
    pub noops: Vec<Slot>,
    pub kv: Store,
    /// Acceptor: what it accepted, slot by slot.
    pub accepted: Vec<AcceptedView>,
    /// Candidate: who promised.
    pub promises: Vec<NodeId>,
    /// Leader: slots in phase 2 and who accepted them.
    pub proposals: Vec<ProposalView>,
}

use crate::base::quorum::{count, members};

impl MultiPaxos {
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn ballot(&self) -> Option<Ballot> {
        self.ballot
    }
    pub fn chosen(&self) -> &[Option<Cmd>] {
        &self.st.chosen
    }
    pub fn executed(&self) -> Slot {
        self.executed
    }
    pub fn kv(&self) -> &BTreeMap<String, String> {
        &self.kv.0
    }
    pub fn known_leader(&self) -> Option<NodeId> {
        self.leader
    }
    /// The latest value a client handed this node.
    pub fn last_client_value(&self) -> Option<&Value> {
        self.last_client.as_ref()
    }

    fn majority(&self) -> usize {
        crate::base::quorum::majority(self.n)
    }

    fn observe(&mut self, b: Ballot) {
        self.top_round = self.top_round.max(b.round);
    }

    fn reset_election_timer(&self, cx: &mut Ctx, out: &mut Out<Self>) {
        let (lo, hi) = self.params.leader_timeout_ms;
        out.set_timer(MultiTimer::Election, cx.random_range(lo, hi));
    }

    fn acceptor_prepare(&mut self, b: Ballot, from: Slot) -> Result<Vec<PValue>, Ballot> {
        match self.st.promised {
            Some(p) if p > b => Err(p),
            _ => {
                self.st.promised = Some(b);
                let pv = self.st.accepted.range(from..);
                Ok(pv.map(|(&slot, s)| PValue { slot, ballot: s.ballot, cmd: s.cmd.clone() }).collect())
            }
        }
    }

    fn acceptor_accept(&mut self, b: Ballot, slot: Slot, cmd: Cmd) -> Result<(), Ballot> {
        match self.st.promised {
            Some(p) if p > b => Err(p),
            _ => {
                self.st.promised = Some(b);
                self.st.accept_seq += 1;
                self.st.accepted.insert(slot, Stored { ballot: b, cmd, seq: self.st.accept_seq });
                Ok(())
            }
        }
    }

    /// Records a chosen slot and executes what became contiguous.
    fn decide(&mut self, slot: Slot, cmd: Cmd, out: &mut Out<Self>) {
        if slot > MAX_SLOT {
            return;
        }
        let i = slot as usize;
        if self.st.chosen.len() <= i {
            self.st.chosen.resize(i + 1, None);
        }
        match &self.st.chosen[i] {
            None => {
                self.st.chosen[i] = Some(cmd);
                self.st.learned += 1;
            }
            Some(c) if *c != cmd => {
                out.note(|| format!("hears slot {slot} chose \"{}\" but holds \"{}\"", cmd.text(), c.text()))
            }
            Some(_) => {}
        }
        self.execute(out);
    }

    /// Replicas execute chosen slots strictly in slot order; the leader
    /// answers the client operations it executes.
    fn execute(&mut self, out: &mut Out<Self>) {
        while let Some(Some(cmd)) = self.st.chosen.get(self.executed as usize) {
            match cmd {
                Cmd::Value(v) => self.kv.apply_assignment(v),
                Cmd::Op(o) => {
                    let result = self.kv.apply(&o.op.op);
                    if self.role == Role::Leader {
                        out.reply(o.op.id, result);
                    }
                }
                Cmd::Noop => {}
            }
            self.executed += 1;
        }
    }

    fn step_down(&mut self, cx: &mut Ctx, why: impl FnOnce() -> String, out: &mut Out<Self>) {
        if self.role == Role::Follower {
            return;
        }
        if self.role == Role::Leader {
            out.cancel_timer(MultiTimer::Heartbeat);
        }
        out.note(why);
        self.role = Role::Follower;
        self.proposals.clear();
        self.reported.clear();
        self.promises.clear();
        self.reset_election_timer(cx, out);
    }

    /// Phase 1 for every slot from the first undecided one.
    fn start_candidacy(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let seen = [self.st.last_round, self.top_round, self.st.promised.map_or(0, |p| p.round)];
        let b = Ballot::next_above(self.id, seen);
        self.st.last_round = b.round;
        if self.role == Role::Leader {
            out.cancel_timer(MultiTimer::Heartbeat);
        }
        self.role = Role::Candidate;
        self.ballot = Some(b);
        self.leader = None;
        self.promises = vec![false; self.n];
        self.reported.clear();
        self.proposals.clear();
        let from = self.executed;
        out.note(|| format!("suspects the leader; runs phase 1 with {b} from slot {from}"));
        self.reset_election_timer(cx, out);
        for peer in cx.peers() {
            out.send(peer, MultiMsg::Prepare { ballot: b, from_slot: from });
        }
        if let Ok(pv) = self.acceptor_prepare(b, from) {
            self.count_promise(cx, self.id, pv, out);
        }
    }

    fn count_promise(&mut self, cx: &mut Ctx, from: NodeId, pv: Vec<PValue>, out: &mut Out<Self>) {
        let Some(flag) = self.promises.get_mut(from) else { return };
        *flag = true;
        for p in pv {
            if p.slot <= MAX_SLOT && self.reported.get(&p.slot).is_none_or(|(b, _)| p.ballot > *b) {
                self.reported.insert(p.slot, (p.ballot, p.cmd));
            }
        }
        if count(&self.promises) >= self.majority() {
            self.become_leader(cx, out);
        }
    }

    fn become_leader(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let Some(b) = self.ballot else { return };
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.promises.clear();
        out.cancel_timer(MultiTimer::Election);
        let reported = std::mem::take(&mut self.reported);
        let from = self.executed;
        self.next_slot = from.max(self.st.chosen.len() as Slot);
        let (mut again, mut gaps) = (0, 0);
        if !self.params.unsafe_ignore_promised_values {
            let top = reported.keys().next_back().map_or(0, |&s| s + 1);
            let top = top.max(self.st.chosen.len() as Slot);
            for slot in from..top {
                if self.st.chosen.get(slot as usize).is_some_and(Option::is_some) {
                    continue;
                }
                // The `unsafe_skip_re_propose` variant treats a reported
                // slot as a gap.
                let reported = reported.get(&slot).filter(|_| !self.params.unsafe_skip_re_propose);
                let cmd = match reported {
                    Some((_, cmd)) => {
                        again += 1;
                        cmd.clone()
                    }
                    None => {
                        gaps += 1;
                        Cmd::Noop
                    }
                };
                self.propose(cx, slot, cmd, out);
            }
            self.next_slot = self.next_slot.max(top);
        } else {
            self.next_slot = from;
        }
        out.milestone(|| {
            let count = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            match (again, gaps) {
                (0, 0) => format!("leads with ballot {b}: no earlier slot to re-propose or fill"),
                (a, 0) => {
                    format!("leads with ballot {b}: re-proposes {}", count(a, "accepted value", "accepted values"))
                }
                (0, g) => format!("leads with ballot {b}: fills {} with a no-op", count(g, "gap", "gaps")),
                (a, g) => format!(
                    "leads with ballot {b}: re-proposes {}, fills {} with a no-op",
                    count(a, "accepted value", "accepted values"),
                    count(g, "gap", "gaps")
                ),
            }
        });
        self.heartbeat(cx, out);
    }

    fn propose(&mut self, cx: &mut Ctx, slot: Slot, cmd: Cmd, out: &mut Out<Self>) {
        let Some(b) = self.ballot else { return };
        self.proposals.insert(slot, Pending { cmd: cmd.clone(), accepts: vec![false; self.n], sent_at: cx.now });
        for peer in cx.peers() {
            out.send(peer, MultiMsg::Accept { ballot: b, slot, cmd: cmd.clone() });
        }
        if self.acceptor_accept(b, slot, cmd).is_ok() {
            self.count_accept(cx, self.id, slot, out);
        }
    }

    fn count_accept(&mut self, cx: &mut Ctx, from: NodeId, slot: Slot, out: &mut Out<Self>) {
        let majority = self.majority();
        let Some(p) = self.proposals.get_mut(&slot) else { return };
        let Some(flag) = p.accepts.get_mut(from) else { return };
        *flag = true;
        if count(&p.accepts) < majority {
            return;
        }
        let Some(p) = self.proposals.remove(&slot) else { return };
        out.note(|| format!("slot {slot} is chosen: \"{}\"", p.cmd.text()));
        for peer in cx.peers() {
            out.send(peer, MultiMsg::Decide { decisions: vec![Decision { slot, cmd: p.cmd.clone() }] });
        }
        self.decide(slot, p.cmd, out);
    }

    /// Leader: heartbeats, and accepts resent to those that have not answered.
    fn heartbeat(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let Some(b) = self.ballot else { return };
        for peer in cx.peers() {
            out.send(peer, MultiMsg::Heartbeat { ballot: b, chosen_upto: self.executed });
        }
        let stale = cx.now.saturating_sub(2 * self.params.heartbeat_ms);
        for (&slot, p) in self.proposals.iter_mut() {
            if p.sent_at > stale {
                continue;
            }
            p.sent_at = cx.now;
            for peer in (0..self.n).filter(|&q| q != self.id && !p.accepts[q]) {
                out.send(peer, MultiMsg::Accept { ballot: b, slot, cmd: p.cmd.clone() });
            }
        }
        out.set_timer(MultiTimer::Heartbeat, self.params.heartbeat_ms);
    }

    /// Someone leads with ballot `b`: follow it if it is at least as high as
    /// our own attempt.
    fn follow(&mut self, cx: &mut Ctx, from: NodeId, b: Ballot, out: &mut Out<Self>) {
        if self.role != Role::Follower && self.ballot.is_some_and(|mine| b >= mine) && from != self.id {
            self.step_down(cx, || format!("follows n{from}, which leads with {b}"), out);
        }
        if self.role == Role::Follower {
            self.leader = Some(from);
            self.reset_election_timer(cx, out);
        }
    }

    fn on_prepare(&mut self, cx: &mut Ctx, from: NodeId, b: Ballot, from_slot: Slot, out: &mut Out<Self>) {
        self.observe(b);
        match self.acceptor_prepare(b, from_slot) {
            Ok(accepted) => {
                if self.ballot.is_some_and(|mine| b > mine) {
                    self.step_down(cx, || format!("promises the higher {b}"), out);
                }
                if self.role == Role::Follower {
                    self.leader = None;
                    self.reset_election_timer(cx, out);
                }
                out.send(from, MultiMsg::Promise { ballot: b, accepted });
            }
            Err(promised) => out.send(from, MultiMsg::Nack { ballot: b, promised }),
        }
    }

    fn on_accept(&mut self, cx: &mut Ctx, from: NodeId, b: Ballot, slot: Slot, cmd: Cmd, out: &mut Out<Self>) {
        self.observe(b);
        if slot > MAX_SLOT {
            return;
        }
        match self.acceptor_accept(b, slot, cmd) {
            Ok(()) => {
                self.follow(cx, from, b, out);
                out.send(from, MultiMsg::Accepted { ballot: b, slot });
            }
            Err(promised) => out.send(from, MultiMsg::Nack { ballot: b, promised }),
        }
    }

    fn on_heartbeat(&mut self, cx: &mut Ctx, from: NodeId, b: Ballot, upto: Slot, out: &mut Out<Self>) {
        self.observe(b);
        if let Some(p) = self.st.promised
            && p > b
        {
            out.send(from, MultiMsg::Nack { ballot: b, promised: p });
            return;
        }
        self.follow(cx, from, b, out);
        if self.executed < upto {
            out.send(from, MultiMsg::CatchUp { from_slot: self.executed });
        }
    }

    fn on_catch_up(&self, from: NodeId, from_slot: Slot, out: &mut Out<Self>) {
        let max = self.params.max_decisions_per_message as usize;
        let start = from_slot.min(self.st.chosen.len() as Slot) as usize;
        let decisions: Vec<Decision> = self.st.chosen[start..]
            .iter()
            .enumerate()
            .filter_map(|(k, c)| c.clone().map(|cmd| Decision { slot: (start + k) as Slot, cmd }))
            .take(max)
            .collect();
        if !decisions.is_empty() {
            out.send(from, MultiMsg::Decide { decisions });
        }
    }
}

impl Protocol for MultiPaxos {
    const NAME: &'static str = "multi-paxos";
    const NODES: std::ops::RangeInclusive<usize> = 1..=25;
    const DEFAULT_NODES: usize = 5;

    type Params = MultiPaxosParams;
    type Msg = MultiMsg;
    type Timer = MultiTimer;
    type Stable = MultiStable;
    type View = MultiView;

    fn spec() -> Spec {
        Spec {
            summary: "A replicated log of values chosen slot by slot, with a stable leader that runs phase 1 once.",
            reference: "Lamport, Paxos Made Simple, §3; van Renesse & Altinbuken, Paxos Made Moderately Complex",
            kinds: &[
                Doc {
                    name: "Prepare",
                    doc: "phase 1a for every slot from the first undecided one, under ballot (r, n)",
                },
                Doc {
                    name: "Promise",
                    doc: "phase 1b: the acceptor promises and reports every proposal it accepted in those slots",
                },
                Doc { name: "Accept", doc: "phase 2a for one slot: accept this command under the leader's ballot" },
                Doc { name: "Accepted", doc: "phase 2b: the acceptor accepted the slot's command" },
                Doc { name: "Nack", doc: "the acceptor refuses: it promised a higher ballot" },
                Doc { name: "Decide", doc: "slots are chosen: replicas execute them in slot order" },
                Doc { name: "Heartbeat", doc: "the leader is alive; says how far its log is decided" },
                Doc { name: "CatchUp", doc: "a replica that is behind asks for the decisions it lacks" },
            ],
            variants: &[
                Variant {
                    name: "ignore-promised-values",
                    doc: "a new leader ignores the values reported in promises and reuses slots: two commands chosen in one slot",
                    params: r#"{"unsafe_ignore_promised_values": true}"#,
                },
                Variant {
                    name: "skip-re-propose",
                    doc: "a new leader fills the slots reported in promises with no-ops instead of re-proposing their values: a chosen command is replaced",
                    params: r#"{"unsafe_skip_re_propose": true}"#,
                },
                Variant {
                    name: "stale-reads",
                    doc: "the leader answers reads from its own state without checking it still leads: stale reads under a partition",
                    params: r#"{"unsafe_local_reads": true}"#,
                },
            ],
            fields: &["leader", "ballot", "chosen"],
            clients: true,
            liveness: "after the network heals, a leader is elected and a client request is chosen",
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &MultiPaxosParams, stable: Option<MultiStable>) -> Self {
        let st = stable.unwrap_or_default();
        let mut node = MultiPaxos {
            id,
            n,
            params: params.clone(),
            top_round: st.last_round,
            st,
            role: Role::Follower,
            ballot: None,
            leader: None,
            promises: Vec::new(),
            reported: BTreeMap::new(),
            proposals: BTreeMap::new(),
            next_slot: 0,
            executed: 0,
            kv: Store::new(),
            last_client: None,
        };
        // A restarted replica executes its chosen prefix again; as a
        // follower it answers no client, so nothing it would emit matters.
        node.execute(&mut Out::new());
        node
    }

    fn crash(self) -> MultiStable {
        self.st
    }

    fn stable(&self) -> &MultiStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.reset_election_timer(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: MultiMsg, out: &mut Out<Self>) {
        match msg {
            MultiMsg::Prepare { ballot, from_slot } => self.on_prepare(cx, from, ballot, from_slot, out),
            MultiMsg::Promise { ballot, accepted } => {
                self.observe(ballot);
                if self.role == Role::Candidate && self.ballot == Some(ballot) {
                    self.count_promise(cx, from, accepted, out);
                }
            }
            MultiMsg::Accept { ballot, slot, cmd } => self.on_accept(cx, from, ballot, slot, cmd, out),
            MultiMsg::Accepted { ballot, slot } => {
                if self.role == Role::Leader && self.ballot == Some(ballot) {
                    self.count_accept(cx, from, slot, out);
                }
            }
            MultiMsg::Nack { ballot, promised } => {
                self.observe(promised);
                if self.role != Role::Follower && self.ballot == Some(ballot) {
                    self.step_down(cx, || format!("ballot {ballot} refused: {promised} is promised"), out);
                }
            }
            MultiMsg::Decide { decisions } => {
                for d in decisions {
                    self.decide(d.slot, d.cmd, out);
                }
            }
            MultiMsg::Heartbeat { ballot, chosen_upto } => self.on_heartbeat(cx, from, ballot, chosen_upto, out),
            MultiMsg::CatchUp { from_slot } => self.on_catch_up(from, from_slot, out),
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: MultiTimer, out: &mut Out<Self>) {
        match (timer, self.role) {
            (MultiTimer::Election, Role::Follower | Role::Candidate) => self.start_candidacy(cx, out),
            (MultiTimer::Heartbeat, Role::Leader) => self.heartbeat(cx, out),
            _ => {}
        }
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        if self.role != Role::Leader {
            return ClientReply::Redirect(self.leader.filter(|&l| l != self.id));
        }
        if self.next_slot > MAX_SLOT {
            return ClientReply::Redirect(None);
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.last_client = Some(value.clone());
        out.note(|| format!("puts \"{value}\" in slot {slot}"));
        self.propose(cx, slot, Cmd::Value(value), out);
        ClientReply::Accepted
    }

    /// A client operation takes a slot like a value and is answered once
    /// its slot executes (reads too: linearizable). The `unsafe_local_reads`
    /// variant answers reads from the leader's own state at once.
    fn on_client_op(&mut self, cx: &mut Ctx, op: Rc<ClientOp>, out: &mut Out<Self>) -> ClientReply {
        if self.role != Role::Leader {
            return ClientReply::Redirect(self.leader.filter(|&l| l != self.id));
        }
        if op.op.f == F::Read && self.params.unsafe_local_reads {
            let value = self.kv.get(&op.op.key).map(Value::from);
            out.note(|| format!("answers {} from its own state (unsafe)", op.op.describe()));
            out.reply(op.id, KvResult { ok: true, value });
            return ClientReply::Accepted;
        }
        if self.next_slot > MAX_SLOT {
            return ClientReply::Redirect(None);
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        let text = format!("op {}: {}", op.id, op.op.describe());
        out.note(|| format!("puts {text} in slot {slot}"));
        self.propose(cx, slot, Cmd::Op(Rc::new(OpCmd { op: (*op).clone(), text })), out);
        ClientReply::Accepted
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.kv)
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        match self.role {
            Role::Leader => self.heartbeat(cx, out),
            Role::Follower | Role::Candidate => self.start_candidacy(cx, out),
        }
        true
    }

    fn view(&self) -> MultiView {
        let mut v = Self::view_down(self.id, &self.st);
        v.leader = self.role == Role::Leader;
        v.role = self.role.name();
        v.known_leader = self.leader;
        v.executed = self.executed;
        v.kv = self.kv.clone();
        if self.role == Role::Candidate {
            v.promises = members(&self.promises);
        }
        v.proposals = self
            .proposals
            .iter()
            .map(|(&slot, p)| ProposalView { slot, value: p.cmd.clone(), accepts: members(&p.accepts) })
            .collect();
        v
    }

    fn view_down(_id: NodeId, s: &MultiStable) -> MultiView {
        MultiView {
            leader: false,
            ballot: s.promised,
            chosen: s.chosen.clone(),
            role: Role::Follower.name(),
            known_leader: None,
            executed: 0,
            noops: s
                .chosen
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == Some(Cmd::Noop))
                .map(|(i, _)| i as Slot)
                .collect(),
            kv: Store::new(),
            accepted: s
                .accepted
                .iter()
                .map(|(&slot, a)| AcceptedView { slot, ballot: a.ballot, value: a.cmd.clone() })
                .collect(),
            promises: Vec::new(),
            proposals: Vec::new(),
        }
    }
}
