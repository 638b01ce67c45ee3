//! Randomized Raft runs: a thousand seeded scenarios with crashes, restarts,
//! partitions, heals, pauses, link rules, scripted timeouts, random drops and
//! duplicates, and hand-dropped or hand-duplicated messages. Every run must
//! finish with zero invariant violations and, once the faults stop, elect a
//! leader whose whole log, with a last request, is committed on every server.
//!
//! A failure prints the run's full scenario JSON: paste it into the page or
//! `consensus-lab run -` to watch it. `RAFT_RANDOM_RUNS` sets the number of
//! runs (default 1000) and `RAFT_RANDOM_FIRST` the first run's number.

use crate::common;

use common::*;
use consensus_lab::raft::Raft;
use consensus_lab::scenario::{Event, NetworkSpec, Scenario};
use consensus_lab::sim::Simulator;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// How long faults are injected, then how long the healed cluster gets.
const FAULTS_MS: u64 = 6_000;
const CALM_MS: u64 = 8_000;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A random scenario for run `k`: its timeline carries every fault except
/// the hand-dropped and hand-duplicated messages, which need ids and are
/// injected live (and so recorded in the scenario too).
fn random_scenario(k: u64, rng: &mut ChaCha8Rng) -> Scenario {
    let nodes = [3, 3, 4, 5, 5, 7][rng.random_range(0..6)];
    let mut s = Scenario::new("raft", nodes, k);
    let lo = rng.random_range(150..=400u64);
    let hi = lo + rng.random_range(50..=300u64);
    let lat_lo = rng.random_range(1..=20u64);
    let lat_hi = lat_lo + rng.random_range(0..=lo / 3 - lat_lo);
    let drop = if rng.random_bool(0.5) { 0.0 } else { rng.random_range(0.0..0.15) };
    let dup = if rng.random_bool(0.5) { 0.0 } else { rng.random_range(0.0..0.1) };
    s.network = NetworkSpec { latency_ms: Some((lat_lo, lat_hi)), drop_rate: Some(drop), duplicate_rate: Some(dup) };
    param(&mut s, "election_timeout_ms", json!([lo, hi]));
    param(&mut s, "heartbeat_ms", json!(rng.random_range(20..=lo / 3)));
    param(&mut s, "max_entries_per_message", json!(rng.random_range(1..=8u64)));
    param(&mut s, "leader_noop", json!(rng.random_bool(0.3)));
    let node = |rng: &mut ChaCha8Rng| rng.random_range(0..nodes);
    let count = rng.random_range(10..=40);
    for i in 0..count {
        let t = rng.random_range(0..FAULTS_MS);
        let event = match rng.random_range(0..14) {
            0..=4 => {
                let target = rng.random_bool(0.3).then(|| node(rng));
                request(&format!("k{}={i}", rng.random_range(0..5)), target)
            }
            5 | 6 => crash(node(rng)),
            7 | 8 => restart(node(rng)),
            9 => {
                let mut order: Vec<usize> = (0..nodes).collect();
                for j in (1..order.len()).rev() {
                    order.swap(j, rng.random_range(0..=j));
                }
                let cut = rng.random_range(1..nodes);
                Event::Partition { groups: vec![order[..cut].to_vec(), order[cut..].to_vec()] }
            }
            10 => Event::Heal,
            11 => {
                let from = node(rng);
                let to = (from + rng.random_range(1..nodes)) % nodes;
                let drop_rate = rng.random_bool(0.6).then(|| if rng.random_bool(0.5) { 1.0 } else { 0.5 });
                let latency_ms = rng.random_bool(0.5).then(|| (lat_lo, lat_hi + rng.random_range(0..200)));
                Event::Link { from, to, drop_rate, latency_ms }
            }
            12 => timeout(node(rng)),
            _ => Event::Pause { node: node(rng), for_ms: rng.random_range(50..=1_000) },
        };
        at(&mut s, t, event);
    }
    // The faults end: everything heals and restarts, the network calms down,
    // and one last request must commit everywhere.
    at(&mut s, FAULTS_MS, Event::Heal);
    at(
        &mut s,
        FAULTS_MS,
        Event::SetNetwork(NetworkSpec { latency_ms: Some((10, 30)), drop_rate: Some(0.0), duplicate_rate: Some(0.0) }),
    );
    for n in 0..nodes {
        at(&mut s, FAULTS_MS, restart(n));
    }
    // A request accepted by a leader that is deposed before replicating it is
    // lost (Raft's client would retry); three, two seconds apart, make sure
    // one lands once the cluster is calm.
    for k in 1..=3 {
        at(&mut s, FAULTS_MS + 2_000 * k - 1_000, request(&format!("last={k}"), None));
    }
    s.run_until_ms = Some(FAULTS_MS + CALM_MS);
    s
}

/// Runs the faulty phase in slices, now and then dropping or duplicating a
/// message in flight by hand.
fn run_with_live_injects(s: &mut Simulator<Raft>, rng: &mut ChaCha8Rng) {
    let mut t = 0;
    while t < FAULTS_MS {
        t += rng.random_range(20..200);
        run(s, t);
        if rng.random_bool(0.3) {
            let ids: Vec<u64> = s.in_flight().map(|f| f.id).collect();
            if !ids.is_empty() {
                let id = ids[rng.random_range(0..ids.len())];
                let event =
                    if rng.random_bool(0.5) { Event::DropMessage { id } } else { Event::DuplicateMessage { id } };
                s.inject(event).unwrap_or_else(|e| panic!("{e}\n{}", replay(s)));
            }
        }
    }
}

fn failure(k: u64, what: &str, s: &Simulator<Raft>) -> String {
    let mut doc = s.scenario().clone();
    doc.run_until_ms = Some(FAULTS_MS + CALM_MS);
    format!("run {k}: {what}\nscenario: {}", doc.to_json_string())
}

// Reference: Figure 3 — Election Safety, Leader Append-Only, Log Matching,
// Leader Completeness and State Machine Safety hold in every run, whatever
// the faults; and (§5.2, §5.3) a healed cluster elects a leader and commits.
#[test]
fn random_fault_runs_keep_every_invariant() {
    let first = env("RAFT_RANDOM_FIRST", 0);
    let runs = env("RAFT_RANDOM_RUNS", 1000);
    let mut total_violations = 0;
    for k in first..first + runs {
        let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0000 + k);
        let scenario = random_scenario(k, &mut rng);
        let mut s = sim(scenario);
        run_with_live_injects(&mut s, &mut rng);
        run(&mut s, FAULTS_MS + CALM_MS);
        total_violations += s.violations().len();
        assert!(s.violations().is_empty(), "{}", failure(k, &format!("violations {:?}", s.violations()), &s));
        let Some((l, _)) = current_leader(&s) else {
            panic!("{}", failure(k, "no leader after the faults ended", &s));
        };
        let lead = node(&s, l);
        let landed = lead.log().iter().any(|e| e.value.starts_with("last="));
        assert!(landed, "{}", failure(k, "none of the calm-phase requests reached the leader's log", &s));
        let all = lead.log().last_index();
        for i in 0..s.nodes() {
            let r = node(&s, i);
            assert_eq!(r.commit_index(), all, "{}", failure(k, &format!("node {i} has not committed everything"), &s));
            assert!(same_log(r.log(), lead.log()), "{}", failure(k, &format!("node {i}'s log differs"), &s));
        }
        // The recorded scenario, live injects included, replays the run
        // exactly (checked for a sample of runs).
        if k % 25 == 0 {
            let text = failure(k, "replay", &s);
            let json = text.split_once("scenario: ").map(|(_, j)| j).unwrap_or_default();
            let mut again = sim(Scenario::from_json_str(json).unwrap());
            run(&mut again, FAULTS_MS + CALM_MS);
            assert_eq!(again.trace_hash(), s.trace_hash(), "{}", failure(k, "the replay diverged", &s));
        }
    }
    assert_eq!(total_violations, 0);
}
