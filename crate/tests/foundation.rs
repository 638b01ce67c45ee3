//! The simulator's second storey: membership (`members`, `join`, `leave`),
//! protocol commands, client operations and their history, the `clients`
//! workload, data-carrying timers, per-kind statistics, metrics and series,
//! and the errors each of them gives for bad input.

use crate::echo;

use consensus_lab::engine::Engine;
use consensus_lab::protocol::Protocol;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use consensus_lab::timeline::Timeline;
use echo::{Echo, EchoWatch};
use serde_json::{Value, json};

fn echo(doc: Value) -> Simulator<Echo> {
    let s = Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"));
    Simulator::with_checker::<EchoWatch>(s).unwrap_or_else(|e| panic!("bad run: {e}"))
}

fn build_err(doc: Value) -> String {
    match Scenario::from_value(&doc) {
        Err(e) => e.to_string(),
        Ok(s) => match Engine::build(s) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected an error for {doc}"),
        },
    }
}

#[test]
fn members_start_and_the_others_are_absent_until_they_join() {
    let mut s = echo(json!({
        "version": 1, "protocol": "echo", "nodes": 4, "seed": 1, "members": [0, 1],
        "params": { "every_ms": 100 },
        "events": [{ "at_ms": 250, "type": "join", "node": 3, "contact": [1] }]
    }));
    s.run_until(200).unwrap();
    assert!(s.is_absent(2) && s.is_absent(3));
    assert_eq!(s.node(0).unwrap().known.iter().copied().collect::<Vec<_>>(), vec![1], "peers are the members");
    let snap = s.snapshot();
    assert_eq!(snap["nodes"][2]["absent"], json!(true));
    assert_eq!(snap["nodes"][2]["up"], json!(false));
    s.run_until(1_000).unwrap();
    let n3 = s.node(3).expect("joined");
    assert_eq!(n3.joined_with, Some(vec![1]), "a joiner knows only its contact");
    assert!(s.node(1).unwrap().known.contains(&3), "its contact learned of it from its ping");
    assert!(s.is_absent(2), "2 never joined");
}

#[test]
fn join_without_contact_knows_every_running_node() {
    let mut s = echo(json!({
        "version": 1, "protocol": "echo", "nodes": 4, "seed": 1, "members": [0, 1, 2],
        "events": [{ "at_ms": 10, "type": "crash", "node": 2 }, { "at_ms": 20, "type": "join", "node": 3 }]
    }));
    s.run_until(100).unwrap();
    assert_eq!(s.node(3).unwrap().joined_with, Some(vec![0, 1]));
}

#[test]
fn leave_says_goodbye_then_the_node_is_absent_and_may_join_again_fresh() {
    let mut s = echo(json!({
        "version": 1, "protocol": "echo", "nodes": 3, "seed": 1, "params": { "every_ms": 50 },
        "events": [
            { "at_ms": 100, "type": "leave", "node": 2 },
            { "at_ms": 100, "type": "crash", "node": 2 },
            { "at_ms": 100, "type": "restart", "node": 2 },
            { "at_ms": 400, "type": "join", "node": 2, "contact": [0] }
        ]
    }));
    s.run_until(300).unwrap();
    assert!(s.is_absent(2));
    assert!(!s.node(0).unwrap().known.contains(&2), "the goodbye arrived");
    let stats = s.stats();
    assert!(stats.by_kind.get("Bye").delivered >= 2, "{:?}", stats.by_kind);
    // Pings 0 and 1 sent to it before the goodbye landed were lost: nobody is there.
    s.run_until(1_000).unwrap();
    let n2 = s.node(2).expect("joined again");
    assert_eq!(n2.stable().boots, 1, "a node that left joins with fresh state");
    let texts: Vec<String> = {
        let mut again = echo(s.scenario().to_value());
        again.record_trace(10_000);
        again.run_until(1_000).unwrap();
        again.trace().since(0).map(|r| r.text.clone()).collect()
    };
    assert!(texts.iter().any(|t| t.contains("crash: node 2 is not a member")), "crash of an absent node is ignored");
    assert!(texts.iter().any(|t| t.contains("restart: node 2 is not a member")));
}

#[test]
fn fixed_clusters_refuse_membership_with_a_clear_line() {
    assert_eq!(
        build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1,
            "events": [{ "at_ms": 5, "type": "join", "node": 2 }] })),
        "events[0].type: raft does not support join (its membership is fixed)"
    );
    assert_eq!(
        build_err(json!({ "version": 1, "protocol": "2pc", "nodes": 3, "seed": 1,
            "events": [{ "at_ms": 5, "type": "leave", "node": 2 }] })),
        "events[0].type: 2pc does not support leave (its membership is fixed)"
    );
    assert!(
        build_err(json!({ "version": 1, "protocol": "paxos", "nodes": 3, "seed": 1, "members": [0, 1] }))
            .starts_with("members: paxos runs a fixed cluster")
    );
    assert!(
        build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1, "members": [0, 0] }))
            .starts_with("members[1]: node 0 is listed twice")
    );
    assert!(
        build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1,
            "events": [{ "at_ms": 5, "type": "join", "node": 2, "contact": [2] }] }))
        .contains("cannot contact itself")
    );
}

#[test]
fn commands_are_declared_checked_and_routed() {
    let mut s = echo(json!({
        "version": 1, "protocol": "echo", "nodes": 3, "seed": 1,
        "events": [
            { "at_ms": 10, "type": "command", "name": "ping", "args": { "to": 2 }, "node": 0 },
            { "at_ms": 20, "type": "command", "name": "refuse", "node": 1 }
        ]
    }));
    s.record_trace(1_000);
    s.run_until(100).unwrap();
    assert_eq!(s.node(0).unwrap().pongs, 1, "the ping went out and its pong came back");
    let texts: Vec<String> = s.trace().since(0).map(|r| r.text.clone()).collect();
    assert!(texts.iter().any(|t| t.contains("command refuse: this node refuses")), "{texts:?}");
    // Live injects are checked the same way.
    let err =
        s.inject(consensus_lab::scenario::Event::Command { name: "pong".into(), args: Default::default(), node: None });
    assert_eq!(
        err.unwrap_err().to_string(),
        "at 100 ms: inject.name: unknown command \"pong\" (echo's commands are: ping, arm, refuse)"
    );
    assert_eq!(
        build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1,
            "events": [{ "at_ms": 5, "type": "command", "name": "add_server" }] })),
        "events[0].name: unknown command \"add_server\" (raft has no commands)"
    );
    assert!(
        build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1,
            "events": [{ "at_ms": 5, "type": "command", "name": "x", "args": [1] }] }))
        .starts_with("events[0].args: must be an object")
    );
}

#[test]
fn timers_carry_data_and_ids_do_not_wrap() {
    // 70,000 distinct timers armed at once, beyond the old 16-bit ids.
    let mut s = echo(json!({
        "version": 1, "protocol": "echo", "nodes": 1, "seed": 1,
        "events": [{ "at_ms": 0, "type": "command", "name": "arm", "args": { "count": 70000 }, "node": 0 }]
    }));
    s.run_until(100).unwrap();
    assert_eq!(s.node(0).unwrap().marks_fired, 70_000);
    assert_eq!(s.stats().timers_fired, 70_000);
}

#[test]
fn client_operations_are_refused_where_no_store_serves_them() {
    assert!(
        build_err(json!({ "version": 1, "protocol": "2pc", "nodes": 3, "seed": 1,
            "events": [{ "at_ms": 5, "type": "client_op", "f": "read" }] }))
        .starts_with("events[0].type: 2pc does not serve client operations")
    );
    assert!(
        build_err(json!({ "version": 1, "protocol": "paxos", "nodes": 3, "seed": 1, "clients": { "count": 2 } }))
            .starts_with("clients: paxos does not serve client operations")
    );
    let op = |fields: Value| {
        let mut e = json!({ "at_ms": 5, "type": "client_op" });
        e.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1, "events": [e] }))
    };
    assert_eq!(op(json!({ "f": "read", "value": "1" })), "events[0].value: a read takes no value");
    assert_eq!(op(json!({ "f": "write" })), "events[0].value: missing (a write sets a value)");
    assert_eq!(
        op(json!({ "f": "write", "value": "1", "expect": "0" })),
        "events[0].expect: only a cas compares with an expected value"
    );
    assert_eq!(
        op(json!({ "f": "swap", "value": "1" })),
        "events[0].f: unknown operation \"swap\" (expected read, write, append or cas)"
    );
    assert_eq!(
        op(json!({ "f": "read", "node": 9 })),
        "events[0].node: node 9 does not exist (this scenario has nodes 0..2)"
    );
    assert!(op(json!({ "f": "read", "timeout_ms": 0 })).starts_with("events[0].timeout_ms: must be between 1"));
    let workload =
        |w: Value| build_err(json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1, "clients": w }));
    assert!(workload(json!({ "count": 0 })).starts_with("clients.count: must be between 1"));
    assert!(workload(json!({ "count": 2, "ops": ["read", "swap"] })).starts_with("clients.ops[1]: unknown operation"));
    assert!(workload(json!({ "count": 2, "think": 3 })).starts_with("clients.think: unknown field"));
    assert!(
        workload(json!({ "count": 2, "from_ms": 50, "until_ms": 10 })).starts_with("clients.until_ms: ends before")
    );
}

/// Raft answers client operations through its log: every completed op of a
/// quiet run has a return time, reads return the value last written, and
/// the history records each call in order.
// Reference: Raft §8 (client interaction): a leader answers once the entry
// is committed and applied.
#[test]
fn raft_serves_client_operations_through_its_log() {
    let doc = json!({
        "version": 1, "protocol": "raft", "nodes": 3, "seed": 4,
        "network": { "latency_ms": [10, 10] },
        "events": [
            { "at_ms": 400, "type": "client_op", "f": "write", "key": "x", "value": "1", "client": 7 },
            { "at_ms": 600, "type": "client_op", "f": "read", "key": "x", "client": 7 },
            { "at_ms": 700, "type": "client_op", "f": "cas", "key": "x", "expect": "1", "value": "2" },
            { "at_ms": 800, "type": "client_op", "f": "cas", "key": "x", "expect": "1", "value": "3" },
            { "at_ms": 900, "type": "client_op", "f": "append", "key": "x", "value": "+" },
            { "at_ms": 1000, "type": "client_op", "f": "read", "key": "x" }
        ],
        "run_until_ms": 3000
    });
    let mut w = Engine::from_json(&doc.to_string()).unwrap();
    w.run_until(3_000).unwrap();
    let h = w.history();
    assert_eq!(h.len(), 6);
    assert!(h.iter().enumerate().all(|(i, op)| op.id == i as u64 && op.return_ms.is_some()), "{h:?}");
    assert_eq!(h[0].client, 7);
    assert_eq!(h[2].client, 0, "an op naming no client comes from client 0 when there is no workload");
    assert_eq!(h[1].value.as_deref(), Some("1"));
    assert_eq!((h[2].ok, h[3].ok), (Some(true), Some(false)), "the second cas finds 2, not 1");
    assert_eq!(h[5].value.as_deref(), Some("2+"));
    let result: Value = serde_json::from_str(&w.result_json()).unwrap();
    assert_eq!(result["history"].as_array().unwrap().len(), 6);
    assert_eq!(result["history"][2]["expect"], json!("1"));
    assert_eq!(result["consistency"]["converged"], json!(true), "{}", result["consistency"]);
}

#[test]
fn a_client_on_the_minority_side_gets_no_answer_from_raft() {
    // Clients homed on node 0, cut off with node 1 from a majority that
    // elects its own leader: their operations time out (indeterminate).
    let doc = json!({
        "version": 1, "protocol": "raft", "nodes": 5, "seed": 2,
        "clients": { "count": 2, "ops": ["write", "read"], "nodes": [0], "from_ms": 1500, "until_ms": 4000, "timeout_ms": 500 },
        "events": [{ "at_ms": 1000, "type": "partition", "groups": [[0, 1], [2, 3, 4]] }],
        "run_until_ms": 4500
    });
    let mut w = Engine::from_json(&doc.to_string()).unwrap();
    w.run_until(4_500).unwrap();
    let h = w.history();
    assert!(h.len() >= 4, "the clients kept trying: {}", h.len());
    assert!(h.iter().all(|op| op.call_ms >= 1_500 && op.call_ms < 4_000));
    assert!(h.iter().all(|op| op.return_ms.is_none() && op.ok.is_none()), "no answers across a partition: {h:?}");
    let result: Value = serde_json::from_str(&w.result_json()).unwrap();
    assert_eq!(result["stats"]["by_kind"]["RequestVote"]["sent"].as_u64().map(|n| n > 0), Some(true));
}

#[test]
fn the_workload_is_a_function_of_the_seed() {
    let doc = |seed: u64| {
        json!({ "version": 1, "protocol": "multi-paxos", "nodes": 3, "seed": seed,
            "clients": { "count": 3, "ops": ["read", "write", "cas", "append"], "keys": ["a", "b"], "until_ms": 2000 },
            "run_until_ms": 2500 })
    };
    let history = |seed| {
        let mut w = Engine::from_json(&doc(seed).to_string()).unwrap();
        w.run_until(2_500).unwrap();
        (serde_json::to_string(w.history()).unwrap(), w.trace_hash())
    };
    let (a, ha) = history(5);
    assert_eq!((a.clone(), ha.clone()), history(5));
    assert_ne!(a, history(6).0);
    let ops: Vec<Value> = serde_json::from_str(&a).unwrap();
    assert!(ops.len() > 20, "{}", ops.len());
    for f in ["read", "write", "cas", "append"] {
        assert!(ops.iter().any(|o| o["f"] == f), "no {f} in {a}");
    }
    assert!(ops.iter().all(|o| o["return_ms"].is_u64()), "a quiet cluster answers everything");
}

#[test]
fn stats_count_each_kind_and_message_latency() {
    let mut s = echo(json!({ "version": 1, "protocol": "echo", "nodes": 3, "seed": 1, "params": { "every_ms": 100 } }));
    s.run_until(1_000).unwrap();
    let st = s.stats();
    let (ping, pong) = (st.by_kind.get("Ping"), st.by_kind.get("Pong"));
    assert_eq!(ping.sent, st.messages_sent - pong.sent);
    assert!(ping.delivered > 0 && pong.delivered > 0);
    assert_eq!(st.latency_ms.quantile(0.5), Some(10), "every link takes 10 ms");
    assert_eq!(st.latency_ms.max(), Some(10));
    let result: Value = serde_json::from_str(&s.result_json()).unwrap();
    assert_eq!(result["stats"]["latency_ms"]["p95"], json!(10));
    assert!(result["metrics"]["pongs"].as_u64().unwrap() > 0);
}

#[test]
fn checkers_report_metrics_and_series_over_any_range() {
    let s = echo(json!({
        "version": 1, "protocol": "echo", "nodes": 4, "seed": 1,
        "events": [{ "at_ms": 1000, "type": "crash", "node": 1 }, { "at_ms": 3000, "type": "leave", "node": 2 }]
    }));
    let mut t = Timeline::new(s.into_world());
    t.run_until(5_000).unwrap();
    assert_eq!(t.world().metrics().get("crashes_seen"), Some(1.0));
    let (times, series) = t.series(0, 5_000, 500);
    assert_eq!(times.len(), 11);
    let (name, running) = &series[0];
    assert_eq!(name, "running");
    assert_eq!(running[0], 4.0);
    assert_eq!(running[2], 3.0, "after the crash at 1 s");
    assert_eq!(running[10], 2.0, "after the leave at 3 s");
    assert_eq!(t.world().now(), 5_000, "sampling does not move the run");
    // A range past the furthest moment reached stops there.
    assert_eq!(t.series(4_000, 90_000, 1_000).0, vec![4_000, 5_000]);
}

#[test]
fn params_have_one_canonical_text_whatever_their_order() {
    // The same scenario with its params keys in two orders gives one text,
    // natively as in wasm (where maps are sorted), and so one link.
    let a = r#"{"version":1,"protocol":"raft","nodes":5,"seed":3,"params":{"heartbeat_ms":40,"election_timeout_ms":[100,200]}}"#;
    let b = r#"{"version":1,"protocol":"raft","nodes":5,"seed":3,"params":{"election_timeout_ms":[100,200],"heartbeat_ms":40}}"#;
    let text = |s: &str| Scenario::from_json_str(s).unwrap().to_json_string();
    assert_eq!(text(a), text(b));
    assert!(text(a).contains(r#""params":{"election_timeout_ms":[100,200],"heartbeat_ms":40}"#), "{}", text(a));
}

#[test]
fn new_events_and_fields_round_trip_through_the_canonical_text() {
    let doc = json!({
        "version": 1, "protocol": "raft", "nodes": 5, "seed": 3,
        "clients": { "count": 2, "ops": ["cas"], "keys": ["k"], "think_ms": [0, 5], "timeout_ms": 300, "from_ms": 10, "until_ms": 99, "nodes": [1, 2] },
        "events": [
            { "at_ms": 1, "type": "client_op", "f": "cas", "key": "k", "expect": null, "value": "1", "client": 4, "node": 2, "timeout_ms": 50 },
            { "at_ms": 2, "type": "client_op", "f": "read" }
        ]
    });
    let s = Scenario::from_value(&doc).unwrap();
    let again = Scenario::from_json_str(&s.to_json_string()).unwrap();
    assert_eq!(again, s);
    let echo_doc = json!({
        "version": 1, "protocol": "echo", "nodes": 3, "seed": 1, "members": [0, 2],
        "events": [
            { "at_ms": 1, "type": "join", "node": 1, "contact": [2] },
            { "at_ms": 2, "type": "leave", "node": 0 },
            { "at_ms": 3, "type": "command", "name": "ping", "args": { "to": 1 }, "node": 2 }
        ]
    });
    let s = Scenario::from_value(&echo_doc).unwrap();
    assert_eq!(Scenario::from_json_str(&s.to_json_string()).unwrap(), s);
}
