//! Quorum replication (Dynamo, DeCandia et al. 2007 §4.3–4.7; ABD, Attiya,
//! Bar-Noy & Dolev 1995), judged by the history checker over fixed seed
//! sets: R + W ≤ N gives stale reads; strict quorums without write-back
//! are not linearizable when reads overlap writes; reads that write back
//! (ABD) are; a sloppy quorum under a partition serves stale reads. Hinted
//! handoff delivers its hints once the partition heals, and read repair and
//! anti-entropy bring every replica of a key to the same versions.

use consensus_lab::engine::Engine;
use consensus_lab::sim::World;
use serde_json::{Value, json};

/// The params a registry variant sets.
fn variant_params(name: &str) -> Value {
    let entry = consensus_lab::registry::find("quorum-kv").expect("quorum-kv is registered");
    let v = entry.proto.spec().variant(name).unwrap_or_else(|| panic!("no variant {name}"));
    Value::Object(v.params_map())
}

/// A closed-loop workload on one or two keys, no faults: overlapping reads
/// and writes with a wide latency spread.
fn workload(seed: u64, variant: &str, clients: u64) -> Value {
    json!({
        "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": seed, "params": variant_params(variant),
        "network": { "latency_ms": [5, 60] },
        "clients": { "count": clients, "ops": ["read", "write"], "keys": ["x", "y"], "think_ms": [0, 40],
                     "timeout_ms": 800, "until_ms": 3000 },
        "run_until_ms": 4000
    })
}

fn run(doc: &Value, until: u64) -> World {
    let mut w = Engine::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}: {doc}"));
    w.run_until(until).unwrap_or_else(|e| panic!("{e}: {doc}"));
    assert!(w.violations().is_empty(), "{:?}\nreplay: {}", w.violations(), w.scenario().to_json_string());
    w
}

/// (non-linearizable runs, answered ops) over `seeds` of a variant.
fn verdicts(variant: &str, clients: u64, seeds: std::ops::Range<u64>) -> (Vec<u64>, usize) {
    let mut bad = Vec::new();
    let mut answered = 0;
    for seed in seeds {
        let w = run(&workload(seed, variant, clients), 4000);
        answered += w.history().iter().filter(|o| o.return_ms.is_some()).count();
        let c = consensus_lab::history::consistency(w.history());
        if c.linearizable == Some(false) {
            bad.push(seed);
        }
    }
    (bad, answered)
}

const SEEDS: std::ops::Range<u64> = 0..30;

#[test]
fn r_plus_w_at_most_n_reads_stale_values() {
    let (bad, answered) = verdicts("weak-quorum", 4, SEEDS);
    eprintln!("weak-quorum: {} of {} runs not linearizable: {bad:?}", bad.len(), SEEDS.end);
    assert!(answered > 30 * 50, "progress: {answered}");
    assert!(bad.len() >= 20, "R = W = 1 reads stale values in most runs: {bad:?}");
}

/// One client: no operation overlaps another, and with R + W > N every
/// read quorum meets the last completed write's quorum: linearizable.
#[test]
fn strict_quorums_read_the_latest_write_without_concurrency() {
    let (bad, answered) = verdicts("strict-quorum", 1, SEEDS);
    assert!(answered > 30 * 20, "progress: {answered}");
    assert!(bad.is_empty(), "without concurrency strict quorums read the latest write: {bad:?}");
}

#[test]
fn abd_reads_that_write_back_are_linearizable() {
    let (bad, answered) = verdicts("abd", 4, SEEDS);
    eprintln!("abd: {} of {} runs not linearizable", bad.len(), SEEDS.end);
    assert!(answered > 30 * 40, "progress: {answered}");
    assert!(bad.is_empty(), "ABD is linearizable: seeds {bad:?}");
}

/// Strict quorums (R = W = 2, N = 3) without write-back, the history of
/// Attiya et al.'s motivating case: x's replicas are n0, n1, n2; a write of
/// 2 reaches n0 quickly and n1, n2 slowly; a read through n3 meets n0 and
/// returns 2; a later read through n3, slow to n0, meets n1 and n2 and
/// returns 1. Every read quorum met every completed write, and still the
/// history is not linearizable. ABD's write-back makes the same run
/// linearizable: the first read does not answer before W replicas hold 2.
fn new_then_old(params: Value) -> Value {
    json!({
        "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": 3, "params": params,
        "network": { "latency_ms": [10, 10] },
        "events": [
            { "at_ms": 0, "type": "client_op", "f": "write", "key": "x", "value": "1", "client": 0, "node": 4 },
            { "at_ms": 100, "type": "client_op", "f": "write", "key": "x", "value": "2", "client": 0, "node": 4 },
            { "at_ms": 115, "type": "link", "from": 4, "to": 1, "latency_ms": [300, 300] },
            { "at_ms": 115, "type": "link", "from": 4, "to": 2, "latency_ms": [300, 300] },
            { "at_ms": 140, "type": "client_op", "f": "read", "key": "x", "client": 1, "node": 3 },
            { "at_ms": 170, "type": "link", "from": 3, "to": 0, "latency_ms": [300, 300] },
            { "at_ms": 200, "type": "client_op", "f": "read", "key": "x", "client": 2, "node": 3 }
        ],
        "run_until_ms": 1500
    })
}

#[test]
fn a_read_overlapping_a_write_returns_new_then_old_without_write_back() {
    let mut params = variant_params("strict-quorum");
    params["read_repair"] = json!(false);
    let w = run(&new_then_old(params), 1500);
    let h = w.history();
    assert_eq!(h[2].value.as_deref(), Some("2"), "{h:?}");
    assert_eq!(h[3].value.as_deref(), Some("1"), "{h:?}");
    assert!(h[3].call_ms > h[2].return_ms.unwrap(), "the second read began after the first returned");
    let c = consensus_lab::history::consistency(h);
    assert_eq!(c.linearizable, Some(false));
    assert!(c.counterexample.expect("a counterexample").detail.contains("had already returned 2"));

    let w = run(&new_then_old(variant_params("abd")), 1500);
    let h = w.history();
    assert!(h.iter().all(|o| o.ok == Some(true)), "every operation answered: {h:?}");
    assert_eq!(consensus_lab::history::consistency(h).linearizable, Some(true), "{h:?}");
}

/// The partition {0, 1} | {2, 3, 4} splits x's replicas n0, n1, n2. With a
/// sloppy quorum a client on the larger side writes x = 2 through n3: n2
/// and a stand-in (keeping a hint for n0 or n1) make W = 2. A client on
/// the other side then reads x = 1 from n0 and n1: stale. After the heal,
/// the hints are handed over and every replica holds 2. With a strict
/// quorum the same write gets no quorum and no answer (CAP's other side).
fn split(params: Value) -> Value {
    json!({
        "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": 5, "params": params,
        "network": { "latency_ms": [10, 20] },
        "events": [
            { "at_ms": 0, "type": "client_op", "f": "write", "key": "x", "value": "1", "client": 0, "node": 4 },
            { "at_ms": 200, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
            { "at_ms": 300, "type": "client_op", "f": "write", "key": "x", "value": "2", "client": 1, "node": 3 },
            { "at_ms": 800, "type": "client_op", "f": "read", "key": "x", "client": 2, "node": 0 },
            { "at_ms": 1500, "type": "heal" }
        ],
        "run_until_ms": 3000
    })
}

fn metric(w: &World, name: &str) -> f64 {
    w.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn replicas_of_x(w: &World) -> Vec<Value> {
    let v: Value = serde_json::from_str(&w.snapshot_json()).unwrap();
    (0..3).map(|i| v["nodes"][i]["store"]["x"].clone()).collect()
}

#[test]
fn a_sloppy_quorum_reads_stale_under_a_partition_and_hints_heal_it() {
    let mut params = variant_params("sloppy-quorum");
    params["anti_entropy_ms"] = json!(0);
    let doc = split(params);
    let mut w = Engine::from_json(&doc.to_string()).unwrap();
    w.run_until(1400).unwrap();
    let h = w.history().to_vec();
    assert_eq!(h[1].ok, Some(true), "the larger side took the write: {h:?}");
    assert_eq!(h[2].value.as_deref(), Some("1"), "the smaller side read the old value: {h:?}");
    assert_eq!(consensus_lab::history::consistency(&h).linearizable, Some(false));
    assert!(metric(&w, "hints_pending") >= 1.0, "a stand-in keeps a hint");
    assert!(w.stats().by_kind.get("HintedPut").sent >= 1, "a stand-in was asked to keep a hint");
    w.run_until(3000).unwrap();
    assert_eq!(metric(&w, "hints_pending"), 0.0, "hints delivered after the heal");
    assert!(w.stats().by_kind.get("Handoff").delivered >= 1);
    assert_eq!(metric(&w, "divergent_keys"), 0.0);
    for s in replicas_of_x(&w) {
        assert_eq!(s[0]["value"], "2", "{s}");
    }
    assert!(w.violations().is_empty());

    let mut strict = variant_params("strict-quorum");
    strict["anti_entropy_ms"] = json!(0);
    let w = run(&split(strict), 3000);
    let h = w.history();
    assert_eq!(h[1].return_ms, None, "no quorum on the larger side, no answer: {h:?}");
    assert_eq!(w.stats().by_kind.get("HintedPut").sent, 0);
}

/// n2, one of x's replicas, is down while x = 2 is written: it comes back
/// with x = 1 and the replicas diverge. A read repairs it (read repair on,
/// anti-entropy off); anti-entropy alone repairs it too (no reads); with
/// both off it stays behind.
fn missed_write(params: Value, read: bool) -> Value {
    let mut events = vec![
        json!({ "at_ms": 0, "type": "client_op", "f": "write", "key": "x", "value": "1", "client": 0, "node": 4 }),
        json!({ "at_ms": 200, "type": "crash", "node": 2 }),
        json!({ "at_ms": 300, "type": "client_op", "f": "write", "key": "x", "value": "2", "client": 0, "node": 4 }),
        json!({ "at_ms": 700, "type": "restart", "node": 2 }),
    ];
    if read {
        events.push(json!({ "at_ms": 1000, "type": "client_op", "f": "read", "key": "x", "client": 1, "node": 3 }));
    }
    json!({
        "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": 8, "params": params,
        "network": { "latency_ms": [10, 30] }, "events": events, "run_until_ms": 4000
    })
}

#[test]
fn read_repair_and_anti_entropy_bring_every_replica_up_to_date() {
    let quiet = json!({ "read_repair": false, "anti_entropy_ms": 0 });
    let w = run(&missed_write(quiet.clone(), true), 4000);
    assert_eq!(metric(&w, "divergent_keys"), 1.0, "with neither, n2 stays behind");
    assert_eq!(replicas_of_x(&w)[2][0]["value"], "1");
    // The convergence check compares only x's replicas (its preference
    // list), and finds n2 behind them.
    let (converged, why) = w.converged();
    assert_eq!(converged, Some(false), "{why}");
    assert!(why.contains("n2") && why.contains(" of x "), "{why}");

    let mut w = Engine::from_json(&missed_write(quiet, false).to_string()).unwrap();
    w.run_until(900).unwrap();
    assert_eq!(metric(&w, "divergent_keys"), 1.0, "n2 missed the write");

    let repair = json!({ "read_repair": true, "anti_entropy_ms": 0 });
    let w = run(&missed_write(repair, true), 4000);
    assert!(w.stats().by_kind.get("Repair").sent >= 1, "the read repaired n2");
    assert_eq!(metric(&w, "divergent_keys"), 0.0);
    assert!(replicas_of_x(&w).iter().all(|s| s[0]["value"] == "2"), "{:?}", replicas_of_x(&w));

    let entropy = json!({ "read_repair": false, "anti_entropy_ms": 200 });
    let w = run(&missed_write(entropy, false), 4000);
    assert!(w.stats().by_kind.get("Sync").sent >= 1);
    assert_eq!(metric(&w, "divergent_keys"), 0.0, "anti-entropy converged x's replicas");
    assert!(replicas_of_x(&w).iter().all(|s| s[0]["value"] == "2"), "{:?}", replicas_of_x(&w));
    // Three of five nodes hold x, and they agree: converged, though the
    // other two never stored it.
    let (converged, why) = w.converged();
    assert_eq!(converged, Some(true), "{why}");
    assert!(why.contains("every key's running replicas"), "{why}");
}

/// Concurrent writes through different coordinators that cannot see each
/// other leave concurrent clocks: the replicas keep both as siblings, and
/// a read returns one of them by the total order.
#[test]
fn concurrent_writes_become_siblings() {
    let doc = json!({
        "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": 9,
        "params": { "r": 1, "w": 1, "anti_entropy_ms": 0, "read_repair": true },
        "network": { "latency_ms": [10, 10] },
        "events": [
            { "at_ms": 0, "type": "client_op", "f": "write", "key": "x", "value": "a", "client": 0, "node": 0 },
            { "at_ms": 0, "type": "client_op", "f": "write", "key": "x", "value": "b", "client": 1, "node": 1 },
            { "at_ms": 500, "type": "client_op", "f": "read", "key": "x", "client": 2, "node": 2 }
        ],
        "run_until_ms": 1500
    });
    let w = run(&doc, 1500);
    assert_eq!(metric(&w, "max_siblings"), 2.0);
    let x = &replicas_of_x(&w)[2];
    assert_eq!(x.as_array().unwrap().len(), 2, "{x}");
    assert!(matches!(w.history()[2].value.as_deref(), Some("a" | "b")));
}

/// Bad params name their field.
#[test]
fn bad_params_are_refused_by_name() {
    for (params, needle) in [
        (json!({ "n": 26 }), "n must be"),
        (json!({ "r": 4 }), "r must be"),
        (json!({ "w": 0 }), "w must be"),
        (json!({ "retry_ms": 0 }), "retry_ms"),
        (json!({ "sloppy_quorum": 1 }), "params.sloppy_quorum"),
    ] {
        let doc = json!({ "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": 1, "params": params });
        let err = Engine::from_json(&doc.to_string()).err().expect("refused").to_string();
        assert!(err.contains(needle), "{err}");
    }
}

/// ABD under faults: 5% of messages dropped, one node crashed and restarted,
/// then the partition {0, 1} | {2, 3, 4} and a heal, over 30 seeds: every
/// history of reads and writes is linearizable (operations cut off by the
/// faults time out without an answer, which the checker allows).
#[test]
fn abd_stays_linearizable_under_crashes_partitions_and_drops() {
    let mut bad = Vec::new();
    let mut answered = 0;
    for seed in SEEDS {
        let crash = seed as usize % 5;
        let doc = json!({
            "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": seed, "params": variant_params("abd"),
            "network": { "latency_ms": [5, 60], "drop_rate": 0.05 },
            "clients": { "count": 4, "ops": ["read", "write"], "keys": ["x", "y"], "think_ms": [0, 40],
                         "timeout_ms": 800, "until_ms": 3000 },
            "events": [
                { "at_ms": 300 + seed * 13, "type": "crash", "node": crash },
                { "at_ms": 1200, "type": "restart", "node": crash },
                { "at_ms": 1500, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
                { "at_ms": 2200, "type": "heal" }
            ],
            "run_until_ms": 4000
        });
        let w = run(&doc, 4000);
        answered += w.history().iter().filter(|o| o.return_ms.is_some()).count();
        if consensus_lab::history::consistency(w.history()).linearizable != Some(true) {
            bad.push(seed);
        }
    }
    assert!(answered > 30 * 40, "progress: {answered}");
    assert!(bad.is_empty(), "ABD under faults: seeds {bad:?} not linearizable");
}

/// PBS, measured (Bailis et al. 2012): with strict quorums (R + W > N) a
/// read that begins after a write completed always sees it or something
/// newer; with R = W = 1 and latencies of 5–60 ms stale reads come only
/// right after a write (8 of the 546 reads within 20 ms), and once the write
/// has had time to reach every replica (60 ms, the slowest message) every
/// read is fresh. Twelve seeds of four clients on one key, reads grouped in
/// bins of 20 ms since the newest completed write.
#[test]
fn staleness_falls_with_time_since_the_write_and_vanishes_with_strict_quorums() {
    let share = |variant_params: Value| {
        let (mut early, mut late, mut all) = ((0, 0), (0, 0), (0, 0));
        for seed in 1..=12 {
            let doc = json!({
                "version": 1, "protocol": "quorum-kv", "nodes": 5, "seed": seed, "params": variant_params,
                "network": { "latency_ms": [5, 60] },
                "clients": { "count": 4, "ops": ["read", "write"], "keys": ["x"], "think_ms": [0, 80],
                             "timeout_ms": 800, "until_ms": 3000 },
                "run_until_ms": 4000
            });
            let w = run(&doc, 4000);
            let s = consensus_lab::history::staleness(w.history(), 20, 200);
            for b in &s.bins {
                let into = if b.to_ms.is_some_and(|t| t <= 20) {
                    &mut early
                } else if b.from_ms >= 60 {
                    &mut late
                } else {
                    continue;
                };
                into.0 += b.fresh;
                into.1 += b.reads;
            }
            all.0 += s.fresh;
            all.1 += s.reads;
        }
        let f = |(a, b): (u64, u64)| a as f64 / b.max(1) as f64;
        eprintln!(
            "fresh: {:.3} within 20 ms ({} reads), {:.3} after 60 ms ({} reads), {:.3} overall ({} reads)",
            f(early),
            early.1,
            f(late),
            late.1,
            f(all),
            all.1
        );
        (f(early), f(late), f(all), early.1, late.1)
    };
    let (early, late, all, n_early, n_late) = share(json!({ "read_repair": false }));
    assert!(n_early >= 30 && n_late >= 30, "enough reads in each group: {n_early}, {n_late}");
    assert_eq!((early, late, all), (1.0, 1.0, 1.0), "R + W > N: every read is fresh");
    let (early, late, all, n_early, n_late) = share(json!({ "r": 1, "w": 1, "read_repair": false }));
    assert!(n_early >= 30 && n_late >= 30, "enough reads in each group: {n_early}, {n_late}");
    let stale = ((1.0 - early) * n_early as f64).round();
    assert!(stale >= 5.0 && all < 1.0, "R = W = 1 reads stale values: {stale} within 20 ms, {all} fresh overall");
    assert_eq!(late, 1.0, "every read is fresh 60 ms after the write");
}
