//! Three-phase commit, scenario by scenario: the normal cases, coordinator
//! crashes that no longer block, and the partition that breaks atomicity
//! (the known flaw, shown on purpose).

use crate::commit_common;

use commit_common::{run, sim, states, tx, view, violated};
use consensus_lab::commit::{ThreePc, ThreePcParams};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

/// A 3PC scenario with fixed 100 ms latency: a request at 0 reaches the
/// participants at 100, they vote at 150, the votes arrive at 250, PreCommit
/// arrives at 350 and the acknowledgements at 450.
fn doc(nodes: usize, params: Value, events: Value) -> Value {
    json!({
        "version": 1, "protocol": "3pc", "nodes": nodes, "seed": 1,
        "network": { "latency_ms": [100, 100] },
        "params": params, "events": events
    })
}

#[test]
fn all_yes_votes_commit_through_precommit() {
    // Reference: Skeen 1981, the central-site three-phase protocol.
    let mut s = sim::<ThreePc>(doc(4, json!({}), json!([{ "at_ms": 0, "type": "client_request", "value": "t1" }])));
    run(&mut s, 400);
    assert_eq!(states(&s, "t1"), ["precommitting", "precommitted", "precommitted", "precommitted"]);
    run(&mut s, 2_000);
    assert_eq!(states(&s, "t1"), ["committed"; 4]);
    assert_eq!(view(&s, 0).log, ["begin t1", "precommit t1", "commit t1", "end t1"]);
    for p in 1..4 {
        assert_eq!(view(&s, p).log, ["yes t1", "precommit t1", "commit t1"]);
        assert!(!tx(&s, p, "t1").by_timeout);
    }
    assert!(s.violations().is_empty());
}

#[test]
fn one_no_vote_aborts_everywhere() {
    // Reference: Skeen 1981 — any no vote leads the coordinator to abort.
    let mut s = sim::<ThreePc>(doc(
        4,
        json!({ "no_voters": [3] }),
        json!([{ "at_ms": 0, "type": "client_request", "value": "t1" }]),
    ));
    run(&mut s, 3_000);
    assert_eq!(states(&s, "t1"), ["aborted"; 4]);
    assert!(tx(&s, 0, "t1").ended);
    assert!(s.violations().is_empty());
}

#[test]
fn coordinator_crash_before_precommit_does_not_block_participants_abort_by_timeout() {
    // Reference: Skeen 1981, timeout transitions — a slave that times out in
    // its wait state (voted yes, no PreCommit) aborts.
    let mut s = sim::<ThreePc>(doc(
        4,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 200, "type": "crash", "node": 0 },
            { "at_ms": 5000, "type": "restart", "node": 0 }
        ]),
    ));
    run(&mut s, 1_100);
    assert_eq!(states(&s, "t1")[1..], ["prepared"; 3]);
    // Voted at 150; the 1000 ms timeout expires at 1150, with node 0 down.
    run(&mut s, 1_200);
    for p in 1..4 {
        let v = tx(&s, p, "t1");
        assert_eq!((v.state, v.by_timeout, v.blocked), ("aborted", true, false), "node {p}");
    }
    // The restarted coordinator had not pre-committed, so it aborts too.
    run(&mut s, 6_000);
    assert_eq!(states(&s, "t1"), ["aborted"; 4]);
    assert!(tx(&s, 0, "t1").ended);
    assert!(s.violations().is_empty());
}

#[test]
fn coordinator_crash_after_precommit_participants_commit_by_timeout() {
    // Reference: Skeen 1981, timeout transitions — a slave that times out in
    // the prepared-to-commit state commits; the coordinator's failure
    // transition from that state is commit too.
    let mut s = sim::<ThreePc>(doc(
        4,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 400, "type": "crash", "node": 0 },
            { "at_ms": 5000, "type": "restart", "node": 0 }
        ]),
    ));
    run(&mut s, 1_300);
    assert_eq!(states(&s, "t1")[1..], ["precommitted"; 3]);
    run(&mut s, 1_400);
    for p in 1..4 {
        let v = tx(&s, p, "t1");
        assert_eq!((v.state, v.by_timeout), ("committed", true), "node {p}");
    }
    run(&mut s, 6_000);
    assert_eq!(states(&s, "t1"), ["committed"; 4]);
    assert_eq!(view(&s, 0).log, ["begin t1", "precommit t1", "commit t1", "end t1"]);
    assert!(s.violations().is_empty());
}

#[test]
fn partition_between_precommitted_and_prepared_participants_breaks_atomicity() {
    // Reference: Skeen 1981 assumes a network that never partitions; with a
    // partition the timeout rules decide commit on one side and abort on the
    // other — the known flaw, reported by the atomicity invariant.
    let mut s = sim::<ThreePc>(doc(
        5,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            // PreCommit left at 250; it reaches 1 and 2 but not 3 and 4.
            { "at_ms": 300, "type": "partition", "groups": [[0, 1, 2], [3, 4]] }
        ]),
    ));
    run(&mut s, 1_000);
    assert_eq!(states(&s, "t1"), ["committed", "committed", "committed", "prepared", "prepared"]);
    assert!(s.violations().is_empty());
    run(&mut s, 1_200);
    assert_eq!(states(&s, "t1"), ["committed", "committed", "committed", "aborted", "aborted"]);
    assert!(tx(&s, 3, "t1").by_timeout && tx(&s, 4, "t1").by_timeout);
    assert_eq!(violated(&s), ["atomicity"]);
    let v = &s.violations()[0];
    assert_eq!(v.at_ms, 1_150);
    assert!(v.detail.contains("\"t1\" is committed at node 0 but aborted at node 3"), "{}", v.detail);
}

#[test]
fn a_late_precommit_after_a_timeout_abort_is_ignored() {
    // Reference: Skeen 1981 — a decided site never changes its decision.
    // PreCommit is delayed past the participant timeout on one link.
    let mut s = sim::<ThreePc>(doc(
        3,
        json!({ "participant_timeout_ms": 300 }),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 200, "type": "link", "from": 0, "to": 2, "latency_ms": [1000, 1000] }
        ]),
    ));
    run(&mut s, 3_000);
    assert_eq!(tx(&s, 2, "t1").state, "aborted");
    assert!(tx(&s, 2, "t1").by_timeout);
    assert_eq!(view(&s, 2).log, ["yes t1", "abort t1"]);
    // Node 1 pre-committed in time, then committed: the flaw again.
    assert_eq!(tx(&s, 1, "t1").state, "committed");
    assert_eq!(violated(&s), ["atomicity"]);
}

#[test]
fn the_timeout_inject_applies_the_participant_timeout_rule_now() {
    // Reference: Skeen 1981, timeout transitions.
    let mut s = sim::<ThreePc>(doc(
        3,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 200, "type": "timeout", "node": 1 }
        ]),
    ));
    run(&mut s, 200);
    assert_eq!(tx(&s, 1, "t1").state, "aborted");
    run(&mut s, 3_000);
    // The coordinator got node 1's yes vote, so it pre-commits; node 2 then
    // commits after PreCommit, while node 1 already aborted alone.
    assert_eq!(tx(&s, 2, "t1").state, "committed");
    assert_eq!(violated(&s), ["atomicity"]);
}

#[test]
fn parameters_have_documented_defaults_and_checked_ranges() {
    // Reference: Skeen 1981, the timeouts behind the timeout transitions,
    // with the defaults of docs/protocols/commit.md.
    let d = ThreePcParams::default();
    assert_eq!(
        (d.vote_delay_ms, d.vote_timeout_ms, d.ack_timeout_ms, d.participant_timeout_ms, d.retry_ms),
        (50, 500, 500, 1_000, 500)
    );
    let err = |params: Value| {
        let doc = json!({ "version": 1, "protocol": "3pc", "nodes": 4, "seed": 1, "params": params });
        Simulator::<ThreePc>::new(Scenario::from_json_str(&doc.to_string()).unwrap()).err().map(|e| e.to_string())
    };
    assert_eq!(err(json!({ "no_voters": [2], "participant_timeout_ms": 2000 })), None);
    assert!(err(json!({ "participant_timeout_ms": 0 })).unwrap().contains("participant_timeout_ms"));
    assert!(err(json!({ "no_voters": [0] })).unwrap().contains("coordinator"));
    assert!(err(json!({ "decision_timeout_ms": 10 })).unwrap().contains("unknown field"));
}
