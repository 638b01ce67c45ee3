//! Broadcast against the Maelstrom broadcast workload (Gossip Glomers
//! challenges 3a–3e): every value reaches every node in every topology,
//! across partitions and crashes; batching trades latency for messages.
//! Figures are for 25 nodes, 100 ms links and 100 broadcasts a second, the
//! challenges' setting; `messages_per_op` counts every server-to-server
//! message (batches, acknowledgements, retries) per broadcast value.

use consensus_lab::epidemic::{Broadcast, BroadcastParams, broadcast::topology};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

/// `ops` broadcasts, one every 10 ms from 10 ms on, at nodes 7·i mod n.
fn workload(n: usize, ops: usize) -> Vec<Value> {
    (0..ops).map(|i| json!({ "at_ms": 10 + 10 * i, "type": "client_request", "value": format!("v{i}"), "node": (i * 7) % n })).collect()
}

fn run(n: usize, params: Value, mut events: Vec<Value>, extra: Vec<Value>, until: u64) -> Simulator<Broadcast> {
    events.extend(extra);
    events.sort_by_key(|e| e["at_ms"].as_u64());
    let doc = json!({ "version": 1, "protocol": "broadcast", "nodes": n, "seed": 1, "params": params,
        "network": { "latency_ms": [100, 100] }, "events": events });
    let s = Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"));
    let replay = s.to_json_string();
    let mut sim = Simulator::<Broadcast>::new(s).unwrap_or_else(|e| panic!("bad run: {e}"));
    sim.run_until(until).unwrap_or_else(|e| panic!("{e}"));
    assert!(sim.violations().is_empty(), "{:?}\nreplay: {replay}", sim.violations());
    sim
}

fn metric(sim: &Simulator<Broadcast>, name: &str) -> f64 {
    sim.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn everyone_has_everything(sim: &Simulator<Broadcast>, ops: usize) -> bool {
    (0..sim.nodes()).all(|i| sim.node(i).is_none_or(|p| p.known().len() == ops))
}

fn connected(adj: &[Vec<usize>]) -> bool {
    let mut seen = vec![false; adj.len()];
    let mut stack = vec![0];
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(&adj[i]);
        }
    }
    seen.iter().all(|&s| s)
}

// Reference: Maelstrom's broadcast workload: the topology is given; every
// value must reach every node.
#[test]
fn every_topology_is_connected_and_delivers_every_value_to_every_node() {
    for topo in ["line", "grid", "tree", "total", "random"] {
        let p = BroadcastParams { topology: topo.into(), ..BroadcastParams::default() };
        let adj = topology(&p, 25);
        assert!(connected(&adj), "{topo}");
        assert!(
            adj.iter().enumerate().all(|(i, a)| a.iter().all(|&j| adj[j].contains(&i))),
            "{topo}: links go both ways"
        );
        let sim = run(25, json!({ "topology": topo }), workload(25, 50), vec![], 5_000);
        assert!(everyone_has_everything(&sim, 50), "{topo}");
        assert_eq!(metric(&sim, "unspread"), 0.0, "{topo}");
        println!(
            "{topo}: {:.1} messages per op, latency p50 {} ms, max {} ms",
            metric(&sim, "messages_per_op"),
            metric(&sim, "latency_p50_ms"),
            metric(&sim, "latency_max_ms")
        );
    }
}

// Reference: Gossip Glomers 3d (efficiency) and 3e (batching).
#[test]
fn batching_cuts_messages_per_op_at_the_price_of_latency() {
    // A star: the tree of degree 24, every leaf two hops from every other.
    let tree = json!({ "topology": "tree", "degree": 24 });
    let plain = run(25, tree.clone(), workload(25, 500), vec![], 8_000);
    let mpo = metric(&plain, "messages_per_op");
    // Without loss each value crosses each of the tree's 24 links once, and
    // each batch is acknowledged: exactly 2 (n - 1) messages per op.
    assert_eq!(mpo, 48.0);
    let (p50, max) = (metric(&plain, "latency_p50_ms"), metric(&plain, "latency_max_ms"));
    // At most two 100 ms hops between any two nodes (3d: median under 400 ms, max under 600 ms).
    assert!(p50 <= 200.0 && max <= 200.0, "p50 {p50}, max {max}");
    let mut batched_params = tree.clone();
    batched_params["batch_ms"] = json!(100);
    let batched = run(25, batched_params, workload(25, 500), vec![], 8_000);
    assert!(everyone_has_everything(&batched, 500));
    let (bm, b50, bmax) =
        (metric(&batched, "messages_per_op"), metric(&batched, "latency_p50_ms"), metric(&batched, "latency_max_ms"));
    println!(
        "star, 100 ops/s: {mpo} messages per op, p50 {p50} ms, max {max} ms; batched (100 ms): {bm:.1} messages per op, p50 {b50} ms, max {bmax} ms"
    );
    // 3e: under 20 messages per op, median under 1 s, max under 2 s.
    assert!(bm < 20.0, "batched: {bm} messages per op");
    assert!(b50 < 1_000.0 && bmax < 2_000.0, "batched: p50 {b50}, max {bmax}");
    assert!(b50 > p50, "batching waits");
}

// Reference: Gossip Glomers 3c (fault tolerance): retries until acknowledged
// carry every value across a partition once it heals.
#[test]
fn values_cross_a_healed_partition_and_reach_a_restarted_node() {
    let halves: Vec<Vec<usize>> = vec![(0..12).collect(), (12..25).collect()];
    let faults = vec![
        json!({ "at_ms": 0, "type": "partition", "groups": halves }),
        json!({ "at_ms": 100, "type": "crash", "node": 3 }),
        json!({ "at_ms": 1500, "type": "restart", "node": 3 }),
        json!({ "at_ms": 2000, "type": "heal" }),
    ];
    let mut early = run(25, json!({ "topology": "grid" }), workload(25, 100), faults.clone(), 1_900);
    let side = |s: &Simulator<Broadcast>, i: usize| s.stable(i).known.len();
    assert!(side(&early, 0) < 100 && side(&early, 24) < 100, "nothing crosses while split");
    early.run_until(6_000).expect("runs");
    assert!(everyone_has_everything(&early, 100));
    assert_eq!(metric(&early, "unspread"), 0.0);
    assert!(early.liveness(2_000).is_empty(), "{:?}", early.liveness(2_000));
}

#[test]
fn bad_params_name_the_field() {
    for (params, field) in [
        (json!({ "topology": "ring" }), "topology"),
        (json!({ "degree": 0 }), "degree"),
        (json!({ "retry_ms": 0 }), "retry_ms"),
    ] {
        let doc = json!({ "version": 1, "protocol": "broadcast", "nodes": 5, "seed": 1, "params": params });
        let s = Scenario::from_value(&doc).expect("valid document");
        let err = Simulator::<Broadcast>::new(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(field), "{field}: {err}");
    }
}
