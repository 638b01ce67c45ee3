//! Safety invariants: named checks that run after every simulation step.
//!
//! A protocol's [`Checker`] sees every node — running or crashed — right after
//! the step that changed one of them, and reports each invariant that fails as a
//! [`Violation`]. Checkers keep whatever history they need (for example the
//! entries known to be committed) so that each check costs little, which is
//! what lets long runs check every step.

use serde::Serialize;

use crate::protocol::{NodeId, Protocol, Time};

/// One failed invariant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// A snake_case name such as `"election_safety"`.
    pub invariant: &'static str,
    pub at_ms: Time,
    pub detail: String,
}

/// A node as a checker sees it.
pub enum NodeRef<'a, P: Protocol> {
    Up(&'a P),
    Down(&'a P::Stable),
}

impl<P: Protocol> Clone for NodeRef<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Protocol> Copy for NodeRef<'_, P> {}

impl<'a, P: Protocol> NodeRef<'a, P> {
    pub fn stable(&self) -> &'a P::Stable {
        match self {
            NodeRef::Up(p) => p.stable(),
            NodeRef::Down(s) => s,
        }
    }
    pub fn up(&self) -> Option<&'a P> {
        match self {
            NodeRef::Up(p) => Some(p),
            NodeRef::Down(_) => None,
        }
    }
}

/// Read access to every node for a checker.
pub trait Nodes<P: Protocol> {
    fn len(&self) -> usize;
    fn node(&self, id: NodeId) -> NodeRef<'_, P>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A protocol's invariant checker.
pub trait Checker<P: Protocol>: Clone + Default {
    /// Called after every step that changed node `changed` (a message, timer,
    /// client request, crash or restart). Push each violation found.
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<P>, out: &mut Vec<Violation>);
}
