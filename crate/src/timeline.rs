//! Time travel over a run: seek to any moment, step back one event, and fork
//! by acting in the past.
//!
//! A run is a function of its scenario, so any past moment can be rebuilt by
//! replaying from an earlier state. While the run moves forward the timeline
//! keeps checkpoints (copies of the world, sharing the engines' long logs,
//! without the event list or the trace records) every `spacing` of simulated
//! time; seeking restores the last checkpoint before the target and replays
//! the rest. Checkpoints are capped: when there are too many, every other one
//! goes and the spacing doubles, so memory stays bounded on long runs while a
//! seek never replays more than a couple of spacings.
//!
//! Acting at an earlier moment than the furthest one reached forks the run:
//! the old future (every timeline event not yet applied, every later
//! checkpoint and marker) is discarded and the new event is recorded.

use serde::Serialize;

use crate::protocol::Time;
use crate::scenario::Event;
use crate::sim::{RunError, World};
use crate::trace::TraceRecord;

/// Simulated time between checkpoints at first.
pub const FIRST_SPACING_MS: Time = 2_000;
/// The most checkpoints kept.
pub const MAX_CHECKPOINTS: usize = 128;
/// The most samples one series request returns.
pub const MAX_SAMPLES: usize = 5_000;

#[derive(Clone)]
struct Checkpoint {
    steps: u64,
    time: Time,
    world: World,
}

/// Where the run has got to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub steps: u64,
    pub time_ms: Time,
}

pub struct Timeline {
    world: World,
    checkpoints: Vec<Checkpoint>,
    spacing: Time,
    /// The furthest position reached.
    head: Position,
    /// Notable moments up to the head, for the timeline's markers.
    markers: Vec<TraceRecord>,
    /// Counts the times markers were taken away (a fork drops the old
    /// future's), so a reader that keeps them knows to read them again.
    marker_epoch: u64,
}

impl Timeline {
    pub fn new(world: World) -> Timeline {
        let head = Position { steps: world.stats().events, time_ms: world.now() };
        let mut t = Timeline {
            world,
            checkpoints: Vec::new(),
            spacing: FIRST_SPACING_MS,
            head,
            markers: Vec::new(),
            marker_epoch: 0,
        };
        t.checkpoint();
        t.collect_markers();
        t
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, to change settings that do not touch the run (such as
    /// trace recording). Moving time must go through the timeline.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    pub fn position(&self) -> Position {
        Position { steps: self.world.stats().events, time_ms: self.world.now() }
    }

    pub fn head(&self) -> Position {
        self.head
    }

    pub fn markers(&self) -> &[TraceRecord] {
        &self.markers
    }

    /// Changes whenever markers were taken away (see `marker_epoch`); while
    /// it stays, the markers only grow at the end.
    pub fn marker_epoch(&self) -> u64 {
        self.marker_epoch
    }

    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Runs forward to time `t`, leaving checkpoints on the way.
    pub fn run_until(&mut self, t: Time) -> Result<(), RunError> {
        self.run_steps(t, u64::MAX).map(|_| ())
    }

    /// Like [`Timeline::run_until`], taking at most `max_steps` steps: true
    /// when it got to `t`, false when the steps ran out first (the page cuts
    /// a frame's work short this way, so a heavy moment slows the clock
    /// rather than freezing the page).
    pub fn run_steps(&mut self, t: Time, max_steps: u64) -> Result<bool, RunError> {
        if t < self.world.now() {
            self.seek(t)?;
            return Ok(true);
        }
        let mut left = max_steps;
        loop {
            let next = self.checkpoints.last().map_or(0, |c| c.time) + self.spacing;
            let stop = t.min(next.max(self.world.now()));
            let before = self.world.stats().events;
            let result = self.world.run_steps(stop, left);
            left = left.saturating_sub(self.world.stats().events - before);
            self.advanced();
            if !result? {
                return Ok(false);
            }
            if stop >= t {
                return Ok(true);
            }
        }
    }

    /// Takes the next step.
    pub fn step(&mut self) -> Result<bool, RunError> {
        let r = self.world.step();
        self.advanced();
        r
    }

    /// Goes to time `t`: the state after every event at or before `t`.
    pub fn seek(&mut self, t: Time) -> Result<(), RunError> {
        // Start from one checkpoint earlier than needed, so the replay leaves
        // a few seconds of recent events for the reader's event log — unless
        // the run is already closer (a short step forward).
        let i = self.checkpoints.partition_point(|c| c.time + self.spacing <= t);
        let from = i.checked_sub(1).map(|i| (i, self.checkpoints[i].time));
        let here = self.world.now();
        match from {
            Some((i, at)) if t < here || at > here => self.restore(i),
            None if t < here => self.restore(0),
            _ => {}
        }
        self.run_until(t)
    }

    /// Goes back one step (to the state after `steps - 1` events).
    pub fn step_back(&mut self) -> Result<(), RunError> {
        let target = self.world.stats().events.saturating_sub(1);
        let i = self.checkpoints.partition_point(|c| c.steps <= target);
        self.restore(i.saturating_sub(1));
        while self.world.stats().events < target {
            if !self.world.step()? {
                break;
            }
        }
        self.advanced();
        Ok(())
    }

    /// Applies `event` now; in the past, first discards the old future.
    pub fn inject(&mut self, event: Event) -> Result<(), RunError> {
        self.fork_if_behind();
        let r = self.world.inject(event);
        self.advanced();
        r
    }

    /// Schedules `event` at `at_ms`; in the past, first discards the old future.
    pub fn schedule(&mut self, at_ms: Time, event: Event) -> Result<(), RunError> {
        self.fork_if_behind();
        let r = self.world.schedule(at_ms, event);
        self.advanced();
        r
    }

    fn fork_if_behind(&mut self) {
        let here = self.position();
        if here == self.head {
            return;
        }
        self.world.discard_future();
        self.checkpoints.retain(|c| c.steps <= here.steps && c.time <= here.time_ms);
        let seq = self.world.trace().len();
        let before = self.markers.len();
        self.markers.retain(|m| m.seq < seq);
        if self.markers.len() != before {
            self.marker_epoch += 1;
        }
        self.head = here;
    }

    /// After any move: extend the head, collect markers, maybe checkpoint.
    fn advanced(&mut self) {
        let here = self.position();
        if here.steps > self.head.steps || (here.steps == self.head.steps && here.time_ms > self.head.time_ms) {
            self.head = here;
            self.collect_markers();
        }
        let due = self.checkpoints.last().is_none_or(|c| here.time_ms >= c.time + self.spacing);
        if due {
            self.checkpoint();
        }
    }

    fn collect_markers(&mut self) {
        let from = self.markers.last().map_or(0, |m| m.seq + 1);
        self.markers.extend_from_slice(self.world.trace().markers_since(from));
    }

    fn checkpoint(&mut self) {
        let events = self.world.take_events();
        let records = self.world.take_records();
        let copy = self.world.clone();
        self.world.put_back(events, records);
        let here = self.position();
        self.checkpoints.push(Checkpoint { steps: here.steps, time: here.time_ms, world: copy });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the first and every other one after it; double the spacing.
            let mut k = 0;
            self.checkpoints.retain(|_| {
                k += 1;
                k % 2 == 1
            });
            self.spacing *= 2;
        }
    }

    /// The run's series sampled every `step` ms from `from` to `to` (capped
    /// at the furthest moment reached), recomputed from the nearest
    /// checkpoint on a copy of the run: the run on screen does not move, and
    /// no sample is ever stored. Returns the sample times and, per series
    /// name (in first-seen order), one value per time (NaN where a series
    /// had no value then).
    pub fn series(&self, from: Time, to: Time, step: Time) -> (Vec<Time>, Vec<(String, Vec<f64>)>) {
        let to = to.min(self.head.time_ms);
        let step = step.max(1);
        let mut times = Vec::new();
        let mut t = from;
        while t <= to && times.len() < MAX_SAMPLES {
            times.push(t);
            t = t.saturating_add(step);
        }
        let mut out: Vec<(String, Vec<f64>)> = Vec::new();
        if times.is_empty() {
            return (times, out);
        }
        let i = self.checkpoints.partition_point(|c| c.time <= from);
        let mut w = match i.checked_sub(1).and_then(|i| self.checkpoints.get(i)) {
            Some(cp) => cp.world.clone(),
            None => return (Vec::new(), out),
        };
        w.put_back(self.world.scenario().events.clone(), Default::default());
        w.record_trace(0);
        for (k, &at) in times.iter().enumerate() {
            if w.run_until(at).is_err() {
                break;
            }
            for (name, v) in w.sample().0 {
                match out.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, col)) => col[k] = v,
                    None => {
                        let mut col = vec![f64::NAN; times.len()];
                        col[k] = v;
                        out.push((name, col));
                    }
                }
            }
        }
        (times, out)
    }

    /// Replaces the world by checkpoint `i`, keeping the event list.
    fn restore(&mut self, i: usize) {
        let Some(cp) = self.checkpoints.get(i) else { return };
        let events = self.world.take_events();
        let capacity = self.world.trace().capacity();
        self.world = cp.world.clone();
        self.world.put_back(events, Default::default());
        self.world.record_trace(capacity);
    }
}
