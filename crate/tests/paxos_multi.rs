//! Multi-Paxos against "Paxos Made Simple" §3 and "Paxos Made Moderately
//! Complex": a stable leader, phase 2 per slot, leader change with
//! re-proposal and no-ops, in-order execution, catch-up and redirects.

use crate::paxos_support;

use consensus_lab::paxos::{Cmd, MultiPaxos, Role};
use consensus_lab::scenario::Event;
use consensus_lab::sim::Simulator;
use paxos_support::{assert_safe, count_kinds, replay, run_to, sim};
use serde_json::json;

fn chosen(s: &Simulator<MultiPaxos>, i: usize) -> Vec<String> {
    s.stable(i).chosen.iter().map(|c| c.as_ref().map_or("?", Cmd::text).to_string()).collect()
}

fn leaders(s: &Simulator<MultiPaxos>) -> Vec<usize> {
    (0..s.nodes()).filter(|&i| s.node(i).is_some_and(|p| p.role() == Role::Leader)).collect()
}

// Reference: Paxos Made Simple §3 ("the leader can execute phase 1 for
// infinitely many instances ... then only phase 2 per command").
#[test]
fn a_stable_leader_runs_phase_1_once_then_one_round_trip_per_slot() {
    let mut s = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 5, "seed": 1,
        // A fixed latency: no Decide is overtaken by a heartbeat that would
        // send a replica to catch up (a reordering this test is not about).
        "network": { "latency_ms": [10, 10] },
        "events": [
            { "at_ms": 0, "type": "timeout", "node": 0 },
            { "at_ms": 200, "type": "client_request", "value": "a=1", "node": 0 },
            { "at_ms": 300, "type": "client_request", "value": "b=2", "node": 0 },
            { "at_ms": 400, "type": "client_request", "value": "a=3", "node": 0 }
        ]
    }));
    run_to(&mut s, 150);
    assert_eq!(leaders(&s), vec![0], "{}", replay(&s));
    let counts = count_kinds(&mut s, 1_000);
    assert_safe(&s);
    assert_eq!(counts.get("Prepare"), None, "no second phase 1: {counts:?}");
    assert_eq!(counts.get("Accept"), Some(&12), "{counts:?}");
    assert_eq!(counts.get("Accepted"), Some(&12), "{counts:?}");
    assert_eq!(counts.get("Decide"), Some(&12), "{counts:?}");
    assert_eq!(counts.get("CatchUp"), None, "{counts:?}");
    for i in 0..5 {
        assert_eq!(chosen(&s, i), ["a=1", "b=2", "a=3"], "node {i}");
        let p = s.node(i).expect("up");
        assert_eq!(p.executed(), 3);
        assert_eq!(p.kv().get("a").map(String::as_str), Some("3"), "executed in slot order");
    }
}

/// Node 0 leads; "a" goes to slot 0, "b" to slot 1 while every link from 0
/// drops, "c" to slot 2 after the links are back; node 0 crashes before any
/// accepted reply returns. Slots 0 and 2 are accepted by 1..4, slot 1 by
/// nobody but the crashed node.
fn gap_doc(params: serde_json::Value) -> serde_json::Value {
    let mut events = vec![json!({ "at_ms": 0, "type": "timeout", "node": 0 })];
    events.push(json!({ "at_ms": 200, "type": "client_request", "value": "a", "node": 0 }));
    for to in 1..5 {
        events.push(json!({ "at_ms": 201, "type": "link", "from": 0, "to": to, "drop_rate": 1.0 }));
    }
    events.push(json!({ "at_ms": 202, "type": "client_request", "value": "b", "node": 0 }));
    events.push(json!({ "at_ms": 203, "type": "heal" }));
    events.push(json!({ "at_ms": 204, "type": "client_request", "value": "c", "node": 0 }));
    events.push(json!({ "at_ms": 205, "type": "crash", "node": 0 }));
    json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 5, "seed": 2,
        "network": { "latency_ms": [10, 20] },
        "params": params,
        "events": events
    })
}

// Reference: Paxos Made Simple §3 (a new leader proposes the reported values,
// fills gaps with no-op commands) and Paxos Made Moderately Complex §3
// (a leader adopts the pvalues with the highest ballot per slot).
#[test]
fn a_leader_change_keeps_every_accepted_slot_and_fills_gaps_with_noops() {
    let mut s = sim::<MultiPaxos>(gap_doc(json!({})));
    run_to(&mut s, 206);
    for i in 1..5 {
        assert!(s.stable(i).chosen.is_empty(), "nobody learned anything yet");
    }
    run_to(&mut s, 2_000);
    assert_safe(&s);
    let new = leaders(&s);
    assert_eq!(new.len(), 1, "one new leader: {new:?}\n{}", replay(&s));
    for i in 1..5 {
        assert_eq!(chosen(&s, i), ["a", "no-op", "c"], "node {i}\n{}", replay(&s));
        assert_eq!(s.node(i).map(|p| p.executed()), Some(3));
    }
    // The new leader appends after the recovered slots, and the old leader
    // catches up when it returns.
    s.inject(Event::ClientRequest { value: "d".into(), node: Some(new[0]) }).expect("request");
    s.inject(Event::Restart { node: 0 }).expect("restart");
    run_to(&mut s, 3_000);
    assert_safe(&s);
    for i in 0..5 {
        assert_eq!(chosen(&s, i), ["a", "no-op", "c", "d"], "node {i}\n{}", replay(&s));
    }
}

// Reference: Paxos Made Simple §3: a chosen command stays chosen in its slot
// whatever leader follows.
#[test]
fn a_new_leader_keeps_every_chosen_slot_and_appends_after_them() {
    let mut s = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 5, "seed": 9,
        "events": [
            { "at_ms": 0, "type": "timeout", "node": 0 },
            { "at_ms": 200, "type": "client_request", "value": "s0", "node": 0 },
            { "at_ms": 250, "type": "client_request", "value": "s1", "node": 0 },
            { "at_ms": 300, "type": "client_request", "value": "s2", "node": 0 },
            { "at_ms": 500, "type": "crash", "node": 0 },
            { "at_ms": 1500, "type": "client_request", "value": "s3" }
        ]
    }));
    run_to(&mut s, 499);
    assert_eq!(chosen(&s, 3), ["s0", "s1", "s2"], "{}", replay(&s));
    run_to(&mut s, 2_500);
    assert_safe(&s);
    let new = leaders(&s);
    assert!(new.len() == 1 && new[0] != 0, "{new:?}\n{}", replay(&s));
    for i in 1..5 {
        assert_eq!(chosen(&s, i), ["s0", "s1", "s2", "s3"], "node {i}\n{}", replay(&s));
    }
}

// Reference: Paxos Made Moderately Complex §2 (replicas apply decisions in
// slot order) and §3 (a lagging replica learns decided slots).
#[test]
fn a_restarted_replica_catches_up_and_executes_in_order() {
    let mut s = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 5, "seed": 4,
        "events": [
            { "at_ms": 0, "type": "timeout", "node": 0 },
            { "at_ms": 100, "type": "crash", "node": 3 },
            { "at_ms": 200, "type": "client_request", "value": "k=1", "node": 0 },
            { "at_ms": 250, "type": "client_request", "value": "k=2", "node": 0 },
            { "at_ms": 400, "type": "restart", "node": 3 }
        ]
    }));
    run_to(&mut s, 399);
    assert!(s.stable(3).chosen.is_empty());
    run_to(&mut s, 800);
    assert_safe(&s);
    assert_eq!(chosen(&s, 3), ["k=1", "k=2"], "{}", replay(&s));
    assert_eq!(s.node(3).and_then(|p| p.kv().get("k").cloned()).as_deref(), Some("2"));
}

// Reference: Paxos Made Simple §3 (only a majority can choose); a leader cut
// off with a minority chooses nothing, and the majority side elects another.
#[test]
fn a_leader_in_a_minority_chooses_nothing_and_the_majority_moves_on() {
    let mut s = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 5, "seed": 6,
        "events": [
            { "at_ms": 0, "type": "timeout", "node": 0 },
            { "at_ms": 200, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
            { "at_ms": 210, "type": "client_request", "value": "lost", "node": 0 },
            { "at_ms": 1000, "type": "client_request", "value": "kept", "node": 2 },
            { "at_ms": 1500, "type": "heal" }
        ]
    }));
    run_to(&mut s, 999);
    assert!(s.stable(0).chosen.is_empty(), "the minority leader chose nothing");
    let majority_leader = leaders(&s).into_iter().find(|&l| l >= 2);
    assert!(majority_leader.is_some(), "the majority elected a leader\n{}", replay(&s));
    run_to(&mut s, 3_000);
    assert_safe(&s);
    assert_eq!(leaders(&s).len(), 1, "the old leader stepped down");
    let c0 = chosen(&s, 0);
    assert!(c0.contains(&"kept".to_string()), "{c0:?}\n{}", replay(&s));
    for i in 1..5 {
        assert_eq!(chosen(&s, i), c0, "node {i}");
    }
}

// Reference: Paxos Made Moderately Complex §2 (clients send to the leader).
#[test]
fn followers_redirect_clients_to_the_leader_they_know() {
    let mut s = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 3, "seed": 7,
        "events": [
            { "at_ms": 0, "type": "timeout", "node": 1 },
            { "at_ms": 300, "type": "client_request", "value": "r", "node": 2 }
        ]
    }));
    run_to(&mut s, 600);
    assert_safe(&s);
    assert_eq!(s.node(2).and_then(|p| p.known_leader()), Some(1));
    assert!(s.node(1).and_then(|p| p.last_client_value()).is_some_and(|v| &**v == "r"));
    assert!(s.node(2).and_then(|p| p.last_client_value()).is_none());
    for i in 0..3 {
        assert_eq!(chosen(&s, i), ["r"]);
    }
}

#[test]
fn params_are_validated_and_unknown_keys_rejected() {
    let bad = |params: serde_json::Value| {
        let doc = json!({ "version": 1, "protocol": "multi-paxos", "nodes": 3, "seed": 1, "params": params });
        let sc = consensus_lab::scenario::Scenario::from_json_str(&doc.to_string()).expect("parses");
        match Simulator::<MultiPaxos>::new(sc) {
            Ok(_) => panic!("accepted {params}"),
            Err(e) => e.to_string(),
        }
    };
    assert!(bad(json!({ "bogus": 1 })).contains("unknown field"));
    assert!(bad(json!({ "leader_timeout_ms": [300, 100] })).contains("leader_timeout_ms"));
    assert!(bad(json!({ "heartbeat_ms": 0 })).contains("heartbeat_ms"));
    assert!(bad(json!({ "heartbeat_ms": 200 })).contains("below"));
    assert!(bad(json!({ "max_decisions_per_message": 0 })).contains("max_decisions"));
    let mut one = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 1, "seed": 1,
        "events": [{ "at_ms": 500, "type": "client_request", "value": "solo" }]
    }));
    run_to(&mut one, 1_000);
    assert_safe(&one);
    assert_eq!(chosen(&one, 0), ["solo"], "a one-node cluster is its own majority");
}

// Reference: docs/SCENARIO-FORMAT (node fields for "multi-paxos").
#[test]
fn node_views_carry_the_scenario_format_fields() {
    let mut s = sim::<MultiPaxos>(gap_doc(json!({})));
    run_to(&mut s, 2_000);
    let snap = serde_json::to_value(s.snapshot()).expect("serializes");
    let leader = leaders(&s)[0];
    let n = &snap["nodes"][leader];
    assert_eq!(n["leader"], json!(true));
    assert_eq!(n["role"], json!("leader"));
    assert_eq!(n["ballot"][1], json!(leader), "a leader's ballot carries its id");
    assert_eq!(n["chosen"], json!(["a", "no-op", "c"]));
    assert_eq!(n["noops"], json!([1]));
    assert_eq!(n["executed"], json!(3));
    let down = &snap["nodes"][0];
    assert_eq!(down["up"], json!(false));
    assert_eq!(down["leader"], json!(false));
    assert!(down["chosen"].is_array());
}
