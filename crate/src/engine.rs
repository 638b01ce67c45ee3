//! The protocols the lab runs, and building a run of any of them from a
//! scenario by its `protocol` name. The CLI and the wasm facade only ever
//! talk to an [`Engine`]: a [`World`] whose protocol was picked by name.

use serde::Serialize;

#[cfg(feature = "commit")]
use crate::commit::{ThreePc, TwoPc};
#[cfg(feature = "paxos")]
use crate::paxos::{MultiPaxos, Paxos};
use crate::protocol::Time;
#[cfg(feature = "raft")]
use crate::raft::Raft;
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::World;
use crate::sim::erased::{AnyProtocol, descriptor};

/// A run of one of the lab's protocols.
pub type Engine = World;

/// A protocol the lab can run.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ProtocolInfo {
    pub name: &'static str,
    /// The wasm module (cargo feature) that carries it.
    pub family: &'static str,
    pub min_nodes: usize,
    pub max_nodes: usize,
    pub default_nodes: usize,
}

/// Every protocol in this build with its family, in the order the page lists them.
fn registry() -> Vec<(&'static str, &'static dyn AnyProtocol)> {
    let families: [Vec<(&'static str, &'static dyn AnyProtocol)>; 3] = [
        #[cfg(feature = "raft")]
        vec![("raft", descriptor::<Raft>())],
        #[cfg(not(feature = "raft"))]
        vec![],
        #[cfg(feature = "paxos")]
        vec![("paxos", descriptor::<Paxos>()), ("paxos", descriptor::<MultiPaxos>())],
        #[cfg(not(feature = "paxos"))]
        vec![],
        #[cfg(feature = "commit")]
        vec![("commit", descriptor::<TwoPc>()), ("commit", descriptor::<ThreePc>())],
        #[cfg(not(feature = "commit"))]
        vec![],
    ];
    families.into_iter().flatten().collect()
}

/// The protocols this build runs.
pub fn protocols() -> Vec<ProtocolInfo> {
    registry()
        .into_iter()
        .map(|(family, p)| ProtocolInfo {
            name: p.name(),
            family,
            min_nodes: *p.nodes().start(),
            max_nodes: *p.nodes().end(),
            default_nodes: p.default_nodes(),
        })
        .collect()
}

impl World {
    /// A run of the scenario's protocol.
    pub fn build(scenario: Scenario) -> Result<World, ScenarioError> {
        World::build_recording(scenario, 0)
    }

    /// A run of the scenario's protocol that keeps the latest `capacity`
    /// trace records from its first event on.
    pub fn build_recording(scenario: Scenario, capacity: usize) -> Result<World, ScenarioError> {
        let Some((_, proto)) = registry().into_iter().find(|(_, p)| p.name() == scenario.protocol) else {
            let names: Vec<&str> = registry().iter().map(|(_, p)| p.name()).collect();
            let shown: String = scenario.protocol.chars().take(40).collect();
            return Err(ScenarioError::new(
                "protocol",
                format!("unknown protocol \"{shown}\" (this lab runs: {})", names.join(", ")),
            ));
        };
        World::new_recording(proto, scenario, Vec::new(), capacity)
    }

    /// A run of a scenario given as JSON text.
    pub fn from_json(text: &str) -> Result<World, ScenarioError> {
        World::build(Scenario::from_json_str(text)?)
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
