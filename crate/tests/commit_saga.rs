//! Sagas (crate/src/commit/saga.rs): steps in order, compensation in
//! reverse, forward recovery of a crashed orchestrator, idempotent retries,
//! the missing isolation, and the two broken variants.

use crate::commit_common;

use commit_common::{run, sim, violated};
use consensus_lab::commit::{Saga, SagaView};
use consensus_lab::explore::judge;
use consensus_lab::protocol::{NodeId, Protocol};
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

fn saga(nodes: usize, params: Value, events: Value) -> Simulator<Saga> {
    sim(json!({ "version": 1, "protocol": "saga", "nodes": nodes, "seed": 3, "params": params, "events": events }))
}

fn view(s: &Simulator<Saga>, id: NodeId) -> SagaView {
    s.node(id).map_or_else(|| Saga::view_down(id, s.stable(id)), Protocol::view)
}

fn outcome(s: &Simulator<Saga>, tx: &str) -> Option<&'static str> {
    view(s, 0).transactions.get(tx).and_then(|t| t.outcome)
}

fn request(at: u64, tx: &str) -> Value {
    json!({ "at_ms": at, "type": "client_request", "value": tx })
}

#[test]
fn every_step_runs_in_order_and_the_saga_commits() {
    // Reference: Garcia-Molina & Salem §2, the sequence T1, T2, …, Tn.
    let mut s = saga(4, json!({}), json!([request(100, "t1")]));
    run(&mut s, 2_000);
    assert_eq!(outcome(&s, "t1"), Some("committed"));
    assert_eq!(view(&s, 0).log, ["begin t1", "T1 done t1", "T2 done t1", "T3 done t1", "committed t1"]);
    for p in 1..4 {
        assert_eq!(view(&s, p).transactions["t1"].state, "done", "n{p}");
        assert_eq!(view(&s, p).applied, Some(vec!["t1".into()]));
    }
    assert!(s.violations().is_empty());
}

#[test]
fn a_failed_step_is_compensated_in_reverse_and_the_saga_ends_compensated() {
    // Reference: Garcia-Molina & Salem §2, T1, …, Tj, Cj, …, C1.
    let mut s = saga(5, json!({ "fail_steps": [3] }), json!([request(100, "t1")]));
    run(&mut s, 3_000);
    assert_eq!(outcome(&s, "t1"), Some("compensated"));
    let log = view(&s, 0).log;
    assert_eq!(
        log,
        ["begin t1", "T1 done t1", "T2 done t1", "T3 failed t1", "C2 done t1", "C1 done t1", "compensated t1"]
    );
    let states: Vec<&str> = (1..5).map(|p| view(&s, p).transactions.get("t1").map_or("", |t| t.state)).collect();
    assert_eq!(states, ["compensated", "compensated", "failed", ""], "T4 never ran");
    assert!(s.violations().is_empty(), "{:?}", s.violations());
}

#[test]
fn a_first_step_that_fails_leaves_nothing_to_compensate() {
    let mut s =
        saga(3, json!({ "fail_steps": [1], "fail_txs": ["t2"] }), json!([request(100, "t1"), request(150, "t2")]));
    run(&mut s, 2_000);
    assert_eq!(outcome(&s, "t1"), Some("committed"), "fail_txs limits the failure to t2");
    assert_eq!(outcome(&s, "t2"), Some("compensated"));
    assert!(!view(&s, 0).log.iter().any(|l| l.starts_with('C')), "no compensation ran");
    assert!(s.violations().is_empty());
}

#[test]
fn a_crashed_orchestrator_reads_its_log_and_resumes_forward() {
    // Reference: Garcia-Molina & Salem §5, backward recovery only for aborts;
    // after a crash the saga execution component continues from its log.
    let events = json!([request(100, "t1"), { "at_ms": 250, "type": "crash", "node": 0 }, { "at_ms": 1_000, "type": "restart", "node": 0 }]);
    let mut s = saga(4, json!({}), events);
    run(&mut s, 999);
    assert_eq!(view(&s, 0).log[..2], ["begin t1", "T1 done t1"]);
    run(&mut s, 3_000);
    assert_eq!(outcome(&s, "t1"), Some("committed"));
    assert!(s.violations().is_empty());
}

#[test]
fn retries_and_duplicates_never_run_a_step_or_compensation_twice() {
    let events: Vec<Value> = (0..6).map(|i| request(100 + 200 * i, &format!("t{i}"))).collect();
    let doc = json!({ "version": 1, "protocol": "saga", "nodes": 4, "seed": 9,
        "network": { "latency_ms": [10, 60], "drop_rate": 0.3, "duplicate_rate": 0.4 },
        "params": { "fail_steps": [2], "fail_txs": ["t1", "t4"], "retry_ms": 100 }, "events": events });
    let mut s: Simulator<Saga> = sim(doc);
    run(&mut s, 20_000);
    for i in 0..6 {
        let want = if i == 1 || i == 4 { "compensated" } else { "committed" };
        assert_eq!(outcome(&s, &format!("t{i}")), Some(want), "t{i}");
    }
    for p in 1..4 {
        let log = view(&s, p).log;
        let mut unique = log.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), log.len(), "n{p} ran something twice: {log:?}");
    }
    assert!(s.violations().is_empty(), "{:?}", s.violations());
}

#[test]
fn a_later_saga_reads_the_partial_result_of_one_that_is_compensated() {
    // Reference: Garcia-Molina & Salem §1, sagas give up isolation.
    let params = json!({ "step_ms": 150, "fail_steps": [2], "fail_txs": ["t1"] });
    let mut s = saga(3, params, json!([request(200, "t1"), request(600, "t2")]));
    run(&mut s, 2_000);
    assert_eq!(outcome(&s, "t1"), Some("compensated"));
    assert_eq!(outcome(&s, "t2"), Some("committed"));
    assert_eq!(view(&s, 1).transactions["t2"].saw, Some(vec!["t1".into()]), "t2's T1 ran on t1's T1");
    assert_eq!(s.metrics().get("dirty_reads"), Some(1.0));
    assert!(s.violations().is_empty(), "a dirty read is the saga's nature, not a violation");
}

#[test]
fn compensating_forward_is_caught_by_reverse_compensation() {
    let v = Saga::spec().variant("compensate-forward").expect("declared");
    let params: Value = serde_json::from_str(v.params).expect("json");
    let mut s = saga(4, params, json!([request(100, "t1")]));
    run(&mut s, 2_000);
    assert_eq!(violated(&s), ["reverse_compensation"]);
    assert!(s.violations()[0].detail.contains("C1"), "{}", s.violations()[0].detail);
}

#[test]
fn an_orchestrator_without_a_log_leaves_a_saga_half_done_forever() {
    let doc = |log: bool| {
        json!({ "version": 1, "protocol": "saga", "nodes": 4, "seed": 3, "params": { "durable_log": log },
            "events": [request(100, "t1"), { "at_ms": 170, "type": "crash", "node": 0 },
                       { "at_ms": 1_000, "type": "restart", "node": 0 }], "run_until_ms": 8_000 })
    };
    let broken = consensus_lab::scenario::Scenario::from_value(&doc(false)).expect("valid");
    let found = judge(&broken, Some(1_000)).expect("runs").expect("a liveness failure");
    assert_eq!(found.invariant, "liveness");
    assert!(found.detail.contains("no record"), "{}", found.detail);
    let fine = consensus_lab::scenario::Scenario::from_value(&doc(true)).expect("valid");
    assert_eq!(judge(&fine, Some(1_000)).expect("runs"), None);
}

#[test]
fn bad_saga_params_are_refused_by_name() {
    for (params, want) in [
        (json!({ "fail_steps": [0] }), "orchestrator"),
        (json!({ "fail_steps": [7] }), "node 7 does not exist"),
        (json!({ "retry_ms": 0 }), "retry_ms"),
        (json!({ "nope": 1 }), "nope"),
    ] {
        let doc = json!({ "version": 1, "protocol": "saga", "nodes": 3, "seed": 1, "params": params });
        let err = consensus_lab::scenario::Scenario::from_value(&doc)
            .map_err(|e| e.to_string())
            .and_then(|s| Simulator::<Saga>::new(s).map(|_| ()).map_err(|e| e.to_string()))
            .expect_err("refused");
        assert!(err.contains(want), "{err}");
    }
}
