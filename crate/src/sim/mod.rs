//! The simulator: the only thing that advances time.
//!
//! It owns simulated time, every random stream, the event queue, the network,
//! crashes and pauses, the client, the trace and the invariant checker, and it
//! drives one protocol engine per node. A run is a function of its scenario:
//! the same scenario gives the same events in the same order everywhere.
//!
//! Ordering rule. Queue events (deliveries, timers, client retries, resumes)
//! run in `(time, insertion order)`. A timeline event at time `t` runs after
//! every queue event at `t`, and timeline events at equal times run in list
//! order. A live inject first runs everything due up to now and then applies
//! at once; it is recorded in the timeline at now, after the events already
//! there, so replaying the recorded scenario reproduces the live run exactly.

pub mod client;
pub mod flight;
pub mod network;
mod snapshot;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::invariant::{Checker, NodeRef, Nodes, Violation};
use crate::protocol::{Ctx, Effect, Message, NodeId, Out, Params, Protocol, Time, TimerName};
use crate::scenario::{Event, MAX_TIME_MS, Scenario, ScenarioError, Timed};
use crate::trace::{Trace, TraceKind};
use client::Client;
use flight::{Flight, InFlight, Loss};
use network::{LinkRule, Network};
pub use snapshot::{MessageView, NodeView, Snapshot, TimerView};

/// The most violations kept in full; later ones are only counted.
const MAX_VIOLATIONS_KEPT: usize = 1_000;

/// A timeline event or inject that could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    /// Index in the scenario's `events`, for timeline events.
    pub event_index: Option<usize>,
    pub at_ms: Time,
    pub message: String,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.event_index {
            Some(i) => write!(f, "events[{i}] at {} ms: {}", self.at_ms, self.message),
            None => write!(f, "at {} ms: {}", self.at_ms, self.message),
        }
    }
}

impl std::error::Error for RunError {}

/// Counters for the CLI and the benchmark.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub messages_duplicated: u64,
    /// Simulation steps taken (deliveries, timers, injects, client retries…).
    pub events: u64,
    pub timers_fired: u64,
    pub client_requests: u64,
}

#[derive(Clone)]
enum Slot<P: Protocol> {
    Up(P),
    Down(P::Stable),
}

#[derive(Clone, Copy, Debug)]
struct Armed<T> {
    timer: T,
    generation: u64,
    set_at: Time,
    fire_at: Time,
}

#[derive(Clone)]
struct NodeState<P: Protocol> {
    slot: Slot<P>,
    paused_until: Option<Time>,
    timers: Vec<Armed<P::Timer>>,
    rng: ChaCha8Rng,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item<T> {
    Deliver(u64),
    Timer { node: NodeId, timer: T, generation: u64 },
    ClientRetry(u64),
    Resume { node: NodeId, until: Time },
}

#[derive(Clone, Copy, Debug)]
struct Queued<T> {
    at: Time,
    seq: u64,
    item: Item<T>,
}

impl<T> PartialEq for Queued<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<T> Eq for Queued<T> {}
impl<T> PartialOrd for Queued<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Queued<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// One run of protocol `P`.
#[derive(Clone)]
pub struct Simulator<P: Protocol> {
    scenario: Scenario,
    params: P::Params,
    n: usize,
    now: Time,
    seq: u64,
    queue: BinaryHeap<Reverse<Queued<P::Timer>>>,
    nodes: Vec<NodeState<P>>,
    net: Network,
    flight: InFlight<P::Msg>,
    net_rng: ChaCha8Rng,
    client: Client,
    checker: P::Checker,
    violations: Vec<Violation>,
    violation_count: u64,
    found: Vec<Violation>,
    trace: Trace,
    stats: Stats,
    /// Index of the next timeline event to apply.
    next_event: usize,
    timer_generation: u64,
    out: Vec<Effect<P>>,
}

impl<P: Protocol> Simulator<P> {
    /// Builds a run from a scenario and starts every node at time 0.
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        Self::with_stable(scenario, Vec::new())
    }

    /// Like [`Simulator::new`], but node `i` starts from `stable[i]` when given:
    /// how tests set up the logs of a paper's figure.
    pub fn with_stable(scenario: Scenario, stable: Vec<Option<P::Stable>>) -> Result<Self, ScenarioError> {
        if scenario.protocol != P::NAME {
            return Err(ScenarioError::new("protocol", format!("expected \"{}\"", P::NAME)));
        }
        if !P::NODES.contains(&scenario.nodes) {
            return Err(ScenarioError::new(
                "nodes",
                format!(
                    "{} runs with {} to {} nodes, not {}",
                    P::NAME,
                    P::NODES.start(),
                    P::NODES.end(),
                    scenario.nodes
                ),
            ));
        }
        let params = parse_params::<P>(&scenario)?;
        let n = scenario.nodes;
        let seed = scenario.seed;
        let stream = |s: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(s);
            rng
        };
        let mut stable = stable;
        stable.resize_with(n, || None);
        let nodes = stable
            .into_iter()
            .enumerate()
            .map(|(id, st)| NodeState {
                slot: Slot::Up(P::boot(id, n, &params, st)),
                paused_until: None,
                timers: Vec::new(),
                rng: stream(1 + id as u64),
            })
            .collect();
        let mut sim = Simulator {
            net: Network::new(P::network_defaults(), &scenario.network),
            scenario,
            params,
            n,
            now: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            nodes,
            flight: InFlight::default(),
            net_rng: stream(0),
            client: Client::new(stream(u64::MAX)),
            checker: P::Checker::default(),
            violations: Vec::new(),
            violation_count: 0,
            found: Vec::new(),
            trace: Trace::new(0),
            stats: Stats::default(),
            next_event: 0,
            timer_generation: 0,
            out: Vec::new(),
        };
        for id in 0..n {
            sim.trace.push::<u8>(0, TraceKind::Start, Some(id), None, None, None, || format!("node {id} starts"));
            sim.with_node(id, |p, cx, out| p.on_start(cx, out));
        }
        Ok(sim)
    }

    /// Keep the latest `capacity` trace records for [`Simulator::trace_since`].
    pub fn record_trace(&mut self, capacity: usize) {
        self.trace.set_capacity(capacity);
    }

    pub fn now(&self) -> Time {
        self.now
    }
    pub fn nodes(&self) -> usize {
        self.n
    }
    pub fn params(&self) -> &P::Params {
        &self.params
    }
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    pub fn trace_hash(&self) -> String {
        self.trace.hash_hex()
    }
    /// Every violation so far (the first thousand in full).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
    pub fn violation_count(&self) -> u64 {
        self.violation_count
    }
    /// How many timeline events have been applied.
    pub fn applied_events(&self) -> usize {
        self.next_event
    }
    /// The running engine of a node, if it is up.
    pub fn node(&self, id: NodeId) -> Option<&P> {
        match &self.nodes.get(id)?.slot {
            Slot::Up(p) => Some(p),
            Slot::Down(_) => None,
        }
    }
    /// What a node keeps across crashes, up or down.
    pub fn stable(&self, id: NodeId) -> &P::Stable {
        match &self.nodes[id].slot {
            Slot::Up(p) => p.stable(),
            Slot::Down(s) => s,
        }
    }
    pub fn is_up(&self, id: NodeId) -> bool {
        matches!(self.nodes.get(id).map(|n| &n.slot), Some(Slot::Up(_)))
    }
    pub fn in_flight(&self) -> impl Iterator<Item = &Flight<P::Msg>> {
        self.flight.iter()
    }
    /// When the next event is due, if any.
    pub fn next_event_at(&self) -> Option<Time> {
        let q = self.queue.peek().map(|Reverse(q)| q.at);
        let s = self.scenario.events.get(self.next_event).map(|e| e.at_ms);
        match (q, s) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Takes the next step. `Ok(false)` when nothing is left to happen.
    pub fn step(&mut self) -> Result<bool, RunError> {
        self.step_within(Time::MAX)
    }

    /// Takes the next step if it is due at or before `limit`. Stale queue
    /// items (cancelled timers, removed messages) are skipped without being
    /// steps, so the bound is checked again after each one: otherwise a stale
    /// item due before `limit` could let a real event after it run early.
    fn step_within(&mut self, limit: Time) -> Result<bool, RunError> {
        loop {
            let queue_at = self.queue.peek().map(|Reverse(q)| q.at);
            let timeline_at = self.scenario.events.get(self.next_event).map(|e| e.at_ms);
            let timeline_first = match (queue_at, timeline_at) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(q), Some(t)) => t < q,
            };
            let due = if timeline_first { timeline_at } else { queue_at };
            if due.is_none_or(|at| at > limit) {
                return Ok(false);
            }
            if timeline_first {
                let index = self.next_event;
                let Timed { at_ms, event } = self.scenario.events[index].clone();
                self.next_event += 1;
                self.now = self.now.max(at_ms);
                self.stats.events += 1;
                return self.apply(event).map(|()| true).map_err(|message| {
                    self.note_ignored(None, &message);
                    RunError { event_index: Some(index), at_ms, message }
                });
            }
            let Some(Reverse(q)) = self.queue.pop() else {
                return Ok(false);
            };
            self.now = q.at;
            if self.run_queued(q) {
                self.stats.events += 1;
                return Ok(true);
            }
        }
    }

    /// Runs every event due at or before `t`, then sets the clock to `t`.
    /// Stops at the first timeline event that cannot be applied.
    pub fn run_until(&mut self, t: Time) -> Result<(), RunError> {
        while self.step_within(t)? {}
        self.now = self.now.max(t);
        Ok(())
    }

    /// Applies `event` now (after everything already due now) and records it
    /// in the scenario at the current time.
    pub fn inject(&mut self, event: Event) -> Result<(), RunError> {
        self.run_until(self.now)?;
        self.apply(event.clone()).map_err(|message| RunError { event_index: None, at_ms: self.now, message })?;
        self.stats.events += 1;
        self.scenario.events.insert(self.next_event, Timed { at_ms: self.now, event });
        self.next_event += 1;
        Ok(())
    }

    /// Schedules `event` at a later time `at_ms` and records it.
    pub fn schedule(&mut self, at_ms: Time, event: Event) -> Result<(), RunError> {
        if at_ms <= self.now {
            return if at_ms == self.now {
                self.inject(event)
            } else {
                Err(RunError {
                    event_index: None,
                    at_ms,
                    message: format!("{at_ms} ms is in the past (the run is at {} ms)", self.now),
                })
            };
        }
        if at_ms > MAX_TIME_MS {
            return Err(RunError { event_index: None, at_ms, message: "that time is too late".into() });
        }
        let pos = self.scenario.events.partition_point(|e| e.at_ms <= at_ms);
        self.scenario.events.insert(pos, Timed { at_ms, event });
        Ok(())
    }

    // ---- the queue ------------------------------------------------------

    fn push(&mut self, at: Time, item: Item<P::Timer>) {
        self.seq += 1;
        self.queue.push(Reverse(Queued { at, seq: self.seq, item }));
    }

    /// Runs one queued item; false if it was stale (a cancelled timer, a
    /// message already removed) and so was not a step.
    fn run_queued(&mut self, q: Queued<P::Timer>) -> bool {
        match q.item {
            Item::Deliver(id) => {
                let Some(f) = self.flight.get(id) else { return false };
                let to = f.to;
                if f.lost.is_none()
                    && let Some(until) = self.paused(to)
                {
                    // A paused process leaves messages in its socket buffer.
                    if let Some(f) = self.flight.get_mut(id) {
                        f.deliver_at = until;
                    }
                    self.push(until, Item::Deliver(id));
                    return false;
                }
                let Some(f) = self.flight.remove(id) else { return false };
                self.deliver(f);
                true
            }
            Item::Timer { node, timer, generation } => {
                let st = &mut self.nodes[node];
                let Some(pos) = st.timers.iter().position(|a| a.timer == timer && a.generation == generation) else {
                    return false;
                };
                if let Some(until) = st.paused_until {
                    st.timers[pos].fire_at = until;
                    self.push(until, Item::Timer { node, timer, generation });
                    return false;
                }
                st.timers.swap_remove(pos);
                self.stats.timers_fired += 1;
                self.trace.push(self.now, TraceKind::Timer, Some(node), None, None, Some(&timer), || {
                    format!("node {node}: {} timer fires", timer.name())
                });
                self.with_node(node, |p, cx, out| p.on_timer(cx, timer, out));
                true
            }
            Item::ClientRetry(req) => self.client_attempt(req),
            Item::Resume { node, until } => {
                if self.nodes[node].paused_until != Some(until) {
                    return false;
                }
                self.nodes[node].paused_until = None;
                self.trace.push::<u8>(self.now, TraceKind::Resume, Some(node), None, None, None, || {
                    format!("node {node} resumes")
                });
                true
            }
        }
    }

    fn paused(&self, node: NodeId) -> Option<Time> {
        self.nodes[node].paused_until
    }

    // ---- nodes ----------------------------------------------------------

    /// Runs a handler on a running node, applies its effects and checks the
    /// invariants. `None` if the node is down.
    fn with_node<R>(&mut self, id: NodeId, f: impl FnOnce(&mut P, &mut Ctx, &mut Out<P>) -> R) -> Option<R> {
        let mut out = Out { effects: std::mem::take(&mut self.out), recording: self.trace.recording() };
        let st = &mut self.nodes[id];
        let Slot::Up(p) = &mut st.slot else {
            self.out = out.effects;
            return None;
        };
        let mut cx = Ctx { now: self.now, id, nodes: self.n, rng: &mut st.rng };
        let r = f(p, &mut cx, &mut out);
        let mut effects = out.effects;
        for e in effects.drain(..) {
            self.effect(id, e);
        }
        self.out = effects;
        self.check(id);
        Some(r)
    }

    fn effect(&mut self, id: NodeId, e: Effect<P>) {
        match e {
            Effect::Send { to, msg } => self.send(id, to, msg),
            Effect::SetTimer { timer, after_ms } => {
                self.timer_generation += 1;
                let generation = self.timer_generation;
                let fire_at = self.now + after_ms.max(1);
                let armed = Armed { timer, generation, set_at: self.now, fire_at };
                let timers = &mut self.nodes[id].timers;
                match timers.iter_mut().find(|a| a.timer == timer) {
                    Some(slot) => *slot = armed,
                    None => timers.push(armed),
                }
                self.push(fire_at, Item::Timer { node: id, timer, generation });
            }
            Effect::CancelTimer { timer } => self.nodes[id].timers.retain(|a| a.timer != timer),
            Effect::Note { text, milestone } => {
                let kind = if milestone { TraceKind::Milestone } else { TraceKind::Note };
                self.trace.note(self.now, kind, id, text);
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        self.stats.messages_sent += 1;
        let s = self.net.settings(from, to);
        // Always three draws, so changing one rate does not reshuffle the rest.
        let drop_roll: f64 = self.net_rng.random();
        let latency = self.net_rng.random_range(s.latency_ms.0..=s.latency_ms.1);
        let dup_roll: f64 = self.net_rng.random();
        let lost = if !self.net.connected(from, to) {
            Some(Loss::Partition)
        } else if drop_roll < s.drop_rate {
            Some(Loss::Random)
        } else {
            None
        };
        let duplicate = lost.is_none() && dup_roll < s.duplicate_rate;
        let copy = duplicate.then(|| msg.clone());
        self.put_in_flight(from, to, msg, latency, lost, None);
        if let Some(copy) = copy {
            let latency = self.net_rng.random_range(s.latency_ms.0..=s.latency_ms.1);
            self.stats.messages_duplicated += 1;
            let original = self.flight.next_id() - 1;
            self.put_in_flight(from, to, copy, latency, None, Some(original));
        }
    }

    fn put_in_flight(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        latency: Time,
        lost: Option<Loss>,
        copy_of: Option<u64>,
    ) {
        let id = self.flight.next_id();
        let deliver_at = self.now + latency;
        self.trace.push(
            self.now,
            TraceKind::Send,
            Some(from),
            Some(to),
            Some(id),
            Some(&(&msg, latency, lost)),
            || {
                let mut text = format!("#{id} {} {from} → {to}", msg.label());
                if let Some(o) = copy_of {
                    text.push_str(&format!(" (duplicate of #{o})"));
                }
                text
            },
        );
        self.flight.insert(Flight { id, from, to, msg, sent_at: self.now, deliver_at, lost });
        self.push(deliver_at, Item::Deliver(id));
    }

    fn deliver(&mut self, f: Flight<P::Msg>) {
        let lost = f.lost.or_else(|| {
            if !self.is_up(f.to) {
                Some(Loss::Crash)
            } else if !self.net.connected(f.from, f.to) {
                Some(Loss::Partition)
            } else {
                None
            }
        });
        if let Some(why) = lost {
            self.stats.messages_dropped += 1;
            let label = if self.trace.recording() { f.msg.label() } else { String::new() };
            self.trace.push(self.now, TraceKind::Drop, Some(f.to), Some(f.from), Some(f.id), Some(&why), || {
                format!("#{} {label} {} → {} lost: {}", f.id, f.from, f.to, why.describe())
            });
            return;
        }
        self.stats.messages_delivered += 1;
        let (from, to, id) = (f.from, f.to, f.id);
        let recording = self.trace.recording();
        self.trace.push::<u8>(self.now, TraceKind::Deliver, Some(to), Some(from), Some(id), None, || {
            if recording { format!("#{id} {} {from} → {to} arrives", f.msg.label()) } else { String::new() }
        });
        let msg = f.msg;
        self.with_node(to, |p, cx, out| p.on_message(cx, from, msg, out));
    }

    fn check(&mut self, changed: NodeId) {
        let view = NodesView(&self.nodes);
        self.checker.check(self.now, changed, &view, &mut self.found);
        for v in std::mem::take(&mut self.found) {
            self.violation_count += 1;
            self.trace.push(self.now, TraceKind::Violation, Some(changed), None, None, Some(&v.detail), || {
                format!("{} violated: {}", v.invariant, v.detail)
            });
            if self.violations.len() < MAX_VIOLATIONS_KEPT {
                self.violations.push(v);
            }
        }
    }

    fn note_ignored(&mut self, node: Option<NodeId>, why: &str) {
        self.trace.push(self.now, TraceKind::Ignored, node, None, None, Some(&why), || why.to_string());
    }

    // ---- the inject vocabulary ----------------------------------------

    fn apply(&mut self, event: Event) -> Result<(), String> {
        let now = self.now;
        match event {
            Event::ClientRequest { value, node } => {
                self.stats.client_requests += 1;
                let req = self.client.submit(value.into(), node);
                self.client_attempt(req);
            }
            Event::Crash { node } => {
                if !self.is_up(node) {
                    self.note_ignored(Some(node), &format!("crash: node {node} is already down"));
                    return Ok(());
                }
                let st = &mut self.nodes[node];
                let Slot::Up(p) = std::mem::replace(&mut st.slot, Slot::Down(P::Stable::default())) else {
                    unreachable!("checked above")
                };
                st.slot = Slot::Down(p.crash());
                st.timers.clear();
                st.paused_until = None;
                self.trace
                    .push::<u8>(now, TraceKind::Crash, Some(node), None, None, None, || format!("node {node} crashes"));
                for id in self.flight.ids_to(node) {
                    if let Some(f) = self.flight.remove(id) {
                        self.stats.messages_dropped += 1;
                        self.trace.push(
                            now,
                            TraceKind::Drop,
                            Some(node),
                            Some(f.from),
                            Some(id),
                            Some(&Loss::Crash),
                            || format!("#{id} {} → {node} lost: the receiver crashed", f.from),
                        );
                    }
                }
                self.check(node);
            }
            Event::Restart { node } => {
                if self.is_up(node) {
                    self.note_ignored(Some(node), &format!("restart: node {node} is already up"));
                    return Ok(());
                }
                let st = &mut self.nodes[node];
                let Slot::Down(stable) = std::mem::replace(&mut st.slot, Slot::Down(P::Stable::default())) else {
                    unreachable!("checked above")
                };
                st.slot = Slot::Up(P::boot(node, self.n, &self.params, Some(stable)));
                self.trace.push::<u8>(now, TraceKind::Restart, Some(node), None, None, None, || {
                    format!("node {node} restarts from its stable state")
                });
                self.with_node(node, |p, cx, out| p.on_start(cx, out));
            }
            Event::Pause { node, for_ms } => {
                if !self.is_up(node) {
                    self.note_ignored(Some(node), &format!("pause: node {node} is down"));
                    return Ok(());
                }
                let until = now.saturating_add(for_ms).min(MAX_TIME_MS);
                let until = self.nodes[node].paused_until.map_or(until, |u| u.max(until));
                self.nodes[node].paused_until = Some(until);
                self.push(until, Item::Resume { node, until });
                self.trace.push(now, TraceKind::Pause, Some(node), None, None, Some(&until), || {
                    format!("node {node} pauses until {until} ms")
                });
            }
            Event::Timeout { node } => {
                if !self.is_up(node) {
                    self.note_ignored(Some(node), &format!("timeout: node {node} is down"));
                    return Ok(());
                }
                if self.nodes[node].paused_until.is_some() {
                    self.note_ignored(Some(node), &format!("timeout: node {node} is paused"));
                    return Ok(());
                }
                self.trace.push::<u8>(now, TraceKind::Timeout, Some(node), None, None, None, || {
                    format!("node {node} times out now")
                });
                let fired = self.with_node(node, |p, cx, out| p.on_timeout_now(cx, out));
                if fired != Some(true) {
                    self.note_ignored(Some(node), &format!("timeout: node {node} has no timer to fire"));
                }
            }
            Event::Partition { groups } => {
                self.net.partition(self.n, &groups);
                let text = format!("partition {:?}", self.net.view().groups);
                self.trace.push(now, TraceKind::Partition, None, None, None, Some(&groups), || text);
            }
            Event::Heal => {
                self.net.heal();
                self.trace.push::<u8>(now, TraceKind::Heal, None, None, None, None, || "the network heals".to_string());
            }
            Event::Link { from, to, drop_rate, latency_ms } => {
                self.net.set_link(LinkRule { from, to, drop_rate, latency_ms });
                let key = (from, to, drop_rate.map(f64::to_bits), latency_ms);
                self.trace.push(now, TraceKind::Link, Some(from), Some(to), None, Some(&key), || {
                    format!("link {from} → {to}: drop {drop_rate:?}, latency {latency_ms:?}")
                });
            }
            Event::SetNetwork(spec) => {
                self.net.set_defaults(&spec);
                let v = self.net.view();
                let key = (v.latency_ms, v.drop_rate.to_bits(), v.duplicate_rate.to_bits());
                self.trace.push(now, TraceKind::Network, None, None, None, Some(&key), || {
                    format!(
                        "network: latency {:?} ms, drop {}, duplicate {}",
                        v.latency_ms, v.drop_rate, v.duplicate_rate
                    )
                });
            }
            Event::DropMessage { id } => {
                let Some(f) = self.flight.remove(id) else {
                    return Err(format!("message {id} is not in flight at {now} ms"));
                };
                self.stats.messages_dropped += 1;
                self.trace.push(
                    now,
                    TraceKind::Drop,
                    Some(f.to),
                    Some(f.from),
                    Some(id),
                    Some(&Loss::Injected),
                    || format!("#{id} {} → {} dropped by hand", f.from, f.to),
                );
            }
            Event::DuplicateMessage { id } => {
                let Some(f) = self.flight.get(id) else {
                    return Err(format!("message {id} is not in flight at {now} ms"));
                };
                let (from, to, msg) = (f.from, f.to, f.msg.clone());
                let s = self.net.settings(from, to);
                let latency = self.net_rng.random_range(s.latency_ms.0..=s.latency_ms.1);
                self.stats.messages_duplicated += 1;
                self.put_in_flight(from, to, msg, latency, None, Some(id));
            }
        }
        Ok(())
    }

    // ---- the client ---------------------------------------------------

    /// One round of a client trying to hand its request to the cluster:
    /// contact the node it believes leads, follow redirects, and if nobody
    /// takes the request, try again later.
    fn client_attempt(&mut self, req: u64) -> bool {
        let Some(mut target) = self.client.first_target(req, self.n) else { return false };
        let value = self.client.value(req);
        for _hop in 0..2 * self.n {
            let reachable = self.is_up(target) && self.nodes[target].paused_until.is_none();
            let reply = if reachable {
                let v = value.clone();
                self.with_node(target, |p, cx, out| p.on_client_request(cx, v, out))
            } else {
                None
            };
            let outcome = self.client.outcome(req, target, reply, self.n);
            self.trace.push(self.now, TraceKind::Client, Some(target), None, None, Some(&(&*value, &outcome)), || {
                outcome.describe(&value, target)
            });
            match outcome.next() {
                client::Next::Done => return true,
                client::Next::Try(next) => target = next,
            }
        }
        match self.client.retry_at(req, self.now) {
            Some(at) => self.push(at, Item::ClientRetry(req)),
            None => self.note_ignored(None, &format!("the client gives up on \"{value}\"")),
        }
        true
    }

    // ---- views ----------------------------------------------------------

    /// Everything the page draws at this moment.
    pub fn snapshot(&self) -> Snapshot<P::View> {
        snapshot::build(self)
    }
}

fn parse_params<P: Protocol>(scenario: &Scenario) -> Result<P::Params, ScenarioError> {
    let value = serde_json::Value::Object(scenario.params.clone());
    let params: P::Params = serde_json::from_value(value).map_err(|e| {
        let msg = e.to_string();
        ScenarioError::new("params", msg.replace(" at line 0 column 0", ""))
    })?;
    params.validate(scenario.nodes).map_err(|m| ScenarioError::new("params", m))?;
    Ok(params)
}

struct NodesView<'a, P: Protocol>(&'a [NodeState<P>]);

impl<P: Protocol> Nodes<P> for NodesView<'_, P> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn node(&self, id: NodeId) -> NodeRef<'_, P> {
        match &self.0[id].slot {
            Slot::Up(p) => NodeRef::Up(p),
            Slot::Down(s) => NodeRef::Down(s),
        }
    }
}
