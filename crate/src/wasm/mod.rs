//! The wasm facade: a `Simulation` class for JavaScript.
//!
//! Only handles, numbers and plain serde values cross the boundary: values go
//! out as JSON text that the browser parses (serde_json is in the module
//! anyway; a second serializer would only add weight). Every
//! method that can fail returns a JS exception with a readable message; no
//! input may panic the module. Should a bug panic anyway, the hook below keeps
//! the message so the page can say what happened (`lastPanic()`).

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::scenario::{Scenario, parse_event};
use crate::timeline::Timeline;

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

/// A value as a plain JS object, through JSON text: the module already
/// carries serde_json, so this costs no second serializer.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsError::new(&format!("internal error while converting a value for JavaScript: {e}")))?;
    parse_json(&text)
}

/// A time argument from JavaScript, in whole simulated milliseconds.
fn time_arg(what: &str, ms: f64) -> Result<u64, JsError> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(JsError::new(&format!("{what}: the time must be a number of milliseconds from 0")));
    }
    Ok((ms.floor() as u64).min(crate::scenario::MAX_TIME_MS))
}

/// JSON text made by the engine, as a JS value.
fn parse_json(text: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(text)
        .map_err(|_| JsError::new("internal error: the engine produced JSON the browser cannot parse"))
}

/// A JS value as JSON, refusing what JSON cannot say (NaN, Infinity,
/// undefined inside objects, functions…) with the path where it was found.
fn js_to_json(v: &JsValue, path: &str, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let at = |p: &str| if p.is_empty() { "the scenario".to_string() } else { p.to_string() };
    if depth > 64 {
        return Err(format!("{}: nested too deeply", at(path)));
    }
    if v.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(f) = v.as_f64() {
        if !f.is_finite() {
            let name = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            };
            return Err(format!("{}: {name} is not a finite number", at(path)));
        }
        if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
            return Ok(if f < 0.0 { Value::from(f as i64) } else { Value::from(f as u64) });
        }
        return Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if js_sys::Array::is_array(v) {
        let arr = js_sys::Array::from(v);
        if arr.length() > 200_000 {
            return Err(format!("{}: list too long", at(path)));
        }
        let mut out = Vec::with_capacity(arr.length() as usize);
        for (i, item) in arr.iter().enumerate() {
            out.push(js_to_json(&item, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() && !v.is_function() {
        let obj: &js_sys::Object = v.unchecked_ref();
        let mut out = serde_json::Map::new();
        for entry in js_sys::Object::entries(obj).iter() {
            let pair = js_sys::Array::from(&entry);
            let key = pair.get(0).as_string().unwrap_or_default();
            let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            let value = pair.get(1);
            if value.is_undefined() {
                continue;
            }
            out.insert(key, js_to_json(&value, &child, depth + 1)?);
        }
        return Ok(Value::Object(out));
    }
    Err(format!("{}: {} cannot be part of a scenario", at(path), v.js_typeof().as_string().unwrap_or_default()))
}

/// JSON text parsed by the browser's own parser (smaller than carrying a
/// second one in the module), with the same wording as the native reader.
fn parse_text(text: &str, what: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(|e| {
        let detail = js_sys::Error::from(e).message().as_string().unwrap_or_default();
        // The browser says where it stopped; stopping at the very end means
        // the text was cut short.
        let at_end = detail
            .split("position ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|pos| pos >= text.trim_end().len());
        if at_end || detail.contains("end of JSON input") || detail.contains("Unterminated") {
            format!("{what}the JSON ends too early: {detail}")
        } else {
            format!("{what}malformed JSON: {detail}")
        }
    })
}

/// A scenario given as JSON text or as a plain object.
fn scenario_from_js(input: &JsValue) -> Result<Scenario, String> {
    let parsed;
    let input = match input.as_string() {
        Some(text) => {
            parsed = parse_text(&text, "")?;
            &parsed
        }
        None => input,
    };
    if input.is_undefined() || input.is_null() {
        return Err("no scenario given".into());
    }
    let value = js_to_json(input, "", 0)?;
    Scenario::from_value(&value).map_err(|e| e.to_string())
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
        let trace = self.timeline.world().trace();
        match limit {
            None if traffic != Some(false) => to_js(&trace.since(from).collect::<Vec<_>>()),
            _ => to_js(&trace.recent(from, limit.map_or(usize::MAX, |l| l as usize), traffic != Some(false))),
        }
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
        let records: Vec<_> = replay.trace().since(0).collect();
        let truncated = replay.trace().len() > records.len() as u64;
        let mut buf = Vec::new();
        let mut o = crate::json::Obj::new(&mut buf);
        o.raw("scenario", |b| b.extend_from_slice(world.scenario().to_json_string().as_bytes()));
        o.field("trace_hash", &replay.trace_hash());
        o.field("truncated", &truncated);
        o.field("records", &records);
        o.end();
        Ok(String::from_utf8(buf).unwrap_or_default())
    }

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
    /// sequential, session guarantees, converged) with its counterexample.
    pub fn consistency(&self) -> Result<JsValue, JsError> {
        to_js(&self.timeline.world().consistency())
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

/// The most runs one `Campaign.run` call makes (the CLI's `--runs` limit);
/// the page's worker asks for far fewer at a time.
const MAX_CAMPAIGN_RUNS: u64 = 10_000_000;

/// A seed from JavaScript: a whole number from 0 below 2^53 (what a JS
/// number holds exactly).
fn seed_arg(what: &str, v: f64) -> Result<u64, JsError> {
    if !v.is_finite() || v < 0.0 || v.fract() != 0.0 || v >= 9_007_199_254_740_992.0 {
        return Err(JsError::new(&format!("{what} must be a whole number from 0 below 2^53, not {v}")));
    }
    Ok(v as u64)
}

/// A text argument from JavaScript; `None` for null, undefined or "" when
/// it may be left out.
fn text_arg(what: &str, v: &JsValue, optional: bool) -> Result<Option<String>, JsError> {
    if optional && (v.is_undefined() || v.is_null() || v.as_string().is_some_and(|s| s.is_empty())) {
        return Ok(None);
    }
    match v.as_string() {
        Some(s) if !s.is_empty() => Ok(Some(s)),
        _ => Err(JsError::new(&format!(
            "{what} must be a name (text), not {}",
            v.js_typeof().as_string().unwrap_or_default()
        ))),
    }
}

/// A failing run as the explorer found it.
#[derive(Serialize)]
struct FoundRun<'a> {
    seed: u64,
    invariant: &'a str,
    at_ms: u64,
    detail: &'a str,
    /// How many events the generated scenario has.
    events: usize,
}

impl<'a> FoundRun<'a> {
    fn of(o: &'a crate::explore::Outcome) -> Option<Self> {
        let f = o.found.as_ref()?;
        Some(FoundRun {
            seed: o.seed,
            invariant: &f.invariant,
            at_ms: f.at_ms,
            detail: &f.detail,
            events: o.plan.scenario.events.len(),
        })
    }
}

/// An explorer campaign (`consensus-lab explore`) over one protocol of this
/// module, one of its variants (or its own rules) and one fault profile: run
/// `i` of a campaign from seed S is the run of seed S + i, exactly as the CLI
/// generates and judges it, so the page and the CLI find the same runs.
#[wasm_bindgen]
pub struct Campaign {
    entry: crate::registry::Entry,
    variant: Option<String>,
    profile: crate::explore::Profile,
}

#[wasm_bindgen]
impl Campaign {
    /// A campaign of `protocol` with `variant` (null or "" for the
    /// protocol's own rules) under the fault profile named `profile` (null
    /// or "" for the default, `all`). Throws, naming what is wrong, for a
    /// protocol this module does not run, an unknown variant or profile.
    #[wasm_bindgen(constructor)]
    pub fn new(protocol: JsValue, variant: JsValue, profile: JsValue) -> Result<Campaign, JsError> {
        let name = text_arg("protocol", &protocol, false)?.unwrap_or_default();
        let entry = crate::registry::find(&name).ok_or_else(|| {
            let shown: String = name.chars().take(40).collect();
            JsError::new(&format!(
                "protocol: this module does not run \"{shown}\" (it runs: {})",
                crate::registry::names().join(", ")
            ))
        })?;
        let variant = text_arg("variant", &variant, true)?;
        let profile = match text_arg("fault profile", &profile, true)? {
            None => crate::explore::PROFILES[0],
            Some(p) => crate::explore::profile(&p).map_err(|e| JsError::new(&e))?,
        };
        // A bad variant is reported now, before any run.
        crate::explore::generate(&entry, variant.as_deref(), &profile, 0).map_err(|e| JsError::new(&e))?;
        Ok(Campaign { entry, variant, profile })
    }

    /// The fault profiles, `[{ name, doc }]`, the default first.
    pub fn profiles() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct P {
            name: &'static str,
            doc: &'static str,
        }
        let list: Vec<P> = crate::explore::PROFILES.iter().map(|p| P { name: p.name, doc: p.doc }).collect();
        to_js(&list)
    }

    /// Runs the seeds `from` up to (not including) `to`: `{ runs,
    /// violations, first }`, `first` being the lowest failing seed's
    /// `{ seed, invariant, at_ms, detail, events }`, or null.
    pub fn run(&self, from: f64, to: f64) -> Result<JsValue, JsError> {
        let from = seed_arg("run: the first seed", from)?;
        let to = seed_arg("run: the end seed", to)?;
        if to < from || to - from > MAX_CAMPAIGN_RUNS {
            return Err(JsError::new(&format!(
                "run: the seeds must go from the first up to the end, at most {MAX_CAMPAIGN_RUNS} at a time (asked for {from} to {to})"
            )));
        }
        #[derive(Serialize)]
        struct Batch<'a> {
            runs: u64,
            violations: u64,
            first: Option<FoundRun<'a>>,
        }
        let mut violations = 0;
        let mut first = None;
        for seed in from..to {
            let o = self.outcome(seed)?;
            if o.found.is_some() {
                violations += 1;
                first = first.or(Some(o));
            }
        }
        to_js(&Batch { runs: to - from, violations, first: first.as_ref().and_then(FoundRun::of) })
    }

    /// Shrinks the run of seed `seed` to a small scenario that fails the
    /// same way, as the CLI does: `{ seed, invariant, at_ms, detail, events,
    /// shrunk: { events, invariant, at_ms, detail, scenario } }` with the
    /// shrunk scenario as canonical JSON text; null when that run does not
    /// fail.
    pub fn shrink(&self, seed: f64) -> Result<JsValue, JsError> {
        let o = self.outcome(seed_arg("shrink: the seed", seed)?)?;
        let (Some(found), Some(run)) = (o.found.as_ref(), FoundRun::of(&o)) else { return Ok(JsValue::NULL) };
        let (small, small_found) = crate::explore::shrink(&o.plan, found);
        #[derive(Serialize)]
        struct Shrunk<'a> {
            events: usize,
            invariant: &'a str,
            at_ms: u64,
            detail: &'a str,
            scenario: String,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            run: FoundRun<'a>,
            shrunk: Shrunk<'a>,
        }
        let shrunk = Shrunk {
            events: small.events.len(),
            invariant: &small_found.invariant,
            at_ms: small_found.at_ms,
            detail: &small_found.detail,
            scenario: small.to_json_string(),
        };
        to_js(&Out { run, shrunk })
    }

    fn outcome(&self, seed: u64) -> Result<crate::explore::Outcome, JsError> {
        crate::explore::run_one(&self.entry, self.variant.as_deref(), &self.profile, seed)
            .map_err(|e| JsError::new(&format!("internal error in the explorer (seed {seed}): {e}")))
    }
}
