//! Checkers: named safety invariants checked after every simulation step,
//! and the figures and series a run reports.
//!
//! A protocol's checkers (its registry entry lists them; the engine itself
//! names none) see every node — running, crashed or absent — right after the
//! step that changed one of them, and report each invariant that fails as a
//! [`Violation`]. Checkers keep whatever history they need (for example the
//! entries known to be committed) so that each check costs little, which is
//! what lets long runs check every step. The same trait carries a run's
//! metrics (detection times, messages per election…) and its series (φ per
//! peer, the share of nodes that know a rumor), which checkers compute from
//! what they have watched.

use serde::Serialize;

use crate::protocol::{NodeId, Protocol, Time};
use crate::scenario::Event;

pub use crate::protocol::{NodeRef, Nodes};
pub use crate::sim::frame::Looks;

/// One failed invariant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// A snake_case name such as `"election_safety"`.
    pub invariant: &'static str,
    pub at_ms: Time,
    pub detail: String,
}

/// Named figures: a run's `metrics`, or one sample of its series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures(pub Vec<(String, f64)>);

impl Figures {
    pub fn put(&mut self, name: impl Into<String>, value: f64) {
        self.0.push((name.into(), value));
    }
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Figures {
    /// An object of numbers; whole numbers are written without a fraction,
    /// and a figure that is not finite (nothing measured yet) as null.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            if !v.is_finite() {
                m.serialize_entry(k, &())?;
            } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
                m.serialize_entry(k, &(*v as i64))?;
            } else {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

/// A figure that is not over time: lines of y against one x, such as the
/// load spread against tokens per node. `name` is one the registry entry
/// declares in `curves`; `x` says what x counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Curve {
    pub name: &'static str,
    pub x_label: &'static str,
    pub xs: Vec<f64>,
    pub lines: Vec<CurveLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurveLine {
    pub label: String,
    pub values: Vec<f64>,
}

/// A protocol's checker (or observer: any of these may do nothing).
pub trait Checker<P: Protocol>: Clone + Default + 'static {
    /// Called after every step that changed node `changed` (a message, timer,
    /// client request, crash, restart, join or leave). Push each violation found.
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<P>, out: &mut Vec<Violation>);

    /// Called when the world applies a scenario event (a crash, a partition,
    /// a pause…), before its effect on the nodes.
    fn on_event(&mut self, now: Time, event: &Event) {
        let _ = (now, event);
    }

    /// The run's figures so far.
    fn metrics(&self, now: Time, nodes: &dyn Nodes<P>, out: &mut Figures) {
        let _ = (now, nodes, out);
    }

    /// One sample of the run's series at `now`.
    fn sample(&self, now: Time, nodes: &dyn Nodes<P>, out: &mut Figures) {
        let _ = (now, nodes, out);
    }

    /// Liveness, for the explorer: from `since` on, faults stopped (the
    /// network healed, crashed nodes restarted, pauses over) and a client
    /// request was submitted at `since` (with a client operation where the
    /// protocol serves them). At `now`, has the protocol made the progress
    /// its registry entry promises (`Spec::liveness`)? `Some(what is
    /// missing)` when not; `None` when it has, or when this checker makes no
    /// such claim.
    fn liveness(&self, since: Time, now: Time, nodes: &dyn Nodes<P>) -> Option<String> {
        let _ = (since, now, nodes);
        None
    }

    /// What the page's dots layout (past 25 nodes) draws of each node beyond
    /// up and down, from what this checker has watched: see [`Looks`].
    fn looks(&self, now: Time, nodes: &dyn Nodes<P>, out: &mut Looks) {
        let _ = (now, nodes, out);
    }

    /// The curves the registry entry declares (`Spec::curves`), as they
    /// stand now.
    fn curves(&self, now: Time, nodes: &dyn Nodes<P>, out: &mut Vec<Curve>) {
        let _ = (now, nodes, out);
    }
}
