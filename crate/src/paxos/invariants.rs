//! Single-decree Paxos's safety requirements ("Paxos Made Simple" §2.1),
//! checked after every step that changed a node.
//!
//! - `single_value_chosen`: only a single value is chosen. A value is chosen
//!   once a majority of acceptors accepted it in the same ballot; the checker
//!   counts every acceptance it ever saw, so a later overwrite does not hide
//!   an earlier choice.
//! - `chosen_was_proposed`: only a value that has been proposed may be
//!   chosen, that is one a client handed to some proposer.
//! - `learned_was_chosen`: a process never learns that a value has been
//!   chosen unless it actually has been.
//! - `learners_agree`: no two learners learn different values, and no learner
//!   changes its mind.
//!
//! Each step looks only at the changed node, so a check costs O(1) apart from
//! map look-ups. Whatever the nodes hold when the first check runs (a test's
//! prepared stable state) counts as proposed.

use std::collections::{BTreeMap, BTreeSet};

use super::ballot::Ballot;
use super::single::Paxos;
use super::single_msg::Proposal;
use crate::invariant::{Checker, Nodes, Violation};
use crate::protocol::{NodeId, Time, Value};

#[derive(Clone, Debug, Default)]
pub struct PaxosChecker {
    started: bool,
    /// Per node: the accepted proposal and learned value at the last check.
    accepted: Vec<Option<Proposal>>,
    learned: Vec<Option<Value>>,
    /// Which acceptors ever accepted each (ballot, value).
    votes: BTreeMap<(Ballot, Value), Vec<bool>>,
    /// Every value chosen, with the ballot that first chose it.
    chosen: BTreeMap<Value, Ballot>,
    proposed: BTreeSet<Value>,
    /// The first value any learner learned, and who.
    first_learned: Option<(Value, NodeId)>,
    reported: BTreeSet<(&'static str, String)>,
}

impl PaxosChecker {
    fn report(&mut self, out: &mut Vec<Violation>, name: &'static str, now: Time, key: String, detail: String) {
        if self.reported.insert((name, key)) {
            out.push(Violation { invariant: name, at_ms: now, detail });
        }
    }

    fn observe(&mut self, now: Time, x: NodeId, nodes: &dyn Nodes<Paxos>, out: &mut Vec<Violation>) {
        let n = nodes.len();
        let node = nodes.node(x);
        if let Some(p) = node.up()
            && let Some(v) = p.client_value()
            && !self.proposed.contains(v)
        {
            self.proposed.insert(v.clone());
        }
        let st = node.stable();
        if st.accepted != self.accepted[x] {
            self.accepted[x] = st.accepted.clone();
            if let Some(p) = st.accepted.clone() {
                let voters = self.votes.entry((p.ballot, p.value.clone())).or_insert_with(|| vec![false; n]);
                voters[x] = true;
                if voters.iter().filter(|&&v| v).count() == n / 2 + 1 {
                    self.on_chosen(now, p, out);
                }
            }
        }
        if st.learned != self.learned[x] {
            let before = std::mem::replace(&mut self.learned[x], st.learned.clone());
            if let (Some(b), Some(a)) = (&before, &st.learned) {
                self.report(
                    out,
                    "learners_agree",
                    now,
                    format!("change {x}"),
                    format!("node {x} learned \"{b}\" and later \"{a}\""),
                );
            }
            if let Some(v) = st.learned.clone() {
                self.on_learned(now, x, v, out);
            }
        }
    }

    fn on_chosen(&mut self, now: Time, p: Proposal, out: &mut Vec<Violation>) {
        if !self.proposed.contains(&p.value) {
            self.report(
                out,
                "chosen_was_proposed",
                now,
                p.value.to_string(),
                format!("\"{}\" was chosen in ballot {} but no client proposed it", p.value, p.ballot),
            );
        }
        if let Some((other, ob)) = self.chosen.iter().find(|(v, _)| **v != p.value).map(|(v, b)| (v.clone(), *b)) {
            self.report(
                out,
                "single_value_chosen",
                now,
                format!("{} {}", p.value, other),
                format!(
                    "\"{}\" was chosen in ballot {} after \"{other}\" was chosen in ballot {ob}",
                    p.value, p.ballot
                ),
            );
        }
        self.chosen.entry(p.value).or_insert(p.ballot);
    }

    fn on_learned(&mut self, now: Time, x: NodeId, v: Value, out: &mut Vec<Violation>) {
        if !self.chosen.contains_key(&v) {
            self.report(
                out,
                "learned_was_chosen",
                now,
                format!("{x} {v}"),
                format!("node {x} learned \"{v}\" but no majority of acceptors accepted it"),
            );
        }
        match &self.first_learned {
            None => self.first_learned = Some((v, x)),
            Some((w, y)) if *w != v => {
                let (w, y) = (w.clone(), *y);
                self.report(
                    out,
                    "learners_agree",
                    now,
                    format!("{x} {v}"),
                    format!("node {x} learned \"{v}\" but node {y} learned \"{w}\""),
                );
            }
            Some(_) => {}
        }
    }
}

impl Checker<Paxos> for PaxosChecker {
    /// After the faults stop: a value chosen and learned by every running node.
    fn liveness(&self, _since: Time, now: Time, nodes: &dyn Nodes<Paxos>) -> Option<String> {
        let missing: Vec<String> =
            (0..nodes.len()).filter(|&i| { let x = nodes.node(i); x.up().is_some() && x.stable().learned.is_none() }).map(|i| format!("n{i}")).collect();
        (!missing.is_empty()).then(|| format!("no value learned at {} by {now} ms", missing.join(", ")))
    }

    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<Paxos>, out: &mut Vec<Violation>) {
        let n = nodes.len();
        if !self.started {
            self.started = true;
            self.accepted = vec![None; n];
            self.learned = vec![None; n];
            // A prepared starting state came from an earlier history.
            for i in 0..n {
                let st = nodes.node(i).stable();
                if let Some(p) = &st.accepted {
                    self.proposed.insert(p.value.clone());
                }
                if let Some(v) = &st.learned {
                    self.proposed.insert(v.clone());
                    self.chosen.entry(v.clone()).or_default();
                }
            }
            for i in 0..n {
                self.observe(now, i, nodes, out);
            }
            return;
        }
        if changed < n {
            self.observe(now, changed, nodes, out);
        }
    }
}
