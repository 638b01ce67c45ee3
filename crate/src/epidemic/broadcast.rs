//! Broadcast, as Jepsen's Maelstrom "broadcast" workload and the Gossip
//! Glomers challenges (3a–3e) pose it: clients hand values to nodes, and
//! every value must reach every node, also across partitions.
//!
//! Nodes talk only to their neighbors in a fixed `topology` (line, grid,
//! tree, total, random; every node computes the same one). A node that
//! learns a value, from a client or a neighbor, forwards it to every
//! neighbor but the one it came from. Forwarded values wait in a per-neighbor
//! buffer for up to `batch_ms` (0: sent at once) and go out together as one
//! `Broadcast` batch; the neighbor answers `BroadcastOk`, and a batch not
//! acknowledged is sent again every `retry_ms` until it is — which is what
//! carries values across a partition once it heals. The values a node has
//! are durable; its buffers are not, so a node that restarts offers all it
//! has to its neighbors once.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::params::ParamReader;
use crate::protocol::{ClientReply, Ctx, Message, NetworkDefaults, NodeId, Out, Params, Protocol, Time, TimerName, Value};
use crate::scenario::ScenarioError;
use crate::spec::{Command, CommandSpec, Doc, Layout, Spec, Variant};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum BroadcastMsg {
    /// A batch of values for a neighbor.
    Broadcast { batch: u64, values: Vec<Value> },
    /// The neighbor has batch `batch`.
    BroadcastOk { batch: u64 },
}

impl Message for BroadcastMsg {
    fn kind(&self) -> &'static str {
        match self {
            BroadcastMsg::Broadcast { .. } => "Broadcast",
            BroadcastMsg::BroadcastOk { .. } => "BroadcastOk",
        }
    }
    fn label(&self) -> String {
        match self {
            BroadcastMsg::Broadcast { batch, values } => match values.as_slice() {
                [one] => format!("#{batch} {}", crate::base::text::clip(one, 10)),
                vs => format!("#{batch} ({} values)", vs.len()),
            },
            BroadcastMsg::BroadcastOk { batch } => format!("ok #{batch}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum BroadcastTimer {
    /// Send the buffered values (batching).
    Flush,
    /// Send every unacknowledged batch again.
    Retry,
}

impl TimerName for BroadcastTimer {
    fn name(&self) -> &'static str {
        match self {
            BroadcastTimer::Flush => "flush",
            BroadcastTimer::Retry => "retry",
        }
    }
}

pub const TOPOLOGIES: [&str; 5] = ["line", "grid", "tree", "total", "random"];

/// `params` for `broadcast`; see docs/protocols/broadcast.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BroadcastParams {
    pub topology: String,
    pub degree: u64,
    pub topology_seed: u64,
    pub batch_ms: Time,
    pub retry_ms: Time,
}

impl Default for BroadcastParams {
    fn default() -> Self {
        BroadcastParams { topology: "tree".into(), degree: 4, topology_seed: 1, batch_ms: 0, retry_ms: 500 }
    }
}

impl Params for BroadcastParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.choice("topology", "Who talks to whom: \"line\", \"grid\" (a square grid, row by row), \"tree\" (node i's parent is (i-1)/degree), \"total\" (everyone) or \"random\" (a random spanning tree plus random extra links, degree - 1 per node).", &TOPOLOGIES, &mut self.topology)?;
        r.field("degree", "Children per node in a tree; in a random topology, one link to an earlier node plus degree - 1 random extra links per node.", &mut self.degree)?;
        r.field("topology_seed", "The seed the random topology is drawn from (the same at every node).", &mut self.topology_seed)?;
        r.field("batch_ms", "How long forwarded values wait to go out together in one batch per neighbor; 0 sends each at once.", &mut self.batch_ms)?;
        r.field("retry_ms", "A batch not acknowledged is sent again this often, until it is.", &mut self.retry_ms)?;
        Ok(())
    }
    fn validate(&self, _nodes: usize) -> Result<(), String> {
        if !TOPOLOGIES.contains(&self.topology.as_str()) {
            return Err(format!("topology must be one of {} (got \"{}\")", TOPOLOGIES.join(", "), self.topology));
        }
        if !(1..=100).contains(&self.degree) {
            return Err(format!("degree must be between 1 and 100 (got {})", self.degree));
        }
        if self.batch_ms > 600_000 {
            return Err(format!("batch_ms must be at most 600000 (got {})", self.batch_ms));
        }
        if !(10..=600_000).contains(&self.retry_ms) {
            return Err(format!("retry_ms must be between 10 and 600000 (got {})", self.retry_ms));
        }
        Ok(())
    }
}

/// splitmix64: the random topology's own stream, a pure function of its seed.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Every node's neighbors, ascending; the same at every node.
pub fn topology(p: &BroadcastParams, n: usize) -> Vec<Vec<NodeId>> {
    let mut adj = vec![Vec::new(); n];
    let link = |a: NodeId, b: NodeId, adj: &mut Vec<Vec<NodeId>>| {
        if a != b && !adj[a].contains(&b) {
            adj[a].push(b);
            adj[b].push(a);
        }
    };
    let d = p.degree as usize;
    match p.topology.as_str() {
        "line" => (1..n).for_each(|i| link(i - 1, i, &mut adj)),
        "grid" => {
            let side = (1..=n).find(|s| s * s >= n).unwrap_or(1);
            for i in 0..n {
                if i % side + 1 < side && i + 1 < n {
                    link(i, i + 1, &mut adj);
                }
                if i + side < n {
                    link(i, i + side, &mut adj);
                }
            }
        }
        "total" => (0..n).for_each(|i| (i + 1..n).for_each(|j| link(i, j, &mut adj))),
        "random" => {
            let mut s = p.topology_seed;
            for i in 1..n {
                let parent = (next(&mut s) % i as u64) as NodeId;
                link(i, parent, &mut adj);
            }
            for i in 0..n {
                for _ in 1..d {
                    let j = (next(&mut s) % n as u64) as NodeId;
                    link(i, j, &mut adj);
                }
            }
        }
        _ => (1..n).for_each(|i| link(i, (i - 1) / d, &mut adj)),
    }
    for a in &mut adj {
        a.sort_unstable();
    }
    adj
}

#[derive(Clone, Debug, Default)]
pub struct BroadcastStable {
    /// Every value this node has, in the order it learned them.
    pub known: Vec<Value>,
}

#[derive(Clone, Debug)]
pub struct Broadcast {
    params: BroadcastParams,
    st: BroadcastStable,
    neighbors: Vec<NodeId>,
    /// Values waiting for the next flush, per neighbor.
    outbox: BTreeMap<NodeId, Vec<Value>>,
    /// Batches sent and not yet acknowledged, with when they were last sent.
    unacked: BTreeMap<(NodeId, u64), (Time, Vec<Value>)>,
    next_batch: u64,
    flushing: bool,
    retrying: bool,
    sent: u64,
}

#[derive(Serialize)]
pub struct BroadcastView {
    /// Every value the node has, in the order it learned them.
    pub known: Vec<Value>,
    pub neighbors: Vec<NodeId>,
    /// Batches sent and not yet acknowledged.
    pub unacked: usize,
    /// Values waiting in the buffers for the next flush.
    pub buffered: usize,
    pub sent: u64,
}

impl Broadcast {
    pub fn known(&self) -> &[Value] {
        &self.st.known
    }

    fn queue(&mut self, cx: &Ctx, v: &Value, except: Option<NodeId>, out: &mut Out<Self>) {
        for &nb in &self.neighbors {
            if Some(nb) != except {
                self.outbox.entry(nb).or_default().push(v.clone());
            }
        }
        if self.params.batch_ms == 0 {
            self.flush(cx, out);
        } else if !self.flushing {
            self.flushing = true;
            out.set_timer(BroadcastTimer::Flush, self.params.batch_ms);
        }
    }

    fn flush(&mut self, cx: &Ctx, out: &mut Out<Self>) {
        for (nb, values) in std::mem::take(&mut self.outbox) {
            if values.is_empty() {
                continue;
            }
            let batch = self.next_batch;
            self.next_batch += 1;
            self.sent += 1;
            out.send(nb, BroadcastMsg::Broadcast { batch, values: values.clone() });
            self.unacked.insert((nb, batch), (cx.now, values));
        }
        if !self.unacked.is_empty() && !self.retrying {
            self.retrying = true;
            out.set_timer(BroadcastTimer::Retry, self.params.retry_ms);
        }
    }

    fn learn(&mut self, cx: &Ctx, v: &Value, from: Option<NodeId>, out: &mut Out<Self>) {
        if self.st.known.contains(v) {
            return;
        }
        self.st.known.push(v.clone());
        self.queue(cx, v, from, out);
    }
}

impl super::gossip_checker::Spreading for Broadcast {
    const MONGERS: bool = false;
    fn known_of(stable: &BroadcastStable) -> &[Value] {
        &stable.known
    }
    fn hot_values(&self) -> Vec<Value> {
        Vec::new()
    }
    fn sent(&self) -> u64 {
        self.sent
    }
    fn round_ms(&self) -> Time {
        self.params.batch_ms.max(1)
    }
    fn converges(&self) -> bool {
        true
    }
}

impl Protocol for Broadcast {
    const NAME: &'static str = "broadcast";
    const NODES: std::ops::RangeInclusive<usize> = 1..=100;
    const DEFAULT_NODES: usize = 25;

    type Params = BroadcastParams;
    type Msg = BroadcastMsg;
    type Timer = BroadcastTimer;
    type Stable = BroadcastStable;
    type View = BroadcastView;

    fn spec() -> Spec {
        Spec {
            summary: "Every value a client hands to any node reaches every node, over a fixed topology, with batching and retries until acknowledged.",
            reference: "Jepsen Maelstrom, the broadcast workload; Fly.io Gossip Glomers, challenges 3a–3e",
            kinds: &[
                Doc { name: "Broadcast", doc: "a batch of values forwarded to a neighbor" },
                Doc { name: "BroadcastOk", doc: "the neighbor has the batch: no more retries" },
            ],
            variants: &[
                Variant { name: "batched", doc: "values wait up to 100 ms to go out together: far fewer messages per operation, more latency (challenge 3e)", params: r#"{"batch_ms": 100}"# },
                Variant { name: "total", doc: "everyone talks to everyone: fast, but every value crosses every link", params: r#"{"topology": "total"}"# },
                Variant { name: "line", doc: "a line: few messages, latency grows with the length", params: r#"{"topology": "line"}"# },
            ],
            commands: &[CommandSpec {
                name: "read",
                doc: "Maelstrom's read: the node answers with every value it has, in the order it got them",
                args: &[],
            }],
            fields: &["known", "unacked"],
            layout: Layout::Ring,
            liveness: "once the network heals, every value reaches every live node",
            metrics: &[
                Doc { name: "ops", doc: "values clients broadcast" },
                Doc { name: "messages_per_op", doc: "server-to-server messages (batches and acknowledgements, retries included) per broadcast value" },
                Doc { name: "latency_p50_ms", doc: "median time from a broadcast until every live node has the value (values that got everywhere)" },
                Doc { name: "latency_p95_ms", doc: "the 95th percentile of that time" },
                Doc { name: "latency_max_ms", doc: "the longest of that time" },
                Doc { name: "unspread", doc: "values some live node still lacks" },
                Doc { name: "messages_per_node", doc: "messages sent, divided by the number of nodes" },
            ],
            series: &[Doc { name: "known:<value>", doc: "the share of live nodes that have each value" }],
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (100, 100), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &BroadcastParams, stable: Option<BroadcastStable>) -> Self {
        let neighbors = topology(params, n).swap_remove(id);
        Broadcast {
            params: params.clone(),
            st: stable.unwrap_or_default(),
            neighbors,
            outbox: BTreeMap::new(),
            unacked: BTreeMap::new(),
            next_batch: 0,
            flushing: false,
            retrying: false,
            sent: 0,
        }
    }

    fn crash(self) -> BroadcastStable {
        self.st
    }
    fn stable(&self) -> &BroadcastStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        // A restart: what it had may not have left before the crash.
        let known = self.st.known.clone();
        for v in &known {
            for &nb in &self.neighbors {
                self.outbox.entry(nb).or_default().push(v.clone());
            }
        }
        if !known.is_empty() {
            self.flush(cx, out);
        }
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: BroadcastMsg, out: &mut Out<Self>) {
        match msg {
            BroadcastMsg::Broadcast { batch, values } => {
                self.sent += 1;
                out.send(from, BroadcastMsg::BroadcastOk { batch });
                for v in &values {
                    self.learn(cx, v, Some(from), out);
                }
            }
            BroadcastMsg::BroadcastOk { batch } => {
                self.unacked.remove(&(from, batch));
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: BroadcastTimer, out: &mut Out<Self>) {
        match timer {
            BroadcastTimer::Flush => {
                self.flushing = false;
                self.flush(cx, out);
            }
            BroadcastTimer::Retry => {
                self.retrying = false;
                // Only batches that waited a whole `retry_ms` go again.
                let due = cx.now.saturating_sub(self.params.retry_ms);
                let mut next = None::<Time>;
                for ((nb, batch), (at, values)) in &mut self.unacked {
                    if *at <= due {
                        *at = cx.now;
                        self.sent += 1;
                        out.send(*nb, BroadcastMsg::Broadcast { batch: *batch, values: values.clone() });
                    }
                    next = Some(next.map_or(*at, |t: Time| t.min(*at)));
                }
                if let Some(oldest) = next {
                    self.retrying = true;
                    out.set_timer(BroadcastTimer::Retry, (oldest + self.params.retry_ms).saturating_sub(cx.now).max(1));
                }
            }
        }
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        out.milestone(|| format!("broadcast \"{value}\""));
        self.learn(cx, &value, None, out);
        ClientReply::Accepted
    }

    /// Maelstrom's `read`: what the node has, answered at once from its own
    /// state (no message: the workload's reads are local).
    fn on_command(&mut self, _cx: &mut Ctx, cmd: &Command, out: &mut Out<Self>) -> Result<ClientReply, String> {
        match cmd.name {
            "read" => {
                let known = &self.st.known;
                out.note(|| {
                    if known.is_empty() {
                        "read: has no value yet".to_string()
                    } else {
                        let list: Vec<String> = known.iter().map(|v| format!("\"{v}\"")).collect();
                        format!("read: has {}", list.join(", "))
                    }
                });
                Ok(ClientReply::Accepted)
            }
            other => Err(format!("broadcast has no command {other}")),
        }
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        if self.unacked.is_empty() && self.outbox.is_empty() {
            return false;
        }
        self.flush(cx, out);
        for (at, _) in self.unacked.values_mut() {
            *at = 0;
        }
        self.on_timer(cx, BroadcastTimer::Retry, out);
        true
    }

    fn view(&self) -> BroadcastView {
        BroadcastView {
            known: self.st.known.clone(),
            neighbors: self.neighbors.clone(),
            unacked: self.unacked.len(),
            buffered: self.outbox.values().map(Vec::len).sum(),
            sent: self.sent,
        }
    }

    fn view_down(_id: NodeId, s: &BroadcastStable) -> BroadcastView {
        BroadcastView { known: s.known.clone(), neighbors: Vec::new(), unacked: 0, buffered: 0, sent: 0 }
    }
}
