//! The explorer: seeded fault campaigns that look for a run that breaks a
//! protocol, and shrink the first one found to a small scenario anyone can
//! open (`consensus-lab explore`, docs/EXPLORE.md).
//!
//! - [`generate`]: (protocol, variant, fault profile, seed) → a scenario with
//!   a safety phase (faults on) and a liveness phase (faults stopped).
//! - [`judge`]: runs a scenario and says what, if anything, went wrong: the
//!   first safety invariant broken, then the progress not made after the
//!   faults stopped (`liveness`), then, for a protocol whose registry entry
//!   promises it, a client history that is not linearizable (`linearizable`).
//! - [`shrink`]: delta debugging over the events, then simpler runs (an
//!   earlier end, a reliable network, fewer nodes, fewer clients), keeping
//!   the same failure.
//!
//! Everything here is deterministic: the same campaign finds the same run
//! and shrinks it to the same scenario on every machine.

pub mod generate;
pub mod shrink;

use serde::Serialize;

use crate::engine::{Engine, default_run_until};
use crate::protocol::Time;
use crate::scenario::Scenario;

pub use generate::{PROFILES, Plan, Profile, generate, profile};
pub use shrink::shrink;

/// What went wrong in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The invariant's name, or `liveness`, or `linearizable`.
    pub invariant: String,
    pub at_ms: Time,
    pub detail: String,
}

/// How often the runner looks for a new violation (simulated ms): a run
/// stops within this much of its first one.
const SLICE_MS: Time = 50;

/// Runs `scenario` and reports its first failure: a safety violation (when
/// it happened), else missing progress since `faults_until` (when given),
/// else a non-linearizable history where the protocol promises one. `Err` when the scenario cannot run (a
/// shrinking step may make one that cannot: that candidate is simply not a
/// failure).
pub fn judge(scenario: &Scenario, faults_until: Option<Time>) -> Result<Option<Found>, String> {
    let until = default_run_until(scenario);
    let mut w = Engine::build(scenario.clone()).map_err(|e| e.to_string())?;
    w.skip_digest();
    let mut t: Time = 0;
    while t < until {
        t = (t + SLICE_MS).min(until);
        w.run_until(t).map_err(|e| e.to_string())?;
        if let Some(v) = w.violations().first() {
            return Ok(Some(Found { invariant: v.invariant.to_string(), at_ms: v.at_ms, detail: v.detail.clone() }));
        }
    }
    if let Some(since) = faults_until {
        let missing = w.liveness(since);
        if !missing.is_empty() {
            return Ok(Some(Found { invariant: "liveness".into(), at_ms: until, detail: missing.join("; ") }));
        }
    }
    let promised = crate::registry::find(&scenario.protocol).is_some_and(|e| e.proto.spec().linearizable);
    if promised && !w.history().is_empty() {
        let c = crate::history::consistency(w.history());
        if c.linearizable == Some(false) {
            return Ok(Some(Found { invariant: "linearizable".into(), at_ms: until, detail: c.detail }));
        }
    }
    Ok(None)
}

/// One campaign run: its seed, its plan and what it found.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub seed: u64,
    pub plan: Plan,
    pub found: Option<Found>,
}

/// Generates and judges the run of seed `seed`.
pub fn run_one(
    entry: &crate::registry::Entry,
    variant: Option<&str>,
    profile: &Profile,
    seed: u64,
) -> Result<Outcome, String> {
    let plan = generate(entry, variant, profile, seed)?;
    let found = judge(&plan.scenario, Some(plan.faults_until))?;
    Ok(Outcome { seed, plan, found })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A strict-quorum run the explorer's generator wrote (seed 8 of the
    /// `all` profile, shrunk): two clients' compare-and-sets both succeed, so
    /// the history is not linearizable — and quorum-kv never promised it is.
    #[test]
    fn a_store_that_promises_no_linearizability_is_not_failed_for_lacking_it() {
        let text = r#"{"version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": 672745136,
            "network": {"drop_rate": 0.0, "duplicate_rate": 0.0},
            "clients": {"count": 3, "ops": ["read", "write", "cas"], "keys": ["x", "y"], "think_ms": [0, 200], "timeout_ms": 1000, "from_ms": 0, "until_ms": 10000},
            "events": [{"at_ms": 3923, "type": "link", "from": 2, "to": 3, "drop_rate": 1.0}, {"at_ms": 5777, "type": "pause", "node": 4, "for_ms": 1723}],
            "run_until_ms": 20000}"#;
        let scenario = Scenario::from_json_str(text).expect("valid");
        let mut w = Engine::build(scenario.clone()).expect("builds");
        w.run_until(20_000).expect("runs");
        assert_eq!(
            crate::history::consistency(w.history()).linearizable,
            Some(false),
            "the history is not linearizable"
        );
        assert_eq!(judge(&scenario, Some(10_000)).expect("runs"), None);
    }
}
