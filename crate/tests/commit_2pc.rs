//! Two-phase commit, scenario by scenario: the normal cases, the blocking
//! case and recovery from the coordinator's log, participant failure, and
//! the engine's contract (redirects, duplicate names, parameters).

use crate::commit_common;

use commit_common::{run, sim, states, tx, view};
use consensus_lab::commit::{Decision, TwoPc, TwoPcParams};
use consensus_lab::protocol::{ClientReply, Ctx, Out, Params, Protocol};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// A 2PC scenario with fixed 100 ms latency, so message timings are exact:
/// a request at 0 reaches participants at 100, they vote at 150 (default
/// vote_delay_ms 50) and the votes reach the coordinator at 250.
fn doc(nodes: usize, params: Value, events: Value) -> Value {
    json!({
        "version": 1, "protocol": "2pc", "nodes": nodes, "seed": 1,
        "network": { "latency_ms": [100, 100] },
        "params": params, "events": events
    })
}

#[test]
fn all_yes_votes_commit_everywhere() {
    // Reference: Gray & Lamport §3 — the TM commits once every RM is prepared.
    let mut s = sim::<TwoPc>(doc(4, json!({}), json!([{ "at_ms": 0, "type": "client_request", "value": "t1" }])));
    run(&mut s, 2_000);
    assert_eq!(states(&s, "t1"), ["committed"; 4]);
    for p in 1..4 {
        assert_eq!(tx(&s, p, "t1").vote, Some("yes"));
        assert_eq!(view(&s, p).log, ["yes t1", "commit t1"]);
    }
    let c = tx(&s, 0, "t1");
    assert_eq!(c.decision, Some(Decision::Commit));
    assert_eq!(c.acks, Some(vec![1, 2, 3]));
    assert!(c.ended);
    assert_eq!(view(&s, 0).log, ["begin t1", "commit t1", "end t1"]);
    // Votes travel to the page as a list: its serializer takes string map keys only.
    let shown = serde_json::to_value(view(&s, 0)).unwrap();
    assert_eq!(
        shown["transactions"]["t1"]["votes"],
        json!([{ "node": 1, "vote": "yes" }, { "node": 2, "vote": "yes" }, { "node": 3, "vote": "yes" }])
    );
    assert!(s.violations().is_empty());
}

#[test]
fn one_no_vote_aborts_everywhere() {
    // Reference: Gray & Lamport §3 — an RM may abort instead of preparing;
    // the TM then aborts the transaction.
    let mut s = sim::<TwoPc>(doc(
        4,
        json!({ "no_voters": [2] }),
        json!([{ "at_ms": 0, "type": "client_request", "value": "t1" }]),
    ));
    run(&mut s, 2_000);
    assert_eq!(states(&s, "t1"), ["aborted"; 4]);
    assert_eq!(tx(&s, 2, "t1").vote, Some("no"));
    assert_eq!(tx(&s, 1, "t1").vote, Some("yes"));
    assert!(tx(&s, 0, "t1").ended);
    assert!(s.violations().is_empty());
}

#[test]
fn coordinator_crash_after_the_votes_blocks_prepared_participants_until_it_restarts() {
    // Reference: Gray & Lamport §3 — if the TM fails, prepared RMs cannot
    // learn the outcome and must wait for it to be repaired; a TM that
    // restarts with no decision logged aborts (presumed abort).
    let mut s = sim::<TwoPc>(doc(
        4,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 200, "type": "crash", "node": 0 },
            { "at_ms": 60000, "type": "restart", "node": 0 }
        ]),
    ));
    // Votes left at 150 and were lost with the coordinator at 200.
    for t in [1_000, 10_000, 30_000, 59_999] {
        run(&mut s, t);
        for p in 1..4 {
            let v = tx(&s, p, "t1");
            assert_eq!((v.state, v.blocked, v.decision), ("uncertain", true, None), "node {p} at {t} ms");
        }
    }
    assert_eq!(view(&s, 0).log, ["begin t1"]);
    run(&mut s, 61_000);
    assert_eq!(states(&s, "t1"), ["aborted"; 4]);
    assert!((1..4).all(|p| !tx(&s, p, "t1").blocked));
    assert_eq!(view(&s, 0).log, ["begin t1", "abort t1", "end t1"]);
    assert!(s.violations().is_empty());
}

#[test]
fn restarted_coordinator_resends_a_logged_commit() {
    // Reference: Gray & Lamport §3 — the TM's decision is on stable storage
    // before it is sent, so a repaired TM finishes the job.
    let mut s = sim::<TwoPc>(doc(
        4,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            // Prepare is already on its way; everything the coordinator sends
            // from now on is lost, so Commit (sent at 250) never arrives.
            { "at_ms": 50, "type": "link", "from": 0, "to": 1, "drop_rate": 1.0 },
            { "at_ms": 50, "type": "link", "from": 0, "to": 2, "drop_rate": 1.0 },
            { "at_ms": 50, "type": "link", "from": 0, "to": 3, "drop_rate": 1.0 },
            { "at_ms": 300, "type": "crash", "node": 0 },
            { "at_ms": 400, "type": "heal" },
            { "at_ms": 5000, "type": "restart", "node": 0 }
        ]),
    ));
    run(&mut s, 4_999);
    assert_eq!(view(&s, 0).log, ["begin t1", "commit t1"]);
    assert_eq!(states(&s, "t1")[1..], ["uncertain"; 3]);
    run(&mut s, 6_000);
    assert_eq!(states(&s, "t1"), ["committed"; 4]);
    assert!(tx(&s, 0, "t1").ended);
    assert!(s.violations().is_empty());
}

#[test]
fn participant_crash_before_voting_aborts_the_transaction() {
    // Reference: Gray & Lamport §3 — the TM may abort while waiting for a
    // Prepared message; a working RM that fails has not prepared.
    let mut s = sim::<TwoPc>(doc(
        4,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 120, "type": "crash", "node": 2 },
            { "at_ms": 2000, "type": "restart", "node": 2 }
        ]),
    ));
    run(&mut s, 110);
    assert_eq!(tx(&s, 2, "t1").state, "working");
    run(&mut s, 1_999);
    assert_eq!(states(&s, "t1"), ["aborted", "aborted", "", "aborted"]);
    assert!(!tx(&s, 0, "t1").ended, "node 2 has not acknowledged");
    run(&mut s, 3_000);
    assert_eq!(states(&s, "t1"), ["aborted"; 4]);
    assert_eq!(tx(&s, 2, "t1").vote, None, "it never voted");
    assert!(tx(&s, 0, "t1").ended);
    assert!(s.violations().is_empty());
}

#[test]
fn same_partition_that_splits_3pc_only_blocks_2pc() {
    // Reference: Gray & Lamport §2 (consistency) and §3 — 2PC may block but
    // never lets participants decide differently.
    let mut s = sim::<TwoPc>(doc(
        5,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 300, "type": "partition", "groups": [[0, 1, 2], [3, 4]] },
            { "at_ms": 20000, "type": "heal" }
        ]),
    ));
    run(&mut s, 19_999);
    assert_eq!(states(&s, "t1"), ["committed", "committed", "committed", "uncertain", "uncertain"]);
    run(&mut s, 21_000);
    assert_eq!(states(&s, "t1"), ["committed"; 5]);
    assert!(s.violations().is_empty());
}

#[test]
fn concurrent_transactions_are_decided_independently() {
    // Reference: Gray & Lamport §2 — each transaction is its own instance of
    // the commit problem.
    let mut s = sim::<TwoPc>(doc(
        4,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 10, "type": "client_request", "value": "t2" },
            { "at_ms": 1000, "type": "partition", "groups": [[0, 1, 2], [3]] },
            { "at_ms": 1100, "type": "client_request", "value": "t3" },
            { "at_ms": 1150, "type": "client_request", "value": "t4" },
            { "at_ms": 3000, "type": "heal" }
        ]),
    ));
    run(&mut s, 5_000);
    assert_eq!(states(&s, "t1"), ["committed"; 4]);
    assert_eq!(states(&s, "t2"), ["committed"; 4]);
    assert_eq!(states(&s, "t3"), ["aborted"; 4]);
    assert_eq!(states(&s, "t4"), ["aborted"; 4]);
    assert!(s.violations().is_empty());
}

#[test]
fn a_repeated_transaction_name_is_the_same_transaction() {
    // Reference: Gray & Lamport §2 — a transaction's outcome is final
    // (stability); one name is one transaction, so a repeated request is a
    // client retry and changes nothing.
    let mut s = sim::<TwoPc>(doc(
        3,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 100, "type": "client_request", "value": "t1" },
            { "at_ms": 2000, "type": "client_request", "value": "t1" }
        ]),
    ));
    run(&mut s, 4_000);
    assert_eq!(view(&s, 0).log, ["begin t1", "commit t1", "end t1"]);
    // Prepare, vote, commit and ack for two participants: nothing more.
    assert_eq!(s.stats().messages_sent, 8);
    assert_eq!(states(&s, "t1"), ["committed"; 3]);
}

#[test]
fn participants_redirect_clients_to_the_coordinator() {
    // Reference: Gray & Lamport §3 — the TM (node 0) runs the protocol.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut p = TwoPc::boot(2, 4, &TwoPcParams::default(), None);
    let mut out = Out::new();
    let reply = p.on_client_request(&mut Ctx::new(0, 2, 4, &mut rng), "t1".into(), &mut out);
    assert_eq!(reply, ClientReply::Redirect(Some(0)));
    assert!(out.effects().is_empty());
    // Through the simulator's client: sent to node 3, it starts at node 0.
    let mut s =
        sim::<TwoPc>(doc(4, json!({}), json!([{ "at_ms": 0, "type": "client_request", "value": "t1", "node": 3 }])));
    run(&mut s, 2_000);
    assert_eq!(states(&s, "t1"), ["committed"; 4]);
}

#[test]
fn the_timeout_inject_makes_the_coordinator_give_up_on_votes() {
    // Reference: Gray & Lamport §3 — the TM may abort at any time before it
    // has decided.
    let mut s = sim::<TwoPc>(doc(
        3,
        json!({}),
        json!([
            { "at_ms": 0, "type": "client_request", "value": "t1" },
            { "at_ms": 120, "type": "timeout", "node": 0 }
        ]),
    ));
    run(&mut s, 1_000);
    assert_eq!(states(&s, "t1"), ["aborted"; 3]);
    assert!(s.violations().is_empty());
}

#[test]
fn parameters_have_documented_defaults_and_checked_ranges() {
    // Reference: Gray & Lamport §3 — the timeouts the protocol relies on,
    // with the defaults of docs/protocols/commit.md.
    let d = TwoPcParams::default();
    assert_eq!((d.vote_delay_ms, d.vote_timeout_ms, d.decision_timeout_ms, d.retry_ms), (50, 500, 500, 500));
    assert!(d.no_voters.is_empty());
    let err = |params: Value, nodes: usize| {
        let doc = json!({ "version": 1, "protocol": "2pc", "nodes": nodes, "seed": 1, "params": params });
        Simulator::<TwoPc>::new(Scenario::from_json_str(&doc.to_string()).unwrap()).err().map(|e| e.to_string())
    };
    assert_eq!(err(json!({ "no_voters": [1, 3] }), 4), None);
    assert!(err(json!({ "no_voters": [0] }), 4).unwrap().contains("coordinator"));
    assert!(err(json!({ "no_voters": [4] }), 4).unwrap().contains("node 4 does not exist"));
    assert!(err(json!({ "vote_timeout_ms": 0 }), 4).unwrap().contains("vote_timeout_ms"));
    assert!(err(json!({ "retry_ms": 700000 }), 4).unwrap().contains("retry_ms"));
    assert!(err(json!({ "vote_timeout": 10 }), 4).unwrap().contains("unknown field"));
    assert!(err(json!({}), 1).unwrap().starts_with("nodes"));
    assert!(err(json!({}), 26).unwrap().starts_with("nodes"));
    assert!(TwoPcParams { vote_delay_ms: 0, ..d }.validate(2).is_ok());
}
