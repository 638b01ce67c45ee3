//! The world of one run: time, random streams, the queue, the network, the
//! nodes (through their protocol's [`AnyNode`] adapters), the client, the
//! trace and the invariant checker. Compiled once for every protocol. What
//! happens to a message between its send and its arrival is in `wire.rs`.
//!
//! Ordering rule. Queue events (deliveries, timers, client retries, resumes)
//! run in `(time, insertion order)`. A timeline event at time `t` runs after
//! every queue event at `t`, and timeline events at equal times run in list
//! order. A live inject first runs everything due up to now and then applies
//! at once; it is recorded in the timeline at now, after the events already
//! there, so replaying the recorded scenario reproduces the live run exactly.

use std::any::Any;
use std::rc::Rc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::RunError;
use super::client::Client;
use super::draws::NetDraws;
use super::erased::{AnyChecker, AnyEffect, AnyMailbox, AnyNode, AnyProtocol, AnyStable, Slot, TimerId};
use super::flight::{Flight, Window};
use super::network::Network;
use super::ops::Ops;
use super::queue::{Item, Queue, Queued};
use super::stats::Stats;
use crate::invariant::Violation;
use crate::protocol::{Ctx, NodeId, Time};
use crate::registry::Entry;
use crate::scenario::{Event, MAX_TIME_MS, Scenario, ScenarioError, Timed};
use crate::spec::Spec;
use crate::trace::{Trace, TraceKind};

/// Where a message put on the wire comes from.
#[derive(Clone, Copy, Debug)]
pub(super) enum Payload {
    /// A node's outbox, at this slot (a protocol's send).
    Outbox(usize),
    /// A copy of a message already on the wire (the network duplicated it).
    CopyOf(u64),
}

/// The most violations kept in full; later ones are only counted.
const MAX_VIOLATIONS_KEPT: usize = 1_000;

#[derive(Clone, Copy, Debug)]
pub(super) struct Armed {
    pub timer: TimerId,
    pub generation: u64,
    pub set_at: Time,
    pub fire_at: Time,
}

/// Per-node state the simulator keeps beside the engine.
#[derive(Clone)]
pub(super) struct NodeMeta {
    pub paused_until: Option<Time>,
    pub timers: Vec<Armed>,
    pub rng: ChaCha8Rng,
}

/// One run.
#[derive(Clone)]
pub struct World {
    pub(super) proto: &'static dyn AnyProtocol,
    pub(super) spec: Spec,
    pub(super) params: Rc<dyn Any>,
    /// The scenario's `members`, for the engines' `Ctx` (`None`: everyone).
    pub(super) members: Option<Rc<[NodeId]>>,
    pub(super) scenario: Scenario,
    pub(super) n: usize,
    pub(super) now: Time,
    pub(super) queue: Queue,
    pub(super) slots: Vec<Slot>,
    pub(super) meta: Vec<NodeMeta>,
    pub(super) net: Network,
    pub(super) flight: Window<Flight>,
    /// The payloads of the messages in `flight`, under the same ids.
    pub(super) mail: Box<dyn AnyMailbox>,
    /// The network's draws (see [`super::draws`]).
    pub(super) net_draws: NetDraws,
    pub(super) client: Client,
    /// Client operations, the workload's clients and the history.
    pub(super) ops: Ops,
    pub(super) checkers: Vec<Box<dyn AnyChecker>>,
    pub(super) violations: Vec<Violation>,
    violation_count: u64,
    found: Vec<Violation>,
    pub(super) trace: Trace,
    pub(super) stats: Stats,
    /// Index of the next timeline event to apply.
    pub(super) next_event: usize,
    timer_generation: u64,
    out: Vec<AnyEffect>,
}

impl World {
    /// Builds a run of the entry's protocol from a scenario and starts every
    /// member at time 0; node `i` starts from `stable[i]` when given.
    pub fn new(
        entry: &Entry,
        scenario: Scenario,
        stable: Vec<Option<Box<dyn AnyStable>>>,
    ) -> Result<World, ScenarioError> {
        World::new_recording(entry, scenario, stable, 0)
    }

    /// Like [`World::new`], keeping the latest `capacity` trace records from
    /// the very first event (the nodes' start).
    pub fn new_recording(
        entry: &Entry,
        scenario: Scenario,
        stable: Vec<Option<Box<dyn AnyStable>>>,
        capacity: usize,
    ) -> Result<World, ScenarioError> {
        let proto = entry.proto;
        if scenario.protocol != proto.name() {
            return Err(ScenarioError::new("protocol", format!("expected \"{}\"", proto.name())));
        }
        let range = proto.nodes();
        if !range.contains(&scenario.nodes) {
            return Err(ScenarioError::new(
                "nodes",
                format!(
                    "{} runs with {} to {} nodes, not {}",
                    proto.name(),
                    range.start(),
                    range.end(),
                    scenario.nodes
                ),
            ));
        }
        let params = proto.params(&scenario)?;
        let spec = proto.spec();
        super::admit::scenario(proto.name(), &spec, &scenario)?;
        let n = scenario.nodes;
        let seed = scenario.seed;
        let stream = |s: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(s);
            rng
        };
        let mut stable = stable;
        stable.resize_with(n, || None);
        let member = |id: NodeId| scenario.members.as_ref().is_none_or(|m| m.contains(&id));
        let slots = stable
            .into_iter()
            .enumerate()
            .map(|(id, st)| {
                if member(id) { Slot::Up(proto.boot(id, n, &*params, st)) } else { Slot::Absent(proto.empty_stable()) }
            })
            .collect();
        let meta =
            (0..n).map(|id| NodeMeta { paused_until: None, timers: Vec::new(), rng: stream(1 + id as u64) }).collect();
        let members = scenario.members.as_ref().map(|m| {
            let mut m = m.clone();
            m.sort_unstable();
            Rc::from(m)
        });
        let ops = Ops::new(scenario.clients.clone(), seed);
        let mut world = World {
            proto,
            spec,
            members,
            params,
            net: Network::new(proto.network_defaults(), &scenario.network),
            scenario,
            n,
            now: 0,
            queue: Queue::default(),
            slots,
            meta,
            flight: Window::default(),
            mail: proto.mailbox(),
            net_draws: NetDraws::new(seed, n),
            client: Client::new(stream(u64::MAX)),
            ops,
            checkers: entry.checkers(),
            violations: Vec::new(),
            violation_count: 0,
            found: Vec::new(),
            trace: Trace::new(capacity),
            stats: Stats::default(),
            next_event: 0,
            timer_generation: 0,
            out: Vec::new(),
        };
        for id in 0..n {
            if !world.is_up(id) {
                continue;
            }
            world.trace.push::<u8>(0, TraceKind::Start, Some(id), None, None, None, || format!("n{id} starts"));
            world.with_node(id, |p, cx, rec, out, _| p.on_start(cx, rec, out));
        }
        world.start_workload();
        Ok(world)
    }

    /// Takes the timeline's event list out (a checkpoint need not carry it).
    pub(crate) fn take_events(&mut self) -> Vec<Timed> {
        std::mem::take(&mut self.scenario.events)
    }

    /// Takes the kept trace records out (a checkpoint need not carry them).
    pub(crate) fn take_records(&mut self) -> std::collections::VecDeque<crate::trace::TraceRecord> {
        self.trace.take_records()
    }

    /// Puts back what [`World::take_events`] and [`World::take_records`] took.
    pub(crate) fn put_back(
        &mut self,
        events: Vec<Timed>,
        records: std::collections::VecDeque<crate::trace::TraceRecord>,
    ) {
        self.scenario.events = events;
        self.trace.restore_records(records);
    }

    /// Drops every timeline event not yet applied: the start of a fork.
    pub(crate) fn discard_future(&mut self) {
        self.scenario.events.truncate(self.next_event);
    }

    /// Keep the latest `capacity` trace records (see [`Trace::since`]).
    pub fn record_trace(&mut self, capacity: usize) {
        self.trace.set_capacity(capacity);
    }

    pub fn protocol(&self) -> &'static str {
        self.proto.name()
    }
    pub fn now(&self) -> Time {
        self.now
    }
    pub fn nodes(&self) -> usize {
        self.n
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
    /// Stops digesting the trace: for runs judged by what they break, not
    /// compared by hash (the explorer's). `trace_hash` then says `"off"`.
    pub fn skip_digest(&mut self) {
        self.trace.set_digest(false);
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
    pub fn is_up(&self, id: NodeId) -> bool {
        matches!(self.slots.get(id), Some(Slot::Up(_)))
    }
    /// Not a member: never joined, or left.
    pub fn is_absent(&self, id: NodeId) -> bool {
        matches!(self.slots.get(id), Some(Slot::Absent(_)))
    }
    /// What the protocol declares about itself.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }
    /// Messages on the wire, in id order.
    pub fn flights(&self) -> impl Iterator<Item = &Flight> {
        self.flight.iter()
    }

    /// The payloads of the messages on the wire.
    pub fn mailbox(&self) -> &dyn AnyMailbox {
        &*self.mail
    }
    /// When the next event is due, if any.
    pub fn next_event_at(&self) -> Option<Time> {
        let q = self.queue.peek_at();
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
            let queue_at = self.queue.peek_at();
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
            let Some(q) = self.queue.pop() else {
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
        self.run_steps(t, u64::MAX).map(|_| ())
    }

    /// Like [`World::run_until`], taking at most `max_steps` steps: true when
    /// it got to `t` (the clock is then at `t`), false when the steps ran out
    /// first (the clock is at the last step taken). The steps are the same
    /// however a stretch of time is cut up, so the run is too.
    pub fn run_steps(&mut self, t: Time, max_steps: u64) -> Result<bool, RunError> {
        for _ in 0..max_steps {
            if !self.step_within(t)? {
                self.now = self.now.max(t);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Applies `event` now (after everything already due now) and records it
    /// in the scenario at the current time.
    pub fn inject(&mut self, event: Event) -> Result<(), RunError> {
        self.admit(&event)?;
        self.run_until(self.now)?;
        self.apply(event.clone()).map_err(|message| RunError { event_index: None, at_ms: self.now, message })?;
        self.stats.events += 1;
        self.scenario.events.insert(self.next_event, Timed { at_ms: self.now, event });
        self.next_event += 1;
        Ok(())
    }

    /// Schedules `event` at a later time `at_ms` and records it.
    pub fn schedule(&mut self, at_ms: Time, event: Event) -> Result<(), RunError> {
        self.admit(&event)?;
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

    pub(super) fn push(&mut self, at: Time, item: Item) {
        self.queue.push(at, item);
    }

    /// Runs one queued item; false if it was stale (a cancelled timer, a
    /// message already removed) and so was not a step.
    fn run_queued(&mut self, q: Queued) -> bool {
        match q.item {
            Item::Deliver(id) => {
                let Some(f) = self.flight.get(id) else { return false };
                if f.deliver_at != self.now {
                    // Its arrival moved (a pause, a superseded message's place).
                    return false;
                }
                if f.lost.is_none()
                    && let Some(until) = self.meta[f.to].paused_until
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
                let m = &mut self.meta[node];
                let Some(pos) = m.timers.iter().position(|a| a.timer == timer && a.generation == generation) else {
                    return false;
                };
                if let Some(until) = m.paused_until {
                    m.timers[pos].fire_at = until;
                    self.push(until, Item::Timer { node, timer, generation });
                    return false;
                }
                m.timers.swap_remove(pos);
                self.stats.timers_fired += 1;
                let Slot::Up(engine) = &self.slots[node] else { return false };
                let name = engine.timer_name(timer);
                self.trace.push_with(
                    self.now,
                    TraceKind::Timer,
                    Some(node),
                    None,
                    None,
                    |buf| engine.encode_timer(timer, buf),
                    || format!("n{node}: {name} timer fires"),
                );
                self.with_node(node, |p, cx, rec, out, _| p.on_timer(cx, timer, rec, out));
                true
            }
            Item::ClientRetry(req) => self.client_attempt(req),
            Item::OpRetry(op) => self.op_attempt(op),
            Item::OpTimeout(op) => self.op_timeout(op),
            Item::ClientThink(client) => self.client_think(client),
            Item::Resume { node, until } => {
                if self.meta[node].paused_until != Some(until) {
                    return false;
                }
                self.meta[node].paused_until = None;
                self.trace.push::<u8>(self.now, TraceKind::Resume, Some(node), None, None, None, || {
                    format!("n{node} resumes")
                });
                true
            }
        }
    }

    // ---- nodes ----------------------------------------------------------

    /// Runs a handler on a running node, applies its effects and checks the
    /// invariants. `None` if the node is down.
    pub(super) fn with_node<R>(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&mut dyn AnyNode, &mut Ctx, bool, &mut Vec<AnyEffect>, &mut dyn AnyMailbox) -> R,
    ) -> Option<R> {
        let mut out = std::mem::take(&mut self.out);
        let recording = self.trace.recording();
        let Slot::Up(engine) = &mut self.slots[id] else {
            self.out = out;
            return None;
        };
        let members = self.members.as_deref();
        let mut cx = Ctx { now: self.now, id, nodes: self.n, members, rng: &mut self.meta[id].rng };
        let r = f(engine.as_mut(), &mut cx, recording, &mut out, &mut *self.mail);
        for e in out.drain(..) {
            self.effect(id, e);
        }
        self.out = out;
        self.check(id);
        Some(r)
    }

    fn effect(&mut self, id: NodeId, e: AnyEffect) {
        match e {
            AnyEffect::Send { to, slot } => self.send(id, to, slot),
            AnyEffect::SetTimer { timer, after_ms } => {
                self.timer_generation += 1;
                let generation = self.timer_generation;
                let fire_at = self.now + after_ms.max(1);
                let armed = Armed { timer, generation, set_at: self.now, fire_at };
                let timers = &mut self.meta[id].timers;
                match timers.iter_mut().find(|a| a.timer == timer) {
                    Some(slot) => *slot = armed,
                    None => timers.push(armed),
                }
                self.push(fire_at, Item::Timer { node: id, timer, generation });
            }
            AnyEffect::CancelTimer { timer } => self.meta[id].timers.retain(|a| a.timer != timer),
            AnyEffect::Note { text, milestone } => {
                let kind = if milestone { TraceKind::Milestone } else { TraceKind::Note };
                self.trace.note(self.now, kind, id, text);
            }
            AnyEffect::Reply { op, result } => self.op_reply(id, op, result),
        }
    }

    pub(super) fn check(&mut self, changed: NodeId) {
        for c in &mut self.checkers {
            c.check(self.now, changed, &self.slots, &mut self.found);
        }
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

    pub(super) fn note_ignored(&mut self, node: Option<NodeId>, why: &str) {
        self.trace.push(self.now, TraceKind::Ignored, node, None, None, Some(why), || why.to_string());
    }
}
