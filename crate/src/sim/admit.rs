//! Which events a protocol accepts: membership changes only where it
//! supports them, commands it declares (with their arguments checked),
//! client operations only where it serves a key-value store. Checked once
//! when a run is built (for the whole scenario, naming each event by its
//! index) and for every live inject, so a run never meets an event it
//! cannot take.

use super::RunError;
use super::world::World;
use crate::scenario::{Event, Scenario, ScenarioError};
use crate::spec::{Command, Spec};

/// Checks the scenario's top-level fields and every event.
pub(super) fn scenario(protocol: &str, spec: &Spec, s: &Scenario) -> Result<(), ScenarioError> {
    if s.members.is_some() && !spec.membership {
        return Err(ScenarioError::new(
            "members",
            format!("{protocol} runs a fixed cluster of every node 0..{}; it has no members to choose", s.nodes - 1),
        ));
    }
    if s.clients.is_some() && !spec.clients {
        return Err(ScenarioError::new("clients", refuse_clients(protocol)));
    }
    for (i, t) in s.events.iter().enumerate() {
        event(protocol, spec, &t.event, s.nodes, &format!("events[{i}]"))?;
    }
    Ok(())
}

fn refuse_clients(protocol: &str) -> String {
    format!(
        "{protocol} does not serve client operations (it keeps no key-value store); use client_request, or a \
         protocol that does"
    )
}

/// Checks one event against the protocol's declaration.
pub(super) fn event(protocol: &str, spec: &Spec, e: &Event, nodes: usize, path: &str) -> Result<(), ScenarioError> {
    match e {
        Event::Join { .. } | Event::Leave { .. } if !spec.membership => Err(ScenarioError::new(
            format!("{path}.type"),
            format!("{protocol} does not support {} (its membership is fixed)", e.type_name()),
        )),
        Event::ClientOp(_) if !spec.clients => {
            Err(ScenarioError::new(format!("{path}.type"), refuse_clients(protocol)))
        }
        Event::Command { name, args, .. } => Command::parse(protocol, spec, name, args, nodes, path).map(|_| ()),
        _ => Ok(()),
    }
}

impl World {
    /// Checks a live inject before it touches the run.
    pub(super) fn admit(&self, e: &Event) -> Result<(), RunError> {
        event(self.proto.name(), &self.spec, e, self.n, "inject").map_err(|err| RunError {
            event_index: None,
            at_ms: self.now,
            message: err.to_string(),
        })
    }
}
