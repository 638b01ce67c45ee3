//! What the checker of the detect family watches (`heartbeat`,
//! `phi-accrual`): its invariant, its metrics and its series.
//!
//! Invariant `suspects_well_formed`: a node's `suspects` are distinct peer
//! ids, ascending, never itself.
//!
//! Metrics (Chandra & Toueg's completeness and accuracy, measured):
//! - `detection_ms`: for each crash, the time from the crash until every
//!   live node suspects the crashed node (mean over detected crashes);
//!   `detection_max_ms`, `first_detection_ms` (until the first live node
//!   does), `detection_mean_ms` (the mean over crash and observer of the
//!   time until that observer suspected the crashed node), `crashes`, `undetected` (crashes not yet suspected by all);
//! - `false_suspicions`: times a node began to suspect a peer that was up
//!   (a paused or slow node is up), and `false_suspicion_ms`, the time such
//!   wrong suspicions lasted in all;
//! - `messages`: heartbeats sent.
//!
//! Series: for each peer, as node 0 sees it (node 1 for node 0 itself): the
//! suspicion level `level:<peer>` (ms since its last heartbeat for
//! `heartbeat`, φ for `phi-accrual`) and the `threshold` it is compared with.

use std::marker::PhantomData;

use super::detector::{Detector, Rule};
use crate::invariant::{Checker, Figures, Nodes, Violation};
use crate::protocol::{NodeId, Time};
use crate::scenario::Event;

#[derive(Clone, Debug)]
struct Crash {
    node: NodeId,
    at_ms: Time,
    first_ms: Option<Time>,
    all_ms: Option<Time>,
    /// Restarted before every live node suspected it.
    over: bool,
    /// How long each observer took to suspect it (those that did).
    by: Vec<(NodeId, Time)>,
}

#[derive(Clone, Debug, Default)]
struct Seen {
    suspects: Vec<NodeId>,
    /// Since when it wrongly suspects each peer in `suspects` (None: rightly).
    wrong_since: Vec<Option<Time>>,
    sent: u64,
}

#[derive(Clone, Debug)]
pub struct DetectChecker<R> {
    nodes: Vec<Seen>,
    crashes: Vec<Crash>,
    false_suspicions: u64,
    false_ms: Time,
    sent_total: u64,
    reported: Vec<NodeId>,
    _r: PhantomData<fn() -> R>,
}

impl<R> Default for DetectChecker<R> {
    fn default() -> Self {
        DetectChecker {
            nodes: Vec::new(),
            crashes: Vec::new(),
            false_suspicions: 0,
            false_ms: 0,
            sent_total: 0,
            reported: Vec::new(),
            _r: PhantomData,
        }
    }
}

impl<R: Rule> DetectChecker<R> {
    fn suspected_by(nodes: &dyn Nodes<Detector<R>>, target: NodeId) -> (usize, usize) {
        let mut live = 0;
        let mut by = 0;
        for i in (0..nodes.len()).filter(|&i| i != target) {
            if let Some(p) = nodes.node(i).up() {
                live += 1;
                by += usize::from(p.suspects().contains(&target));
            }
        }
        (by, live)
    }
}

impl<R: Rule> Checker<Detector<R>> for DetectChecker<R> {
    fn on_event(&mut self, now: Time, event: &Event) {
        match event {
            Event::Crash { node } => {
                self.crashes.push(Crash { node: *node, at_ms: now, first_ms: None, all_ms: None, over: false, by: Vec::new() });
            }
            Event::Restart { node } => {
                for c in self.crashes.iter_mut().filter(|c| c.node == *node && c.all_ms.is_none()) {
                    c.over = true;
                }
            }
            _ => {}
        }
    }

    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<Detector<R>>, out: &mut Vec<Violation>) {
        if self.nodes.len() < nodes.len() {
            self.nodes.resize(nodes.len(), Seen::default());
        }
        if changed >= nodes.len() {
            return;
        }
        let node = nodes.node(changed);
        let suspects = node.up().map_or_else(Vec::new, Detector::suspects);
        let well_formed = suspects.windows(2).all(|w| w[0] < w[1])
            && suspects.iter().all(|&s| s != changed && s < nodes.len());
        if !well_formed && !self.reported.contains(&changed) {
            self.reported.push(changed);
            out.push(Violation {
                invariant: "suspects_well_formed",
                at_ms: now,
                detail: format!("node {changed} suspects {suspects:?}"),
            });
        }
        let mut seen = std::mem::take(&mut self.nodes[changed]);
        let sent = node.up().map_or(0, Detector::sent);
        self.sent_total += if sent >= seen.sent { sent - seen.sent } else { sent };
        seen.sent = sent;
        let mut wrong_since = Vec::with_capacity(suspects.len());
        for &s in &suspects {
            let before = seen.suspects.iter().position(|&x| x == s).map(|k| seen.wrong_since[k]);
            let up = nodes.node(s).up().is_some();
            wrong_since.push(match before {
                Some(w) => w,
                None if up => {
                    self.false_suspicions += 1;
                    Some(now)
                }
                None => None,
            });
        }
        for (k, &s) in seen.suspects.iter().enumerate() {
            if let (Some(t), false) = (seen.wrong_since[k], suspects.contains(&s)) {
                self.false_ms += now - t;
            }
        }
        for c in self.crashes.iter_mut().filter(|c| !c.over && c.all_ms.is_none()) {
            if suspects.contains(&c.node) && !c.by.iter().any(|&(o, _)| o == changed) {
                c.by.push((changed, now - c.at_ms));
            }
        }
        seen.suspects = suspects;
        seen.wrong_since = wrong_since;
        self.nodes[changed] = seen;
        for k in 0..self.crashes.len() {
            let c = &self.crashes[k];
            if c.over || c.all_ms.is_some() || nodes.node(c.node).up().is_some() {
                continue;
            }
            let (by, live) = Self::suspected_by(nodes, c.node);
            let c = &mut self.crashes[k];
            if by > 0 && c.first_ms.is_none() {
                c.first_ms = Some(now);
            }
            if live > 0 && by == live {
                c.all_ms = Some(now);
            }
        }
    }

    fn metrics(&self, now: Time, _nodes: &dyn Nodes<Detector<R>>, out: &mut Figures) {
        let all: Vec<Time> = self.crashes.iter().filter_map(|c| c.all_ms.map(|t| t - c.at_ms)).collect();
        let first: Vec<Time> = self.crashes.iter().filter_map(|c| c.first_ms.map(|t| t - c.at_ms)).collect();
        let mean = |v: &[Time]| if v.is_empty() { f64::NAN } else { v.iter().sum::<Time>() as f64 / v.len() as f64 };
        out.put("crashes", self.crashes.len() as f64);
        out.put("detection_ms", mean(&all));
        out.put("detection_max_ms", all.iter().max().map_or(f64::NAN, |&m| m as f64));
        out.put("first_detection_ms", mean(&first));
        let each: Vec<Time> = self.crashes.iter().flat_map(|c| c.by.iter().map(|&(_, t)| t)).collect();
        out.put("detection_mean_ms", mean(&each));
        out.put("undetected", self.crashes.iter().filter(|c| c.all_ms.is_none() && !c.over).count() as f64);
        out.put("false_suspicions", self.false_suspicions as f64);
        let open: Time = self.nodes.iter().flat_map(|s| s.wrong_since.iter().flatten()).map(|&t| now - t).sum();
        out.put("false_suspicion_ms", (self.false_ms + open) as f64);
        out.put("messages", self.sent_total as f64);
    }

    fn sample(&self, now: Time, nodes: &dyn Nodes<Detector<R>>, out: &mut Figures) {
        let mut threshold = None;
        for peer in 0..nodes.len() {
            let observer = usize::from(peer == 0);
            let Some(o) = nodes.node(observer).up() else { continue };
            if let Some(level) = o.level_at(now, peer) {
                out.put(format!("level:{peer}"), level);
                threshold = Some(R::threshold(o.params()));
            }
        }
        if let Some(t) = threshold {
            out.put("threshold", t);
        }
    }

    fn liveness(&self, _since: Time, _now: Time, nodes: &dyn Nodes<Detector<R>>) -> Option<String> {
        for i in 0..nodes.len() {
            let Some(p) = nodes.node(i).up() else { continue };
            if let Some(&s) = p.suspects().iter().find(|&&s| nodes.node(s).up().is_some()) {
                return Some(format!("node {i} still suspects live node {s}"));
            }
        }
        None
    }
}
