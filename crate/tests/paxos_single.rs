//! Single-decree Paxos against "Paxos Made Simple": each test sets up a
//! situation from the paper and checks what it says must happen.

use crate::paxos_support;

use consensus_lab::paxos::{Ballot, Paxos};
use paxos_support::{assert_safe, count_kinds, replay, run_to, sim};
use serde_json::json;

fn learned(s: &consensus_lab::sim::Simulator<Paxos>) -> Vec<Option<String>> {
    (0..s.nodes()).map(|i| s.stable(i).learned.as_deref().map(str::to_string)).collect()
}

fn all_learned(s: &consensus_lab::sim::Simulator<Paxos>, v: &str) -> bool {
    learned(s).iter().all(|l| l.as_deref() == Some(v))
}

// Reference: Paxos Made Simple §2.2 (the two phases) and §2.4 (learning).
#[test]
fn one_proposer_every_node_learns_its_value() {
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 1,
        "events": [{ "at_ms": 0, "type": "client_request", "value": "x=1", "node": 0 }]
    }));
    run_to(&mut s, 1_000);
    assert_safe(&s);
    assert!(all_learned(&s, "x=1"), "learned {:?}\n{}", learned(&s), replay(&s));
    let b = s.stable(0).accepted.as_ref().map(|p| p.ballot);
    assert_eq!(b, Some(Ballot::new(1, 0)), "the first ballot of node 0 is (1,0)");
    for i in 0..5 {
        assert_eq!(s.stable(i).accepted.as_ref().map(|p| p.value.to_string()).as_deref(), Some("x=1"));
    }
}

// Reference: Paxos Made Simple §2.1 (only a single value is chosen).
#[test]
fn three_proposers_with_different_values_choose_one_value_everywhere() {
    for seed in 0..20 {
        let mut s = sim::<Paxos>(json!({
            "version": 1, "protocol": "paxos", "nodes": 5, "seed": seed,
            "events": [
                { "at_ms": 0, "type": "client_request", "value": "a", "node": 0 },
                { "at_ms": 0, "type": "client_request", "value": "b", "node": 2 },
                { "at_ms": 0, "type": "client_request", "value": "c", "node": 4 }
            ]
        }));
        run_to(&mut s, 3_000);
        assert_safe(&s);
        let first = learned(&s)[0].clone();
        assert!(first.is_some(), "nothing learned\n{}", replay(&s));
        let v = first.unwrap_or_default();
        assert!(["a", "b", "c"].contains(&v.as_str()));
        assert!(all_learned(&s, &v), "learned {:?}\n{}", learned(&s), replay(&s));
    }
}

/// Node 0 gets "A" accepted by itself and node 1 only (its accept requests to
/// 2, 3 and 4 are lost), then crashes. Fixed 10 ms latency makes the timing
/// exact: prepares arrive at 10, promises at 20, accepts at 30.
fn prior_accepted_doc(extra: serde_json::Value, params: serde_json::Value) -> serde_json::Value {
    let mut events = vec![
        json!({ "at_ms": 0, "type": "client_request", "value": "A", "node": 0 }),
        json!({ "at_ms": 15, "type": "link", "from": 0, "to": 2, "drop_rate": 1.0 }),
        json!({ "at_ms": 15, "type": "link", "from": 0, "to": 3, "drop_rate": 1.0 }),
        json!({ "at_ms": 15, "type": "link", "from": 0, "to": 4, "drop_rate": 1.0 }),
        json!({ "at_ms": 45, "type": "crash", "node": 0 }),
    ];
    events.extend(extra.as_array().cloned().unwrap_or_default());
    json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 3,
        "network": { "latency_ms": [10, 10] },
        "params": params,
        "events": events
    })
}

// Reference: Paxos Made Simple §2.2, P2c and the rule that a proposer
// adopts the value of the highest-numbered proposal among the promises.
#[test]
fn an_acceptors_prior_accepted_value_wins_a_later_higher_ballot() {
    // Node 4 proposes "B" where its majority must include node 1.
    let extra = json!([
        { "at_ms": 50, "type": "partition", "groups": [[1, 2, 4], [0, 3]] },
        { "at_ms": 60, "type": "client_request", "value": "B", "node": 4 }
    ]);
    let mut s = sim::<Paxos>(prior_accepted_doc(extra, json!({})));
    run_to(&mut s, 49);
    assert_eq!(s.stable(1).accepted.as_ref().map(|p| &*p.value), Some("A"), "{}", replay(&s));
    assert!(s.stable(2).accepted.is_none());
    assert!(learned(&s).iter().all(Option::is_none), "A is accepted by two nodes only: not chosen");
    run_to(&mut s, 1_000);
    assert_safe(&s);
    for i in [1, 2, 4] {
        assert_eq!(learned(&s)[i].as_deref(), Some("A"), "node {i}: {:?}\n{}", learned(&s), replay(&s));
        let p = s.stable(i).accepted.clone().expect("accepted");
        assert!(p.ballot > Ballot::new(1, 0), "A is re-proposed in node 4's higher ballot");
    }
}

// Reference: Paxos Made Simple §2.2 (a majority is needed to choose) and
// §2.4 (learners find out once one is chosen).
#[test]
fn partition_without_majority_decides_nothing_majority_decides_heal_spreads() {
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 5,
        "events": [
            { "at_ms": 0, "type": "partition", "groups": [[0, 2], [1, 3], [4]] },
            { "at_ms": 10, "type": "client_request", "value": "a", "node": 0 },
            { "at_ms": 10, "type": "client_request", "value": "b", "node": 1 },
            { "at_ms": 10, "type": "client_request", "value": "c", "node": 4 },
            { "at_ms": 2000, "type": "partition", "groups": [[1, 2, 3], [0], [4]] },
            { "at_ms": 4000, "type": "heal" }
        ]
    }));
    run_to(&mut s, 1_999);
    assert_safe(&s);
    assert!(learned(&s).iter().all(Option::is_none), "no group has a majority: {:?}\n{}", learned(&s), replay(&s));
    assert!(s.node(0).is_some_and(|p| p.rounds() > 1), "node 0 kept trying");
    run_to(&mut s, 3_999);
    let l = learned(&s);
    let v = l[1].clone().unwrap_or_else(|| panic!("[1,2,3] decides: {l:?}\n{}", replay(&s)));
    assert!(l[2].as_deref() == Some(&v) && l[3].as_deref() == Some(&v), "{l:?}");
    assert!(l[0].is_none() && l[4].is_none(), "the cut-off nodes cannot know yet: {l:?}");
    run_to(&mut s, 6_000);
    assert_safe(&s);
    assert!(all_learned(&s, &v), "after the heal: {:?}\n{}", learned(&s), replay(&s));
}

// Reference: Paxos Made Simple §2.2 (P2b: once chosen, every higher ballot
// proposes the chosen value) and §2.4.
#[test]
fn a_late_proposer_learns_the_already_chosen_value() {
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 8,
        "events": [
            { "at_ms": 0, "type": "crash", "node": 4 },
            { "at_ms": 0, "type": "client_request", "value": "first", "node": 0 },
            { "at_ms": 500, "type": "restart", "node": 4 },
            { "at_ms": 600, "type": "client_request", "value": "late", "node": 4 }
        ]
    }));
    run_to(&mut s, 550);
    assert!(learned(&s)[4].is_none(), "node 4 was down when it was decided");
    run_to(&mut s, 1_500);
    assert_safe(&s);
    assert!(all_learned(&s, "first"), "{:?}\n{}", learned(&s), replay(&s));
    assert!(s.node(4).is_some_and(|p| p.client_value().map(|v| &**v) == Some("late")));
}

fn duel(seed: u64, params: serde_json::Value) -> consensus_lab::sim::Simulator<Paxos> {
    sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": seed,
        "network": { "latency_ms": [10, 10] },
        "params": params,
        "events": [
            { "at_ms": 0, "type": "client_request", "value": "from-0", "node": 0 },
            { "at_ms": 0, "type": "client_request", "value": "from-1", "node": 1 }
        ]
    }))
}

// Reference: Paxos Made Simple §2.4 ("two proposers each keep issuing a
// sequence of proposals with increasing numbers, none of which are ever
// chosen"), and the distinguished proposer that ends it.
#[test]
fn dueling_proposers_without_backoff_livelock_but_stay_safe() {
    let mut s = duel(1, json!({ "backoff": false }));
    run_to(&mut s, 5_000);
    assert_safe(&s);
    assert!(learned(&s).iter().all(Option::is_none), "{:?}\n{}", learned(&s), replay(&s));
    let top = (0..5).filter_map(|i| s.stable(i).promised).max().unwrap_or_default();
    assert!(top.round > 50, "ballots keep climbing: {top}");
}

// Reference: Paxos Made Simple §2.4 (randomized back-off / a distinguished proposer).
#[test]
fn dueling_proposers_with_backoff_decide() {
    for seed in 0..10 {
        let mut s = duel(seed, json!({ "backoff": true }));
        run_to(&mut s, 2_000);
        assert_safe(&s);
        let v = learned(&s)[0].clone().unwrap_or_default();
        assert!(v == "from-0" || v == "from-1", "{:?}\n{}", learned(&s), replay(&s));
        assert!(all_learned(&s, &v));
    }
}

// Reference: Paxos Made Simple §2.4 (a distinguished proposer guarantees progress).
#[test]
fn dueling_proposers_with_a_distinguished_proposer_decide_without_backoff() {
    let mut s = duel(1, json!({ "backoff": false, "distinguished_proposer": 0 }));
    let counts = count_kinds(&mut s, 2_000);
    assert_safe(&s);
    assert!(all_learned(&s, "from-0"), "{:?}\n{}", learned(&s), replay(&s));
    assert_eq!(counts.get("Nack"), None, "nobody competes with the distinguished proposer");
}

// Reference: Paxos Made Simple §2.2 and §2.4: with one proposer and no
// faults, a value is chosen with one prepare, one accept and one decide per
// other node, plus the promise and accepted replies.
#[test]
fn a_decision_costs_exactly_two_phases_and_one_decide() {
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 2,
        "events": [{ "at_ms": 0, "type": "client_request", "value": "v", "node": 3 }]
    }));
    let counts = count_kinds(&mut s, 2_000);
    assert_safe(&s);
    assert!(all_learned(&s, "v"));
    let expected: std::collections::BTreeMap<&str, usize> =
        [("Prepare", 4), ("Promise", 4), ("Accept", 4), ("Accepted", 4), ("Decide", 4)].into_iter().collect();
    assert_eq!(counts, expected);
    assert_eq!(s.stats().messages_sent, 20);
}

// Reference: Paxos Made Simple §2.3 ("an acceptor must remember this
// information even if it fails and then restarts").
#[test]
fn acceptor_state_survives_a_crash() {
    let mut s = sim::<Paxos>(prior_accepted_doc(json!([{ "at_ms": 100, "type": "crash", "node": 1 }]), json!({})));
    run_to(&mut s, 150);
    let kept = s.stable(1).clone();
    assert!(!s.is_up(1));
    assert_eq!(kept.accepted.as_ref().map(|p| (p.ballot, &*p.value)), Some((Ballot::new(1, 0), "A")));
    assert_eq!(kept.promised, Some(Ballot::new(1, 0)));
    s.inject(consensus_lab::scenario::Event::Restart { node: 1 }).expect("restart");
    assert_eq!(s.node(1).and_then(|p| p.accepted()).map(|p| p.ballot), Some(Ballot::new(1, 0)));
    // A restarted proposer never reuses a ballot: node 0 used round 1.
    s.inject(consensus_lab::scenario::Event::Restart { node: 0 }).expect("restart");
    s.inject(consensus_lab::scenario::Event::ClientRequest { value: "again".into(), node: Some(0) }).expect("request");
    assert!(s.node(0).and_then(|p| p.ballot()).is_some_and(|b| b > Ballot::new(1, 0)));
    run_to(&mut s, 1_000);
    assert_safe(&s);
}

// Reference: Paxos Made Simple §2.4 (a distinguished proposer); clients go to a proposer.
#[test]
fn non_proposers_redirect_clients_to_a_proposer() {
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 3, "seed": 4,
        "params": { "proposers": [2] },
        "events": [{ "at_ms": 0, "type": "client_request", "value": "r", "node": 0 }]
    }));
    run_to(&mut s, 500);
    assert_safe(&s);
    assert!(all_learned(&s, "r"));
    assert!(s.node(2).is_some_and(|p| p.client_value().is_some()));
    assert!(s.node(0).is_some_and(|p| p.client_value().is_none()));
}

#[test]
fn params_are_validated_and_unknown_keys_rejected() {
    let bad = |params: serde_json::Value| {
        let doc = json!({ "version": 1, "protocol": "paxos", "nodes": 3, "seed": 1, "params": params });
        let sc = consensus_lab::scenario::Scenario::from_json_str(&doc.to_string()).expect("parses");
        match consensus_lab::sim::Simulator::<Paxos>::new(sc) {
            Ok(_) => panic!("accepted {params}"),
            Err(e) => e.to_string(),
        }
    };
    assert!(bad(json!({ "bogus": 1 })).contains("unknown field"));
    assert!(bad(json!({ "proposers": [3] })).contains("does not exist"));
    assert!(bad(json!({ "proposers": [] })).contains("at least one"));
    assert!(bad(json!({ "proposers": [1, 1] })).contains("twice"));
    assert!(bad(json!({ "distinguished_proposer": 1, "proposers": [2] })).contains("not among"));
    assert!(bad(json!({ "backoff_ms": [50, 10] })).contains("backoff_ms"));
    assert!(bad(json!({ "round_timeout_ms": 0 })).contains("round_timeout_ms"));
    let one = sim::<Paxos>(json!({ "version": 1, "protocol": "paxos", "nodes": 1, "seed": 1 }));
    assert_eq!(one.nodes(), 1);
}

// Reference: docs/SCENARIO-FORMAT (node fields for "paxos"); Paxos Made
// Simple §2.2 for what they hold.
#[test]
fn node_views_carry_the_scenario_format_fields() {
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 3, "seed": 1,
        "events": [
            { "at_ms": 0, "type": "client_request", "value": "x=1", "node": 1 },
            { "at_ms": 500, "type": "crash", "node": 2 }
        ]
    }));
    run_to(&mut s, 600);
    let snap = serde_json::to_value(s.snapshot()).expect("serializes");
    let n1 = &snap["nodes"][1];
    assert_eq!(n1["promised"], json!([1, 1]));
    assert_eq!(n1["accepted"], json!({ "ballot": [1, 1], "value": "x=1" }));
    assert_eq!(n1["learned"], json!("x=1"));
    assert_eq!(n1["phase"], json!("done"));
    assert_eq!(n1["own_value"], json!("x=1"));
    let n2 = &snap["nodes"][2];
    assert_eq!(n2["up"], json!(false));
    assert_eq!(n2["learned"], json!("x=1"), "a crashed node shows what it kept");
    let first = snap["messages"].as_array().map_or(0, Vec::len);
    assert_eq!(first, 0, "nothing left in flight");
}

// Reference: the scenario contract: the same scenario gives the same run.
#[test]
fn the_same_scenario_gives_the_same_run() {
    let doc = json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 11,
        "network": { "latency_ms": [5, 40], "drop_rate": 0.1, "duplicate_rate": 0.1 },
        "events": [
            { "at_ms": 0, "type": "client_request", "value": "a", "node": 0 },
            { "at_ms": 5, "type": "client_request", "value": "b", "node": 3 },
            { "at_ms": 60, "type": "crash", "node": 3 },
            { "at_ms": 400, "type": "restart", "node": 3 }
        ]
    });
    let mut a = sim::<Paxos>(doc.clone());
    let mut b = sim::<Paxos>(doc);
    run_to(&mut a, 3_000);
    run_to(&mut b, 3_000);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_safe(&a);
    let mut c = sim::<Paxos>(serde_json::from_str(&a.scenario().to_json_string()).expect("json"));
    run_to(&mut c, 3_000);
    assert_eq!(a.trace_hash(), c.trace_hash(), "the written-out scenario replays the run");
}
