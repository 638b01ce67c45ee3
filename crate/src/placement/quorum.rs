//! Quorum replication on the consistent-hashing ring (`quorum-kv`), after
//! Dynamo (DeCandia et al. 2007 §4.3–4.7) with ABD reads (Attiya, Bar-Noy
//! & Dolev 1995) as a switch.
//!
//! Every node sits on the ring with `tokens` virtual nodes; a key's replicas
//! are its preference list, the first N distinct nodes clockwise (§4.3). The
//! node a client reaches coordinates its operation:
//! - it asks the N replicas for their versions (`Get`) and waits for R;
//! - a read returns the highest-ranked version among those replies (see
//!   [`super::vclock`]); with `read_write_back` (ABD) it first writes that
//!   version to the replicas and waits for W acknowledgements;
//! - a write merges every clock it read, adds one to its own entry (§4.4:
//!   the coordinator's counter) and sends the new version to the replicas
//!   (`Put`), answering once W acknowledged. Concurrent writes get
//!   concurrent clocks: replicas keep both as siblings.
//!
//! With `read_repair` the coordinator sends the newest versions to every
//! replica that answered a read with older ones (§4.7). With a sloppy
//! quorum (§4.6), after `retry_ms` without an answer from a replica the
//! coordinator asks the next node along the ring instead, which stores the
//! data as a hint for that replica and hands it over (`Handoff`) once it can
//! reach it. Anti-entropy (§4.7; Dynamo compares Merkle trees, here the
//! keys are compared whole) syncs each node's keys with a random peer every
//! `anti_entropy_ms`. The store, the hints and the coordinator's counter are
//! on disk; operations in progress are lost in a crash.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde::Serialize;

pub use super::quorum_msg::{QuorumMsg, QuorumParams, QuorumTimer};
use super::ring::Ring;
use super::vclock::{Version, add_version, clock_text, latest, merge_clock, merge_set};
use crate::kv::{F, KvOp, KvResult, Store, step};
use crate::protocol::{ClientOp, ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Time, Value};
use crate::spec::{Layout, Spec, Variant};

/// What a node keeps on disk.
#[derive(Clone, Debug, Default)]
pub struct QuorumStable {
    /// Key → its sibling versions.
    pub store: BTreeMap<Rc<str>, Vec<Version>>,
    /// (replica, key) → versions kept for that replica (sloppy quorum).
    pub hints: BTreeMap<(NodeId, Rc<str>), Vec<Version>>,
    /// This node's vector-clock counter as a coordinator.
    pub counter: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Query,
    Write,
    /// Answered; kept until the timeout for late replies (read repair).
    Done,
}

/// An operation this node coordinates.
#[derive(Clone, Debug)]
struct Pending {
    op: Rc<ClientOp>,
    phase: Phase,
    started: Time,
    /// The key's N replicas.
    home: Vec<NodeId>,
    /// Nodes asked in this phase, each with the replica it stands in for.
    asked: BTreeMap<NodeId, Option<NodeId>>,
    /// Nodes that answered this phase.
    answered: BTreeSet<NodeId>,
    /// Query replies: who had what.
    replies: Vec<(NodeId, Vec<Version>)>,
    /// The version being written and the answer to give once W stored it.
    writing: Option<(Version, KvResult)>,
}

/// Where the ids of plain `client_request` writes start.
const PLAIN_REQUESTS: u64 = 1 << 62;

#[derive(Clone, Debug)]
pub struct QuorumKv {
    id: NodeId,
    n: usize,
    params: QuorumParams,
    st: QuorumStable,
    ring: Ring,
    ops: BTreeMap<u64, Pending>,
    /// Every key's versions as text (siblings in rank order), for the
    /// convergence check: replicas agree when they hold the same versions.
    resolved: Store,
}

/// One version as the page shows it.
#[derive(Serialize)]
pub struct VersionView {
    pub value: Value,
    /// Coordinator id (as text) → counter.
    pub clock: BTreeMap<String, u64>,
}

#[derive(Serialize)]
pub struct HintView {
    /// The replica the hint is for.
    #[serde(rename = "for")]
    pub for_node: NodeId,
    pub key: Value,
    pub versions: Vec<VersionView>,
}

/// The node fields of the scenario format, and what the page draws.
#[derive(Serialize)]
pub struct QuorumView {
    /// Key → the versions this node keeps (several: siblings).
    pub store: BTreeMap<Value, Vec<VersionView>>,
    /// Versions kept for other replicas (sloppy quorum).
    pub hints: Vec<HintView>,
    /// Operations this node coordinates right now, such as "write x=1: 1/2 acks".
    pub coordinating: Vec<String>,
}

fn version_views(vs: &[Version]) -> Vec<VersionView> {
    vs.iter()
        .map(|v| VersionView { value: v.value.clone(), clock: v.clock.iter().map(|(n, c)| (n.to_string(), *c)).collect() })
        .collect()
}

impl QuorumKv {
    pub fn params(&self) -> &QuorumParams {
        &self.params
    }

    /// N, or the cluster size when the cluster is smaller (R and W are
    /// capped by it in turn).
    pub fn replicas(&self) -> usize {
        (self.params.n as usize).min(self.n)
    }

    /// The key's N replicas, then every other node in ring order (stand-ins).
    fn walk(&self, key: &str) -> Vec<NodeId> {
        self.ring.preference(key, self.n)
    }

    fn set_resolved(&mut self, key: &Rc<str>) {
        match self.st.store.get(key).filter(|vs| !vs.is_empty()) {
            Some(vs) => {
                let mut ranked: Vec<&Version> = vs.iter().collect();
                ranked.sort_by(|a, b| a.rank().cmp(&b.rank()));
                let text: Vec<String> = ranked.iter().map(|v| format!("{}@{}", v.value, clock_text(&v.clock))).collect();
                self.resolved.0.insert(key.to_string(), text.join(" | "));
            }
            None => {
                self.resolved.0.remove(&**key);
            }
        }
    }

    /// Stores versions in the node's own store, or as a hint for `hint`.
    fn store_versions(&mut self, key: &Rc<str>, versions: &[Version], hint: Option<NodeId>) -> bool {
        match hint {
            Some(h) if h != self.id => merge_set(self.st.hints.entry((h, key.clone())).or_default(), versions),
            _ => {
                let changed = merge_set(self.st.store.entry(key.clone()).or_default(), versions);
                self.set_resolved(key);
                changed
            }
        }
    }

    /// What this node has of a key: its own versions and any it keeps as hints.
    fn versions_of(&self, key: &Rc<str>) -> Vec<Version> {
        let mut out = self.st.store.get(key).cloned().unwrap_or_default();
        for ((_, k), vs) in &self.st.hints {
            if k == key {
                merge_set(&mut out, vs);
            }
        }
        out
    }

    /// Sends a phase's request to `to` (or serves it here).
    fn ask(&mut self, id: u64, to: NodeId, hint: Option<NodeId>, out: &mut Out<Self>) {
        let Some(p) = self.ops.get(&id) else { return };
        let key = p.op.op.key.clone();
        let msg = match (p.phase, &p.writing) {
            (Phase::Query, _) => QuorumMsg::Get { op: id, key: key.clone() },
            (Phase::Write, Some((v, _))) => QuorumMsg::Put { op: id, key: key.clone(), versions: vec![v.clone()], hint },
            _ => return,
        };
        if to != self.id {
            out.send(to, msg);
            return;
        }
        match msg {
            QuorumMsg::Get { .. } => {
                let versions = self.versions_of(&key);
                self.on_get_reply(id, self.id, versions, out);
            }
            QuorumMsg::Put { versions, .. } => {
                self.store_versions(&key, &versions, hint);
                self.on_put_ack(id, self.id, out);
            }
            _ => {}
        }
    }

    /// Starts a phase: every replica (and stand-in already in use) is asked.
    fn start_phase(&mut self, id: u64, phase: Phase, out: &mut Out<Self>) {
        let Some(p) = self.ops.get_mut(&id) else { return };
        p.phase = phase;
        p.answered.clear();
        // Everyone else first: serving itself may finish this phase and
        // start the next one.
        let me = self.id;
        let mut asked: Vec<(NodeId, Option<NodeId>)> = p.asked.iter().map(|(&n, &h)| (n, h)).collect();
        asked.sort_by_key(|&(n, _)| n == me);
        for (to, hint) in asked {
            self.ask(id, to, hint, out);
        }
    }

    fn needed(&self, phase: Phase) -> usize {
        match phase {
            Phase::Query => (self.params.r as usize).min(self.replicas()),
            _ => (self.params.w as usize).min(self.replicas()),
        }
    }

    fn on_get_reply(&mut self, id: u64, from: NodeId, versions: Vec<Version>, out: &mut Out<Self>) {
        let Some(p) = self.ops.get_mut(&id) else { return };
        if !p.asked.contains_key(&from) || p.replies.iter().any(|(n, _)| *n == from) {
            return;
        }
        p.replies.push((from, versions));
        match p.phase {
            Phase::Query => {
                p.answered.insert(from);
                if p.answered.len() >= self.needed(Phase::Query) {
                    self.decide(id, out);
                }
            }
            _ => self.repair(id, out),
        }
    }

    fn on_put_ack(&mut self, id: u64, from: NodeId, out: &mut Out<Self>) {
        let w = self.needed(Phase::Write);
        let Some(p) = self.ops.get_mut(&id) else { return };
        if p.phase != Phase::Write || !p.answered.insert(from) || p.answered.len() < w {
            return;
        }
        p.phase = Phase::Done;
        if let Some((v, result)) = p.writing.clone() {
            let what = p.op.op.describe();
            out.note(|| format!("{what}: {w} stored {}{}", v.value, super::vclock::clock_text(&v.clock)));
            out.reply(id, result);
        }
    }

    /// R replies are in: answer a read, or compute the version to write.
    fn decide(&mut self, id: u64, out: &mut Out<Self>) {
        let Some(p) = self.ops.get(&id) else { return };
        let mut seen: Vec<Version> = Vec::new();
        let mut clock = BTreeMap::new();
        for (_, vs) in &p.replies {
            merge_set(&mut seen, vs);
            for v in vs {
                merge_clock(&mut clock, &v.clock);
            }
        }
        let top = latest(&seen).cloned();
        let current = top.as_ref().map(|v| v.value.clone());
        let op = p.op.clone();
        if op.op.f == F::Read {
            let result = KvResult { ok: true, value: current.clone() };
            match top {
                Some(v) if self.params.read_write_back => {
                    out.note(|| format!("read {}: writes {} back before answering", op.op.key, v.value));
                    if let Some(p) = self.ops.get_mut(&id) {
                        p.writing = Some((v, result));
                    }
                    self.start_phase(id, Phase::Write, out);
                }
                _ => {
                    if let Some(p) = self.ops.get_mut(&id) {
                        p.phase = Phase::Done;
                    }
                    out.reply(id, result);
                }
            }
            self.repair(id, out);
            return;
        }
        let (next, result) = step(current.as_deref(), &op.op);
        let Some(value) = next.filter(|_| result.ok) else {
            if let Some(p) = self.ops.get_mut(&id) {
                p.phase = Phase::Done;
            }
            out.reply(id, result);
            return;
        };
        let own = clock.get(&self.id).copied().unwrap_or(0).max(self.st.counter) + 1;
        self.st.counter = own;
        clock.insert(self.id, own);
        let v = Version { value, clock };
        if let Some(p) = self.ops.get_mut(&id) {
            p.writing = Some((v, result));
        }
        self.start_phase(id, Phase::Write, out);
    }

    /// Read repair: every replica that answered with less than the newest
    /// versions gets them.
    fn repair(&mut self, id: u64, out: &mut Out<Self>) {
        if !self.params.read_repair {
            return;
        }
        let Some(p) = self.ops.get_mut(&id) else { return };
        if p.op.op.f != F::Read || p.phase == Phase::Query {
            return;
        }
        let mut newest: Vec<Version> = Vec::new();
        for (_, vs) in &p.replies {
            merge_set(&mut newest, vs);
        }
        let key = p.op.op.key.clone();
        let mut stale = Vec::new();
        for (node, vs) in &mut p.replies {
            if p.home.contains(node) && *vs != newest {
                stale.push(*node);
                vs.clone_from(&newest);
            }
        }
        for node in stale {
            if node == self.id {
                self.store_versions(&key, &newest, None);
            } else {
                out.note(|| format!("read repair: n{node} gets the newest {key}"));
                out.send(node, QuorumMsg::Repair { key: key.clone(), versions: newest.clone() });
            }
        }
    }

    /// The retry timer of operation `id`: give up, or ask again those that
    /// have not answered (with a sloppy quorum, a stand-in for each).
    fn retry(&mut self, cx: &mut Ctx, id: u64, out: &mut Out<Self>) {
        let Some(p) = self.ops.get(&id) else { return };
        if cx.now.saturating_sub(p.started) >= self.params.request_timeout_ms {
            if p.phase != Phase::Done {
                let what = p.op.op.describe();
                out.note(|| format!("{what}: gives up without a quorum"));
            }
            self.ops.remove(&id);
            return;
        }
        out.set_timer(QuorumTimer::Retry(id), self.params.retry_ms);
        if p.phase == Phase::Done {
            return;
        }
        let silent: Vec<(NodeId, Option<NodeId>)> =
            p.asked.iter().filter(|(n, _)| !p.answered.contains(n)).map(|(&n, &h)| (n, h)).collect();
        let mut plan = Vec::new();
        if self.params.sloppy_quorum {
            let walk = self.walk(&p.op.op.key);
            let mut used: BTreeSet<NodeId> = p.asked.keys().copied().collect();
            for &(node, hint) in &silent {
                // A silent replica (not a silent stand-in) gets a stand-in.
                if hint.is_some() || p.asked.values().any(|h| *h == Some(node)) {
                    continue;
                }
                if let Some(&sub) = walk.iter().find(|m| !used.contains(m)) {
                    used.insert(sub);
                    plan.push((sub, Some(node)));
                }
            }
        }
        if let Some(p) = self.ops.get_mut(&id) {
            for &(sub, hint) in &plan {
                p.asked.insert(sub, hint);
            }
        }
        for (to, hint) in silent.into_iter().chain(plan) {
            if let Some(h) = hint.filter(|_| to != self.id) {
                out.note(|| format!("asks n{to} to stand in for n{h}"));
            }
            self.ask(id, to, hint, out);
        }
    }

    fn handoff(&mut self, out: &mut Out<Self>) {
        for ((to, key), versions) in &self.st.hints {
            out.send(*to, QuorumMsg::Handoff { key: key.clone(), versions: versions.clone() });
        }
        out.set_timer(QuorumTimer::Handoff, self.params.handoff_ms);
    }

    /// The entries of every key this node and `peer` both replicate.
    fn shared_entries(&self, peer: NodeId) -> Vec<(Rc<str>, Vec<Version>)> {
        let n = self.replicas();
        self.st
            .store
            .iter()
            .filter(|(k, _)| self.ring.preference(k, n).contains(&peer))
            .map(|(k, vs)| (k.clone(), vs.clone()))
            .collect()
    }

    fn anti_entropy(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.n > 1 {
            let k = cx.random_range(0, self.n as u64 - 2) as NodeId;
            let peer = if k >= self.id { k + 1 } else { k };
            out.send(peer, QuorumMsg::Sync { entries: self.shared_entries(peer), reply: true });
        }
        if self.params.anti_entropy_ms > 0 {
            out.set_timer(QuorumTimer::AntiEntropy, self.params.anti_entropy_ms);
        }
    }
}

impl Protocol for QuorumKv {
    const NAME: &'static str = "quorum-kv";
    const NODES: std::ops::RangeInclusive<usize> = 1..=25;
    const DEFAULT_NODES: usize = 5;

    type Params = QuorumParams;
    type Msg = QuorumMsg;
    type Timer = QuorumTimer;
    type Stable = QuorumStable;
    type View = QuorumView;

    fn spec() -> Spec {
        Spec {
            summary: "Replicate each key on N ring neighbours and answer after R or W of them, with vector clocks, read repair, hinted handoff and anti-entropy.",
            reference: "DeCandia et al., Dynamo (SOSP 2007) §4.3–4.7; Attiya, Bar-Noy & Dolev (JACM 1995) for reads that write back",
            kinds: super::quorum_check::KINDS,
            variants: &[
                Variant { name: "weak-quorum", doc: "R = W = 1 with N = 3 (R + W ≤ N): a read can miss the latest write, stale reads", params: r#"{"r": 1, "w": 1}"# },
                Variant { name: "strict-quorum", doc: "R = W = 2 with N = 3 and no write-back: every read meets the last completed write, yet reads concurrent with a write can return new then old", params: r#"{"r": 2, "w": 2, "read_write_back": false}"# },
                Variant { name: "abd", doc: "R = W = 2 and reads write back what they return before answering (ABD): linearizable", params: r#"{"r": 2, "w": 2, "read_write_back": true}"# },
                Variant { name: "sloppy-quorum", doc: "stand-ins answer for unreachable replicas and keep hints: both sides of a partition take writes, reads go stale, hints heal it", params: r#"{"sloppy_quorum": true}"# },
            ],
            fields: &["store"],
            clients: true,
            // Dynamo promises convergence, not linearizability: only the abd
            // variant's reads and writes are linearizable (its compare-and-set
            // is not atomic), so the explorer judges quorum-kv by its
            // invariants and liveness alone.
            linearizable: false,
            layout: Layout::HashRing,
            liveness: "once the network heals, every replica of a key holds the same versions",
            metrics: super::quorum_check::METRICS,
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &QuorumParams, stable: Option<QuorumStable>) -> Self {
        let st = stable.unwrap_or_default();
        let mut me = QuorumKv {
            id,
            n,
            params: params.clone(),
            ring: Ring::new(0..n, params.tokens),
            ops: BTreeMap::new(),
            resolved: Store::new(),
            st,
        };
        let keys: Vec<Rc<str>> = me.st.store.keys().cloned().collect();
        for k in &keys {
            me.set_resolved(k);
        }
        me
    }

    fn crash(self) -> QuorumStable {
        self.st
    }

    fn stable(&self) -> &QuorumStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        out.set_timer(QuorumTimer::Handoff, self.params.handoff_ms);
        if self.params.anti_entropy_ms > 0 {
            // Spread the nodes' first syncs over the period.
            let first = cx.random_range(1, self.params.anti_entropy_ms);
            out.set_timer(QuorumTimer::AntiEntropy, first);
        }
    }

    fn on_message(&mut self, _cx: &mut Ctx, from: NodeId, msg: QuorumMsg, out: &mut Out<Self>) {
        match msg {
            QuorumMsg::Get { op, key } => {
                out.send(from, QuorumMsg::GetReply { op, versions: self.versions_of(&key) });
            }
            QuorumMsg::GetReply { op, versions } => self.on_get_reply(op, from, versions, out),
            QuorumMsg::Put { op, key, versions, hint } => {
                if hint.is_some_and(|h| h != self.id) {
                    out.note(|| format!("keeps {key} as a hint for n{}", hint.unwrap_or_default()));
                }
                self.store_versions(&key, &versions, hint);
                out.send(from, QuorumMsg::PutAck { op });
            }
            QuorumMsg::PutAck { op } => self.on_put_ack(op, from, out),
            QuorumMsg::Repair { key, versions } => {
                if self.store_versions(&key, &versions, None) {
                    out.note(|| format!("read repair brings {key} up to date"));
                }
            }
            QuorumMsg::Handoff { key, versions } => {
                if self.store_versions(&key, &versions, None) {
                    out.note(|| format!("takes {key} from n{from}'s hint"));
                }
                out.send(from, QuorumMsg::HandoffAck { key, versions });
            }
            QuorumMsg::HandoffAck { key, versions } => {
                let slot = (from, key);
                if self.st.hints.get(&slot).is_some_and(|held| held.iter().all(|h| versions.contains(h))) {
                    self.st.hints.remove(&slot);
                    out.note(|| format!("hint for n{from} delivered"));
                }
            }
            QuorumMsg::Sync { entries, reply } => {
                let mut updated = 0;
                for (k, vs) in &entries {
                    updated += usize::from(self.store_versions(k, vs, None));
                }
                if updated > 0 {
                    out.note(|| format!("anti-entropy with n{from}: {updated} key(s) updated"));
                }
                if reply {
                    let mine: Vec<_> = self
                        .shared_entries(from)
                        .into_iter()
                        .filter(|(k, vs)| !entries.iter().any(|(k2, v2)| k2 == k && v2 == vs))
                        .collect();
                    out.send(from, QuorumMsg::Sync { entries: mine, reply: false });
                }
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: QuorumTimer, out: &mut Out<Self>) {
        match timer {
            QuorumTimer::Retry(id) => self.retry(cx, id, out),
            QuorumTimer::Handoff => self.handoff(out),
            QuorumTimer::AntiEntropy => self.anti_entropy(cx, out),
        }
    }

    /// A plain request `k=v` is a write of `k` by no client in particular:
    /// coordinated like any write, its answer goes nowhere (and it is not in
    /// the history the checkers read). Its id is one no client operation can
    /// have (those count up from 0).
    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        let Some((key, val)) = value.split_once('=').map(|(k, v)| (k.trim(), v.trim())).filter(|(k, _)| !k.is_empty()) else {
            out.note(|| format!("\"{value}\" names no key: write k=v (or send a client operation)"));
            return ClientReply::Accepted;
        };
        let id = (PLAIN_REQUESTS..).find(|i| !self.ops.contains_key(i)).unwrap_or(u64::MAX);
        let op = KvOp { f: F::Write, key: Rc::from(key), value: Some(Rc::from(val)), expect: None };
        self.on_client_op(cx, Rc::new(ClientOp { id, client: u64::MAX, op }), out)
    }

    fn on_client_op(&mut self, cx: &mut Ctx, op: Rc<ClientOp>, out: &mut Out<Self>) -> ClientReply {
        let id = op.id;
        let mut home = self.walk(&op.op.key);
        home.truncate(self.replicas());
        out.note(|| format!("coordinates {} on {}", op.op.describe(), crate::base::text::node_set(home.iter().copied())));
        let asked = home.iter().map(|&h| (h, None)).collect();
        let p = Pending {
            op,
            phase: Phase::Query,
            started: cx.now,
            home,
            asked,
            answered: BTreeSet::new(),
            replies: Vec::new(),
            writing: None,
        };
        self.ops.insert(id, p);
        out.set_timer(QuorumTimer::Retry(id), self.params.retry_ms);
        self.start_phase(id, Phase::Query, out);
        ClientReply::Accepted
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.resolved)
    }

    fn holds(&self, key: &str) -> bool {
        self.ring.preference(key, self.replicas()).contains(&self.id)
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        self.anti_entropy(cx, out);
        true
    }

    fn view(&self) -> QuorumView {
        let mut v = Self::view_down(self.id, &self.st);
        v.coordinating = self
            .ops
            .values()
            .filter(|p| p.phase != Phase::Done)
            .map(|p| {
                let (what, need) = match p.phase {
                    Phase::Query => ("replies", self.needed(Phase::Query)),
                    _ => ("acks", self.needed(Phase::Write)),
                };
                format!("{}: {}/{need} {what}", p.op.op.describe(), p.answered.len())
            })
            .collect();
        v
    }

    fn view_down(_id: NodeId, st: &QuorumStable) -> QuorumView {
        QuorumView {
            store: st.store.iter().map(|(k, vs)| (k.clone(), version_views(vs))).collect(),
            hints: st
                .hints
                .iter()
                .map(|((n, k), vs)| HintView { for_node: *n, key: k.clone(), versions: version_views(vs) })
                .collect(),
            coordinating: Vec::new(),
        }
    }
}

/// Whether a sibling set holds a version that descends from `v` (tests).
pub fn covers(set: &[Version], v: &Version) -> bool {
    let mut s = set.to_vec();
    !add_version(&mut s, v)
}
