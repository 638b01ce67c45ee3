//! The wasm facade: a `Simulation` class for JavaScript.
//!
//! Only handles, numbers, typed arrays of numbers (the compact frame) and
//! plain serde values cross the boundary: values go out as JSON text that
//! the browser parses (serde_json is in the module anyway; a second
//! serializer would only add weight; see `convert`). The explorer's
//! `Campaign` class is in `campaign`. Every
//! method that can fail returns a JS exception with a readable message; no
//! input may panic the module. Should a bug panic anyway, the hook below keeps
//! the message so the page can say what happened (`lastPanic()`).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::scenario::parse_event;
use crate::timeline::Timeline;

mod campaign;
mod convert;

pub use campaign::Campaign;
use convert::{js_to_json, parse_json, parse_text, scenario_from_js, time_arg, to_js};

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
    }));
}

/// The message of the last internal panic, if one happened (a bug).
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// A run of any of the lab's protocols, with time travel.
#[wasm_bindgen]
pub struct Simulation {
    timeline: Timeline,
}

#[wasm_bindgen]
impl Simulation {
    /// Builds a run from a scenario (JSON text or an object).
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: JsValue) -> Result<Simulation, JsError> {
        let scenario = scenario_from_js(&scenario).map_err(|e| JsError::new(&e))?;
        let engine = Engine::build_recording(scenario, 5_000).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Simulation { timeline: Timeline::new(engine) })
    }

    /// Every protocol this module runs, as the registry describes them
    /// (`consensus-lab protocols --json` lists every module's).
    pub fn protocols() -> Result<JsValue, JsError> {
        to_js(&crate::registry::to_json())
    }

    /// A fresh random seed (below 2^53, so it survives JSON and JS numbers).
    #[wasm_bindgen(js_name = freshSeed)]
    #[allow(clippy::disallowed_methods)] // the one sanctioned use: a seed for a new random run
    pub fn fresh_seed() -> f64 {
        let mut buf = [0u8; 8];
        if getrandom::fill(&mut buf).is_err() {
            return 1.0;
        }
        (u64::from_le_bytes(buf) & ((1 << 53) - 1)) as f64
    }

    /// How many recent trace records to keep for `eventsSince` (0 keeps only
    /// the digest: the fastest setting, used by the benchmark).
    #[wasm_bindgen(js_name = recordTrace)]
    pub fn record_trace(&mut self, capacity: usize) {
        self.timeline.world_mut().record_trace(capacity.min(1_000_000));
    }

    /// Takes the next step; false when nothing is left to happen.
    pub fn step(&mut self) -> Result<bool, JsError> {
        self.timeline.step().map_err(|e| JsError::new(&e.to_string()))
    }

    /// Runs everything due up to `ms` (simulated milliseconds).
    #[wasm_bindgen(js_name = runUntil)]
    pub fn run_until(&mut self, ms: f64) -> Result<(), JsError> {
        self.timeline.run_until(time_arg("runUntil", ms)?).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Runs toward `ms` taking at most `maxSteps` steps: true when it got
    /// there, false when the steps ran out first (`timeMs()` says where it is).
    #[wasm_bindgen(js_name = runSteps)]
    pub fn run_steps(&mut self, ms: f64, max_steps: f64) -> Result<bool, JsError> {
        let t = time_arg("runSteps", ms)?;
        let max = if max_steps.is_finite() && max_steps >= 1.0 { max_steps as u64 } else { 1 };
        self.timeline.run_steps(t, max).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Goes to any moment of the run (simulated milliseconds), earlier or
    /// later: the state after every event at or before it.
    pub fn seek(&mut self, ms: f64) -> Result<(), JsError> {
        self.timeline.seek(time_arg("seek", ms)?).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Goes back one step.
    #[wasm_bindgen(js_name = stepBack)]
    pub fn step_back(&mut self) -> Result<(), JsError> {
        self.timeline.step_back().map_err(|e| JsError::new(&e.to_string()))
    }

    /// The furthest simulated time the run has reached.
    #[wasm_bindgen(js_name = headMs)]
    pub fn head_ms(&self) -> f64 {
        self.timeline.head().time_ms as f64
    }

    /// Notable moments up to the furthest point reached (leader changes,
    /// crashes, restarts, partitions, heals, pauses, violations).
    pub fn markers(&self) -> Result<JsValue, JsError> {
        to_js(self.timeline.markers())
    }

    /// The markers from the `from`-th on (markers only grow at the end while
    /// `markerEpoch()` stays the same), so a page reads each one once.
    #[wasm_bindgen(js_name = markersFrom)]
    pub fn markers_from(&self, from: f64) -> Result<JsValue, JsError> {
        let all = self.timeline.markers();
        let from = if from.is_finite() && from > 0.0 { (from as usize).min(all.len()) } else { 0 };
        to_js(&all[from..])
    }

    /// How many markers there are now.
    #[wasm_bindgen(js_name = markerCount)]
    pub fn marker_count(&self) -> usize {
        self.timeline.markers().len()
    }

    /// Changes whenever markers were taken away (a fork); see `markersFrom`.
    #[wasm_bindgen(js_name = markerEpoch)]
    pub fn marker_epoch(&self) -> f64 {
        self.timeline.marker_epoch() as f64
    }

    /// How many time-travel checkpoints are kept (bounded).
    #[wasm_bindgen(js_name = checkpointCount)]
    pub fn checkpoint_count(&self) -> usize {
        self.timeline.checkpoints()
    }

    /// Applies an event from the inject vocabulary. Without `at_ms` it applies
    /// now; a later `at_ms` schedules it. Either way it joins the scenario.
    pub fn inject(&mut self, event: JsValue) -> Result<(), JsError> {
        let parsed;
        let event = match event.as_string() {
            Some(text) => {
                parsed = parse_text(&text, "inject: ").map_err(|e| JsError::new(&e))?;
                &parsed
            }
            None => &event,
        };
        let value = js_to_json(event, "inject", 0).map_err(|e| JsError::new(&e))?;
        let (at, ev) = parse_event(&value, "inject", self.timeline.world().nodes(), false)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let result = match at {
            None => self.timeline.inject(ev),
            Some(t) => self.timeline.schedule(t, ev),
        };
        result.map_err(|e| JsError::new(&e.to_string()))
    }

    /// Everything the page draws now.
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        parse_json(&self.timeline.world().snapshot_json())
    }

    /// The moment compactly, for large clusters (see `sim/frame.rs`): the
    /// head's fields, with `nodes` and `messages` as Float64Arrays of
    /// `node_columns` and `message_columns` numbers per row.
    pub fn frame(&self) -> Result<JsValue, JsError> {
        let f = self.timeline.world().frame();
        let head = parse_json(&f.head)?;
        let set = |key: &str, value: &JsValue| {
            js_sys::Reflect::set(&head, &JsValue::from_str(key), value)
                .map_err(|_| JsError::new("internal error: could not build the frame"))
        };
        set("nodes", &js_sys::Float64Array::from(&f.nodes[..]))?;
        set("messages", &js_sys::Float64Array::from(&f.messages[..]))?;
        Ok(head)
    }

    /// Node `id`'s whole view, as in the snapshot's `nodes`; `null` past the cluster.
    pub fn node(&self, id: f64) -> Result<JsValue, JsError> {
        if !id.is_finite() || id < 0.0 || id.fract() != 0.0 {
            return Ok(JsValue::NULL);
        }
        match self.timeline.world().node_view_json(id as usize) {
            Some(text) => parse_json(&text),
            None => Ok(JsValue::NULL),
        }
    }

    /// The label of message `id` while it is on the wire (as the snapshot's
    /// messages carry it); empty once it has arrived or been lost.
    #[wasm_bindgen(js_name = messageLabel)]
    pub fn message_label(&self, id: f64) -> String {
        if !id.is_finite() || id < 0.0 {
            return String::new();
        }
        self.timeline.world().mailbox().label(id as u64)
    }

    /// The payload of message `id` while it is on the wire, as an object of
    /// its fields with its variant under `type` (for the page's message
    /// card); `null` once it has arrived or been lost.
    pub fn message(&self, id: f64) -> Result<JsValue, JsError> {
        if !id.is_finite() || id < 0.0 {
            return Ok(JsValue::NULL);
        }
        let mut buf = Vec::new();
        if self.timeline.world().mailbox().fields_json(id as u64, &mut buf) {
            parse_json(&String::from_utf8(buf).unwrap_or_default())
        } else {
            Ok(JsValue::NULL)
        }
    }

    /// Trace records with `seq >= seq` (the latest few thousand are kept).
    /// With `limit`, only the latest `limit` of them, and with `traffic`
    /// false none of the sends, deliveries, drops, timers and starts (the
    /// page's event log asks for what it can show).
    #[wasm_bindgen(js_name = eventsSince)]
    pub fn events_since(&self, seq: f64, limit: Option<u32>, traffic: Option<bool>) -> Result<JsValue, JsError> {
        let from = if seq.is_finite() && seq > 0.0 { seq as u64 } else { 0 };
        let limit = limit.map_or(usize::MAX, |l| l as usize);
        to_js(&self.timeline.world().trace().recent(from, limit, traffic != Some(false)))
    }

    /// The `seq` the next trace record will have (every record before it has been made).
    #[wasm_bindgen(js_name = traceSeq)]
    pub fn trace_seq(&self) -> f64 {
        self.timeline.world().trace().len() as f64
    }

    /// The whole trace of the run up to this moment as JSON text:
    /// `{ scenario, trace_hash, records: [...], truncated }`. The page keeps
    /// only recent records, so this replays the recorded scenario to the
    /// current step with every record kept (up to `limit`).
    #[wasm_bindgen(js_name = traceJson)]
    pub fn trace_json(&self, limit: usize) -> Result<String, JsError> {
        let (replay, truncated) = self.replay_recorded(limit)?;
        let world = self.timeline.world();
        let records: Vec<_> = replay.trace().since(0).collect();
        let mut buf = Vec::new();
        let mut o = crate::json::Obj::new(&mut buf);
        o.raw("scenario", |b| b.extend_from_slice(world.scenario().to_json_string().as_bytes()));
        o.field("trace_hash", &replay.trace_hash());
        o.field("truncated", &truncated);
        o.field("records", &records);
        o.end();
        Ok(String::from_utf8(buf).unwrap_or_default())
    }

    /// The run so far in ShiViz's log format (crate::shiviz), from the same
    /// replay as `traceJson`: an error when the run has more nodes than the
    /// export takes or more than `limit` events.
    #[wasm_bindgen(js_name = shivizLog)]
    pub fn shiviz_log(&self, limit: usize) -> Result<String, JsError> {
        let nodes = self.timeline.world().scenario().nodes;
        crate::shiviz::check_nodes(nodes).map_err(|e| JsError::new(&e))?;
        let (replay, truncated) = self.replay_recorded(limit)?;
        if truncated {
            return Err(JsError::new(&format!(
                "the ShiViz export takes at most {limit} events; this run has {} so far",
                replay.trace().len()
            )));
        }
        crate::shiviz::log(replay.trace().since(0), nodes).map_err(|e| JsError::new(&e))
    }
}

impl Simulation {
    /// The recorded scenario replayed to the current step with up to
    /// `limit` records kept, and whether older records fell out.
    fn replay_recorded(&self, limit: usize) -> Result<(Engine, bool), JsError> {
        let world = self.timeline.world();
        let target = world.stats().events;
        let mut replay = Engine::build_recording(world.scenario().clone(), limit.clamp(1, 2_000_000))
            .map_err(|e| JsError::new(&e.to_string()))?;
        while replay.stats().events < target {
            match replay.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(JsError::new(&e.to_string())),
            }
        }
        // After the same steps only the clock may differ (a runUntil past the
        // last event); advancing it runs nothing, as nothing else was due.
        if replay.now() < world.now() {
            replay.run_until(world.now()).map_err(|e| JsError::new(&e.to_string()))?;
        }
        let kept = replay.trace().since(0).count() as u64;
        let truncated = replay.trace().len() > kept;
        Ok((replay, truncated))
    }
}

#[wasm_bindgen]
impl Simulation {
    /// The scenario so far, live injects included.
    pub fn scenario(&self) -> Result<JsValue, JsError> {
        parse_json(&self.timeline.world().scenario().to_json_string())
    }

    /// The scenario so far as JSON text.
    #[wasm_bindgen(js_name = scenarioJson)]
    pub fn scenario_json(&self) -> String {
        self.timeline.world().scenario().to_json_string()
    }

    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        self.timeline.world().trace_hash()
    }

    /// The current simulated time in milliseconds.
    #[wasm_bindgen(js_name = timeMs)]
    pub fn time_ms(&self) -> f64 {
        self.timeline.world().now() as f64
    }

    pub fn protocol(&self) -> String {
        self.timeline.world().protocol().to_string()
    }

    pub fn nodes(&self) -> usize {
        self.timeline.world().nodes()
    }

    /// Counters: messages sent, delivered, dropped; events processed…
    pub fn stats(&self) -> Result<JsValue, JsError> {
        to_js(self.timeline.world().stats())
    }

    /// The headless runner's result object for the run so far.
    pub fn result(&self) -> Result<JsValue, JsError> {
        parse_json(&self.timeline.world().result_json())
    }

    /// The history of client operations so far, in the contract's form.
    pub fn history(&self) -> Result<JsValue, JsError> {
        to_js(self.timeline.world().history())
    }

    /// Every consistency check over the history so far (linearizable,
    /// sequential, session guarantees, converged) with its counterexample,
    /// as the run result reports them, plus `details`: each check's own
    /// sentence (the page's history panel shows one beside each verdict).
    pub fn consistency(&self) -> Result<JsValue, JsError> {
        let c = self.timeline.world().consistency();
        let internal = |e: serde_json::Error| {
            JsError::new(&format!("internal error while converting the consistency checks: {e}"))
        };
        let mut v = serde_json::to_value(&c).map_err(internal)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("details".to_string(), serde_json::to_value(&c.details).map_err(internal)?);
        }
        to_js(&v)
    }

    /// How stale the answered reads so far were (PBS-style, see
    /// `history::staleness`): reads grouped by the time since the latest
    /// write of their key completed, in bins of `bin_ms` up to `max_ms` and
    /// one bin after, each with how many returned that write or a newer one.
    pub fn staleness(&self, bin_ms: f64, max_ms: f64) -> Result<JsValue, JsError> {
        let ms = |x: f64| if x.is_finite() && x > 0.0 { x.min(1e12) as u64 } else { 0 };
        to_js(&crate::history::staleness(self.timeline.world().history(), ms(bin_ms), ms(max_ms)))
    }

    /// The run's curves now, figures not over time (the protocol's
    /// `curves`): `[{ name, x_label, xs, lines: [{ label, values }] }]`.
    pub fn curves(&self) -> Result<JsValue, JsError> {
        to_js(&self.timeline.world().curves())
    }

    /// The run's figures so far (the protocol's `metrics`).
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.timeline.world().metrics())
    }

    /// The run's series sampled every `step` ms from `from` to `to`:
    /// `{ times: [...], series: { name: [values, null where none] } }`.
    /// Recomputed from checkpoints; the run on screen does not move.
    pub fn series(&self, from: f64, to: f64, step: f64) -> Result<JsValue, JsError> {
        let (from, to, step) = (time_arg("series", from)?, time_arg("series", to)?, time_arg("series", step)?);
        let (times, cols) = self.timeline.series(from, to, step);
        let mut buf = Vec::new();
        let mut o = crate::json::Obj::new(&mut buf);
        o.field("times", &times);
        o.raw("series", |b| {
            let mut s = crate::json::Obj::new(b);
            for (name, col) in &cols {
                let vals: Vec<Option<f64>> = col.iter().map(|v| v.is_finite().then_some(*v)).collect();
                s.field(name, &vals);
            }
            s.end();
        });
        o.end();
        parse_json(&String::from_utf8(buf).unwrap_or_default())
    }
}
