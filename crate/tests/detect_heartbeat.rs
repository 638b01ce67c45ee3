//! The fixed-timeout heartbeat detector: completeness after a crash within
//! the bound the timeout sets, no false suspicion on a calm network, false
//! suspicions under jitter and pauses, and the trade-off between detection
//! time and false suspicions as the timeout moves. Every figure comes from a
//! fixed set of seeds, so each test is deterministic.

use consensus_lab::detect::Heartbeat;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=8;

fn scenario(seed: u64, params: Value, latency: (u64, u64), events: Value) -> Scenario {
    let doc = json!({ "version": 1, "protocol": "heartbeat", "nodes": 5, "seed": seed,
        "params": params, "network": { "latency_ms": [latency.0, latency.1] }, "events": events });
    Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

fn run(s: Scenario, until: u64) -> Simulator<Heartbeat> {
    let replay = s.to_json_string();
    let mut sim = Simulator::<Heartbeat>::new(s).unwrap_or_else(|e| panic!("bad run: {e}"));
    sim.run_until(until).unwrap_or_else(|e| panic!("run failed: {e}"));
    assert!(sim.violations().is_empty(), "{:?}\nreplay: {replay}", sim.violations());
    sim
}

fn metric(sim: &Simulator<Heartbeat>, name: &str) -> f64 {
    sim.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn crash_at(t: u64, node: usize) -> Value {
    json!([{ "at_ms": t, "type": "crash", "node": node }])
}

#[test]
fn a_crash_is_suspected_by_every_live_node_within_the_timeouts_bound() {
    // The last heartbeat from the crashed node left at most one interval
    // before the crash and arrived 10–30 ms later; the node is suspected
    // once the gap passes the timeout, seen at the next check (100 ms).
    for seed in SEEDS {
        let sim = run(scenario(seed, json!({}), (10, 30), crash_at(10_000, 2)), 20_000);
        let d = metric(&sim, "detection_ms");
        assert!((2000.0..=3000.0 + 30.0 + 100.0).contains(&d), "seed {seed}: detection {d} ms");
        assert_eq!(metric(&sim, "undetected"), 0.0);
        for i in [0, 1, 3, 4] {
            assert_eq!(sim.node(i).expect("up").suspects(), vec![2], "seed {seed}: node {i}");
        }
    }
}

#[test]
fn a_calm_network_gives_no_false_suspicion_and_n_times_n_minus_1_messages_per_interval() {
    for seed in SEEDS {
        let sim = run(scenario(seed, json!({}), (10, 30), json!([])), 30_000);
        assert_eq!(metric(&sim, "false_suspicions"), 0.0, "seed {seed}");
        // 5 nodes × 4 peers × one beat per second; each starts within its first second.
        let m = metric(&sim, "messages");
        assert!((20.0 * 29.0..=20.0 * 30.0).contains(&m), "seed {seed}: {m} messages");
    }
}

#[test]
fn jitter_beyond_the_timeouts_slack_causes_false_suspicions_that_heal() {
    // Gaps between arrivals are 1000 ms ± up to 390 ms: a 1200 ms timeout is
    // crossed now and then, an 8 s one never is.
    let mut tight = 0.0;
    for seed in SEEDS {
        let t = run(scenario(seed, json!({ "timeout_ms": 1200 }), (10, 400), json!([])), 30_000);
        tight += metric(&t, "false_suspicions");
        let l = run(scenario(seed, json!({ "timeout_ms": 8000 }), (10, 400), json!([])), 30_000);
        assert_eq!(metric(&l, "false_suspicions"), 0.0, "seed {seed}");
    }
    assert!(tight >= 8.0, "tight timeout: {tight} false suspicions");
}

#[test]
fn a_paused_node_is_suspected_by_all_and_trusted_again_after_the_pause() {
    for seed in SEEDS {
        let ev = json!([{ "at_ms": 5000, "type": "pause", "node": 3, "for_ms": 6000 }]);
        let during = run(scenario(seed, json!({}), (10, 30), ev.clone()), 10_500);
        for i in [0, 1, 2, 4] {
            assert_eq!(during.node(i).expect("up").suspects(), vec![3], "seed {seed}: node {i} during the pause");
        }
        assert!(metric(&during, "false_suspicions") >= 4.0, "seed {seed}");
        let after = run(scenario(seed, json!({}), (10, 30), ev), 14_000);
        for i in 0..5 {
            assert!(after.node(i).expect("up").suspects().is_empty(), "seed {seed}: node {i} after the pause");
        }
    }
}

#[test]
fn a_longer_timeout_trades_detection_time_for_fewer_false_suspicions() {
    let mut last: Option<(f64, f64)> = None;
    for timeout in [1100, 1300, 1600, 3000] {
        let (mut det, mut fs) = (0.0, 0.0);
        for seed in SEEDS {
            let sim = run(scenario(seed, json!({ "timeout_ms": timeout }), (10, 400), crash_at(20_000, 1)), 30_000);
            det += metric(&sim, "detection_ms");
            fs += metric(&sim, "false_suspicions");
        }
        if let Some((d, f)) = last {
            assert!(det > d, "timeout {timeout}: detection {det} not above {d}");
            assert!(fs <= f, "timeout {timeout}: false suspicions {fs} above {f}");
        }
        last = Some((det, fs));
    }
    assert_eq!(last.map(|l| l.1), Some(0.0), "at 3 s nothing is wrongly suspected");
}

#[test]
fn bad_params_are_refused_naming_the_field() {
    for (params, field) in [
        (json!({ "timeout_ms": 0 }), "timeout_ms"),
        (json!({ "interval_ms": 1 }), "interval_ms"),
        (json!({ "x": 1 }), "x"),
    ] {
        let doc =
            json!({ "version": 1, "protocol": "heartbeat", "nodes": 3, "seed": 1, "params": params, "events": [] });
        let err = Scenario::from_value(&doc).and_then(Simulator::<Heartbeat>::new).err().expect("refused");
        assert!(err.to_string().contains(field), "{err}");
    }
}
