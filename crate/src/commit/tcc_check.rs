//! TCC's invariants, checked after every step, and its figures.
//!
//! A transaction *ends* when the coordinator forces `end`: every participant
//! acknowledged its confirm or cancel. Safety, after every step:
//! - `conservation`: at every participant the seats add up — free + held +
//!   sold = capacity, held is `amount` per reservation it holds, sold is
//!   `amount` per confirmed transaction, and none is negative. (A confirm or
//!   cancel applied twice, or a cancel releasing what no try reserved,
//!   breaks it.)
//! - `no_confirm_after_cancel`: no participant confirms a transaction that
//!   the coordinator decided to cancel or that the participant cancelled.
//! - `nothing_reserved_after_end`: once a transaction has ended, no
//!   participant holds a reservation for it (a hanging try breaks it).
//!
//! Liveness (for the explorer, once faults stop): every transaction the
//! coordinator began has ended.

use std::collections::BTreeSet;

use super::log::Decision;
use super::tcc::Tcc;
use super::tcc_msg::{Hold, Seats};
use super::COORDINATOR;
use crate::invariant::{Checker, Figures, Nodes, Violation};
use crate::protocol::{NodeId, Time};

#[derive(Clone, Debug, Default)]
pub struct TccChecker {
    /// How many records of each node have been read (log or seats).
    seen: Vec<usize>,
    /// Each (invariant, what) is reported once.
    reported: BTreeSet<(&'static str, String)>,
}

impl TccChecker {
    fn report(&mut self, out: &mut Vec<Violation>, invariant: &'static str, key: String, now: Time, detail: String) {
        if self.reported.insert((invariant, key)) {
            out.push(Violation { invariant, at_ms: now, detail });
        }
    }
}

/// What is wrong with a participant's counters, if anything.
fn unbalanced(s: &Seats) -> Option<String> {
    let count = |h: Hold| s.holds.values().filter(|&&x| x == h).count() as i64;
    let (held, sold) = (count(Hold::Reserved) * s.amount, count(Hold::Confirmed) * s.amount);
    if s.free + s.held + s.sold != s.capacity || s.free < 0 || s.held < 0 || s.sold < 0 {
        return Some(format!(
            "free {} + held {} + sold {} should be the capacity {} with none negative",
            s.free, s.held, s.sold, s.capacity
        ));
    }
    if s.held != held || s.sold != sold {
        return Some(format!(
            "holds {} seats and sold {}, but its reservations account for {held} held and {sold} sold",
            s.held, s.sold
        ));
    }
    None
}

impl Checker<Tcc> for TccChecker {
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<Tcc>, out: &mut Vec<Violation>) {
        if self.seen.len() < nodes.len() {
            self.seen.resize(nodes.len(), 0);
        }
        let log = &nodes.node(COORDINATOR).stable().log;
        if changed == COORDINATOR {
            let records = log.records();
            let from = self.seen[changed].min(records.len());
            self.seen[changed] = records.len();
            for r in &records[from..] {
                if r.kind != super::RecordKind::End {
                    continue;
                }
                let holding = (1..nodes.len()).find(|&p| nodes.node(p).stable().seats.hold(&r.tx) == Some(Hold::Reserved));
                if let Some(p) = holding {
                    let why = format!("transaction \"{}\" has ended but n{p} still holds its reservation", r.tx);
                    self.report(out, "nothing_reserved_after_end", r.tx.to_string(), now, why);
                }
            }
            return;
        }
        let seats = &nodes.node(changed).stable().seats;
        let from = self.seen[changed].min(seats.records.len());
        self.seen[changed] = seats.records.len();
        if from == seats.records.len() {
            return;
        }
        if let Some(why) = unbalanced(seats) {
            self.report(out, "conservation", format!("n{changed}"), now, format!("n{changed} {why}"));
        }
        for (i, (tx, h)) in seats.records.iter().enumerate().skip(from) {
            let ended = log.get(tx).is_some_and(|r| r.ended);
            if *h == Hold::Reserved && ended {
                let why = format!("n{changed} reserves for \"{tx}\" after the transaction ended: held forever (a hanging try)");
                self.report(out, "nothing_reserved_after_end", tx.to_string(), now, why);
            }
            if *h == Hold::Confirmed {
                let cancelled_here = seats.records[..i]
                    .iter()
                    .any(|(t, x)| t == tx && matches!(x, Hold::Cancelled | Hold::EmptyCancel));
                if cancelled_here || log.decision(tx) == Some(Decision::Abort) {
                    let why = format!("n{changed} confirms \"{tx}\", which was cancelled");
                    self.report(out, "no_confirm_after_cancel", tx.to_string(), now, why);
                }
            }
        }
    }

    fn liveness(&self, _since: Time, now: Time, nodes: &dyn Nodes<Tcc>) -> Option<String> {
        let log = &nodes.node(COORDINATOR).stable().log;
        let open = log.txs().find(|(_, r)| !r.ended)?;
        let (tx, r) = open;
        let what = if r.decision.is_some() { "not every participant acknowledged its decision" } else { "undecided" };
        Some(format!("transaction \"{tx}\" has not ended by {now} ms: {what}"))
    }

    fn metrics(&self, _now: Time, nodes: &dyn Nodes<Tcc>, out: &mut Figures) {
        let log = &nodes.node(COORDINATOR).stable().log;
        let ended = |d: Decision| log.txs().filter(|(_, r)| r.ended && r.decision == Some(d)).count() as f64;
        let parts = (1..nodes.len()).map(|p| &nodes.node(p).stable().seats);
        let empty: usize = parts.clone().map(|s| s.holds.values().filter(|&&h| h == Hold::EmptyCancel).count()).sum();
        let held: i64 = parts.map(|s| s.held).sum();
        out.put("confirmed", ended(Decision::Commit));
        out.put("cancelled", ended(Decision::Abort));
        out.put("empty_rollbacks", empty as f64);
        out.put("held", held as f64);
    }
}
