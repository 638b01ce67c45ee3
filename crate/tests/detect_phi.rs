//! The φ accrual detector of Hayashibara et al. (SRDS 2004): after a crash φ
//! passes the threshold when the paper's formula says it must, and under
//! uneven jitter it makes fewer false suspicions than a fixed timeout with
//! the same mean detection time, because it fits each peer's own
//! inter-arrival times (§3–4). Fixed seed sets keep every test deterministic.

use consensus_lab::detect::{Heartbeat, PhiAccrual};
use consensus_lab::protocol::Protocol;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=6;

fn scenario(protocol: &str, seed: u64, params: Value, latency: (u64, u64), events: Value) -> Scenario {
    let doc = json!({ "version": 1, "protocol": protocol, "nodes": 5, "seed": seed,
        "params": params, "network": { "latency_ms": [latency.0, latency.1] }, "events": events });
    Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

fn run<P: Protocol>(s: Scenario, until: u64) -> Simulator<P> {
    let replay = s.to_json_string();
    let mut sim = Simulator::<P>::new(s).unwrap_or_else(|e| panic!("bad run: {e}"));
    sim.run_until(until).unwrap_or_else(|e| panic!("run failed: {e}"));
    assert!(sim.violations().is_empty(), "{:?}\nreplay: {replay}", sim.violations());
    sim
}

fn metric<P: Protocol>(sim: &Simulator<P>, name: &str) -> f64 {
    sim.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

#[test]
fn after_a_crash_phi_crosses_the_threshold_when_the_normal_model_says() {
    // Regular heartbeats: σ is the 100 ms floor, the mean ≈ 1000 ms plus the
    // 3 s acceptable pause. φ = 8 ⇔ P_later = 1e-8 ⇔ y ≈ 5.612 σ past the
    // mean: a gap of about 4561 ms. The last heartbeat arrived 0–1030 ms
    // before the crash; the next 100 ms check sees it.
    for seed in SEEDS {
        let ev = json!([{ "at_ms": 30_000, "type": "crash", "node": 4 }]);
        let sim: Simulator<PhiAccrual> = run(scenario("phi-accrual", seed, json!({}), (10, 30), ev), 40_000);
        let d = metric(&sim, "detection_ms");
        assert!((4561.0 - 1030.0..=4561.0 + 130.0).contains(&d), "seed {seed}: detection {d} ms");
        assert_eq!(metric(&sim, "false_suspicions"), 0.0, "seed {seed}");
        let o = sim.node(0).expect("up");
        let phi = o.level_at(40_000, 4).expect("a peer");
        assert!(phi > 8.0, "seed {seed}: φ {phi}");
        assert!(o.level_at(40_000, 1).expect("a peer") < 1.0, "seed {seed}: a live peer has a low φ");
    }
}

/// Node 4's links (both ways) are jittery, the others calm; node 1 crashes at 40 s.
fn uneven(protocol: &str, seed: u64, params: Value) -> Scenario {
    let mut ev: Vec<Value> = Vec::new();
    for other in 0..4 {
        for (from, to) in [(4, other), (other, 4)] {
            ev.push(json!({ "at_ms": 0, "type": "link", "from": from, "to": to, "latency_ms": [10, 1500] }));
        }
    }
    ev.push(json!({ "at_ms": 40_000, "type": "crash", "node": 1 }));
    scenario(protocol, seed, params, (10, 30), Value::Array(ev))
}

fn over_seeds<P: Protocol>(protocol: &str, params: Value) -> (f64, f64) {
    let (mut det, mut fs) = (0.0, 0.0);
    for seed in SEEDS {
        let sim: Simulator<P> = run(uneven(protocol, seed, params.clone()), 60_000);
        det += metric(&sim, "detection_mean_ms");
        fs += metric(&sim, "false_suspicions");
    }
    let n = SEEDS.count() as f64;
    (det / n, fs)
}

#[test]
fn under_uneven_jitter_phi_makes_fewer_false_suspicions_than_a_timeout_as_fast() {
    let (phi_det, phi_fs) = over_seeds::<PhiAccrual>("phi-accrual", json!({ "acceptable_pause_ms": 0 }));
    // The fixed timeout (in 100 ms steps) whose mean detection time is closest.
    let (timeout, det, fs) = (1100..=5000)
        .step_by(100)
        .map(|t| {
            let (d, f) = over_seeds::<Heartbeat>("heartbeat", json!({ "timeout_ms": t }));
            (t, d, f)
        })
        .min_by(|a, b| (a.1 - phi_det).abs().total_cmp(&(b.1 - phi_det).abs()))
        .expect("timeouts");
    assert!((det - phi_det).abs() <= 100.0, "timeout {timeout}: detection {det} ms vs φ's {phi_det} ms");
    assert!(phi_fs < fs, "φ: {phi_fs} false suspicions, timeout {timeout} ms: {fs}");
}

#[test]
fn the_three_models_all_detect_a_crash_and_cassandras_is_exponential() {
    for model in ["normal", "logistic", "exponential"] {
        let ev = json!([{ "at_ms": 20_000, "type": "crash", "node": 2 }]);
        let params = json!({ "model": model });
        let sim: Simulator<PhiAccrual> = run(scenario("phi-accrual", 1, params, (10, 30), ev), 40_000);
        assert_eq!(metric(&sim, "undetected"), 0.0, "{model}");
    }
    // Cassandra: φ = gap / (mean · ln 10); mean 1000 ms, so φ = 8 at ≈ 18.4 s.
    let ev = json!([{ "at_ms": 20_000, "type": "crash", "node": 2 }]);
    let p = json!({ "model": "exponential", "acceptable_pause_ms": 0 });
    let sim: Simulator<PhiAccrual> = run(scenario("phi-accrual", 1, p, (10, 30), ev), 45_000);
    let d = metric(&sim, "detection_ms");
    assert!((18_420.0 - 1030.0..=18_420.0 + 130.0).contains(&d), "{d}");
}

#[test]
fn bad_params_are_refused_naming_the_field() {
    for (params, field) in [
        (json!({ "threshold": -1 }), "threshold"),
        (json!({ "model": "x" }), "model"),
        (json!({ "max_samples": 1 }), "max_samples"),
    ] {
        let doc =
            json!({ "version": 1, "protocol": "phi-accrual", "nodes": 3, "seed": 1, "params": params, "events": [] });
        let err = Scenario::from_value(&doc).and_then(Simulator::<PhiAccrual>::new).err().expect("refused");
        assert!(err.to_string().contains(field), "{err}");
    }
}
