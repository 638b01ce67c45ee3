//! Two real ZooKeeper bugs, as the spec's variants, each beside the correct
//! protocol in the same situation.
//!
//! - ZOOKEEPER-1419: Fast Leader Election's vote comparison lacked an
//!   "equal epochs" clause, so two votes could each beat the other; a 5-node
//!   election flipped between them and never settled.
//! - ZOOKEEPER-3911: followers acknowledged NEWLEADER before the synced
//!   transactions were written; a whole-quorum crash then lost a committed
//!   transaction, and the checker's `committed_kept` reports it.

use crate::paxos_support;

use consensus_lab::scenario::{Event, Scenario};
use consensus_lab::sim::Simulator;
use consensus_lab::zab::election::vote_beats;
use consensus_lab::zab::{PeerState, Persistent, Txn, Vote, Zab, Zxid};
use paxos_support::{assert_safe, replay, run_to};
use serde_json::{Value, json};

fn scenario(nodes: usize, params: Value, events: Value) -> Scenario {
    let doc = json!({ "version": 1, "protocol": "zab", "nodes": nodes, "seed": 11,
                      "network": { "latency_ms": [10, 10] }, "params": params, "events": events });
    Scenario::from_json_str(&doc.to_string()).unwrap()
}

fn disk(current: u64, last: u64) -> Option<Persistent> {
    let history = (1..=last).map(|c| Txn { zxid: Zxid(1, c), value: format!("v{c}").into(), op: None, origin: 0 });
    Some(Persistent { accepted_epoch: current, current_epoch: current, history: history.collect() })
}

/// How many of the first `until` ms some server was leading an established
/// epoch, sampled every 10 ms.
fn ms_with_leader(s: &mut Simulator<Zab>, until: u64) -> u64 {
    let mut with = 0;
    for t in (10..=until).step_by(10) {
        run_to(s, t);
        if (0..s.nodes()).any(|i| s.node(i).is_some_and(Zab::is_established_leader)) {
            with += 10;
        }
    }
    with
}

// Reference: ZOOKEEPER-1419, "Leader election never settles for a 5-node
// cluster": n0 (peer epoch 2, zxid 1.3) and n4 (peer epoch 1, zxid 1.3)
// each beat the other under the old comparison.
#[test]
fn zookeeper_1419_a_five_node_election_never_settles() {
    let v0 = Vote { leader: 0, zxid: Zxid(1, 3), peer_epoch: 2 };
    let v4 = Vote { leader: 4, zxid: Zxid(1, 3), peer_epoch: 1 };
    assert!(vote_beats(&v0, &v4, true) && vote_beats(&v4, &v0, true), "not antisymmetric");
    assert!(vote_beats(&v0, &v4, false) && !vote_beats(&v4, &v0, false));
    let disks = || vec![disk(2, 3), disk(1, 2), disk(1, 2), disk(1, 2), disk(1, 3)];
    // The fixed comparison: n0 leads within a second.
    let mut ok = Simulator::<Zab>::with_stable(scenario(5, json!({}), json!([])), disks()).unwrap();
    run_to(&mut ok, 1_000);
    assert!(ok.node(0).unwrap().is_established_leader(), "{}", replay(&ok));
    assert_safe(&ok);
    // The old one: ten seconds of flipping, and no leader ever.
    let params = json!({ "unsafe_vote_order": true });
    let mut bad = Simulator::<Zab>::with_stable(scenario(5, params, json!([])), disks()).unwrap();
    let with = ms_with_leader(&mut bad, 10_000);
    assert_eq!(with, 0, "a leader was established\n{}", replay(&bad));
    assert!((0..5).all(|i| bad.node(i).unwrap().state() == PeerState::Looking), "{}", replay(&bad));
    assert_safe(&bad);
}

/// Epoch 1: n1 leads n0 and commits x=1 while n2 is cut off. n0 crashes, n1
/// loses its quorum, n2 comes back and n1 leads it into epoch 2, sending it
/// x=1 in a DIFF. The moment n2 has acknowledged NEWLEADER (its currentEpoch
/// is 2), n1 and n2 — the whole quorum of epoch 2 — crash. n0 and n2 restart.
fn whole_quorum_crash(params: Value) -> Simulator<Zab> {
    let events = json!([
        { "at_ms": 0, "type": "partition", "groups": [[0, 1], [2]] },
        { "at_ms": 1000, "type": "client_request", "value": "x=1", "node": 1 },
        { "at_ms": 1500, "type": "crash", "node": 0 },
        { "at_ms": 2200, "type": "heal" },
        { "at_ms": 2200, "type": "timeout", "node": 2 }
    ]);
    let mut s = Simulator::<Zab>::new(scenario(3, params, events)).unwrap();
    run_to(&mut s, 1_400);
    assert!(s.node(1).is_some_and(|z| z.is_established_leader() && z.committed() == 1), "{}", replay(&s));
    while s.stable(2).current_epoch < 2 {
        assert!(s.now() < 6_000, "n2 never joined epoch 2\n{}", replay(&s));
        s.step().unwrap();
    }
    s.inject(Event::Crash { node: 1 }).unwrap();
    s.inject(Event::Crash { node: 2 }).unwrap();
    let t = s.now() + 100;
    s.schedule(t, Event::Restart { node: 0 }).unwrap();
    s.schedule(t, Event::Restart { node: 2 }).unwrap();
    run_to(&mut s, t + 3_000);
    s
}

// Reference: ZOOKEEPER-3911, "Data inconsistency caused by DIFF sync
// uncommitted log": the fix writes the synced transactions before the ACK
// of NEWLEADER.
#[test]
fn zookeeper_3911_acking_newleader_before_writing_loses_a_committed_transaction() {
    // Correct: n2 wrote x=1 before its ACK; it leads epoch 3 with x=1.
    let ok = whole_quorum_crash(json!({}));
    assert_safe(&ok);
    let l = (0..3).find(|&i| ok.node(i).is_some_and(Zab::is_established_leader)).expect("a leader");
    assert_eq!(&*ok.node(l).unwrap().history()[0].value, "x=1", "{}", replay(&ok));
    // The bug: n2's disk says epoch 2 but holds nothing; its vote beats n0's
    // by peer epoch, and n0 is TRUNCated: the committed x=1 is gone.
    let bad = whole_quorum_crash(json!({ "unsafe_ack_before_persist": true }));
    let lost: Vec<_> = bad.violations().iter().filter(|v| v.invariant == "committed_kept").collect();
    assert!(!lost.is_empty(), "the checker reports the loss: {:?}\n{}", bad.violations(), replay(&bad));
    assert!(lost[0].detail.contains("x=1"), "{}", lost[0].detail);
    assert!((0..3).filter_map(|i| bad.node(i)).all(|z| z.history().is_empty()), "{}", replay(&bad));
}

/// Random fault runs of each variant (the shared fault generator) run to
/// the end without a panic; returns how many runs broke an invariant.
fn variant_runs(params: Value, runs: u64) -> u64 {
    use paxos_support::{Rng, random_faults, random_network};
    let mut broken = 0;
    for seed in 0..runs {
        let mut rng = Rng(seed ^ 0x3911_1419);
        let nodes = [3, 5][rng.range(0, 1) as usize];
        let doc = json!({ "version": 1, "protocol": "zab", "nodes": nodes, "seed": seed,
                          "network": random_network(&mut rng), "params": params,
                          "events": random_faults(&mut rng, nodes, 3_000), "run_until_ms": 5_000 });
        let mut s = paxos_support::sim::<Zab>(doc);
        run_to(&mut s, 5_000);
        broken += u64::from(!s.violations().is_empty());
    }
    broken
}

#[test]
fn the_variants_survive_random_faults_without_panicking() {
    let a = variant_runs(json!({ "unsafe_vote_order": true }), 100);
    let b = variant_runs(json!({ "unsafe_ack_before_persist": true }), 100);
    eprintln!("zookeeper-1419: {a} of 100 runs broke an invariant; zookeeper-3911: {b} of 100");
}
