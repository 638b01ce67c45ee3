//! Randomized Zab runs: seeded scenarios with crashes and restarts,
//! partitions and heals, pauses, lossy links, timeouts, random drops and
//! duplicates, and a closed-loop client workload. Every run must end with
//! zero invariant violations (primary order, integrity, agreement, total
//! order, committed transactions kept), a linearizable client history, and,
//! soon after the faults stop, an established leader with a quorum of
//! followers in broadcast.
//!
//! The fault timeline is the shared generator of the Paxos tests
//! (`paxos_support::random_faults`). A failure prints the scenario: paste it
//! into the page or `consensus-lab run -`. `ZAB_RANDOM_RUNS` sets the number
//! of runs (default 1000).
// Reference: Junqueira et al., DSN 2011, §III (the properties) and §IV (the
// protocol); Herlihy & Wing 1990 (linearizability).

use crate::paxos_support;

use consensus_lab::zab::{PeerState, Zab};
use paxos_support::{Rng, random_faults, random_network, run_to, sim};
use serde_json::{Value, json};

const FAULTS_UNTIL: u64 = 4_000;
/// A healed cluster must have a leader by then. A leader that gives up just
/// after the heal finds its followers still following it; as in ZooKeeper
/// it cannot rejoin them (its election epoch has moved on), so the election
/// waits for them to give up on discovery first (seed 679: 3,100 ms).
const LEADER_BY: u64 = FAULTS_UNTIL + 3_500;
const END: u64 = FAULTS_UNTIL + 4_000;

fn runs() -> u64 {
    std::env::var("ZAB_RANDOM_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn scenario(seed: u64) -> Value {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2AB);
    let nodes = [3, 3, 5, 5, 7][rng.range(0, 4) as usize];
    json!({
        "version": 1, "protocol": "zab", "nodes": nodes, "seed": rng.next() >> 12,
        "network": random_network(&mut rng),
        "params": { "snap_threshold": rng.range(2, 60) },
        "clients": { "count": 3, "ops": ["read", "write", "cas"], "keys": ["x", "y"], "think_ms": [0, 80],
                     "timeout_ms": 600, "until_ms": END - 500 },
        "events": random_faults(&mut rng, nodes, FAULTS_UNTIL),
        "run_until_ms": END
    })
}

/// An established leader with a quorum of followers in broadcast, if any.
fn settled_leader(s: &consensus_lab::sim::Simulator<Zab>) -> Option<usize> {
    let up: Vec<(usize, &Zab)> = (0..s.nodes()).filter_map(|i| s.node(i).map(|z| (i, z))).collect();
    let (l, lz) = up.iter().find(|(_, z)| z.is_established_leader())?;
    let followers = up
        .iter()
        .filter(|(_, z)| {
            z.state() == PeerState::Following && z.leader() == Some(*l) && z.current_epoch() == lz.current_epoch()
        })
        .filter(|(_, z)| z.phase() == consensus_lab::zab::Phase::Broadcast)
        .count();
    (followers + 1 > s.nodes() / 2).then_some(*l)
}

// Reference: DSN 2011 §III — integrity, total order, agreement, primary
// order and no lost commits hold whatever the faults; the history a client
// sees is linearizable; a healed cluster elects and establishes a leader.
#[test]
fn random_fault_runs_keep_every_invariant_and_settle() {
    let runs = runs();
    let (mut violations, mut answered, mut settle_ms) = (0usize, 0usize, Vec::new());
    let mut failures = Vec::new();
    for seed in 0..runs {
        let doc = scenario(seed);
        let mut s = sim::<Zab>(doc.clone());
        run_to(&mut s, FAULTS_UNTIL);
        let mut t = FAULTS_UNTIL;
        let mut settled = None;
        while t < LEADER_BY {
            t += 50;
            run_to(&mut s, t);
            if settled_leader(&s).is_some() {
                settled = Some(t - FAULTS_UNTIL);
                break;
            }
        }
        run_to(&mut s, END);
        let c = consensus_lab::history::consistency(s.history());
        violations += s.violations().len();
        answered += s.history().iter().filter(|o| o.return_ms.is_some()).count();
        let replay = s.scenario().to_json_string();
        // The recorded scenario replays the run exactly (a sample of runs).
        if seed % 25 == 0 {
            let mut again = sim::<Zab>(serde_json::from_str(&replay).unwrap());
            run_to(&mut again, END);
            assert_eq!(again.trace_hash(), s.trace_hash(), "seed {seed}: the replay diverged\n  replay: {replay}");
        }
        match settled {
            Some(ms) => settle_ms.push(ms),
            None => failures.push(format!("seed {seed}: no settled leader by {LEADER_BY} ms\n  replay: {replay}")),
        }
        if !s.violations().is_empty() || c.linearizable != Some(true) {
            failures.push(format!(
                "seed {seed}: violations {:?}, linearizable {:?} ({})\n  replay: {replay}",
                s.violations(),
                c.linearizable,
                c.detail
            ));
        }
    }
    settle_ms.sort_unstable();
    let median = settle_ms.get(settle_ms.len() / 2).copied().unwrap_or(0);
    let worst = settle_ms.last().copied().unwrap_or(0);
    eprintln!(
        "zab: {runs} runs (seeds 0..{runs}), {violations} violations, {answered} client operations answered, leader settled after faults: median {median} ms, worst {worst} ms"
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(answered as u64 > runs * 20, "the workload made progress: {answered} answers in {runs} runs");
}
