//! Whether the replicas converge: after the last fault heals and the
//! network is quiet, does every running replica hold the same key-value
//! state? The run itself is not touched: a copy of it runs on for a settling
//! time with no further events and no new client operations, and then the
//! replicas' stores are compared.

use std::collections::BTreeSet;

use super::erased::Slot;
use super::world::World;
use crate::protocol::Time;

/// How long the copy runs without faults or clients before the stores are
/// compared (simulated milliseconds).
pub const SETTLE_MS: Time = 5_000;

impl World {
    /// `Some(true)` when every running replica holds the same store after
    /// settling, `Some(false)` when they differ (or a partition remains),
    /// `None` when the protocol keeps no replicated store. With a sentence
    /// that says what was compared.
    pub fn converged(&self) -> (Option<bool>, String) {
        let mut w = self.clone();
        w.discard_future();
        w.ops.stop_workload();
        w.record_trace(0);
        let until = w.now().saturating_add(SETTLE_MS);
        let _ = w.run_until(until);
        let stores: Vec<(usize, &dyn super::erased::AnyNode)> = w
            .slots
            .iter()
            .enumerate()
            .filter_map(|(id, s)| match s {
                Slot::Up(engine) => engine.store().is_some().then_some((id, &**engine)),
                _ => None,
            })
            .collect();
        if stores.is_empty() {
            return (None, "converged: not judged (no running replica keeps a key-value store)".to_string());
        }
        let settle = format!("{} s", SETTLE_MS / 1000);
        if !w.net.view().groups.is_empty() {
            return (
                Some(false),
                format!("converged: no — the network is still partitioned at the end (checked {settle} later)"),
            );
        }
        // Every key any replica holds, and for each the replicas meant to
        // hold it (all of them, unless the store partitions its keys).
        let keys: BTreeSet<&str> = stores
            .iter()
            .flat_map(|(_, e)| e.store().into_iter().flat_map(|s| s.0.keys().map(String::as_str)))
            .collect();
        let mut partial = false;
        for &key in &keys {
            let holders: Vec<(usize, Option<&str>)> = stores
                .iter()
                .filter(|(_, e)| e.holds(key))
                .map(|&(id, e)| (id, e.store().and_then(|s| s.get(key))))
                .collect();
            partial |= holders.len() < stores.len();
            let Some(&(first_id, first)) = holders.first() else { continue };
            if let Some(&(id, _)) = holders.iter().find(|(_, v)| *v != first) {
                return (
                    Some(false),
                    format!(
                        "converged: no — n{first_id} and n{id} still hold different values of {key} after {settle} without faults or clients"
                    ),
                );
            }
        }
        let count = crate::base::text::count(keys.len() as u64, "key", "keys");
        let why = if partial {
            format!(
                "converged: every key's running replicas hold the same versions after {settle} without faults or clients ({count} on {} running nodes)",
                stores.len()
            )
        } else {
            format!(
                "converged: the {} running replicas hold the same {count} after {settle} without faults or clients",
                stores.len()
            )
        };
        (Some(true), why)
    }

    /// The `consistency` object of the headless runner's result.
    pub(super) fn consistency_json(&self, buf: &mut Vec<u8>) {
        let _ = serde_json::to_writer(buf, &self.consistency());
    }

    /// Every check over the history so far, and whether the replicas converge.
    pub fn consistency(&self) -> crate::history::Consistency {
        let mut report = crate::history::consistency(self.history());
        let (converged, why) = self.converged();
        match converged {
            Some(c) => report.set_converged(c, &why),
            None => report.detail = format!("{} {why}", report.detail),
        }
        report
    }
}
