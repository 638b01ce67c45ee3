//! What the page and the CLI see of a run at one moment: node views, messages
//! on the wire, the network, and the violations so far.

use serde::Serialize;

use super::{NodeState, Simulator, Slot};
use crate::invariant::Violation;
use crate::protocol::{Message, NodeId, Protocol, Time, TimerName};
use crate::sim::flight::Loss;
use crate::sim::network::NetworkView;

/// A node as shown: `id`, `up`, then the protocol's own fields.
#[derive(Serialize)]
pub struct NodeView<V> {
    pub id: NodeId,
    pub up: bool,
    /// Frozen by a `pause` until this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<Time>,
    #[serde(flatten)]
    pub state: V,
    /// Armed timers, for the countdown arcs.
    pub timers: Vec<TimerView>,
}

#[derive(Serialize)]
pub struct TimerView {
    pub name: &'static str,
    pub set_at: Time,
    pub fire_at: Time,
}

#[derive(Serialize)]
pub struct MessageView {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub label: String,
    pub sent_at: Time,
    pub deliver_at: Time,
    /// Why it will not arrive, when the network already decided that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<Loss>,
}

#[derive(Serialize)]
pub struct Snapshot<V> {
    pub protocol: &'static str,
    pub time_ms: Time,
    /// How many steps the run has taken.
    pub steps: u64,
    pub nodes: Vec<NodeView<V>>,
    pub messages: Vec<MessageView>,
    pub network: NetworkView,
    pub violations: Vec<Violation>,
    /// Client requests no node has taken yet.
    pub pending_requests: Vec<String>,
    /// When the next event is due, if any.
    pub next_event_ms: Option<Time>,
    /// Timeline events applied so far (the rest are still to come).
    pub applied_events: usize,
}

pub(super) fn node_views<P: Protocol>(nodes: &[NodeState<P>]) -> Vec<NodeView<P::View>> {
    nodes
        .iter()
        .enumerate()
        .map(|(id, st)| {
            let (up, state) = match &st.slot {
                Slot::Up(p) => (true, p.view()),
                Slot::Down(s) => (false, P::view_down(id, s)),
            };
            let mut timers: Vec<TimerView> = st
                .timers
                .iter()
                .map(|a| TimerView { name: a.timer.name(), set_at: a.set_at, fire_at: a.fire_at })
                .collect();
            timers.sort_by_key(|t| (t.fire_at, t.name));
            NodeView { id, up, paused_until: st.paused_until, state, timers }
        })
        .collect()
}

pub(super) fn build<P: Protocol>(sim: &Simulator<P>) -> Snapshot<P::View> {
    Snapshot {
        protocol: P::NAME,
        time_ms: sim.now,
        steps: sim.stats.events,
        nodes: node_views(&sim.nodes),
        messages: sim
            .flight
            .iter()
            .map(|f| MessageView {
                id: f.id,
                from: f.from,
                to: f.to,
                kind: f.msg.kind(),
                label: f.msg.label(),
                sent_at: f.sent_at,
                deliver_at: f.deliver_at,
                lost: f.lost,
            })
            .collect(),
        network: sim.net.view(),
        violations: sim.violations.clone(),
        pending_requests: sim.client.pending().map(str::to_string).collect(),
        next_event_ms: sim.next_event_at(),
        applied_events: sim.next_event,
    }
}

impl<P: Protocol> Simulator<P> {
    /// The node views alone (the CLI's `nodes`).
    pub fn node_views(&self) -> Vec<NodeView<P::View>> {
        node_views(&self.nodes)
    }
}
