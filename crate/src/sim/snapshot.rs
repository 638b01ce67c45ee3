//! What the page and the CLI see of a run at one moment, as JSON text: node
//! views, messages on the wire, the network, and the violations so far.
//!
//! Each node is `{"id", "up", ["paused_until"], …the protocol's own fields…,
//! "timers"}`; the protocol's view is serialized by its adapter and spliced
//! in, so this code is the same for every protocol.

use serde::Serialize;

use super::erased::Slot;
use super::flight::Loss;
use super::world::World;
use crate::json::{Obj, list};
use crate::protocol::{NodeId, Time};

#[derive(Serialize)]
struct MessageView<'a> {
    id: u64,
    from: NodeId,
    to: NodeId,
    kind: &'a str,
    label: String,
    sent_at: Time,
    deliver_at: Time,
    /// Why it will not arrive, when the network already decided that.
    #[serde(skip_serializing_if = "Option::is_none")]
    lost: Option<Loss>,
}

#[derive(Serialize)]
struct TimerView<'a> {
    name: &'a str,
    set_at: Time,
    fire_at: Time,
}

impl World {
    pub(super) fn node_json(&self, id: NodeId, buf: &mut Vec<u8>, scratch: &mut Vec<u8>) {
        scratch.clear();
        let up = match &self.slots[id] {
            Slot::Up(engine) => {
                engine.view_json(scratch);
                Some(engine)
            }
            Slot::Down(stable) => {
                self.proto.view_down_json(id, stable.as_ref(), scratch);
                None
            }
            Slot::Absent(stable) => {
                self.proto.view_down_json(id, &**stable, scratch);
                None
            }
        };
        let meta = &self.meta[id];
        let mut o = Obj::new(buf);
        o.field("id", &id);
        o.field("up", &up.is_some());
        if self.is_absent(id) {
            o.field("absent", &true);
        }
        if let Some(t) = meta.paused_until {
            o.field("paused_until", &t);
        }
        o.fields_of(scratch);
        o.raw("timers", |b| {
            list(b, &meta.timers, |b, a| {
                let name = up.map_or("timer", |e| e.timer_name(a.timer));
                let _ = serde_json::to_writer(b, &TimerView { name, set_at: a.set_at, fire_at: a.fire_at });
            })
        });
        o.end();
    }

    /// Every node's view, as a JSON list.
    fn nodes_json(&self, buf: &mut Vec<u8>) {
        let mut scratch = Vec::new();
        list(buf, 0..self.n, |b, id| self.node_json(id, b, &mut scratch));
    }

    /// Everything the page draws at this moment, as JSON text.
    pub fn snapshot_json(&self) -> String {
        let mut buf = Vec::with_capacity(4096);
        let mut o = Obj::new(&mut buf);
        o.field("protocol", self.proto.name());
        o.field("time_ms", &self.now);
        o.field("steps", &self.stats.events);
        o.raw("nodes", |b| self.nodes_json(b));
        o.raw("messages", |b| {
            list(b, self.flight.iter(), |b, f| {
                let m = MessageView {
                    id: f.id,
                    from: f.from,
                    to: f.to,
                    kind: self.mail.kind(f.id),
                    label: self.mail.label(f.id),
                    sent_at: f.sent_at,
                    deliver_at: f.deliver_at,
                    lost: f.lost,
                };
                let _ = serde_json::to_writer(b, &m);
            })
        });
        self.moment_fields(&mut o);
        o.end();
        String::from_utf8(buf).unwrap_or_default()
    }

    /// The fields the snapshot and the compact frame share after the nodes
    /// and messages: the network, the violations, what waits, what comes next.
    pub(super) fn moment_fields(&self, o: &mut Obj<'_>) {
        o.field("network", &self.net.view());
        o.field("violations", &self.violations);
        let pending: Vec<String> = self.client.pending().collect();
        o.field("pending_requests", &pending);
        if !self.history().is_empty() {
            o.field("ops", &self.history().len());
            o.field("pending_ops", &self.ops.pending().collect::<Vec<_>>());
        }
        o.field("next_event_ms", &self.next_event_at());
        o.field("applied_events", &self.next_event);
    }

    /// The headless runner's result (see docs/SCENARIO.md), as compact JSON.
    pub fn result_json(&self) -> String {
        let mut buf = Vec::with_capacity(4096);
        let mut o = Obj::new(&mut buf);
        o.field("protocol", self.proto.name());
        o.field("time_ms", &self.now);
        o.field("trace_hash", &self.trace_hash());
        o.raw("nodes", |b| self.nodes_json(b));
        o.field("violations", &self.violations);
        o.field("stats", &self.stats);
        o.field("metrics", &self.metrics());
        if !self.history().is_empty() {
            o.field("history", self.history());
            o.raw("consistency", |b| self.consistency_json(b));
        }
        o.end();
        String::from_utf8(buf).unwrap_or_default()
    }

    /// The run's curves now (figures not over time): every checker's.
    pub fn curves(&self) -> Vec<crate::invariant::Curve> {
        let mut out = Vec::new();
        for c in &self.checkers {
            c.curves(self.now, &self.slots, &mut out);
        }
        out
    }

    /// The run's figures so far: every checker's, in the registry's order.
    pub fn metrics(&self) -> crate::invariant::Figures {
        let mut out = crate::invariant::Figures::default();
        for c in &self.checkers {
            c.metrics(self.now, &self.slots, &mut out);
        }
        out
    }

    /// What progress the protocol has not made since `since` (see
    /// [`crate::invariant::Checker::liveness`]); empty when it has.
    pub fn liveness(&self, since: Time) -> Vec<String> {
        self.checkers.iter().filter_map(|c| c.liveness(since, self.now, &self.slots)).collect()
    }

    /// One sample of the run's series now.
    pub fn sample(&self) -> crate::invariant::Figures {
        let mut out = crate::invariant::Figures::default();
        for c in &self.checkers {
            c.sample(self.now, &self.slots, &mut out);
        }
        out
    }
}
