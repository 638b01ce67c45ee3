//! SWIM against Das, Gupta, Motivala (DSN 2002) with hashicorp/memberlist's
//! LAN defaults (1 s periods, 500 ms probe timeout, k = 3): how soon a crash
//! is first detected and then known everywhere, indirect probes against a
//! lossy link, refutation by a higher incarnation, join and leave, and a
//! message load per member that does not grow with the group. Figures are
//! means over fixed seeds, so every test is deterministic; tolerances are
//! stated where they are used.

use consensus_lab::base::maths::{log, log10};
use consensus_lab::epidemic::{State, Swim};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=8;

fn scenario(nodes: usize, seed: u64, params: Value, network: Value, events: Value) -> Scenario {
    let doc = json!({ "version": 1, "protocol": "swim", "nodes": nodes, "seed": seed,
        "params": params, "network": network, "events": events });
    Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

fn run(s: Scenario, until: u64) -> Simulator<Swim> {
    let replay = s.to_json_string();
    let mut sim = Simulator::<Swim>::new(s).unwrap_or_else(|e| panic!("bad run: {e}"));
    sim.run_until(until).unwrap_or_else(|e| panic!("run failed: {e}"));
    assert!(sim.violations().is_empty(), "{:?}\nreplay: {replay}", sim.violations());
    sim
}

fn metric(sim: &Simulator<Swim>, name: &str) -> f64 {
    sim.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// What every live member other than `of` holds about it.
fn held(sim: &Simulator<Swim>, of: usize) -> Vec<Option<State>> {
    (0..sim.nodes()).filter(|&i| i != of).filter_map(|i| sim.node(i)).map(|p| p.member(of).map(|m| m.state)).collect()
}

/// n members; member 7 crashes at 5 s plus a seed-dependent offset inside the period.
fn crash_run(n: usize, seed: u64) -> Simulator<Swim> {
    let at = 5_000 + seed * 113 % 1000;
    let events = json!([{ "at_ms": at, "type": "crash", "node": 7 }]);
    run(scenario(n, seed, json!({}), json!({}), events), 25_000)
}

// Reference: SWIM §3.1 and §5: with a random target per period the expected
// time from a crash to its first detection is e/(e−1) ≈ 1.58 periods (plus
// the part of the period the probe waits); §4.1: infection-style
// dissemination reaches every member in O(log n) periods.
#[test]
fn a_crash_is_detected_in_about_e_over_e_minus_one_periods_and_then_known_everywhere() {
    let n = 50;
    let (mut first, mut spread, mut dead) = (Vec::new(), Vec::new(), Vec::new());
    for seed in SEEDS {
        let sim = crash_run(n, seed);
        first.push(metric(&sim, "first_detection_periods"));
        spread.push((metric(&sim, "all_suspect_ms") - metric(&sim, "first_detection_ms")) / 1000.0);
        dead.push(metric(&sim, "all_dead_periods"));
        assert_eq!(metric(&sim, "false_positives"), 0.0, "seed {seed}");
        assert!(held(&sim, 7).iter().all(|s| *s == Some(State::Dead)), "seed {seed}: every live member holds n7 dead");
    }
    let e = std::f64::consts::E;
    let expected = e / (e - 1.0);
    // The seeds here average 1.60; ±0.4 periods for eight samples.
    assert!((mean(&first) - expected).abs() <= 0.4, "first detection after {} periods", mean(&first));
    // O(log n): log2 50 ≈ 5.6 periods is the bound; with memberlist's gossip
    // the suspicion reaches everyone within about half a period.
    assert!(mean(&spread) <= log(50.0) / log(2.0), "suspicion spread in {} periods", mean(&spread));
    // Dead everywhere: detection + the suspicion timeout (4 · log10 50 ≈ 6.8
    // periods) + the spread of the confirmation.
    let timeout = 4.0 * log10(50.0);
    assert!(mean(&dead) <= expected + timeout + 1.5, "dead everywhere after {} periods", mean(&dead));
}

/// 16 members; every message on the link between n0 and n3 (both ways) is lost with `drop`.
fn lossy_link(seed: u64, params: Value, drop: f64) -> Simulator<Swim> {
    let events = json!([
        { "at_ms": 0, "type": "link", "from": 0, "to": 3, "drop_rate": drop },
        { "at_ms": 0, "type": "link", "from": 3, "to": 0, "drop_rate": drop }
    ]);
    run(scenario(16, seed, params, json!({}), events), 30_000)
}

// Reference: SWIM §3.1: the indirect probe through k members "circumvents
// congestion" on the path between prober and target, so a bad link alone
// does not make a member suspect.
#[test]
fn indirect_probes_keep_a_lossy_link_from_raising_false_suspicions() {
    let (mut with, mut without, mut dead) = (0.0, 0.0, 0.0);
    for seed in SEEDS {
        let a = lossy_link(seed, json!({}), 0.9);
        with += metric(&a, "false_suspicions");
        dead += metric(&a, "false_positives");
        let b = lossy_link(seed, json!({ "indirect_checks": 0 }), 0.9);
        without += metric(&b, "false_suspicions");
        // Suspicion still saves the day: every suspicion is refuted in time.
        dead += metric(&b, "false_positives");
    }
    assert_eq!(with, 0.0, "with k = 3 nobody is suspected");
    assert!(without >= SEEDS.count() as f64, "without indirect probes n0 and n3 suspect each other ({without})");
    assert_eq!(dead, 0.0, "no live member is declared dead");
}

// Reference: SWIM §4.2: a suspected member that is alive refutes with an
// alive message at a higher incarnation, which overrides the suspicion.
#[test]
fn a_suspicion_is_refuted_by_a_higher_incarnation() {
    let mut suspected = 0;
    for seed in SEEDS {
        let events = json!([{ "at_ms": 3000, "type": "pause", "node": 3, "for_ms": 3500 }]);
        let sim = run(scenario(12, seed, json!({}), json!({}), events), 12_000);
        assert_eq!(metric(&sim, "false_positives"), 0.0, "seed {seed}");
        // A member probes n3 in a given period with chance 1 − (10/11)^11 ≈ 0.65,
        // so in a few seeds nobody happened to probe it during the pause.
        if metric(&sim, "false_suspicions") == 0.0 {
            continue;
        }
        suspected += 1;
        let inc = sim.node(3).map(|p| p.incarnation()).unwrap_or(0);
        assert!(inc >= 1, "seed {seed}: n3 refuted");
        for i in (0..12).filter(|&i| i != 3) {
            let m = sim.node(i).and_then(|p| p.member(3)).unwrap();
            assert_eq!((m.state, m.incarnation), (State::Alive, inc), "seed {seed}: n{i}'s view of n3");
        }
    }
    assert!(suspected >= 6, "n3 was suspected (and refuted) in {suspected} of 8 seeds");
    // Without the suspicion mechanism the same pause is a false positive.
    let events = json!([{ "at_ms": 3000, "type": "pause", "node": 3, "for_ms": 3500 }]);
    let sim = run(scenario(12, 1, json!({ "suspicion": false }), json!({}), events), 12_000);
    assert!(metric(&sim, "false_positives") >= 1.0, "basic SWIM declares the paused n3 dead");
}

// Reference: memberlist's join (push-pull with a contact) and graceful leave.
#[test]
fn a_join_and_a_leave_reach_every_member() {
    for seed in SEEDS {
        let members: Vec<usize> = (0..19).collect();
        let doc = json!({ "version": 1, "protocol": "swim", "nodes": 20, "seed": seed, "members": members,
            "events": [
                { "at_ms": 2000, "type": "join", "node": 19, "contact": [0] },
                { "at_ms": 8000, "type": "leave", "node": 4 }
            ] });
        let sc = Scenario::from_value(&doc).unwrap_or_else(|e| panic!("{e}"));
        let sim = run(sc, 16_000);
        for i in (0..20).filter(|&i| i != 4) {
            let p = sim.node(i).unwrap_or_else(|| panic!("seed {seed}: n{i} is up"));
            assert_eq!(p.members().len(), 19, "seed {seed}: n{i} knows everyone");
            assert_eq!(p.member(4).map(|m| m.state), Some(State::Left), "seed {seed}: n{i} knows n4 left");
            if i != 19 {
                assert_eq!(p.member(19).map(|m| m.state), Some(State::Alive), "seed {seed}: n{i} knows n19 joined");
            }
        }
        assert_eq!(metric(&sim, "false_positives"), 0.0, "seed {seed}");
    }
}

// Reference: SWIM §1 and §5: the message load per member per period is
// constant, independent of the group size (unlike all-to-all heartbeating).
#[test]
fn messages_per_member_per_period_do_not_grow_with_the_group() {
    let load = |n: usize| -> f64 {
        let events = json!([{ "at_ms": 3000, "type": "crash", "node": 7 }]);
        let sim = run(scenario(n, 1, json!({}), json!({}), events), 12_000);
        metric(&sim, "messages_per_node_per_period")
    };
    let (small, large) = (load(50), load(500));
    // A ping and its ack each period, plus the gossip of the crash's updates,
    // whose retransmit limit grows only as log10 n (8 → 12).
    assert!((1.8..=4.0).contains(&small), "n = 50: {small}");
    assert!((large / small - 1.0).abs() <= 0.3, "n = 50: {small}, n = 500: {large}");
}
