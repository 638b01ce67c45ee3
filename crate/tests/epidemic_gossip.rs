//! Gossip against Demers et al., "Epidemic Algorithms for Replicated
//! Database Maintenance" (PODC 1987): how fast push, pull and push-pull
//! rumor mongering spread, the residue loss of interest leaves behind, and
//! anti-entropy's convergence, alone and as a backstop under drops and
//! crashes. Every figure is an average over a fixed set of seeds, so each
//! test is deterministic; the tolerances are stated where they are used.

use consensus_lab::base::maths::{exp, log};
use consensus_lab::epidemic::{Gossip, GossipStable};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use consensus_lab::timeline::Timeline;
use serde_json::{Value, json};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=10;

fn scenario(nodes: usize, seed: u64, params: Value, network: Value, events: Value) -> Scenario {
    let doc = json!({ "version": 1, "protocol": "gossip", "nodes": nodes, "seed": seed,
        "params": params, "network": network, "events": events });
    Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

/// One rumor, "x", injected at node 0 at 50 ms (round 1 starts at 100 ms).
fn one_rumor(nodes: usize, seed: u64, params: Value) -> Scenario {
    let events = json!([{ "at_ms": 50, "type": "client_request", "value": "x", "node": 0 }]);
    scenario(nodes, seed, params, json!({ "latency_ms": [10, 30] }), events)
}

fn run(s: Scenario, until: u64) -> Simulator<Gossip> {
    let replay = s.to_json_string();
    let mut sim = Simulator::<Gossip>::new(s).unwrap_or_else(|e| panic!("bad run: {e}"));
    sim.run_until(until).unwrap_or_else(|e| panic!("run failed: {e}"));
    assert!(sim.violations().is_empty(), "{:?}\nreplay: {replay}", sim.violations());
    sim
}

fn metric(sim: &Simulator<Gossip>, name: &str) -> f64 {
    sim.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Mean rounds until all 1,000 nodes know "x", over the seeds. `k` is high
/// enough that nobody loses interest first. Push's figure is computed once
/// for the two tests that read it.
fn rounds_to_spread(mode: &str) -> f64 {
    static PUSH: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    if mode == "push" {
        return *PUSH.get_or_init(|| measure_rounds(mode));
    }
    measure_rounds(mode)
}

fn measure_rounds(mode: &str) -> f64 {
    let rounds: Vec<f64> = SEEDS
        .map(|seed| {
            let sim = run(one_rumor(1000, seed, json!({ "mode": mode, "k": 100 })), 4_000);
            let r = metric(&sim, "rounds_to_full_spread");
            assert!(r.is_finite(), "{mode}, seed {seed}: \"x\" did not reach everyone");
            r
        })
        .collect();
    mean(&rounds)
}

// Reference: Demers et al. §1.4 (after Pittel 1987): push with one partner a
// round reaches everyone in log2 n + ln n + O(1) rounds.
#[test]
fn push_with_fanout_one_reaches_a_thousand_nodes_in_about_log2_n_plus_ln_n_rounds() {
    let n = 1000.0;
    let expected = log(n) / log(2.0) + log(n); // 16.9
    let got = rounds_to_spread("push");
    // The O(1) term: the runs here average about two rounds above.
    assert!((expected - 1.0..=expected + 3.5).contains(&got), "push: {got} rounds (log2 n + ln n = {expected:.1})");
}

// Reference: Demers et al. §1.4, push vs. pull; Karp et al. 2000 for push-pull.
#[test]
fn push_pull_spreads_faster_than_push_and_than_pull() {
    let push = rounds_to_spread("push");
    let pull = rounds_to_spread("pull");
    let push_pull = rounds_to_spread("push-pull");
    println!("mean rounds to full spread, n = 1000: push {push:.1}, pull {pull:.1}, push-pull {push_pull:.1}");
    assert!(push_pull < pull && push_pull < push, "push-pull {push_pull}, pull {pull}, push {push}");
    assert!(pull < push, "late in the spread pull wins: pull {pull}, push {push}");
}

/// The share of nodes that do not know "x" at the end of each round.
fn uninformed_by_round(mode: &str, seed: u64) -> Vec<f64> {
    let s = one_rumor(1000, seed, json!({ "mode": mode, "k": 100 }));
    let mut sim = Simulator::<Gossip>::new(s).expect("valid");
    let mut out = Vec::new();
    for round in 1..=30u64 {
        sim.run_until(round * 100 + 90).expect("runs");
        let knowing = (0..1000).filter(|&i| sim.stable(i).knows("x")).count();
        out.push((1000 - knowing) as f64 / 1000.0);
        if knowing == 1000 {
            break;
        }
    }
    out
}

// Reference: Demers et al. §1.4: with pull, p_{i+1} = p_i² once the
// uninformed share p_i is small; with push, p_{i+1} = p_i · e^-1.
#[test]
fn late_in_the_spread_pull_squares_the_uninformed_share_and_push_divides_it_by_e() {
    // Summed over seeds and over the rounds where 2% < p_i < 30%: the
    // uninformed nodes seen after the round against those the law predicts.
    let ratio = |mode: &str, law: fn(f64) -> f64| {
        let (mut seen, mut predicted) = (0.0, 0.0);
        for seed in SEEDS {
            let p = uninformed_by_round(mode, seed);
            for w in p.windows(2) {
                if (0.02..0.3).contains(&w[0]) {
                    seen += w[1];
                    predicted += law(w[0]);
                }
            }
        }
        assert!(predicted > 0.0, "{mode}: no late rounds");
        seen / predicted
    };
    let pull = ratio("pull", |p| p * p);
    let push = ratio("push", |p| p * exp(-1.0));
    println!("uninformed after a late round / law: pull (p²) {pull:.2}, push (p/e) {push:.2}");
    assert!((0.7..=1.4).contains(&pull), "pull: seen/predicted = {pull:.2}");
    assert!((0.7..=1.4).contains(&push), "push: seen/predicted = {push:.2}");
}

/// The residue s solving s = e^-(k+1)(1-s) (Demers et al. §1.4).
fn analytic_residue(k: f64) -> f64 {
    let mut s: f64 = 0.5;
    for _ in 0..200 {
        s = exp(-(k + 1.0) * (1.0 - s));
    }
    s
}

fn mean_residue(k: u64, stop: &str) -> f64 {
    let params = json!({ "mode": "push", "loss": "feedback", "stop": stop, "k": k });
    let r: Vec<f64> = SEEDS
        .map(|seed| {
            let sim = run(one_rumor(1000, seed, params.clone()), 6_000);
            assert_eq!(metric(&sim, "spreading"), 0.0, "k={k} {stop} seed {seed}: the rumor died out");
            metric(&sim, "residue")
        })
        .collect();
    mean(&r)
}

// Reference: Demers et al. §1.4, "Complex epidemics" (feedback and coin:
// s = e^-(k+1)(1-s), 0.20 / 0.06 / 0.02 for k = 1, 2, 3) and "Counter vs.
// coin" (the counter improves the share removed).
#[test]
fn rumor_mongering_residue_follows_the_analytic_law_and_counters_leave_less() {
    for (k, tolerance) in [(1, 0.02), (2, 0.01), (3, 0.006)] {
        let s = analytic_residue(k as f64);
        let coin = mean_residue(k, "coin");
        assert!((coin - s).abs() <= tolerance, "k={k}: coin residue {coin:.4}, analytic {s:.4}");
        let counter = mean_residue(k, "counter");
        println!("k = {k}: residue with coin {coin:.4} (analytic {s:.4}), with counter {counter:.4}");
        if k == 1 {
            // One unnecessary contact ends interest under both rules.
            assert_eq!(counter, coin, "k=1: the counter and the coin are the same rule");
        } else {
            assert!(counter < coin * 0.9, "k={k}: counter {counter:.4} is not below coin {coin:.4}");
        }
    }
}

/// Three rumors at three nodes, at 50, 250 and 450 ms.
fn three_rumors() -> Value {
    json!([
        { "at_ms": 50, "type": "client_request", "value": "a", "node": 0 },
        { "at_ms": 250, "type": "client_request", "value": "b", "node": 7 },
        { "at_ms": 450, "type": "client_request", "value": "c", "node": 19 }
    ])
}

fn live_nodes_missing_something(sim: &Simulator<Gossip>) -> Vec<usize> {
    (0..sim.nodes()).filter(|&i| sim.node(i).is_some_and(|p| p.known().len() < 3)).collect()
}

// Reference: Demers et al. §1.3: anti-entropy is a simple epidemic; every
// site eventually has every update.
#[test]
fn anti_entropy_alone_always_converges() {
    for seed in SEEDS {
        let s = scenario(200, seed, json!({ "mode": "anti-entropy" }), json!({}), three_rumors());
        let sim = run(s, 3_000);
        assert!(live_nodes_missing_something(&sim).is_empty(), "seed {seed}");
        let rounds = metric(&sim, "rounds_to_full_spread");
        // Push-pull anti-entropy takes O(log n) rounds: about 10 at n = 200.
        assert!(rounds <= 16.0, "seed {seed}: {rounds} rounds");
        assert!(metric(&sim, "residue").is_nan(), "no rumor is mongered, so none has a residue");
        assert!(sim.liveness(0).is_empty(), "seed {seed}: {:?}", sim.liveness(0));
    }
}

/// A lossy network and crashes: 20% of messages are dropped, node 3 is down
/// from 100 ms to 2 s, node 5 crashes at 100 ms and never comes back; loss
/// of interest is blind with a coin at k = 1, which leaves a large residue.
fn faulty(seed: u64, anti_entropy_ms: u64) -> Scenario {
    let mut events = three_rumors().as_array().cloned().unwrap_or_default();
    events.push(json!({ "at_ms": 100, "type": "crash", "node": 3 }));
    events.push(json!({ "at_ms": 100, "type": "crash", "node": 5 }));
    events.push(json!({ "at_ms": 2000, "type": "restart", "node": 3 }));
    let params = json!({ "loss": "blind", "stop": "coin", "k": 1, "anti_entropy_ms": anti_entropy_ms });
    scenario(100, seed, params, json!({ "latency_ms": [10, 30], "drop_rate": 0.2 }), Value::from(events))
}

// Reference: Demers et al. §1.5, "Backing up a complex epidemic with
// anti-entropy": rumor mongering alone can miss sites; the backstop reaches
// them, including a site that was down when the rumors went round.
#[test]
fn with_drops_and_crashes_every_live_node_converges_behind_an_anti_entropy_backstop() {
    let mut missed = 0;
    for seed in SEEDS {
        let alone = run(faulty(seed, 0), 8_000);
        missed += live_nodes_missing_something(&alone).len();
        let backed = run(faulty(seed, 500), 8_000);
        assert!(live_nodes_missing_something(&backed).is_empty(), "seed {seed}");
        assert!(backed.liveness(2_000).is_empty(), "seed {seed}: {:?}", backed.liveness(2_000));
        assert_eq!(backed.node(3).map(|p| p.known().len()), Some(3), "the restarted node caught up");
    }
    assert!(missed > 10, "without the backstop the blind coin leaves nodes out ({missed} over the seeds)");
}

#[test]
fn a_value_no_client_injected_is_a_violation() {
    let s = one_rumor(5, 1, json!({}));
    let forged = GossipStable::with_values(["forged".into()]);
    let mut sim = Simulator::<Gossip>::with_stable(s, vec![None, Some(forged)]).expect("valid");
    sim.run_until(1_000).expect("runs");
    let v: Vec<&str> = sim.violations().iter().map(|v| v.invariant).collect();
    assert!(v.contains(&"only_injected"), "{v:?}");
}

#[test]
fn the_known_series_rises_to_one_and_metrics_count_messages() {
    let sim = run(one_rumor(100, 3, json!({ "k": 100 })), 2_000);
    let sent = sim.stats().messages_sent as f64;
    assert_eq!(metric(&sim, "messages_per_node"), sent / 100.0);
    let fresh = Simulator::<Gossip>::new(one_rumor(100, 3, json!({ "k": 100 }))).expect("valid");
    let mut t = Timeline::new(fresh.into_world());
    t.run_until(2_000).expect("runs");
    let (times, series) = t.series(0, 2_000, 100);
    let (name, col) = &series[0];
    assert_eq!(name, "known:x");
    assert_eq!(times.len(), col.len());
    assert!(col[0].is_nan(), "no column before the rumor exists");
    assert_eq!(col[1], 0.01, "at 100 ms only node 0 knows it");
    let col = &col[1..];
    assert!(col.windows(2).all(|w| w[1] >= w[0]), "{col:?}");
    assert_eq!(col.last().copied(), Some(1.0));
}

#[test]
fn same_seed_same_run_and_bad_params_name_the_field() {
    let a = run(one_rumor(50, 9, json!({ "mode": "push-pull" })), 2_000);
    let b = run(one_rumor(50, 9, json!({ "mode": "push-pull" })), 2_000);
    assert_eq!(a.trace_hash(), b.trace_hash());
    for (params, field) in [
        (json!({ "mode": "shout" }), "mode"),
        (json!({ "k": 0 }), "k"),
        (json!({ "loss": "x" }), "loss"),
        (json!({ "stop": "x" }), "stop"),
        (json!({ "interval_ms": 1 }), "interval_ms"),
        (json!({ "anti_entropy_ms": 5 }), "anti_entropy_ms"),
        (json!({ "fanout": 0 }), "fanout"),
    ] {
        let err = Simulator::<Gossip>::new(one_rumor(5, 1, params)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(field), "{field}: {err}");
    }
}
