//! The saga's invariants, checked after every step, and its figures.
//!
//! A saga *ends* when the orchestrator forces its last record: `committed`
//! (every step ran) or `compensated` (every completed step was undone).
//! Safety, after every step:
//! - `compensation_after_step`: a participant runs Ci only after its own Ti ran
//!   (no compensation runs before its step).
//! - `reverse_compensation`: when Ci runs, no later step Tj (j > i) of the same
//!   saga is still applied: compensations run in reverse (Garcia-Molina &
//!   Salem §2: T1 … Tj Cj … C1).
//! - `semantic_atomicity`: once a saga has ended, the participants agree
//!   with its end: committed means every step is applied and none undone;
//!   compensated means no step is left applied — now and forever after.
//!
//! Liveness (for the explorer, once faults stop): every saga that any node
//! has a record of has ended. The saga gives no isolation, and the checker
//! counts what that costs: `dirty_reads`, steps that read the partial results
//! of a saga that was later compensated.

use std::collections::BTreeSet;

use super::saga::Saga;
use super::saga_msg::{SagaLog, SagaRecord};
use super::{COORDINATOR, Tx};
use crate::invariant::{Checker, Figures, Nodes, Violation};
use crate::protocol::{NodeId, Time};

#[derive(Clone, Debug, Default)]
pub struct SagaChecker {
    /// How many records of each node's log have been read.
    seen: Vec<usize>,
    /// Each (invariant, saga) is reported once.
    reported: BTreeSet<(&'static str, Tx)>,
}

impl SagaChecker {
    fn report(&mut self, out: &mut Vec<Violation>, invariant: &'static str, tx: &Tx, now: Time, detail: String) {
        if self.reported.insert((invariant, tx.clone())) {
            out.push(Violation { invariant, at_ms: now, detail });
        }
    }

    /// Whether participant `p`'s log agrees with the saga's end; what is
    /// wrong if not.
    fn disagrees(log: &SagaLog, p: NodeId, tx: &str, outcome: &str) -> Option<String> {
        let t = log.get(tx);
        let applied = t.is_some_and(|t| t.applied().any(|s| s == p));
        match outcome {
            "committed" if !applied => Some(format!("saga \"{tx}\" is committed but T{p} is not applied at n{p}")),
            "compensated" if applied => Some(format!("saga \"{tx}\" is compensated but T{p} is still applied at n{p}")),
            _ => None,
        }
    }
}

impl Checker<Saga> for SagaChecker {
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<Saga>, out: &mut Vec<Violation>) {
        if self.seen.len() < nodes.len() {
            self.seen.resize(nodes.len(), 0);
        }
        let log = nodes.node(changed).stable();
        let records = log.records();
        // A log never shrinks, except the `no-log` orchestrator's: read it again.
        let from = if self.seen[changed] <= records.len() { self.seen[changed] } else { 0 };
        self.seen[changed] = records.len();
        let orchestrator = nodes.node(COORDINATOR).stable();
        for (tx, r) in &records[from..] {
            if changed == COORDINATOR {
                let Some(outcome) = orchestrator.get(tx).and_then(|t| t.outcome) else { continue };
                for p in (1..nodes.len()).filter(|&p| p != COORDINATOR) {
                    if let Some(why) = Self::disagrees(nodes.node(p).stable(), p, tx, outcome) {
                        self.report(out, "semantic_atomicity", tx, now, why);
                    }
                }
                continue;
            }
            if let SagaRecord::Undone { step } = r {
                if !log.get(tx).is_some_and(|t| t.done.contains(step)) {
                    let why = format!("n{changed} runs C{step} of \"{tx}\" but T{step} never ran there");
                    self.report(out, "compensation_after_step", tx, now, why);
                }
                let later = (step + 1..nodes.len())
                    .find(|&k| nodes.node(k).stable().get(tx).is_some_and(|t| t.applied().any(|s| s == k)));
                if let Some(k) = later {
                    let why = format!("n{changed} runs C{step} of \"{tx}\" while T{k} is still applied at n{k}: compensations must run in reverse");
                    self.report(out, "reverse_compensation", tx, now, why);
                }
            }
            if let Some(outcome) = orchestrator.get(tx).and_then(|t| t.outcome)
                && let Some(why) = Self::disagrees(log, changed, tx, outcome)
            {
                self.report(out, "semantic_atomicity", tx, now, format!("after it ended, {why}"));
            }
        }
    }

    fn liveness(&self, _since: Time, now: Time, nodes: &dyn Nodes<Saga>) -> Option<String> {
        let orchestrator = nodes.node(COORDINATOR).stable();
        for p in 0..nodes.len() {
            for (tx, _) in nodes.node(p).stable().txs() {
                match orchestrator.get(tx) {
                    Some(t) if t.outcome.is_some() => {}
                    Some(t) => {
                        let doing = if t.failed.is_some() { "still compensating" } else { "still running" };
                        return Some(format!("saga \"{tx}\" has not ended by {now} ms: {doing}"));
                    }
                    None => {
                        return Some(format!(
                            "saga \"{tx}\" has not ended by {now} ms: n{p} ran T{p} but the orchestrator has no record of it"
                        ));
                    }
                }
            }
        }
        None
    }

    fn metrics(&self, _now: Time, nodes: &dyn Nodes<Saga>, out: &mut Figures) {
        let orchestrator = nodes.node(COORDINATOR).stable();
        let ended = |word: &str| orchestrator.txs().filter(|(_, t)| t.outcome == Some(word)).count();
        let compensated = |tx: &Tx| orchestrator.get(tx).is_some_and(|t| t.outcome == Some("compensated"));
        let dirty: usize = (1..nodes.len())
            .map(|p| nodes.node(p).stable().txs().map(|(_, t)| t.saw.iter().filter(|o| compensated(o)).count()).sum::<usize>())
            .sum();
        out.put("committed", ended("committed") as f64);
        out.put("compensated", ended("compensated") as f64);
        out.put("dirty_reads", dirty as f64);
    }
}
