//! One type for a run of any protocol, picked by the scenario's `protocol`
//! name. The CLI and the wasm facade only ever talk to [`Engine`].

use serde::Serialize;
use serde_json::Value;

use crate::invariant::Violation;
use crate::protocol::{Protocol, Time};
use crate::raft::Raft;
use crate::scenario::{Event, Scenario, ScenarioError};
use crate::sim::{NodeView, RunError, Simulator, Stats};
use crate::trace::TraceRecord;

/// A protocol the lab can run.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ProtocolInfo {
    pub name: &'static str,
    pub min_nodes: usize,
    pub max_nodes: usize,
    pub default_nodes: usize,
}

fn info<P: Protocol>() -> ProtocolInfo {
    ProtocolInfo {
        name: P::NAME,
        min_nodes: *P::NODES.start(),
        max_nodes: *P::NODES.end(),
        default_nodes: P::DEFAULT_NODES,
    }
}

/// Every protocol, in the order the page lists them.
pub fn protocols() -> Vec<ProtocolInfo> {
    vec![info::<Raft>()]
}

/// A run of one of the lab's protocols.
#[derive(Clone)]
pub enum Engine {
    Raft(Simulator<Raft>),
}

/// Runs `$body` with `$s` bound to the inner simulator, whatever its protocol.
macro_rules! each {
    ($engine:expr, $s:ident => $body:expr) => {
        match $engine {
            $crate::engine::Engine::Raft($s) => $body,
        }
    };
}
#[allow(unused_imports)] // used by the wasm facade
pub(crate) use each;

/// The headless runner's output (see docs/SCENARIO.md).
#[derive(Serialize)]
pub struct RunResult<V> {
    pub protocol: &'static str,
    pub time_ms: Time,
    pub trace_hash: String,
    pub nodes: Vec<NodeView<V>>,
    pub violations: Vec<Violation>,
    pub stats: Stats,
}

impl Engine {
    pub fn new(scenario: Scenario) -> Result<Engine, ScenarioError> {
        match scenario.protocol.as_str() {
            "raft" => Ok(Engine::Raft(Simulator::new(scenario)?)),
            other => {
                let names: Vec<&str> = protocols().iter().map(|p| p.name).collect();
                let shown: String = other.chars().take(40).collect();
                Err(ScenarioError::new(
                    "protocol",
                    format!("unknown protocol \"{shown}\" (this lab runs: {})", names.join(", ")),
                ))
            }
        }
    }

    pub fn from_json(text: &str) -> Result<Engine, ScenarioError> {
        Engine::new(Scenario::from_json_str(text)?)
    }

    pub fn protocol(&self) -> &'static str {
        each!(self, s => s.snapshot_protocol())
    }
    pub fn now(&self) -> Time {
        each!(self, s => s.now())
    }
    pub fn step(&mut self) -> Result<bool, RunError> {
        each!(self, s => s.step())
    }
    pub fn run_until(&mut self, t: Time) -> Result<(), RunError> {
        each!(self, s => s.run_until(t))
    }
    pub fn inject(&mut self, event: Event) -> Result<(), RunError> {
        each!(self, s => s.inject(event))
    }
    pub fn schedule(&mut self, at_ms: Time, event: Event) -> Result<(), RunError> {
        each!(self, s => s.schedule(at_ms, event))
    }
    pub fn scenario(&self) -> &Scenario {
        each!(self, s => s.scenario())
    }
    pub fn trace_hash(&self) -> String {
        each!(self, s => s.trace_hash())
    }
    pub fn record_trace(&mut self, capacity: usize) {
        each!(self, s => s.record_trace(capacity))
    }
    pub fn trace_since(&self, seq: u64) -> Vec<TraceRecord> {
        each!(self, s => s.trace().since(seq).cloned().collect())
    }
    pub fn trace_len(&self) -> u64 {
        each!(self, s => s.trace().len())
    }
    pub fn nodes(&self) -> usize {
        each!(self, s => s.nodes())
    }
    pub fn stats(&self) -> &Stats {
        each!(self, s => s.stats())
    }
    pub fn violation_count(&self) -> u64 {
        each!(self, s => s.violation_count())
    }

    /// The snapshot as JSON.
    pub fn snapshot_json(&self) -> Value {
        each!(self, s => serde_json::to_value(s.snapshot()).unwrap_or(Value::Null))
    }

    /// The headless runner's result, pretty-printed JSON.
    pub fn result_string(&self) -> Result<String, serde_json::Error> {
        each!(self, s => serde_json::to_string_pretty(&RunResult {
            protocol: s.snapshot_protocol(),
            time_ms: s.now(),
            trace_hash: s.trace_hash(),
            nodes: s.node_views(),
            violations: s.violations().to_vec(),
            stats: s.stats().clone(),
        }))
    }

    /// The headless runner's result as a JSON value.
    pub fn result_json(&self) -> Value {
        self.result_string().ok().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null)
    }
}

impl<P: Protocol> Simulator<P> {
    pub fn snapshot_protocol(&self) -> &'static str {
        P::NAME
    }
}

/// How long the headless runner runs a scenario: `run_until_ms`, or else ten
/// seconds or one second past the last event, whichever is later.
pub fn default_run_until(s: &Scenario) -> Time {
    s.run_until_ms.unwrap_or_else(|| {
        let last = s.events.last().map_or(0, |e| e.at_ms);
        (last + 1_000).max(10_000)
    })
}
