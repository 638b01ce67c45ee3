//! Zab's safety properties (Junqueira et al., DSN 2011, §III "Properties";
//! Medeiros 2012 §"Zab's guarantees"), checked after every step.
//!
//! - `integrity`: a server delivers (commits) only a transaction some
//!   primary broadcast.
//! - `agreement`: no two servers commit different transactions at the same
//!   position; every server's committed sequence is a prefix of one sequence.
//! - `total_order`: every server commits in strictly increasing zxid order.
//! - `primary_order`: each history is in zxid order, no two transactions ever
//!   share a zxid, and at most one leader establishes each epoch.
//! - `committed_kept` ("no committed transaction is lost"): every leader that
//!   establishes an epoch holds every transaction committed in earlier epochs.
//!
//! Histories written before the run (a scenario's preset disks) count as
//! broadcast by the primaries of an earlier run.

use std::collections::{BTreeMap, BTreeSet};

use super::msg::{PeerState, Txn, Zxid};
use super::{Phase, Zab};
use crate::invariant::{Checker, Nodes, Violation};
use crate::protocol::{NodeId, Time, Value};

#[derive(Clone, Debug, Default)]
pub struct ZabChecker {
    /// Every transaction a primary broadcast: zxid → value.
    proposed: BTreeMap<Zxid, Value>,
    /// The one committed sequence every server's commits are a prefix of.
    committed: Vec<(Zxid, Value)>,
    /// Per server: how much of its committed prefix has been checked.
    seen: Vec<usize>,
    /// The epoch each server last established as leader.
    established_as: Vec<Option<u64>>,
    /// The leader that established each epoch.
    epoch_leaders: BTreeMap<u64, NodeId>,
    reported: BTreeSet<(&'static str, u64, u64)>,
}

fn same(t: &Txn, c: &(Zxid, Value)) -> bool {
    t.zxid == c.0 && t.value == c.1
}

impl ZabChecker {
    fn report(&mut self, out: &mut Vec<Violation>, key: (&'static str, u64, u64), now: Time, detail: impl FnOnce() -> String) {
        if self.reported.insert(key) {
            out.push(Violation { invariant: key.0, at_ms: now, detail: detail() });
        }
    }

    /// Registers a broadcast transaction; two different ones with one zxid
    /// break primary order.
    fn register(&mut self, now: Time, t: &Txn, out: &mut Vec<Violation>) -> bool {
        match self.proposed.get(&t.zxid) {
            Some(v) if *v == t.value => true,
            Some(v) => {
                let (z, a, b) = (t.zxid, v.clone(), t.value.clone());
                self.report(out, ("primary_order", z.0, z.1), now, || {
                    format!("two transactions share zxid {z}: \"{a}\" and \"{b}\"")
                });
                true
            }
            None => {
                self.proposed.insert(t.zxid, t.value.clone());
                false
            }
        }
    }

    /// `committed_kept` for leader `x` of `epoch`.
    fn check_leader(&mut self, now: Time, x: NodeId, z: &Zab, out: &mut Vec<Violation>) {
        let epoch = z.current_epoch();
        let h = z.history();
        let missing = self
            .committed
            .iter()
            .enumerate()
            .take_while(|(_, c)| c.0.epoch() < epoch)
            .find(|(i, c)| h.get(*i).is_none_or(|t| !same(t, c)))
            .map(|(_, c)| c.clone());
        if let Some((zxid, value)) = missing {
            self.report(out, ("committed_kept", epoch, x as u64), now, || {
                format!("n{x} leads epoch {epoch} without \"{value}\" ({zxid}), committed in epoch {}", zxid.epoch())
            });
        }
    }
}

impl Checker<Zab> for ZabChecker {
    fn check(&mut self, now: Time, x: NodeId, nodes: &dyn Nodes<Zab>, out: &mut Vec<Violation>) {
        if self.seen.len() < nodes.len() {
            self.seen.resize(nodes.len(), 0);
            self.established_as.resize(nodes.len(), None);
        }
        let disk = &nodes.node(x).stable().history;
        if now == 0 {
            for t in disk {
                self.register(now, t, out);
            }
        }
        let Some(z) = nodes.node(x).up() else {
            self.seen[x] = 0;
            self.established_as[x] = None;
            return;
        };
        let h = z.history();
        // Primary order: each history is in zxid order.
        if let Some(w) = h.windows(2).find(|w| w[0].zxid >= w[1].zxid) {
            let (a, b) = (w[0].zxid, w[1].zxid);
            self.report(out, ("primary_order", x as u64, a.0 << 32 | a.1), now, || {
                format!("n{x}'s history holds {b} after {a}")
            });
        }
        if z.is_established_leader() {
            let epoch = z.current_epoch();
            // The leader's own proposals are broadcast transactions.
            for t in h.iter().rev().take_while(|t| t.zxid.epoch() == epoch) {
                if self.register(now, t, out) {
                    break;
                }
            }
            if self.established_as[x] != Some(epoch) {
                self.established_as[x] = Some(epoch);
                match self.epoch_leaders.get(&epoch) {
                    Some(&other) if other != x => {
                        self.report(out, ("primary_order", epoch, u64::MAX), now, || {
                            format!("n{other} and n{x} both established epoch {epoch}")
                        });
                    }
                    _ => {
                        self.epoch_leaders.insert(epoch, x);
                    }
                }
                self.check_leader(now, x, z, out);
            }
        } else {
            self.established_as[x] = None;
        }
        // Delivery: integrity, total order, agreement.
        let c = z.committed().min(h.len());
        let from = self.seen[x].min(c);
        for i in from..c {
            let t = &h[i];
            if i > 0 && h[i - 1].zxid >= t.zxid {
                let (a, b) = (h[i - 1].zxid, t.zxid);
                self.report(out, ("total_order", x as u64, i as u64), now, || {
                    format!("n{x} commits {b} after {a}")
                });
            }
            if self.proposed.get(&t.zxid) != Some(&t.value) {
                let (zx, v) = (t.zxid, t.value.clone());
                self.report(out, ("integrity", zx.0, zx.1), now, || {
                    format!("n{x} commits \"{v}\" ({zx}), which no leader broadcast")
                });
            }
            match self.committed.get(i) {
                Some(g) if !same(t, g) => {
                    let (g, zx) = (g.clone(), t.zxid);
                    self.report(out, ("agreement", i as u64, 0), now, || {
                        format!("n{x} commits {zx} at position {}, where another server committed {} (\"{}\")", i + 1, g.0, g.1)
                    });
                }
                Some(_) => {}
                None if i == self.committed.len() => {
                    self.committed.push((t.zxid, t.value.clone()));
                    // Leaders of later epochs must hold it already.
                    for l in 0..nodes.len() {
                        if let Some(r) = nodes.node(l).up()
                            && r.is_established_leader()
                            && r.current_epoch() > t.zxid.epoch()
                        {
                            self.check_leader(now, l, r, out);
                        }
                    }
                }
                None => {}
            }
        }
        self.seen[x] = c;
    }

    fn liveness(&self, _since: Time, _now: Time, nodes: &dyn Nodes<Zab>) -> Option<String> {
        let leader = (0..nodes.len()).filter_map(|i| nodes.node(i).up().map(|z| (i, z))).find(|(_, z)| z.is_established_leader());
        let Some((l, lz)) = leader else {
            return Some("no leader has established an epoch".into());
        };
        let followers = (0..nodes.len())
            .filter_map(|i| nodes.node(i).up())
            .filter(|z| {
                z.state() == PeerState::Following
                    && z.leader() == Some(l)
                    && z.phase() == Phase::Broadcast
                    && z.current_epoch() == lz.current_epoch()
            })
            .count();
        let majority = crate::base::quorum::majority(nodes.len());
        (followers + 1 < majority).then(|| format!("leader n{l} has {followers} followers in broadcast"))
    }
}
