//! Consistent hashing with virtual nodes (`consistent-hashing`): Karger et
//! al. 1997, as Dynamo uses it (DeCandia et al. 2007 §4.2 "Partitioning
//! Algorithm", §4.3 "Replication").
//!
//! Every member places `tokens` virtual nodes on a 32-bit ring (positions
//! from a fixed hash of the node id and token index, see [`super::ring`]). A
//! key belongs to the first token clockwise from its hash — its coordinator —
//! and is replicated on the coordinator and the next `replicas − 1` distinct
//! physical nodes clockwise (the preference list; further tokens of a node
//! already listed are skipped).
//!
//! A `client_request "k=v"` reaches any node, which sends `Put` to each node
//! of the key's preference list. When the membership changes, each node
//! recomputes the ring and hands keys over by message:
//! - `join`: the joiner announces itself (`Join`) to its contacts, who tell
//!   the rest and welcome it with the member list. For each key whose
//!   preference list gains a node, the key's old coordinator sends it there
//!   (`Transfer`); a node that is no longer on a key's list drops it.
//! - `leave`: the leaver sends each of its keys to the nodes that take its
//!   place on the key's preference list, then says goodbye (`Leave`).
//!
//! Everything a node holds (its keys and its member list) is on disk.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde::Serialize;

use super::ring::{Ring, key_position, tokens_of};
use crate::params::ParamReader;
use crate::protocol::{
    ClientReply, Ctx, Message, NetworkDefaults, NodeId, Out, Params, Protocol, ScenarioError, TimerName, Value,
};
use crate::spec::{Doc, Layout, Spec};

/// `params` for `consistent-hashing`; see docs/protocols/consistent-hashing.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HashingParams {
    /// Virtual nodes (ring positions) per physical node.
    pub tokens: u64,
    /// N: how many distinct physical nodes hold each key.
    pub replicas: u64,
    /// How many synthetic keys the metrics compare the schemes on.
    pub sample_keys: u64,
}

impl Default for HashingParams {
    fn default() -> Self {
        HashingParams { tokens: 8, replicas: 3, sample_keys: 10_000 }
    }
}

/// The most tokens per node accepted.
pub const MAX_TOKENS: u64 = 1_000;
/// The most synthetic keys the metrics use.
pub const MAX_SAMPLE_KEYS: u64 = 100_000;

impl Params for HashingParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("tokens", "Virtual nodes (ring positions) per physical node; the load spread falls as about 1/√tokens.", &mut self.tokens)?;
        r.field("replicas", "N: how many distinct physical nodes hold each key (the preference list's length; every member when there are fewer).", &mut self.replicas)?;
        r.field("sample_keys", "How many synthetic keys (key0, key1, …) the metrics place under each scheme to measure keys moved and load spread.", &mut self.sample_keys)?;
        Ok(())
    }
    fn validate(&self, nodes: usize) -> Result<(), String> {
        if self.tokens == 0 || self.tokens > MAX_TOKENS {
            return Err(format!("tokens must be between 1 and {MAX_TOKENS} (got {})", self.tokens));
        }
        let _ = nodes;
        if self.replicas == 0 || self.replicas > 64 {
            return Err(format!("replicas must be between 1 and 64 (got {}); a smaller ring keeps every key on every node", self.replicas));
        }
        if self.sample_keys > MAX_SAMPLE_KEYS {
            return Err(format!("sample_keys must be at most {MAX_SAMPLE_KEYS} (got {})", self.sample_keys));
        }
        Ok(())
    }
}

/// A key and its value, as transfers carry them.
pub type Pair = (Rc<str>, Rc<str>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum HashMsg {
    /// Store `key = value`: a client write forwarded to a preference-list node.
    Put { key: Rc<str>, value: Rc<str> },
    /// Node `node` joins the ring (from the joiner, then passed on once).
    Join { node: NodeId },
    /// The member list, for a joiner.
    Welcome { members: Vec<NodeId> },
    /// Node `node` leaves the ring.
    Leave { node: NodeId },
    /// Keys handed over after a membership change.
    Transfer { keys: Vec<Pair> },
}

impl Message for HashMsg {
    fn kind(&self) -> &'static str {
        match self {
            HashMsg::Put { .. } => "Put",
            HashMsg::Join { .. } => "Join",
            HashMsg::Welcome { .. } => "Welcome",
            HashMsg::Leave { .. } => "Leave",
            HashMsg::Transfer { .. } => "Transfer",
        }
    }
    fn label(&self) -> String {
        let clip = |s: &str| crate::base::text::clip(s, 10);
        match self {
            HashMsg::Put { key, value } => format!("put {}={}", clip(key), clip(value)),
            HashMsg::Join { node } => format!("n{node} joins"),
            HashMsg::Welcome { members } => format!("welcome ({} members)", members.len()),
            HashMsg::Leave { node } => format!("n{node} leaves"),
            HashMsg::Transfer { keys } => match keys.as_slice() {
                [(k, _)] => format!("transfer {}", clip(k)),
                _ => format!("transfer {} keys", keys.len()),
            },
        }
    }
}

/// The engine sets no timers; the type has no values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum HashTimer {}

impl TimerName for HashTimer {
    fn name(&self) -> &'static str {
        match *self {}
    }
}

/// What a node keeps on disk: its keys and whom it knows on the ring.
#[derive(Clone, Debug, Default)]
pub struct HashStable {
    /// Virtual nodes this node placed on the ring (its configuration).
    pub tokens: u64,
    pub members: BTreeSet<NodeId>,
    pub store: BTreeMap<Rc<str>, Rc<str>>,
}

#[derive(Clone, Debug)]
pub struct ConsistentHashing {
    id: NodeId,
    params: HashingParams,
    st: HashStable,
    ring: Ring,
}

/// The node fields of the scenario format, and what the page draws.
#[derive(Serialize)]
pub struct HashView {
    /// Ring positions this node owns (0..2³²), ascending.
    pub tokens: Vec<u32>,
    /// Keys it stores, ascending.
    pub keys: Vec<Value>,
    /// Each key's ring position, in the order of `keys`.
    pub key_positions: Vec<u32>,
    /// Each key's value, in the order of `keys`.
    pub values: Vec<Value>,
    /// The members this node knows, ascending.
    pub members: Vec<NodeId>,
}

impl ConsistentHashing {
    pub fn params(&self) -> &HashingParams {
        &self.params
    }
    pub fn members(&self) -> &BTreeSet<NodeId> {
        &self.st.members
    }
    pub fn store(&self) -> &BTreeMap<Rc<str>, Rc<str>> {
        &self.st.store
    }
    fn n(&self) -> usize {
        self.params.replicas as usize
    }

    fn rebuild(&mut self) {
        self.ring = Ring::new(self.st.members.iter().copied(), self.params.tokens);
    }

    /// The member set changed from `old` to the current one. With `send`,
    /// this node hands each key it coordinated under `old` to the nodes its
    /// new preference list gains; then it drops the keys it no longer holds
    /// a place for.
    fn rebalance(&mut self, old: &Ring, send: bool, out: &mut Out<Self>) {
        let n = self.n();
        let mut outgoing: BTreeMap<NodeId, Vec<Pair>> = BTreeMap::new();
        let mut dropped = Vec::new();
        for (key, value) in &self.st.store {
            let pos = key_position(key);
            let before = old.preference_at(pos, n);
            let after = self.ring.preference_at(pos, n);
            if send && before.first() == Some(&self.id) {
                for &to in after.iter().filter(|t| **t != self.id && !before.contains(t)) {
                    outgoing.entry(to).or_default().push((key.clone(), value.clone()));
                }
            }
            if !after.contains(&self.id) {
                dropped.push(key.clone());
            }
        }
        for (to, keys) in outgoing {
            out.note(|| format!("hands {} to n{to}", crate::base::text::count(keys.len() as u64, "key", "keys")));
            out.send(to, HashMsg::Transfer { keys });
        }
        for k in &dropped {
            self.st.store.remove(k);
        }
        if !dropped.is_empty() {
            out.note(|| format!("drops {} it no longer replicates", crate::base::text::count(dropped.len() as u64, "key", "keys")));
        }
    }

    fn add_member(&mut self, node: NodeId, out: &mut Out<Self>) -> bool {
        if !self.st.members.insert(node) {
            return false;
        }
        let old = self.ring.clone();
        self.rebuild();
        self.rebalance(&old, true, out);
        true
    }

    fn put(&mut self, key: Rc<str>, value: Rc<str>) {
        self.st.store.insert(key, value);
    }
}

impl Protocol for ConsistentHashing {
    const NAME: &'static str = "consistent-hashing";
    const NODES: std::ops::RangeInclusive<usize> = 1..=64;
    const DEFAULT_NODES: usize = 5;

    type Params = HashingParams;
    type Msg = HashMsg;
    type Timer = HashTimer;
    type Stable = HashStable;
    type View = HashView;

    fn spec() -> Spec {
        Spec {
            summary: "Place keys on a hash ring with virtual nodes so that a join or leave moves only about 1/N of them.",
            reference: "Karger et al., Consistent Hashing and Random Trees (STOC 1997); DeCandia et al., Dynamo (SOSP 2007) §4.2–4.3",
            kinds: &[
                Doc { name: "Put", doc: "a client write forwarded to a node of the key's preference list" },
                Doc { name: "Join", doc: "a node joins the ring (the joiner tells its contacts, who tell the rest)" },
                Doc { name: "Welcome", doc: "the member list, sent to a joiner" },
                Doc { name: "Leave", doc: "a node's goodbye: it leaves the ring" },
                Doc { name: "Transfer", doc: "keys handed to a node that now holds a place on their preference list" },
            ],
            fields: &["tokens", "keys"],
            membership: true,
            layout: Layout::HashRing,
            metrics: super::hashing_check::METRICS,
            curves: super::hashing_check::CURVES,
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, _nodes: usize, params: &HashingParams, stable: Option<HashStable>) -> Self {
        let mut st = stable.unwrap_or_default();
        st.tokens = params.tokens;
        let mut me = ConsistentHashing { id, params: params.clone(), st, ring: Ring::default() };
        me.rebuild();
        me
    }

    fn crash(self) -> HashStable {
        self.st
    }

    fn stable(&self) -> &HashStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, _out: &mut Out<Self>) {
        if self.st.members.is_empty() {
            self.st.members = cx.members().collect();
            self.st.members.insert(self.id);
            self.rebuild();
        }
    }

    fn on_join(&mut self, _cx: &mut Ctx, contact: &[NodeId], out: &mut Out<Self>) {
        self.st.members = contact.iter().copied().chain([self.id]).collect();
        self.rebuild();
        for &c in contact {
            out.send(c, HashMsg::Join { node: self.id });
        }
        out.milestone(|| format!("n{} joins the ring with {} tokens", self.id, self.params.tokens));
    }

    fn on_leave(&mut self, _cx: &mut Ctx, out: &mut Out<Self>) {
        let old = self.ring.clone();
        let others: Vec<NodeId> = self.st.members.iter().copied().filter(|&m| m != self.id).collect();
        let new = Ring::new(others.iter().copied(), self.params.tokens);
        let n = self.n();
        let mut outgoing: BTreeMap<NodeId, Vec<Pair>> = BTreeMap::new();
        for (key, value) in &self.st.store {
            let pos = key_position(key);
            let before = old.preference_at(pos, n);
            for to in new.preference_at(pos, n).into_iter().filter(|t| !before.contains(t)) {
                outgoing.entry(to).or_default().push((key.clone(), value.clone()));
            }
        }
        for (to, keys) in outgoing {
            out.send(to, HashMsg::Transfer { keys });
        }
        for m in others {
            out.send(m, HashMsg::Leave { node: self.id });
        }
        out.milestone(|| format!("n{} leaves the ring, handing its keys on", self.id));
    }

    fn on_message(&mut self, _cx: &mut Ctx, from: NodeId, msg: HashMsg, out: &mut Out<Self>) {
        match msg {
            HashMsg::Put { key, value } => {
                out.note(|| format!("stores {key}={value}"));
                self.put(key, value);
            }
            HashMsg::Join { node } => {
                let direct = from == node;
                let known: Vec<NodeId> = self.st.members.iter().copied().collect();
                if self.add_member(node, out) {
                    out.note(|| format!("learns that n{node} joined"));
                    if direct {
                        for &m in known.iter().filter(|&&m| m != self.id && m != node) {
                            out.send(m, HashMsg::Join { node });
                        }
                    }
                }
                if direct {
                    out.send(node, HashMsg::Welcome { members: self.st.members.iter().copied().collect() });
                }
            }
            HashMsg::Welcome { members } => {
                let old = self.ring.clone();
                let before = self.st.members.len();
                self.st.members.extend(members);
                if self.st.members.len() != before {
                    self.rebuild();
                    self.rebalance(&old, true, out);
                }
            }
            HashMsg::Leave { node } => {
                if node != self.id && self.st.members.remove(&node) {
                    out.note(|| format!("learns that n{node} left"));
                    let old = self.ring.clone();
                    self.rebuild();
                    // The leaver handed its keys on itself.
                    self.rebalance(&old, false, out);
                }
            }
            HashMsg::Transfer { keys } => {
                out.note(|| format!("receives {}", crate::base::text::count(keys.len() as u64, "key", "keys")));
                for (k, v) in keys {
                    self.put(k, v);
                }
            }
        }
    }

    fn on_timer(&mut self, _cx: &mut Ctx, timer: HashTimer, _out: &mut Out<Self>) {
        match timer {}
    }

    fn on_client_request(&mut self, _cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        let (key, val) = match value.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (value.trim(), ""),
        };
        if key.is_empty() {
            out.note(|| format!("\"{value}\" names no key (write k=v)"));
            return ClientReply::Accepted;
        }
        let (key, val): (Rc<str>, Rc<str>) = (Rc::from(key), Rc::from(val));
        let list = self.ring.preference(&key, self.n());
        out.note(|| format!("{key} goes to {}", crate::base::text::node_set(list.iter().copied())));
        for to in list {
            if to == self.id {
                self.put(key.clone(), val.clone());
            } else {
                out.send(to, HashMsg::Put { key: key.clone(), value: val.clone() });
            }
        }
        ClientReply::Accepted
    }

    fn on_timeout_now(&mut self, _cx: &mut Ctx, _out: &mut Out<Self>) -> bool {
        false
    }

    fn view(&self) -> HashView {
        Self::view_down(self.id, &self.st)
    }

    fn view_down(id: NodeId, st: &HashStable) -> HashView {
        HashView {
            tokens: tokens_of(id, st.tokens),
            keys: st.store.keys().cloned().collect(),
            key_positions: st.store.keys().map(|k| key_position(k)).collect(),
            values: st.store.values().cloned().collect(),
            members: st.members.iter().copied().collect(),
        }
    }
}

