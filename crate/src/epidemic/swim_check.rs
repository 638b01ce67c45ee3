//! What the checker of `swim` watches (see docs/protocols/swim.md).
//!
//! Invariants, checked after every step from the node that changed:
//! - `incarnation_never_decreases`: a member's own incarnation number never
//!   goes down, not even across a crash (it is on disk).
//! - `membership_moves_forward`: what a member holds about another only
//!   moves forward in SWIM's order (§4.2): a higher incarnation, or within
//!   one incarnation alive → suspect → dead/left. Only a member that
//!   restarts or joins afresh starts its list again.
//! - `dead_after_suspicion` (with the suspicion mechanism on): a member is
//!   confirmed dead at incarnation x only if some member has held it
//!   suspect at incarnation x for at least the shortest suspicion timeout,
//!   `suspicion_mult · probe_interval_ms`. So a live, reachable member that
//!   acks its probes, or refutes within that time, is never declared dead.
//! - `left_only_after_leave`: nobody holds a member as left unless that
//!   member's `leave` event happened.
//!
//! Metrics, per `crash` event (an episode, until the node restarts): when
//! some member first suspects it (first detection), when every live member
//! holds it suspect or dead, and when every live member holds it dead; the
//! false suspicions and false positives (a member suspected, or declared
//! dead, while it was up and had not left); and messages per member per
//! protocol period. Series: `suspect:<id>` and `dead:<id>`, the share of
//! live members that hold each crashed member suspect, and dead.

use std::collections::{BTreeMap, BTreeSet};

use super::swim::{MemberView, Swim};
use super::swim_msg::State;
use crate::invariant::{Checker, Figures, Looks, Nodes, Violation};
use crate::protocol::{NodeId, Time};
use crate::scenario::Event;
use crate::spec::Doc;

pub const METRICS: &[Doc] = &[
    Doc { name: "crashes", doc: "crash events so far" },
    Doc { name: "first_detection_ms", doc: "from a crash until some member suspects the crashed member (mean over detected crashes; null while none is)" },
    Doc { name: "first_detection_periods", doc: "the same in protocol periods (the paper expects about e/(e−1) ≈ 1.58)" },
    Doc { name: "all_suspect_ms", doc: "from a crash until every live member holds the crashed member suspect or dead (mean)" },
    Doc { name: "all_dead_ms", doc: "from a crash until every live member holds it dead (mean)" },
    Doc { name: "all_dead_periods", doc: "the same in protocol periods" },
    Doc { name: "undisseminated", doc: "crashes not yet known as dead by every live member" },
    Doc { name: "false_suspicions", doc: "suspicions of a member that was up and had not left (member, incarnation pairs)" },
    Doc { name: "false_positives", doc: "members declared dead while they were up and had not left (member, incarnation pairs)" },
    Doc { name: "messages_per_node_per_period", doc: "messages sent per live member per protocol period" },
];

#[derive(Clone, Debug)]
struct Episode {
    node: NodeId,
    crash_ms: Time,
    first_ms: Option<Time>,
    all_suspect_ms: Option<Time>,
    all_dead_ms: Option<Time>,
    open: bool,
    /// Per node: 0 alive or unheard of, 1 suspect, 2 dead or left (filled
    /// at the first check after the crash), and the live members in 1 and 2.
    class: Vec<u8>,
    /// Whether node k is live and so counted in `counts`.
    counted: Vec<bool>,
    counts: [usize; 3],
}

#[derive(Clone, Debug, Default)]
pub struct SwimChecker {
    started: bool,
    interval_ms: Time,
    min_suspicion_ms: Option<Time>,
    up: Vec<bool>,
    up_count: usize,
    up_since: Vec<Option<Time>>,
    up_ms: u64,
    incarnation: Vec<u64>,
    /// What each member held about each other one at the last check.
    held: Vec<Vec<Option<MemberView>>>,
    /// Each member's `membership_changes` when `held` last caught up with it
    /// (`None`: look at its whole list next time).
    seen: Vec<Option<u64>>,
    suspected_since: BTreeMap<(NodeId, u64), Time>,
    declared: BTreeSet<(NodeId, u64, bool)>,
    false_suspicions: u64,
    false_positives: u64,
    left: BTreeSet<NodeId>,
    episodes: Vec<Episode>,
    sent: Vec<u64>,
    sent_total: u64,
    reported: Vec<(NodeId, &'static str)>,
}

fn class(m: Option<MemberView>) -> u8 {
    m.map_or(0, |m| m.state.rank())
}

fn forward(old: MemberView, new: MemberView) -> bool {
    new.incarnation > old.incarnation
        || (new.incarnation == old.incarnation && (new.state.rank() > old.state.rank() || new.state == old.state))
}

impl SwimChecker {
    fn report(&mut self, out: &mut Vec<Violation>, now: Time, node: NodeId, invariant: &'static str, detail: String) {
        if !self.reported.contains(&(node, invariant)) {
            self.reported.push((node, invariant));
            out.push(Violation { invariant, at_ms: now, detail });
        }
    }

    fn start(&mut self, now: Time, nodes: &dyn Nodes<Swim>) {
        self.started = true;
        let n = nodes.len();
        self.up = vec![false; n];
        self.up_since = vec![None; n];
        self.incarnation = vec![0; n];
        self.held = vec![vec![None; n]; n];
        self.seen = vec![None; n];
        self.sent = vec![0; n];
        for i in 0..n {
            if let Some(p) = nodes.node(i).up() {
                self.interval_ms = p.params().probe_interval_ms;
                let ps = p.params();
                self.min_suspicion_ms = ps.suspicion.then_some(ps.suspicion_mult * ps.probe_interval_ms);
                self.up[i] = true;
                self.up_count += 1;
                self.up_since[i] = Some(now);
                for (&j, &m) in p.members() {
                    if j < n {
                        self.held[i][j] = Some(m);
                    }
                }
                self.seen[i] = Some(p.membership_changes());
            }
        }
    }

    /// The membership invariants for node `i`, and the suspicions and
    /// declarations it makes known.
    fn watch(&mut self, now: Time, i: NodeId, p: &Swim, nodes: &dyn Nodes<Swim>, out: &mut Vec<Violation>) {
        for (&j, &m) in p.members() {
            let Some(old) = self.held[i].get(j).copied() else { continue };
            if old == Some(m) {
                continue;
            }
            self.held[i][j] = Some(m);
            if let Some(o) = old.filter(|&o| !forward(o, m)) {
                let detail = format!("n{i} moved n{j} back from {} (i{}) to {} (i{})", o.state.name(), o.incarnation, m.state.name(), m.incarnation);
                self.report(out, now, i, "membership_moves_forward", detail);
            }
            let up = nodes.node(j).up().is_some() && !self.left.contains(&j);
            match m.state {
                State::Suspect => {
                    self.suspected_since.entry((j, m.incarnation)).or_insert(now);
                    if self.declared.insert((j, m.incarnation, false)) && up {
                        self.false_suspicions += 1;
                    }
                }
                State::Dead => {
                    if let Some(min) = self.min_suspicion_ms {
                        let since = self.suspected_since.get(&(j, m.incarnation)).copied();
                        if since.is_none_or(|s| now < s + min) {
                            let detail = format!("n{i} holds n{j} dead at incarnation {} after a suspicion of {} ms (at least {min} ms needed)", m.incarnation, since.map_or(0, |s| now - s));
                            self.report(out, now, i, "dead_after_suspicion", detail);
                        }
                    }
                    if self.declared.insert((j, m.incarnation, true)) && up {
                        self.false_positives += 1;
                    }
                }
                State::Left if !self.left.contains(&j) => {
                    self.report(out, now, i, "left_only_after_leave", format!("n{i} holds n{j} as left, but n{j} never left"));
                }
                _ => {}
            }
        }
    }

    /// Brings every open episode up to date with node `i` (all nodes at
    /// the first check after the crash).
    fn track_episodes(&mut self, now: Time, i: NodeId, nodes: &dyn Nodes<Swim>) {
        let up_count = self.up_count;
        for e in self.episodes.iter_mut().filter(|e| e.open) {
            let of = |k: NodeId| nodes.node(k).up().map(|p| class(p.member(e.node)));
            if e.class.is_empty() {
                e.class = (0..nodes.len()).map(|k| of(k).unwrap_or(0)).collect();
                e.counted = (0..nodes.len()).map(|k| of(k).is_some()).collect();
                e.counts = [0; 3];
                for k in (0..nodes.len()).filter(|&k| e.counted[k]) {
                    e.counts[e.class[k] as usize] += 1;
                }
            } else {
                if e.counted[i] {
                    e.counts[e.class[i] as usize] -= 1;
                }
                let c = of(i);
                e.counted[i] = c.is_some();
                e.class[i] = c.unwrap_or(0);
                if e.counted[i] {
                    e.counts[e.class[i] as usize] += 1;
                }
            }
            if e.first_ms.is_none() && e.counts[1] + e.counts[2] > 0 {
                e.first_ms = Some(now);
            }
            if up_count > 0 && e.all_suspect_ms.is_none() && e.counts[1] + e.counts[2] == up_count {
                e.all_suspect_ms = Some(now);
            }
            if up_count > 0 && e.all_dead_ms.is_none() && e.counts[2] == up_count {
                e.all_dead_ms = Some(now);
            }
        }
    }

    fn mean(&self, f: impl Fn(&Episode) -> Option<Time>) -> f64 {
        let xs: Vec<f64> = self.episodes.iter().filter_map(|e| f(e).map(|t| (t - e.crash_ms) as f64)).collect();
        if xs.is_empty() { f64::NAN } else { xs.iter().sum::<f64>() / xs.len() as f64 }
    }
}

impl Checker<Swim> for SwimChecker {
    fn on_event(&mut self, now: Time, event: &Event) {
        match event {
            Event::Crash { node } => {
                let node = *node;
                if self.episodes.iter().any(|e| e.open && e.node == node) {
                    return;
                }
                self.episodes.push(Episode {
                    node,
                    crash_ms: now,
                    first_ms: None,
                    all_suspect_ms: None,
                    all_dead_ms: None,
                    open: true,
                    class: Vec::new(),
                    counted: Vec::new(),
                    counts: [0; 3],
                });
            }
            Event::Restart { node } | Event::Join { node, .. } => {
                for e in self.episodes.iter_mut().filter(|e| e.node == *node) {
                    e.open = false;
                }
            }
            Event::Leave { node } => {
                self.left.insert(*node);
            }
            _ => {}
        }
    }

    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<Swim>, out: &mut Vec<Violation>) {
        if !self.started {
            self.start(now, nodes);
        }
        if changed >= self.up.len() {
            return;
        }
        let i = changed;
        let node = nodes.node(i);
        let inc = node.stable().incarnation;
        if !node.is_absent() && inc < self.incarnation[i] {
            let detail = format!("n{i}'s incarnation went from {} to {inc}", self.incarnation[i]);
            self.report(out, now, i, "incarnation_never_decreases", detail);
        }
        self.incarnation[i] = if node.is_absent() { 0 } else { inc };
        let up = node.up().is_some();
        if up != self.up[i] {
            if up {
                self.up_count += 1;
                self.up_since[i] = Some(now);
                self.left.remove(&i);
            } else {
                self.up_count -= 1;
                self.up_ms += self.up_since[i].take().map_or(0, |s| now - s);
            }
            // Up or down, its member list begins again: look at all of it next time.
            self.held[i].fill(None);
            self.seen[i] = None;
            self.up[i] = up;
        }
        let sent = node.up().map_or(0, Swim::sent);
        self.sent_total += if sent >= self.sent[i] { sent - self.sent[i] } else { sent };
        self.sent[i] = sent;
        // Most steps (a ping, an ack) leave the member list as it was.
        if let Some(p) = node.up()
            && self.seen[i] != Some(p.membership_changes())
        {
            self.watch(now, i, p, nodes, out);
            self.seen[i] = Some(p.membership_changes());
        }
        self.track_episodes(now, i, nodes);
    }

    /// Each member as the group sees it (`group`: the gravest state any live
    /// member holds of it: left, then dead, then suspect, else alive, as in
    /// the page's drawing) and its own incarnation.
    fn looks(&self, _now: Time, nodes: &dyn Nodes<Swim>, out: &mut Looks) {
        let n = nodes.len();
        let mut grave = vec![State::Alive; n];
        let rank = |s: State| match s {
            State::Alive => 0,
            State::Suspect => 1,
            State::Dead => 2,
            State::Left => 3,
        };
        let mut incarnation = vec![0.0; n];
        for (i, inc) in incarnation.iter_mut().enumerate() {
            let Some(p) = nodes.node(i).up() else { continue };
            *inc = p.incarnation() as f64;
            for (&j, m) in p.members() {
                if j < n && rank(m.state) > rank(grave[j]) {
                    grave[j] = m.state;
                }
            }
        }
        let names: Vec<f64> = [State::Alive, State::Suspect, State::Dead, State::Left].iter().map(|s| out.name(s.name())).collect();
        let group: Vec<f64> = grave.iter().map(|&s| names[rank(s)]).collect();
        out.column("group").copy_from_slice(&group);
        out.column("incarnation").copy_from_slice(&incarnation);
    }

    fn metrics(&self, now: Time, _nodes: &dyn Nodes<Swim>, out: &mut Figures) {
        let every = self.interval_ms.max(1) as f64;
        out.put("crashes", self.episodes.len() as f64);
        let first = self.mean(|e| e.first_ms);
        out.put("first_detection_ms", first);
        out.put("first_detection_periods", first / every);
        out.put("all_suspect_ms", self.mean(|e| e.all_suspect_ms));
        let dead = self.mean(|e| e.all_dead_ms);
        out.put("all_dead_ms", dead);
        out.put("all_dead_periods", dead / every);
        out.put("undisseminated", self.episodes.iter().filter(|e| e.all_dead_ms.is_none()).count() as f64);
        out.put("false_suspicions", self.false_suspicions as f64);
        out.put("false_positives", self.false_positives as f64);
        let open: u64 = self.up_since.iter().flatten().map(|&s| now - s).sum();
        let periods = (self.up_ms + open) as f64 / every;
        out.put("messages_per_node_per_period", if periods > 0.0 { self.sent_total as f64 / periods } else { f64::NAN });
    }

    fn sample(&self, _now: Time, _nodes: &dyn Nodes<Swim>, out: &mut Figures) {
        let up = self.up_count.max(1) as f64;
        for e in self.episodes.iter().filter(|e| e.open && !e.class.is_empty()) {
            out.put(format!("suspect:{}", e.node), e.counts[1] as f64 / up);
            out.put(format!("dead:{}", e.node), e.counts[2] as f64 / up);
        }
    }
}
