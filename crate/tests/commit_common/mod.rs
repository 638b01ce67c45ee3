//! Helpers shared by the atomic-commit tests (commit_*.rs, stories_commit.rs):
//! building runs from JSON, running them with replayable failures, and reading
//! node views whether a node is up or down.
#![allow(dead_code)] // each test file uses a different subset

use consensus_lab::commit::{CommitView, TxView};
use consensus_lab::protocol::{NodeId, Protocol};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::Value;

/// A run of `doc`, a scenario document.
pub fn sim<P: Protocol>(doc: Value) -> Simulator<P> {
    let text = doc.to_string();
    let s = Scenario::from_json_str(&text).unwrap_or_else(|e| panic!("bad scenario: {e}\n{text}"));
    Simulator::new(s).unwrap_or_else(|e| panic!("scenario rejected: {e}\n{text}"))
}

/// Runs to `t`; a failure prints the scenario so it can be replayed.
pub fn run<P: Protocol>(s: &mut Simulator<P>, t: u64) {
    if let Err(e) = s.run_until(t) {
        panic!("run failed: {e}\nscenario: {}", s.scenario().to_json_string());
    }
}

pub fn view<P: Protocol<View = CommitView>>(s: &Simulator<P>, id: NodeId) -> CommitView {
    match s.node(id) {
        Some(p) => p.view(),
        None => P::view_down(id, s.stable(id)),
    }
}

/// Node `id`'s view of transaction `tx` (an empty view with state "" if it
/// has never heard of it).
pub fn tx<P: Protocol<View = CommitView>>(s: &Simulator<P>, id: NodeId, tx: &str) -> TxView {
    view(s, id).transactions.get(tx).cloned().unwrap_or_default()
}

/// Every node's state word for `tx`, node 0 first.
pub fn states<P: Protocol<View = CommitView>>(s: &Simulator<P>, name: &str) -> Vec<&'static str> {
    (0..s.nodes()).map(|id| tx(s, id, name).state).collect()
}

/// The invariants that failed so far, by name.
pub fn violated<P: Protocol>(s: &Simulator<P>) -> Vec<&'static str> {
    s.violations().iter().map(|v| v.invariant).collect()
}

/// Asserts with the scenario attached, so a failure can be replayed.
#[macro_export]
macro_rules! check {
    ($sim:expr, $cond:expr, $($fmt:tt)+) => {
        if !$cond {
            panic!("{}\nscenario: {}", format!($($fmt)+), $sim.scenario().to_json_string());
        }
    };
}
