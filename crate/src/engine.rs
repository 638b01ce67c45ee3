//! Building a run of any of the lab's protocols from a scenario by its
//! `protocol` name, through the registry. The CLI and the wasm facade only
//! ever talk to an [`Engine`]: a [`World`] whose protocol was picked by name.

use crate::protocol::Time;
use crate::registry;
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::World;

/// A run of one of the lab's protocols.
pub type Engine = World;

impl World {
    /// A run of the scenario's protocol.
    pub fn build(scenario: Scenario) -> Result<World, ScenarioError> {
        World::build_recording(scenario, 0)
    }

    /// A run of the scenario's protocol that keeps the latest `capacity`
    /// trace records from its first event on.
    pub fn build_recording(scenario: Scenario, capacity: usize) -> Result<World, ScenarioError> {
        let Some(entry) = registry::find(&scenario.protocol) else {
            let shown: String = scenario.protocol.chars().take(40).collect();
            return Err(ScenarioError::new(
                "protocol",
                format!("unknown protocol \"{shown}\" (this lab runs: {})", registry::names().join(", ")),
            ));
        };
        World::new_recording(&entry, scenario, Vec::new(), capacity)
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
