//! Whether the replicas converge: after the last fault heals and the
//! network is quiet, does every running replica hold the same key-value
//! state? The run itself is not touched: a copy of it runs on for a settling
//! time with no further events and no new client operations, and then the
//! replicas' stores are compared.

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
        let stores: Vec<(usize, &crate::kv::Store)> = w
            .slots
            .iter()
            .enumerate()
            .filter_map(|(id, s)| match s {
                Slot::Up(engine) => engine.store().map(|st| (id, st)),
                _ => None,
            })
            .collect();
        let Some(&(first_id, first)) = stores.first() else {
            return (None, "converged: not judged (no running replica keeps a key-value store)".to_string());
        };
        let settle = format!("{} s", SETTLE_MS / 1000);
        if !w.net.view().groups.is_empty() {
            return (
                Some(false),
                format!("converged: no — the network is still partitioned at the end (checked {settle} later)"),
            );
        }
        match stores.iter().find(|(_, s)| *s != first) {
            None => (
                Some(true),
                format!(
                    "converged: the {} running replicas hold the same {} after {settle} without faults or clients",
                    stores.len(),
                    crate::base::text::count(first.len() as u64, "key", "keys")
                ),
            ),
            Some(&(id, _)) => (
                Some(false),
                format!(
                    "converged: no — n{first_id} and n{id} still hold different values after {settle} without faults or clients"
                ),
            ),
        }
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
