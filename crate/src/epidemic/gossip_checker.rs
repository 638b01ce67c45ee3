//! What the checker of the epidemic family (`gossip`, `broadcast`) watches:
//! its invariants, its metrics and its series (see docs/protocols/gossip.md
//! and docs/protocols/broadcast.md). Both protocols spread injected values
//! to every node; [`Spreading`] is what the checker reads of them.
//!
//! Invariants, checked after every step from what the step changed:
//! - `only_injected`: a node knows only values some client request
//!   injected (gossip invents nothing; Demers et al. §1.1's updates).
//! - `known_is_kept`: a node never loses or reorders a value it knew, not
//!   even across a crash (the replicated database is durable), and learns
//!   each value once.
//!
//! Metrics: milliseconds (and, for gossip, rounds) until every live node
//! knew each value, messages per node; for gossip the residue of §1.4 — the
//! share of live nodes a rumor never reached when the last node spreading
//! it lost interest; for broadcast messages per operation and the latency
//! until a value is everywhere (p50, p95, max), as Maelstrom reports them.
//! Series: `known:<value>`, the share of live nodes that know each value.
//! Everything is kept incrementally: a step costs O(rumors) here.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::invariant::{Checker, Figures, Looks, Nodes, Violation};
use crate::protocol::{NodeId, Protocol, Time, Value};
use crate::scenario::Event;

/// What the checker reads of a protocol that spreads values.
pub trait Spreading: Protocol {
    /// Rumor mongering with rounds and a residue (gossip), or not (broadcast).
    const MONGERS: bool;
    /// The values a node has, in the order it learned them (durable).
    fn known_of(stable: &Self::Stable) -> &[Value];
    /// The values it still spreads actively.
    fn hot_values(&self) -> Vec<Value>;
    /// How many values it spreads actively (`hot_values().len()`, without the list).
    fn hot_count(&self) -> usize {
        self.hot_values().len()
    }
    /// Messages sent since it started.
    fn sent(&self) -> u64;
    /// The length of a round (gossip), for counting rounds.
    fn round_ms(&self) -> Time;
    /// Whether every value is promised to reach every live node once faults stop.
    fn converges(&self) -> bool;
}

#[derive(Clone, Debug)]
struct Rumor {
    value: Value,
    injected_ms: Time,
    /// Live nodes that know it.
    known_up: usize,
    /// Live nodes that hold it hot.
    hot_up: usize,
    ever_hot: bool,
    full_ms: Option<Time>,
    /// When the last node holding it hot lost interest, and the residue
    /// then. It counts as over once nobody took it up again for a whole
    /// round (a push may still be on its way when its sender stops).
    stopped: Option<(Time, f64)>,
}

#[derive(Clone, Debug, Default)]
struct Seen {
    up: bool,
    /// Indices of the rumors it knows, in its `known` order.
    knows: Vec<usize>,
    hot: Vec<usize>,
    sent: u64,
    /// The length of its database when last seen.
    known_len: usize,
}

#[derive(Clone, Debug)]
pub struct SpreadChecker<P> {
    rumors: Vec<Rumor>,
    index: BTreeMap<Value, usize>,
    nodes: Vec<Seen>,
    up: usize,
    started: bool,
    sent_total: u64,
    interval_ms: Time,
    /// Anti-entropy runs (the mode or the backstop): convergence is promised.
    anti_entropy: bool,
    reported: Vec<(NodeId, &'static str)>,
    /// The rumors whose counts the current step changed (kept to reuse its room).
    touched: Vec<usize>,
    _p: PhantomData<fn() -> P>,
}

impl<P> Default for SpreadChecker<P> {
    fn default() -> Self {
        SpreadChecker {
            rumors: Vec::new(),
            index: BTreeMap::new(),
            nodes: Vec::new(),
            up: 0,
            started: false,
            sent_total: 0,
            interval_ms: 0,
            anti_entropy: false,
            reported: Vec::new(),
            touched: Vec::new(),
            _p: PhantomData,
        }
    }
}

/// The checker of `gossip`.
pub type GossipChecker = SpreadChecker<super::Gossip>;

impl<P: Spreading> SpreadChecker<P> {
    fn report(&mut self, out: &mut Vec<Violation>, now: Time, node: NodeId, invariant: &'static str, detail: String) {
        if !self.reported.contains(&(node, invariant)) {
            self.reported.push((node, invariant));
            out.push(Violation { invariant, at_ms: now, detail });
        }
    }

    fn start(&mut self, nodes: &dyn Nodes<P>) {
        self.started = true;
        self.nodes = vec![Seen::default(); nodes.len()];
        for i in 0..nodes.len() {
            if let Some(p) = nodes.node(i).up() {
                self.nodes[i].up = true;
                self.up += 1;
                self.interval_ms = p.round_ms();
                self.anti_entropy = p.converges();
            }
        }
    }

    /// Brings node `i`'s contribution up to date with what it is now.
    fn update(&mut self, now: Time, i: NodeId, nodes: &dyn Nodes<P>, out: &mut Vec<Violation>) {
        let node = nodes.node(i);
        let up = node.up().is_some();
        let known = P::known_of(node.stable());
        let mut seen = std::mem::take(&mut self.nodes[i]);
        // The node's counts change by what changed: a database of thousands
        // of values is not recounted after every step of a large run.
        if seen.up {
            for &r in &seen.hot {
                self.rumors[r].hot_up -= 1;
                self.touched.push(r);
            }
            self.up -= 1;
        }
        // Whether the database still holds what it held, in order. In full
        // when the node went down or came up (where a database could lose
        // entries); while it runs it only ever appends, so the entry at the
        // end of what was seen must still be there (checking all of it after
        // every step made this checker the cost of large runs).
        let same = |k: usize| self.rumors[seen.knows[k]].value == known[k];
        let kept = known.len() >= seen.knows.len()
            && if up != seen.up { (0..seen.knows.len()).all(same) } else { seen.knows.is_empty() || same(seen.knows.len() - 1) };
        if !kept {
            let detail = format!("node {i} no longer knows what it knew (it had {} values, now {})", seen.knows.len(), known.len());
            self.report(out, now, i, "known_is_kept", detail);
            if seen.up {
                for &r in &seen.knows {
                    self.rumors[r].known_up -= 1;
                    self.touched.push(r);
                }
            }
            seen.knows.clear();
        }
        // seen.knows[..counted] are counted in known_up while the node was up.
        let counted = if seen.up { seen.knows.len() } else { 0 };
        for v in &known[seen.knows.len().min(known.len())..] {
            match self.index.get(v) {
                Some(&r) if seen.knows.contains(&r) => {
                    self.report(out, now, i, "known_is_kept", format!("node {i} learned \"{v}\" twice"));
                }
                Some(&r) => seen.knows.push(r),
                None => {
                    let detail = format!("node {i} knows \"{v}\", which no client request injected");
                    self.report(out, now, i, "only_injected", detail);
                }
            }
        }
        // Up, what it knows beyond the counted part joins the counts; down,
        // the counted part leaves them.
        if up {
            for &r in &seen.knows[counted..] {
                self.rumors[r].known_up += 1;
                self.touched.push(r);
            }
        } else {
            for &r in &seen.knows[..counted] {
                self.rumors[r].known_up -= 1;
                self.touched.push(r);
            }
        }
        // Its hot list changes only by learning (the database grows) or by
        // losing interest (the list shrinks), so a running node whose database
        // and hot count stayed as they were spreads what it spread.
        let same_hot = up && seen.up && known.len() == seen.known_len && node.up().is_some_and(|p| p.hot_count() == seen.hot.len());
        if !same_hot {
            seen.hot = node.up().map_or_else(Vec::new, |p| p.hot_values().iter().filter_map(|v| self.index.get(v).copied()).collect());
        }
        seen.known_len = known.len();
        let sent = node.up().map_or(0, P::sent);
        self.sent_total += if sent >= seen.sent { sent - seen.sent } else { sent };
        seen.sent = sent;
        seen.up = up;
        if up {
            for &r in &seen.hot {
                self.rumors[r].hot_up += 1;
                self.rumors[r].ever_hot = true;
                self.touched.push(r);
            }
            self.up += 1;
        }
        self.nodes[i] = seen;
    }
}

impl<P> SpreadChecker<P> {
    /// The residue of each rumor whose mongering is over by `now`.
    fn over(&self, now: Time) -> impl Iterator<Item = f64> + '_ {
        let settle = self.interval_ms;
        self.rumors.iter().filter_map(move |r| r.stopped.filter(|&(t, _)| t + settle <= now).map(|(_, s)| s))
    }
}

impl<P: Spreading> Checker<P> for SpreadChecker<P> {
    fn on_event(&mut self, now: Time, event: &Event) {
        if let Event::ClientRequest { value, .. } = event {
            let value: Value = value.as_str().into();
            if !self.index.contains_key(&value) {
                self.index.insert(value.clone(), self.rumors.len());
                self.rumors.push(Rumor {
                    value,
                    injected_ms: now,
                    known_up: 0,
                    hot_up: 0,
                    ever_hot: false,
                    full_ms: None,
                    stopped: None,
                });
            }
        }
    }

    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<P>, out: &mut Vec<Violation>) {
        if !self.started {
            self.start(nodes);
        }
        if changed >= self.nodes.len() {
            return;
        }
        let before = self.up;
        self.touched.clear();
        self.update(now, changed, nodes, out);
        let up = self.up;
        // Only the rumors this step moved can have spread or stopped, unless
        // the number of live nodes moved too (thousands of rumors, one node a step).
        let touched = std::mem::take(&mut self.touched);
        let all: Vec<usize>;
        let which: &[usize] = if up == before {
            &touched
        } else {
            all = (0..self.rumors.len()).collect();
            &all
        };
        for &k in which {
            let r = &mut self.rumors[k];
            if r.full_ms.is_none() && up > 0 && r.known_up == up {
                r.full_ms = Some(now);
            }
            if r.hot_up > 0 {
                r.stopped = None;
            } else if r.ever_hot && r.stopped.is_none() {
                let residue = if up == 0 { 0.0 } else { (up - r.known_up) as f64 / up as f64 };
                r.stopped = Some((now, residue));
            }
        }
        self.touched = touched;
    }

    fn metrics(&self, now: Time, nodes: &dyn Nodes<P>, out: &mut Figures) {
        let full: Option<Vec<(Time, Time)>> = self.rumors.iter().map(|r| r.full_ms.map(|f| (r.injected_ms, f))).collect();
        let full = full.filter(|f| !f.is_empty());
        let ms = full.as_ref().and_then(|f| f.iter().map(|&(i, t)| t - i).max());
        let per_node = self.sent_total as f64 / nodes.len().max(1) as f64;
        if !P::MONGERS {
            out.put("ops", self.rumors.len() as f64);
            let ops = self.rumors.len().max(1) as f64;
            out.put("messages_per_op", self.sent_total as f64 / ops);
            let mut lat: Vec<Time> =
                self.rumors.iter().filter_map(|r| r.full_ms.map(|f| f - r.injected_ms)).collect();
            lat.sort_unstable();
            let q = |p: f64| -> f64 {
                if lat.is_empty() {
                    return f64::NAN;
                }
                let k = ((p * lat.len() as f64) as usize).min(lat.len() - 1);
                lat[k] as f64
            };
            out.put("latency_p50_ms", q(0.5));
            out.put("latency_p95_ms", q(0.95));
            out.put("latency_max_ms", lat.last().map_or(f64::NAN, |&m| m as f64));
            out.put("unspread", self.rumors.iter().filter(|r| r.full_ms.is_none()).count() as f64);
            out.put("messages_per_node", per_node);
            return;
        }
        out.put("rumors", self.rumors.len() as f64);
        let every = self.interval_ms.max(1);
        let rounds = full.as_ref().and_then(|f| f.iter().map(|&(i, t)| t / every - i / every).max());
        out.put("rounds_to_full_spread", rounds.map_or(f64::NAN, |r| r as f64));
        out.put("ms_to_full_spread", ms.map_or(f64::NAN, |r| r as f64));
        out.put("messages_per_node", per_node);
        let stopped: Vec<f64> = self.over(now).collect();
        let residue =
            if stopped.is_empty() { f64::NAN } else { stopped.iter().sum::<f64>() / stopped.len() as f64 };
        out.put("residue", residue);
        let spreading = self.rumors.iter().filter(|r| r.ever_hot).count() - stopped.len();
        out.put("spreading", spreading as f64);
    }

    fn sample(&self, _now: Time, _nodes: &dyn Nodes<P>, out: &mut Figures) {
        for r in &self.rumors {
            let share = if self.up == 0 { 0.0 } else { r.known_up as f64 / self.up as f64 };
            out.put(format!("known:{}", r.value), share);
        }
    }

    /// Per node the value it learned last (`last`, a name), how many it
    /// knows and how many it still spreads; for the strip, the first rumors
    /// with how many live nodes know and spread each (the counts this
    /// checker keeps), and how many rumors there are.
    fn looks(&self, _now: Time, nodes: &dyn Nodes<P>, out: &mut Looks) {
        let n = nodes.len();
        let (mut last, mut known, mut hot) = (vec![-1.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            let node = nodes.node(i);
            let k = P::known_of(node.stable());
            if let Some(v) = k.last() {
                last[i] = out.name(v);
            }
            known[i] = k.len() as f64;
            hot[i] = node.up().map_or(0, |p| p.hot_count()) as f64;
        }
        out.column("last").copy_from_slice(&last);
        out.column("known").copy_from_slice(&known);
        if P::MONGERS {
            out.column("hot").copy_from_slice(&hot);
        }
        let first: Vec<serde_json::Value> = self
            .rumors
            .iter()
            .take(4)
            .map(|r| serde_json::json!({ "value": &*r.value, "knows": r.known_up, "hot": r.hot_up }))
            .collect();
        out.put("values", first);
        out.put("value_count", self.rumors.len());
        out.put("live", self.up);
        out.put("mongers", P::MONGERS);
    }

    fn liveness(&self, _since: Time, _now: Time, nodes: &dyn Nodes<P>) -> Option<String> {
        if !self.anti_entropy {
            return None;
        }
        for r in &self.rumors {
            let missing: Vec<NodeId> =
                (0..nodes.len()).filter(|&i| nodes.node(i).up().is_some_and(|_| !P::known_of(nodes.node(i).stable()).contains(&r.value))).collect();
            if !missing.is_empty() {
                let shown = crate::base::text::node_set(missing.iter().copied().take(10));
                return Some(format!("\"{}\" has not reached {} live node(s): {shown}", r.value, missing.len()));
            }
        }
        None
    }
}
