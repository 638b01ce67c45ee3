//! What the checker of `bully` watches (see docs/protocols/bully.md).
//!
//! Safety invariants, checked after every step from the node that changed —
//! properties that hold however messages are lost, delayed or duplicated and
//! however long nodes pause:
//! - `never_defers_to_lower`: a node's coordinator is null or an id at least
//!   its own. The bully rule: nobody ever defers to a lower id.
//! - `coordinator_announced`: a node names another as coordinator only if
//!   that node has named itself coordinator at some earlier moment (nobody
//!   follows a coordinator that never won).
//!
//! Not invariants: "at most one coordinator among nodes that can talk to
//! each other" and "the coordinator is the highest live id". Garcia-Molina's
//! proof assumes a synchronous system — no loss, bounded delays, no pauses;
//! a paused coordinator or a lost COORDINATOR leaves two coordinators in one
//! component for a while, and a partition leaves one per side for as long as
//! it lasts (the lesson, reported as `split_ms`, not a violation). Once
//! faults stop both must come true: that is the liveness check below.
//!
//! Liveness (the explorer): every live node names the highest live id and
//! none is electing.
//!
//! Metrics. An *election* runs from the moment some node holds an election
//! while none was electing until every live node is settled again; the
//! ELECTION, OK and COORDINATOR messages sent meanwhile are its messages.

use super::bully::Bully;
use crate::invariant::{Checker, Figures, Nodes, Violation};
use crate::protocol::{NodeId, Time};
use crate::spec::Doc;

pub const METRICS: &[Doc] = &[
    Doc { name: "elections", doc: "elections: from a node holding one while nobody was electing until every live node is settled again" },
    Doc { name: "elections_held", doc: "times a node held an election (sent its own ELECTIONs, or won with nobody to ask)" },
    Doc { name: "election_ms", doc: "how long an election took, from its first ELECTION to the last node settled (mean; null while none finished)" },
    Doc { name: "messages_per_election", doc: "ELECTION + OK + COORDINATOR messages sent per finished election (mean)" },
    Doc { name: "election_msgs", doc: "ELECTION messages per finished election (mean)" },
    Doc { name: "ok_msgs", doc: "OK messages per finished election (mean)" },
    Doc { name: "coordinator_msgs", doc: "COORDINATOR messages per finished election (mean)" },
    Doc { name: "last_election_msgs", doc: "ELECTION messages of the last finished election" },
    Doc { name: "last_ok_msgs", doc: "OK messages of the last finished election" },
    Doc { name: "last_coordinator_msgs", doc: "COORDINATOR messages of the last finished election" },
    Doc { name: "coordinators", doc: "live nodes that name themselves coordinator now (2 or more: a split, as under a partition)" },
    Doc { name: "split_ms", doc: "how long two or more live nodes named themselves coordinator at once, in all (a takeover overlaps for a message delay; a partition, for as long as it lasts)" },
    Doc { name: "heartbeats", doc: "ALIVE messages sent" },
];

#[derive(Clone, Debug, Default)]
struct Seen {
    sent: [u64; 4],
    elections: u64,
    electing: bool,
    coordinator: bool,
}

#[derive(Clone, Debug, Default)]
pub struct BullyChecker {
    nodes: Vec<Seen>,
    /// Whether each node has ever named itself coordinator.
    won: Vec<bool>,
    electing: usize,
    coordinators: usize,
    held: u64,
    heartbeats: u64,
    /// The open election: when it began and its messages by kind.
    open: Option<(Time, [u64; 3])>,
    finished: u64,
    total_ms: Time,
    /// Messages of the finished elections, by kind.
    totals: [u64; 3],
    last: Option<[u64; 3]>,
    split_since: Option<Time>,
    split_ms: Time,
    reported: Vec<(NodeId, &'static str)>,
}

/// Growth of a counter that restarts from 0 when its node restarts.
fn grown(now: u64, before: u64) -> u64 {
    if now >= before { now - before } else { now }
}

impl BullyChecker {
    fn report(&mut self, out: &mut Vec<Violation>, now: Time, node: NodeId, invariant: &'static str, detail: String) {
        if !self.reported.contains(&(node, invariant)) {
            self.reported.push((node, invariant));
            out.push(Violation { invariant, at_ms: now, detail });
        }
    }

    fn invariants(&mut self, now: Time, me: NodeId, coordinator: Option<NodeId>, n: usize, out: &mut Vec<Violation>) {
        let Some(c) = coordinator else { return };
        if c < me {
            self.report(out, now, me, "never_defers_to_lower", format!("node {me} names n{c}, a lower id, as coordinator"));
        }
        if c == me {
            self.won[me] = true;
        } else if c >= n || !self.won[c] {
            self.report(out, now, me, "coordinator_announced", format!("node {me} names n{c}, which never named itself coordinator"));
        }
    }
}

impl Checker<Bully> for BullyChecker {
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<Bully>, out: &mut Vec<Violation>) {
        let n = nodes.len();
        if self.nodes.len() < n {
            self.nodes.resize(n, Seen::default());
            self.won.resize(n, false);
        }
        if changed >= n {
            return;
        }
        let was = std::mem::take(&mut self.nodes[changed]);
        let now_seen = match nodes.node(changed).up() {
            Some(p) => Seen {
                sent: p.sent(),
                elections: p.elections(),
                electing: p.electing(),
                coordinator: p.is_coordinator(),
            },
            None => Seen::default(),
        };
        if grown(now_seen.elections, was.elections) > 0 {
            self.held += grown(now_seen.elections, was.elections);
            self.open.get_or_insert((now, [0; 3]));
        }
        if let Some((_, counts)) = &mut self.open {
            for (k, c) in counts.iter_mut().enumerate() {
                *c += grown(now_seen.sent[k], was.sent[k]);
            }
        }
        self.heartbeats += grown(now_seen.sent[3], was.sent[3]);
        self.electing = self.electing + usize::from(now_seen.electing) - usize::from(was.electing);
        self.coordinators = self.coordinators + usize::from(now_seen.coordinator) - usize::from(was.coordinator);
        self.nodes[changed] = now_seen;
        if let Some(p) = nodes.node(changed).up() {
            self.invariants(now, changed, p.coordinator(), n, out);
        }
        if self.electing == 0
            && let Some((start, counts)) = self.open.take()
        {
            self.finished += 1;
            self.total_ms += now - start;
            for (t, c) in self.totals.iter_mut().zip(counts) {
                *t += c;
            }
            self.last = Some(counts);
        }
        match (self.coordinators > 1, self.split_since) {
            (true, None) => self.split_since = Some(now),
            (false, Some(since)) => {
                self.split_ms += now - since;
                self.split_since = None;
            }
            _ => {}
        }
    }

    fn metrics(&self, now: Time, _nodes: &dyn Nodes<Bully>, out: &mut Figures) {
        let per = |x: f64| if self.finished == 0 { f64::NAN } else { x / self.finished as f64 };
        let done = self.totals.map(|t| t as f64);
        out.put("elections", (self.finished + u64::from(self.open.is_some())) as f64);
        out.put("elections_held", self.held as f64);
        out.put("election_ms", per(self.total_ms as f64));
        out.put("messages_per_election", per(done.iter().sum()));
        out.put("election_msgs", per(done[0]));
        out.put("ok_msgs", per(done[1]));
        out.put("coordinator_msgs", per(done[2]));
        let last = |k: usize| self.last.map_or(f64::NAN, |l| l[k] as f64);
        out.put("last_election_msgs", last(0));
        out.put("last_ok_msgs", last(1));
        out.put("last_coordinator_msgs", last(2));
        out.put("coordinators", self.coordinators as f64);
        let open_split = self.split_since.map_or(0, |s| now - s);
        out.put("split_ms", (self.split_ms + open_split) as f64);
        out.put("heartbeats", self.heartbeats as f64);
    }

    fn sample(&self, _now: Time, _nodes: &dyn Nodes<Bully>, out: &mut Figures) {
        out.put("electing", self.electing as f64);
        out.put("coordinators", self.coordinators as f64);
    }

    fn liveness(&self, _since: Time, _now: Time, nodes: &dyn Nodes<Bully>) -> Option<String> {
        let live: Vec<&Bully> = (0..nodes.len()).filter_map(|i| nodes.node(i).up()).collect();
        let high = live.iter().map(|p| p.id()).max()?;
        for p in live {
            match p.coordinator() {
                None => return Some(format!("node {} is still electing", p.id())),
                Some(c) if c != high => {
                    return Some(format!("node {} names n{c} as coordinator, not n{high}, the highest live id", p.id()));
                }
                Some(_) => {}
            }
        }
        None
    }
}
