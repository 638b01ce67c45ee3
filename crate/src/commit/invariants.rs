//! The safety invariants of atomic commit, checked after every step for both
//! 2PC and 3PC (they share the durable log the checker reads).
//!
//! - `atomicity` (Gray & Lamport §2, "consistency"; Skeen's atomicity): no
//!   transaction is committed at one node and aborted at another.
//! - `validity` (Gray & Lamport §2, non-triviality read as a safety rule): a
//!   node commits a transaction only if every participant has a durable yes
//!   vote for it.
//!
//! Decisions only ever appear as new records at the end of a node's log, so
//! each check reads just the records the step added: O(new records) for
//! atomicity, plus O(nodes) per new commit for validity.

use std::collections::{BTreeMap, BTreeSet};

use super::log::{Decision, DurableLog};
use super::{COORDINATOR, Tx};
use crate::invariant::{Checker, Nodes, Violation};
use crate::protocol::{NodeId, Protocol, Time};

#[derive(Clone, Debug, Default)]
pub struct CommitChecker {
    /// How many records of each node's log have been read.
    seen: Vec<usize>,
    /// The first decision seen for each transaction, and where.
    first: BTreeMap<Tx, (Decision, NodeId)>,
    /// Each (invariant, transaction) is reported once.
    reported: BTreeSet<(&'static str, Tx)>,
}

impl<P: Protocol<Stable = DurableLog>> Checker<P> for CommitChecker {
    /// After the faults stop: every transaction the coordinator knows is
    /// decided there, and at every running participant that voted on it.
    fn liveness(&self, _since: Time, now: Time, nodes: &dyn Nodes<P>) -> Option<String> {
        let coordinator = nodes.node(COORDINATOR).stable();
        for (tx, _) in coordinator.txs() {
            if coordinator.decision(tx).is_none() {
                return Some(format!("transaction \"{tx}\" is not decided at the coordinator by {now} ms"));
            }
            let waiting = (0..nodes.len()).filter(|&p| p != COORDINATOR).find(|&p| {
                let x = nodes.node(p);
                x.up().is_some() && x.stable().vote(tx) == Some(true) && x.stable().decision(tx).is_none()
            });
            if let Some(p) = waiting {
                return Some(format!("transaction \"{tx}\" is not decided at n{p} by {now} ms"));
            }
        }
        None
    }

    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<P>, out: &mut Vec<Violation>) {
        if self.seen.len() < nodes.len() {
            self.seen.resize(nodes.len(), 0);
        }
        let records = nodes.node(changed).stable().records();
        // A log never shrinks; if one did (a test swapped it), read it again.
        let from = if self.seen[changed] <= records.len() { self.seen[changed] } else { 0 };
        self.seen[changed] = records.len();
        for r in &records[from..] {
            let Some(d) = r.kind.decision() else { continue };
            match self.first.get(&r.tx) {
                None => {
                    self.first.insert(r.tx.clone(), (d, changed));
                }
                Some(&(other, at)) if other != d && self.reported.insert(("atomicity", r.tx.clone())) => {
                    let (c, a) = if d == Decision::Commit { (changed, at) } else { (at, changed) };
                    out.push(Violation {
                        invariant: "atomicity",
                        at_ms: now,
                        detail: format!("transaction \"{}\" is committed at node {c} but aborted at node {a}", r.tx),
                    });
                }
                Some(_) => {}
            }
            if d == Decision::Commit {
                let missing = (0..nodes.len())
                    .filter(|&p| p != COORDINATOR)
                    .find(|&p| nodes.node(p).stable().vote(&r.tx) != Some(true));
                if let Some(p) = missing
                    && self.reported.insert(("validity", r.tx.clone()))
                {
                    out.push(Violation {
                        invariant: "validity",
                        at_ms: now,
                        detail: format!(
                            "node {changed} commits transaction \"{}\" but participant {p} did not vote yes",
                            r.tx
                        ),
                    });
                }
            }
        }
    }
}
