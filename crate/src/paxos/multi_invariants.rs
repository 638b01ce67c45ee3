//! Multi-Paxos's safety requirements, slot by slot, checked after every step
//! that changed a node. Each slot is one instance of Paxos, so these are the
//! single-decree requirements of "Paxos Made Simple" §2.1 per slot:
//!
//! - `single_value_chosen`: at most one command is chosen in each slot (a
//!   command is chosen once a majority accepted it in the same ballot).
//! - `chosen_was_proposed`: a chosen command is a no-op or a value a client
//!   handed to some leader.
//! - `learned_was_chosen`: a replica only records a slot as chosen if a
//!   majority of acceptors accepted that command there.
//! - `replicas_agree`: no two replicas record different commands in a slot,
//!   so replicas execute the same sequence.
//!
//! Acceptances are numbered in each node's stable state, so a step only
//! looks at the acceptances and decisions it added.

use std::collections::{BTreeMap, BTreeSet};

use super::ballot::Ballot;
use super::multi::MultiPaxos;
use super::multi_msg::{Cmd, Slot};
use crate::invariant::{Checker, Nodes, Violation};
use crate::protocol::{NodeId, Role, Time, Value};
use crate::scenario::Event;

#[derive(Clone, Debug, Default)]
pub struct MultiChecker {
    started: bool,
    /// Per node: the last acceptance number and learned count seen.
    accept_seq: Vec<u64>,
    learned: Vec<u64>,
    /// Per node: the slots it was seen to hold as chosen.
    recorded: Vec<Vec<bool>>,
    /// Which acceptors ever accepted each (slot, ballot, command).
    votes: BTreeMap<(Slot, Ballot, Cmd), Vec<bool>>,
    /// Every (slot, command) chosen, with the ballot that first chose it.
    chosen: BTreeMap<(Slot, Cmd), Ballot>,
    proposed: BTreeSet<Value>,
    /// The first command a replica recorded for each slot, and which replica.
    decided: BTreeMap<Slot, (Cmd, NodeId)>,
    reported: BTreeSet<(&'static str, String)>,
    /// The latest client request submitted, and when (for liveness).
    last_request: Option<(Time, Value)>,
}

impl MultiChecker {
    fn report(&mut self, out: &mut Vec<Violation>, name: &'static str, now: Time, key: String, detail: String) {
        if self.reported.insert((name, key)) {
            out.push(Violation { invariant: name, at_ms: now, detail });
        }
    }

    fn observe(&mut self, now: Time, x: NodeId, nodes: &dyn Nodes<MultiPaxos>, out: &mut Vec<Violation>) {
        let n = nodes.len();
        let node = nodes.node(x);
        if let Some(p) = node.up()
            && let Some(v) = p.last_client_value()
            && !self.proposed.contains(v)
        {
            self.proposed.insert(v.clone());
        }
        let st = node.stable();
        if st.accept_seq != self.accept_seq[x] {
            let since = self.accept_seq[x];
            self.accept_seq[x] = st.accept_seq;
            let fresh: Vec<(Slot, Ballot, Cmd)> = st
                .accepted
                .iter()
                .filter(|(_, a)| a.seq > since)
                .map(|(&slot, a)| (slot, a.ballot, a.cmd.clone()))
                .collect();
            for (slot, ballot, cmd) in fresh {
                let voters = self.votes.entry((slot, ballot, cmd.clone())).or_insert_with(|| vec![false; n]);
                voters[x] = true;
                if voters.iter().filter(|&&v| v).count() == n / 2 + 1 {
                    self.on_chosen(now, slot, ballot, cmd, out);
                }
            }
        }
        if st.learned != self.learned[x] {
            self.learned[x] = st.learned;
            let fresh: Vec<(Slot, Cmd)> = st
                .chosen
                .iter()
                .enumerate()
                .filter(|(i, c)| c.is_some() && !self.recorded[x].get(*i).copied().unwrap_or(false))
                .filter_map(|(i, c)| c.clone().map(|c| (i as Slot, c)))
                .collect();
            for (slot, cmd) in fresh {
                let seen = &mut self.recorded[x];
                if seen.len() <= slot as usize {
                    seen.resize(slot as usize + 1, false);
                }
                seen[slot as usize] = true;
                self.on_learned(now, x, slot, cmd, out);
            }
        }
    }

    fn on_chosen(&mut self, now: Time, slot: Slot, ballot: Ballot, cmd: Cmd, out: &mut Vec<Violation>) {
        if let Cmd::Value(v) = &cmd
            && !self.proposed.contains(v)
        {
            self.report(
                out,
                "chosen_was_proposed",
                now,
                format!("{slot} {v}"),
                format!("\"{v}\" was chosen in slot {slot} (ballot {ballot}) but no client proposed it"),
            );
        }
        let other =
            self.chosen.range((slot, Cmd::Noop)..).take_while(|((s, _), _)| *s == slot).find(|((_, c), _)| *c != cmd);
        if let Some(((_, c), b)) = other.map(|(k, b)| (k.clone(), *b)) {
            self.report(
                out,
                "single_value_chosen",
                now,
                format!("{slot}"),
                format!(
                    "slot {slot}: \"{}\" was chosen in ballot {ballot} after \"{}\" was chosen in ballot {b}",
                    cmd.text(),
                    c.text()
                ),
            );
        }
        self.chosen.entry((slot, cmd)).or_insert(ballot);
    }

    fn on_learned(&mut self, now: Time, x: NodeId, slot: Slot, cmd: Cmd, out: &mut Vec<Violation>) {
        if !self.chosen.contains_key(&(slot, cmd.clone())) {
            self.report(
                out,
                "learned_was_chosen",
                now,
                format!("{x} {slot}"),
                format!("node {x} recorded \"{}\" in slot {slot} but no majority accepted it there", cmd.text()),
            );
        }
        match self.decided.get(&slot) {
            None => {
                self.decided.insert(slot, (cmd, x));
            }
            Some((c, y)) if *c != cmd => {
                let (c, y) = (c.clone(), *y);
                self.report(
                    out,
                    "replicas_agree",
                    now,
                    format!("{x} {slot}"),
                    format!("slot {slot}: node {x} recorded \"{}\" but node {y} recorded \"{}\"", cmd.text(), c.text()),
                );
            }
            Some(_) => {}
        }
    }
}

impl Checker<MultiPaxos> for MultiChecker {
    fn on_event(&mut self, now: Time, event: &Event) {
        if let Event::ClientRequest { value, .. } = event {
            self.last_request = Some((now, Value::from(value.as_str())));
        }
    }

    /// After the faults stop: a leader, and the request submitted since then
    /// chosen in a slot it knows.
    fn liveness(&self, since: Time, now: Time, nodes: &dyn Nodes<MultiPaxos>) -> Option<String> {
        let leader = (0..nodes.len()).filter_map(|i| nodes.node(i).up()).filter(|p| p.role() == Role::Leader).max_by_key(|p| p.ballot());
        let Some(l) = leader else {
            return Some(format!("no leader at {now} ms, {} ms after the faults stopped", now.saturating_sub(since)));
        };
        let (at, value) = self.last_request.as_ref().filter(|(at, _)| *at >= since)?;
        let chosen = l.chosen().iter().any(|c| matches!(c, Some(Cmd::Value(v)) if v == value));
        (!chosen).then(|| format!("the request \"{value}\" submitted at {at} ms is not chosen by {now} ms"))
    }

    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<MultiPaxos>, out: &mut Vec<Violation>) {
        let n = nodes.len();
        if !self.started {
            self.started = true;
            self.accept_seq = vec![0; n];
            self.learned = vec![0; n];
            self.recorded = vec![Vec::new(); n];
            // A prepared starting state came from an earlier history.
            for i in 0..n {
                let st = nodes.node(i).stable();
                let values = st.accepted.values().map(|a| &a.cmd).chain(st.chosen.iter().flatten());
                for c in values {
                    if let Cmd::Value(v) = c {
                        self.proposed.insert(v.clone());
                    }
                }
                for (slot, c) in st.chosen.iter().enumerate() {
                    if let Some(c) = c {
                        self.chosen.entry((slot as Slot, c.clone())).or_default();
                    }
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
