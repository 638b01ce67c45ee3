//! Raft and Multi-Paxos serve client operations linearizably under faults,
//! and the variants that answer reads from the leader's own state do not:
//! hundreds of seeded fault runs with a client workload, each history
//! judged by the linearizability checker.
// Reference: Herlihy & Wing 1990 (linearizability); Raft §8 and thesis §6.4
// (reads must go through the log, or confirm leadership, to be fresh).

use crate::paxos_support;

use consensus_lab::engine::Engine;
use paxos_support::{Rng, random_faults, random_network};
use serde_json::{Value, json};

const FAULTS_UNTIL: u64 = 3_000;
const END: u64 = 6_000;

fn scenario(protocol: &str, seed: u64, unsafe_reads: bool) -> Value {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xC1_1E47);
    let nodes = [3, 5][rng.range(0, 1) as usize];
    json!({
        "version": 1, "protocol": protocol, "nodes": nodes, "seed": rng.next() >> 12,
        "network": random_network(&mut rng),
        "params": { "unsafe_local_reads": unsafe_reads },
        "clients": { "count": 3, "ops": ["read", "write", "cas"], "keys": ["x", "y"], "think_ms": [0, 60],
                     "timeout_ms": 500, "until_ms": 4_500 },
        "events": random_faults(&mut rng, nodes, FAULTS_UNTIL),
        "run_until_ms": END
    })
}

/// A run's verdict: (linearizable, violations, ops answered, the scenario).
fn judge(doc: &Value) -> (Option<bool>, usize, usize, String) {
    let mut w = Engine::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}: {doc}"));
    w.run_until(END).unwrap_or_else(|e| panic!("{e}: {doc}"));
    let c = consensus_lab::history::consistency(w.history());
    let answered = w.history().iter().filter(|o| o.return_ms.is_some()).count();
    (c.linearizable, w.violations().len(), answered, w.scenario().to_json_string())
}

fn correct_runs_are_linearizable(protocol: &str, runs: u64) {
    let mut failures = Vec::new();
    let mut answered = 0;
    for seed in 0..runs {
        let (lin, violations, ok, replay) = judge(&scenario(protocol, seed, false));
        answered += ok;
        if lin != Some(true) || violations > 0 {
            failures.push(format!("seed {seed}: linearizable {lin:?}, {violations} violations\n  replay: {replay}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(answered as u64 > runs * 20, "the workload made progress: {answered} answers in {runs} runs");
}

fn local_reads_are_caught(protocol: &str, runs: u64) -> u64 {
    (0..runs).filter(|&seed| judge(&scenario(protocol, seed, true)).0 == Some(false)).count() as u64
}

#[test]
fn raft_histories_are_linearizable_under_faults() {
    correct_runs_are_linearizable("raft", 150);
}

#[test]
fn multi_paxos_histories_are_linearizable_under_faults() {
    correct_runs_are_linearizable("multi-paxos", 150);
}

#[test]
fn raft_local_reads_return_stale_values_the_checker_catches() {
    let caught = local_reads_are_caught("raft", 150);
    eprintln!("raft: {caught} of 150 runs with local reads are not linearizable");
    assert!(caught >= 3, "only {caught} of 150 runs caught");
}

#[test]
fn multi_paxos_local_reads_return_stale_values_the_checker_catches() {
    let caught = local_reads_are_caught("multi-paxos", 150);
    eprintln!("multi-paxos: {caught} of 150 runs with local reads are not linearizable");
    assert!(caught >= 3, "only {caught} of 150 runs caught");
}

/// A minority leader answering a read after the majority moved on: the
/// textbook stale read, found and explained.
#[test]
fn a_deposed_leader_reading_locally_is_a_stale_read() {
    let doc = json!({
        "version": 1, "protocol": "raft", "nodes": 5, "seed": 3,
        "network": { "latency_ms": [10, 10] },
        "params": { "unsafe_local_reads": true },
        "events": [
            { "at_ms": 500, "type": "client_op", "f": "write", "key": "x", "value": "1", "client": 0 },
            { "at_ms": 800, "type": "partition", "groups": [[0, 1], [2, 3, 4]] }
        ],
        "run_until_ms": 3000
    });
    let mut w = Engine::from_json(&doc.to_string()).unwrap();
    w.run_until(800).unwrap();
    let snap = w.snapshot_json();
    let v: Value = serde_json::from_str(&snap).unwrap();
    let leader = v["nodes"].as_array().unwrap().iter().find(|n| n["role"] == "leader").unwrap()["id"].as_u64().unwrap();
    let (old_side, new_side) = if leader <= 1 { (leader, 3) } else { (leader, if leader == 2 { 0 } else { 1 }) };
    // Whichever side the old leader is on, cut it off with one other node.
    let groups = if old_side <= 1 { json!([[0, 1], [2, 3, 4]]) } else { json!([[old_side, new_side], []]) };
    let doc2 = json!({
        "version": 1, "protocol": "raft", "nodes": 5, "seed": 3,
        "network": { "latency_ms": [10, 10] },
        "params": { "unsafe_local_reads": true },
        "events": [
            { "at_ms": 500, "type": "client_op", "f": "write", "key": "x", "value": "1", "client": 0 },
            { "at_ms": 800, "type": "partition", "groups": groups },
            { "at_ms": 1500, "type": "client_op", "f": "write", "key": "x", "value": "2", "client": 1, "node": (0..5).find(|i| *i != old_side && *i != new_side).unwrap() },
            { "at_ms": 2000, "type": "client_op", "f": "read", "key": "x", "client": 2, "node": old_side }
        ],
        "run_until_ms": 3000
    });
    let mut w = Engine::from_json(&doc2.to_string()).unwrap();
    w.run_until(3_000).unwrap();
    let h = w.history();
    assert_eq!(h[1].ok, Some(true), "the majority committed the second write: {h:?}");
    assert_eq!(h[2].value.as_deref(), Some("1"), "the old leader answered from its own state: {h:?}");
    let c = consensus_lab::history::consistency(h);
    assert_eq!(c.linearizable, Some(false));
    let ce = c.counterexample.expect("a counterexample");
    assert!(ce.ops.len() <= 3, "{:?}", ce.ops);
    assert!(ce.detail.contains("read"), "{}", ce.detail);
}
