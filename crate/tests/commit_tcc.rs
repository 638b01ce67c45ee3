//! Try / confirm / cancel (crate/src/commit/tcc.rs): confirm when every try
//! reserved, cancel on a refusal or a timeout, and the three pitfalls —
//! idempotence, the empty rollback, the hanging try — each handled, and each
//! caught by the checker in its broken variant.

use crate::commit_common;

use commit_common::{run, sim, violated};
use consensus_lab::commit::{Seats, Tcc, TccView};
use consensus_lab::protocol::{NodeId, Protocol};
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

fn tcc(nodes: usize, params: Value, events: Value) -> Simulator<Tcc> {
    let net = json!({ "latency_ms": [90, 110] });
    sim(
        json!({ "version": 1, "protocol": "tcc", "nodes": nodes, "seed": 3, "network": net, "params": params, "events": events }),
    )
}

fn view(s: &Simulator<Tcc>, id: NodeId) -> TccView {
    s.node(id).map_or_else(|| Tcc::view_down(id, s.stable(id)), Protocol::view)
}

fn seats(s: &Simulator<Tcc>, id: NodeId) -> (i64, i64, i64) {
    let Seats { free, held, sold, .. } = s.stable(id).seats.clone();
    (free, held, sold)
}

fn state(s: &Simulator<Tcc>, id: NodeId, tx: &str) -> &'static str {
    view(s, id).transactions.get(tx).map_or("", |t| t.state)
}

fn request(at: u64, tx: &str) -> Value {
    json!({ "at_ms": at, "type": "client_request", "value": tx })
}

/// The try from n0 to `to` is held up `delay` ms (sent between 150 and 250 ms).
fn slow_try(to: NodeId, delay: u64, tx: &str) -> Value {
    json!([
        { "at_ms": 150, "type": "link", "from": 0, "to": to, "latency_ms": [delay, delay] },
        request(200, tx),
        { "at_ms": 250, "type": "link", "from": 0, "to": to, "latency_ms": [90, 110] },
    ])
}

#[test]
fn every_try_reserves_so_every_reservation_is_confirmed() {
    let mut s = tcc(3, json!({ "capacity": 4, "amount": 2 }), json!([request(100, "t1")]));
    run(&mut s, 1_000);
    assert_eq!(view(&s, 0).transactions["t1"].state, "confirmed");
    assert!(view(&s, 0).transactions["t1"].ended);
    for p in 1..3 {
        assert_eq!(state(&s, p, "t1"), "confirmed");
        assert_eq!(seats(&s, p), (2, 0, 2), "n{p}: two seats sold");
    }
    assert!(s.violations().is_empty());
}

#[test]
fn a_refused_try_cancels_and_releases_the_other_reservations() {
    // Two seats at each participant, but n2 has sold them to t1 already.
    let mut s = tcc(3, json!({ "capacity": 2, "amount": 2 }), json!([request(100, "t1"), request(1_000, "t2")]));
    run(&mut s, 2_000);
    assert_eq!(view(&s, 0).transactions["t2"].state, "cancelled");
    assert_eq!((state(&s, 1, "t2"), state(&s, 2, "t2")), ("refused", "refused"));
    assert_eq!(seats(&s, 1), (0, 0, 2));
    assert!(s.violations().is_empty());
}

#[test]
fn a_repeated_confirm_changes_nothing_and_the_broken_variant_sells_twice() {
    // Every message is duplicated: each confirm and cancel arrives twice.
    let run_with = |idempotent: bool| {
        let doc = json!({ "version": 1, "protocol": "tcc", "nodes": 3, "seed": 3,
            "network": { "latency_ms": [10, 30], "duplicate_rate": 1.0 },
            "params": { "idempotent": idempotent }, "events": [request(100, "t1")] });
        let mut s: Simulator<Tcc> = sim(doc);
        run(&mut s, 1_000);
        s
    };
    let s = run_with(true);
    assert_eq!(seats(&s, 1), (5, 0, 1));
    assert!(s.violations().is_empty());
    let s = run_with(false);
    assert_eq!(violated(&s), ["conservation", "conservation"], "at n1 and at n2");
    assert!(s.violations()[0].detail.contains("sold 2"), "{}", s.violations()[0].detail);
}

#[test]
fn the_empty_rollback_records_the_cancel_and_releases_nothing() {
    // The try for n2 is lost; the coordinator times out and cancels.
    let events = |_: ()| {
        json!([
            { "at_ms": 150, "type": "link", "from": 0, "to": 2, "drop_rate": 1.0 },
            request(200, "t1"),
            { "at_ms": 250, "type": "link", "from": 0, "to": 2, "drop_rate": 0.0, "latency_ms": [90, 110] },
        ])
    };
    let mut s = tcc(3, json!({ "try_timeout_ms": 500 }), events(()));
    run(&mut s, 1_500);
    assert_eq!(state(&s, 2, "t1"), "empty-cancel");
    assert_eq!(seats(&s, 2), (6, 0, 0));
    assert_eq!(state(&s, 1, "t1"), "cancelled");
    assert_eq!(seats(&s, 1), (6, 0, 0), "n1's reservation released");
    assert!(view(&s, 0).transactions["t1"].ended);
    assert_eq!(s.metrics().get("empty_rollbacks"), Some(1.0));
    assert!(s.violations().is_empty());
    let mut s = tcc(3, json!({ "try_timeout_ms": 500, "empty_rollback": false }), events(()));
    run(&mut s, 1_500);
    assert_eq!(violated(&s), ["conservation"], "released a seat never reserved");
}

#[test]
fn a_try_that_arrives_after_its_cancel_is_refused_and_the_broken_variant_hangs() {
    let mut s = tcc(3, json!({ "try_timeout_ms": 500 }), slow_try(2, 1_500, "t1"));
    run(&mut s, 1_600);
    assert!(view(&s, 0).transactions["t1"].ended, "cancelled and ended before the try arrives");
    assert_eq!(state(&s, 2, "t1"), "empty-cancel");
    run(&mut s, 2_500);
    assert_eq!(state(&s, 2, "t1"), "empty-cancel", "the late try is refused");
    assert_eq!(seats(&s, 2), (6, 0, 0));
    assert!(s.violations().is_empty());
    let mut s = tcc(3, json!({ "try_timeout_ms": 500, "refuse_late_try": false }), slow_try(2, 1_500, "t1"));
    run(&mut s, 2_500);
    assert_eq!(state(&s, 2, "t1"), "reserved");
    assert_eq!(seats(&s, 2), (5, 1, 0), "held forever");
    assert_eq!(violated(&s), ["nothing_reserved_after_end"]);
}

#[test]
fn a_restarted_coordinator_cancels_what_it_never_decided() {
    let events = json!([request(100, "t1"), { "at_ms": 150, "type": "crash", "node": 0 }, { "at_ms": 1_000, "type": "restart", "node": 0 }]);
    let mut s = tcc(3, json!({}), events);
    run(&mut s, 900);
    assert_eq!((state(&s, 1, "t1"), state(&s, 2, "t1")), ("reserved", "reserved"), "reserved, waiting");
    run(&mut s, 2_000);
    assert_eq!(view(&s, 0).transactions["t1"].state, "cancelled");
    for p in 1..3 {
        assert_eq!(seats(&s, p), (6, 0, 0), "n{p} released its seat");
    }
    assert!(s.violations().is_empty());
}

#[test]
fn bad_tcc_params_are_refused_by_name() {
    for (params, want) in [
        (json!({ "amount": 0 }), "amount"),
        (json!({ "try_timeout_ms": 0 }), "try_timeout_ms"),
        (json!({ "seats": 1 }), "seats"),
    ] {
        let doc = json!({ "version": 1, "protocol": "tcc", "nodes": 3, "seed": 1, "params": params });
        let err = consensus_lab::scenario::Scenario::from_value(&doc)
            .map_err(|e| e.to_string())
            .and_then(|s| Simulator::<Tcc>::new(s).map(|_| ()).map_err(|e| e.to_string()))
            .expect_err("refused");
        assert!(err.contains(want), "{err}");
    }
}
