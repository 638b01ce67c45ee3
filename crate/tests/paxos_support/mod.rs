//! Helpers shared by the Paxos and Multi-Paxos tests: build a scenario from
//! JSON, run it, and fail with the scenario document so the run can be
//! replayed in the page or with `consensus-lab run`.

#![allow(dead_code)]

use consensus_lab::protocol::{Message, Protocol};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::Value;

/// A simulator for the scenario document `doc`.
pub fn sim<P: Protocol>(doc: Value) -> Simulator<P> {
    let text = doc.to_string();
    let scenario = Scenario::from_json_str(&text).unwrap_or_else(|e| panic!("bad scenario: {e}\n{text}"));
    Simulator::new(scenario).unwrap_or_else(|e| panic!("bad scenario: {e}\n{text}"))
}

/// Runs to `t`; a failure to apply an event is a test failure.
pub fn run_to<P: Protocol>(s: &mut Simulator<P>, t: u64) {
    if let Err(e) = s.run_until(t) {
        panic!("run failed: {e}\nscenario: {}", s.scenario().to_json_string());
    }
}

/// Panics, printing the scenario, if any invariant failed.
pub fn assert_safe<P: Protocol>(s: &Simulator<P>) {
    assert!(
        s.violations().is_empty(),
        "violations: {:?}\nreplay this scenario: {}",
        s.violations(),
        s.scenario().to_json_string()
    );
}

/// The scenario document, for failure messages.
pub fn replay<P: Protocol>(s: &Simulator<P>) -> String {
    format!("replay this scenario: {}", s.scenario().to_json_string())
}

/// Steps to `t`, counting every message sent by its kind.
pub fn count_kinds<P: Protocol>(s: &mut Simulator<P>, t: u64) -> std::collections::BTreeMap<&'static str, usize> {
    let mut counts = std::collections::BTreeMap::new();
    let mut next_id = 0u64;
    let mut tally = |s: &Simulator<P>, next_id: &mut u64| {
        for f in s.in_flight() {
            if f.id >= *next_id {
                *counts.entry(f.msg.kind()).or_insert(0) += 1;
                *next_id = f.id + 1;
            }
        }
    };
    tally(s, &mut next_id);
    while s.next_event_at().is_some_and(|at| at <= t) {
        s.step().unwrap_or_else(|e| panic!("step failed: {e}"));
        tally(s, &mut next_id);
    }
    run_to(s, t);
    counts
}

/// A tiny deterministic generator for the randomized runs (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
}
