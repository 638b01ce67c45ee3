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

/// A random fault timeline over `0..until` ms for `nodes` nodes: crashes and
/// restarts, partitions and heals, pauses, lossy links and timeouts. It ends
/// with a heal, every node restarted and a clean network from `until` on.
pub fn random_faults(rng: &mut Rng, nodes: usize, until: u64) -> Vec<Value> {
    let mut events = Vec::new();
    let n = nodes as u64;
    for _ in 0..rng.range(2, 12) {
        let at = rng.range(0, until - 1);
        let node = rng.range(0, n - 1);
        let e = match rng.range(0, 6) {
            0 => {
                let back = (at + rng.range(50, 1_500)).min(until);
                events.push(serde_json::json!({ "at_ms": back, "type": "restart", "node": node }));
                serde_json::json!({ "at_ms": at, "type": "crash", "node": node })
            }
            1 => {
                let mut groups: Vec<Vec<u64>> = vec![Vec::new(); rng.range(2, 3).min(n) as usize];
                for id in 0..n {
                    let g = rng.range(0, groups.len() as u64 - 1) as usize;
                    groups[g].push(id);
                }
                serde_json::json!({ "at_ms": at, "type": "partition", "groups": groups })
            }
            2 => serde_json::json!({ "at_ms": at, "type": "heal" }),
            3 => serde_json::json!({ "at_ms": at, "type": "pause", "node": node, "for_ms": rng.range(20, 600) }),
            4 if n > 1 => {
                let to = (node + rng.range(1, n - 1)) % n;
                let drop = rng.range(0, 10) as f64 / 10.0;
                serde_json::json!({ "at_ms": at, "type": "link", "from": node, "to": to, "drop_rate": drop })
            }
            _ => serde_json::json!({ "at_ms": at, "type": "timeout", "node": node }),
        };
        events.push(e);
    }
    events.push(serde_json::json!({ "at_ms": until, "type": "heal" }));
    events.push(serde_json::json!({ "at_ms": until, "type": "set_network", "drop_rate": 0.0, "duplicate_rate": 0.0 }));
    for id in 0..n {
        events.push(serde_json::json!({ "at_ms": until, "type": "restart", "node": id }));
    }
    events
}

/// A random network: latency range, drop and duplicate rates.
pub fn random_network(rng: &mut Rng) -> Value {
    let lo = rng.range(1, 30);
    let hi = lo + rng.range(0, 40);
    let drop = rng.range(0, 15) as f64 / 100.0;
    let dup = rng.range(0, 15) as f64 / 100.0;
    serde_json::json!({ "latency_ms": [lo, hi], "drop_rate": drop, "duplicate_rate": dup })
}
