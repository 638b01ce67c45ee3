//! Hundreds of seeded single-decree Paxos runs under crashes, restarts,
//! partitions, pauses, lossy links, drops and duplicates: no invariant may
//! ever fail, and once the faults stop a proposer with back-off decides.
//! A failing run prints its scenario document for replay.

use crate::paxos_support;

use consensus_lab::paxos::Paxos;
use paxos_support::{Rng, random_faults, random_network, sim};
use serde_json::json;

const RUNS: u64 = 1_000;
const FAULTS_UNTIL: u64 = 3_000;
const END: u64 = 6_000;

// Reference: Paxos Made Simple §2.1 (safety requirements hold whatever
// messages are lost, duplicated or delayed and whatever processes fail and
// restart) and §2.4 (progress once the system is working well again).
/// Run `run`'s scenario: a random cluster, network, fault timeline and
/// client requests; after the faults, node 0 gets one more request.
fn scenario(run: u64, unsafe_adoption: bool) -> (serde_json::Value, bool) {
    let mut rng = Rng(0x5EED_0000 + run);
    let nodes = rng.range(1, 7) as usize;
    let mut events = random_faults(&mut rng, nodes, FAULTS_UNTIL);
    for k in 0..rng.range(1, 4) {
        let at = rng.range(0, FAULTS_UNTIL);
        let node = rng.range(0, nodes as u64 - 1);
        events.push(json!({ "at_ms": at, "type": "client_request", "value": format!("v{k}"), "node": node }));
    }
    events.push(json!({ "at_ms": FAULTS_UNTIL + 1, "type": "client_request", "value": "last", "node": 0 }));
    let backoff = rng.range(0, 4) > 0;
    let doc = json!({
        "version": 1, "protocol": "paxos", "nodes": nodes, "seed": rng.next() >> 12,
        "network": random_network(&mut rng),
        "params": { "backoff": backoff, "unsafe_ignore_promised_values": unsafe_adoption },
        "events": events
    });
    (doc, backoff)
}

#[test]
fn randomized_paxos_runs_stay_safe() {
    let mut failures = Vec::new();
    let (mut decided, mut with_backoff) = (0, 0);
    for run in 0..RUNS {
        let (doc, backoff) = scenario(run, false);
        with_backoff += u64::from(backoff);
        let mut s = sim::<Paxos>(doc);
        if let Err(e) = s.run_until(END) {
            failures.push(format!("run error {e}: {}", s.scenario().to_json_string()));
            continue;
        }
        if !s.violations().is_empty() {
            failures.push(format!("{:?}\n  replay: {}", s.violations(), s.scenario().to_json_string()));
        }
        if backoff && s.stable(0).learned.is_none() {
            failures.push(format!("node 0 never decided\n  replay: {}", s.scenario().to_json_string()));
        }
        if (0..s.nodes()).any(|i| s.stable(i).learned.is_some()) {
            decided += 1;
        }
    }
    assert!(failures.is_empty(), "{} failing runs:\n{}", failures.len(), failures.join("\n"));
    // Runs without back-off may livelock; every run with it decides.
    assert!(decided >= with_backoff, "{decided} of {RUNS} runs decided, {with_backoff} had back-off");
}

// Reference: Paxos Made Simple §2.2: without the value-adoption rule the same
// runs choose two values, so the checks above are not vacuous.
#[test]
fn the_same_runs_without_value_adoption_are_caught() {
    let mut caught = 0;
    for run in 0..RUNS {
        let mut s = sim::<Paxos>(scenario(run, true).0);
        if s.run_until(END).is_ok() && s.violations().iter().any(|v| v.invariant == "single_value_chosen") {
            caught += 1;
        }
    }
    assert!(caught > 0, "no run broke safety without value adoption");
}
