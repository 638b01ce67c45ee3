//! The simulator: the only thing that advances time.
//!
//! A [`World`] owns simulated time, every random stream, the event queue, the
//! network, crashes and pauses, the client, the trace and the invariant
//! checker, and drives one engine per node. It is compiled once for all
//! protocols: engines sit behind the type-erased boundary in [`erased`].
//! [`Simulator<P>`] is a `World` that knows its protocol's types, for tests
//! and tools written against one protocol. A run is a function of its
//! scenario: the same scenario gives the same events in the same order
//! everywhere.

mod admit;
pub mod client;
mod converge;
pub mod draws;
pub mod erased;
pub mod flight;
pub mod frame;
mod inject;
pub mod network;
mod ops;
mod queue;
mod snapshot;
pub mod stats;
mod wire;
mod world;

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::protocol::{NodeId, Protocol, Time};
use crate::scenario::{Scenario, ScenarioError};
use erased::{AnyStable, typed};
use flight::Loss;
pub use stats::Stats;
pub use world::World;

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

/// A message on the wire, with its protocol's type.
pub struct InFlightMsg<'a, M> {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub msg: &'a M,
    pub sent_at: Time,
    pub deliver_at: Time,
    pub lost: Option<Loss>,
}

/// A run of protocol `P`: a [`World`] (all of whose methods it has) plus
/// typed access to the engines, what they keep, and their messages.
#[derive(Clone)]
pub struct Simulator<P: Protocol> {
    world: World,
    _p: PhantomData<fn() -> P>,
}

impl<P: Protocol> Simulator<P> {
    /// Builds a run from a scenario and starts every node at time 0.
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        Self::with_stable(scenario, Vec::new())
    }

    /// Like [`Simulator::new`], but node `i` starts from `stable[i]` when given:
    /// how tests set up the logs of a paper's figure.
    pub fn with_stable(scenario: Scenario, stable: Vec<Option<P::Stable>>) -> Result<Self, ScenarioError> {
        let stable = stable.into_iter().map(|s| s.map(|s| Box::new(s) as Box<dyn AnyStable>)).collect();
        // The registry pairs the engine with its checkers; a protocol only a
        // test knows runs unchecked.
        let entry = crate::registry::find(P::NAME).unwrap_or_else(|| crate::registry::Entry::of::<P>("test").done());
        Ok(Simulator { world: World::new(&entry, scenario, stable)?, _p: PhantomData })
    }

    /// A run whose protocol is paired with checker `C` rather than with the
    /// registry's checkers (tests of protocols the registry does not list).
    pub fn with_checker<C: crate::invariant::Checker<P>>(scenario: Scenario) -> Result<Self, ScenarioError> {
        let entry = crate::registry::Entry::of::<P>("test").checker::<C>().done();
        Ok(Simulator { world: World::new(&entry, scenario, Vec::new())?, _p: PhantomData })
    }

    /// The run, protocol-blind.
    pub fn into_world(self) -> World {
        self.world
    }

    pub fn params(&self) -> &P::Params {
        self.world.params.downcast_ref::<P::Params>().expect("a run's params are its protocol's")
    }

    /// The running engine of a node, if it is up.
    pub fn node(&self, id: NodeId) -> Option<&P> {
        typed::<P>(self.world.slots.get(id)?).up()
    }

    /// What a node keeps across crashes, up or down.
    pub fn stable(&self, id: NodeId) -> &P::Stable {
        typed::<P>(&self.world.slots[id]).stable()
    }

    /// Messages on the wire, in id order.
    pub fn in_flight(&self) -> impl Iterator<Item = InFlightMsg<'_, P::Msg>> {
        let mail = self.world.mailbox().as_any().downcast_ref::<erased::Mailbox<P::Msg>>();
        self.world.flights().filter_map(move |f| {
            Some(InFlightMsg {
                id: f.id,
                from: f.from,
                to: f.to,
                msg: mail?.0.get(f.id)?,
                sent_at: f.sent_at,
                deliver_at: f.deliver_at,
                lost: f.lost,
            })
        })
    }

    /// The snapshot the page draws, as JSON.
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::from_str(&self.world.snapshot_json()).unwrap_or(serde_json::Value::Null)
    }
}

impl<P: Protocol> Deref for Simulator<P> {
    type Target = World;
    fn deref(&self) -> &World {
        &self.world
    }
}

impl<P: Protocol> DerefMut for Simulator<P> {
    fn deref_mut(&mut self) -> &mut World {
        &mut self.world
    }
}
