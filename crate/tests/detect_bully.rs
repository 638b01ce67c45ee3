//! The bully election (Garcia-Molina 1982, in the ELECTION / OK /
//! COORDINATOR form of Tanenbaum's and Coulouris's textbooks): the highest
//! live id wins; the message count is n − 2 when the highest live id
//! notices the coordinator's crash first and O(n²) when the lowest does,
//! counted exactly; a recovering higher id takes over; a partition gives each
//! side its own coordinator. Who notices first is chosen with the `timeout`
//! inject, which makes a follower take its coordinator for dead at once.
//! Every figure comes from fixed seeds, so each test is deterministic.

use consensus_lab::detect::{Bully, BullyChecker, Phase};
use consensus_lab::explore::judge;
use consensus_lab::invariant::{Checker, NodeRef, Nodes, Violation};
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use serde_json::{Value, json};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=4;

fn scenario(nodes: usize, seed: u64, params: Value, events: Value) -> Scenario {
    let doc = json!({ "version": 1, "protocol": "bully", "nodes": nodes, "seed": seed,
        "params": params, "events": events });
    Scenario::from_value(&doc).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

fn start(s: Scenario) -> (Simulator<Bully>, String) {
    let replay = s.to_json_string();
    (Simulator::<Bully>::new(s).unwrap_or_else(|e| panic!("bad run: {e}")), replay)
}

fn run(sim: &mut Simulator<Bully>, until: u64, replay: &str) {
    sim.run_until(until).unwrap_or_else(|e| panic!("run failed: {e}"));
    assert!(sim.violations().is_empty(), "{:?}\nreplay: {replay}", sim.violations());
}

fn metric(sim: &Simulator<Bully>, name: &str) -> f64 {
    sim.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

/// ELECTION, OK and COORDINATOR messages sent so far.
fn sent(sim: &Simulator<Bully>) -> [u64; 3] {
    ["ELECTION", "OK", "COORDINATOR"].map(|k| sim.stats().by_kind.get(k).sent)
}

fn minus(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn coordinators(sim: &Simulator<Bully>, nodes: usize) -> Vec<Option<usize>> {
    (0..nodes).map(|i| sim.node(i).and_then(Bully::coordinator)).collect()
}

/// The coordinator n − 1 crashes at 5.5 s and node `noticer` takes it for
/// dead at once; returns the election messages sent after the crash, with
/// the run at 12 s. The coordinator won at 0 and heartbeats every second,
/// so at 5.5 s no ALIVE of it is still on its way (one that arrived after
/// the crash would, rightly, make its receiver follow it again).
fn crash_noticed_by(nodes: usize, seed: u64, noticer: usize) -> ([u64; 3], Simulator<Bully>) {
    let top = nodes - 1;
    let events = json!([
        { "at_ms": 5500, "type": "crash", "node": top },
        { "at_ms": 5500, "type": "timeout", "node": noticer },
    ]);
    let (mut sim, replay) = start(scenario(nodes, seed, json!({}), events));
    run(&mut sim, 5499, &replay);
    assert_eq!(
        coordinators(&sim, nodes),
        vec![Some(top); nodes],
        "seed {seed}: n{top} leads before the crash\n{replay}"
    );
    let before = sent(&sim);
    run(&mut sim, 12_000, &replay);
    let mut want = vec![Some(nodes - 2); nodes];
    want[top] = None;
    assert_eq!(coordinators(&sim, nodes), want, "seed {seed}: n{} leads after it\n{replay}", nodes - 2);
    (minus(sent(&sim), before), sim)
}

// Reference: Garcia-Molina 1982, the Election procedure: every node holds an
// election when it starts, and the highest id wins.
#[test]
fn at_start_every_node_holds_an_election_and_the_highest_id_wins() {
    for seed in SEEDS {
        let (mut sim, replay) = start(scenario(5, seed, json!({}), json!([])));
        run(&mut sim, 2_000, &replay);
        assert_eq!(coordinators(&sim, 5), vec![Some(4); 5], "seed {seed}");
        assert!(sim.node(4).is_some_and(Bully::is_coordinator));
        // Every node starts at once, so ELECTIONs from low ids still reach
        // nodes that have already heard n4's COORDINATOR, and they hold
        // elections of their own (the textbook rule): more than one, all over.
        assert!(metric(&sim, "elections") >= 1.0, "seed {seed}");
        assert_eq!(metric(&sim, "coordinators"), 1.0);
        assert!((0..5).all(|i| sim.node(i).is_some_and(|n| !n.electing())));
    }
}

// Reference: the best case of the bully algorithm (Coulouris et al.,
// Distributed Systems §15.3.2; Garcia-Molina 1982): the highest live id
// notices the coordinator's crash first, has nobody above it to ask, and
// sends COORDINATOR to every other live node — n − 2 messages, nothing else.
// (PROTOCOLS.md's "n − 1" is the count of a winner that tells every other
// id; COORDINATOR goes to lower ids only, and here the crashed coordinator
// is the one id above the winner.) 5 nodes → 0 ELECTION, 0 OK, 3 COORDINATOR; 8 nodes → 0, 0, 6.
#[test]
fn best_case_the_highest_live_id_notices_first_and_sends_n_minus_2_coordinator_messages() {
    for nodes in [5, 8] {
        for seed in SEEDS {
            let (count, sim) = crash_noticed_by(nodes, seed, nodes - 2);
            let n = nodes as u64;
            assert_eq!(count, [0, 0, n - 2], "{nodes} nodes, seed {seed}");
            assert_eq!(
                ["last_election_msgs", "last_ok_msgs", "last_coordinator_msgs"].map(|m| metric(&sim, m)),
                [0.0, 0.0, (n - 2) as f64],
                "{nodes} nodes, seed {seed}: the checker counts the same election"
            );
        }
    }
}

// Reference: the worst case (Garcia-Molina 1982; Coulouris §15.3.2: O(n²)).
// Nodes 0..n−1, the coordinator n−1 crashes and node 0 notices first:
// - node 0 sends ELECTION to 1..n−2 (not to n−1, which it knows is gone):
//   n − 2 messages;
// - each j in 1..n−2 answers OK and holds its own election, ELECTION to
//   j+1..n−1 (the crashed n−1 included: j has not noticed anything):
//   Σ (n−1−j) = (n−2)(n−1)/2 messages, n − 2 of them to the crashed node;
// - every ELECTION that reaches a live node is answered OK once:
//   (n−2) + (n−3)(n−2)/2 = (n−2)(n−1)/2;
// - n−2 hears no OK, wins, and sends COORDINATOR to 0..n−3: n − 2.
// Total (n−2)(n+1): 5 nodes → ELECTION 9, OK 6, COORDINATOR 3 (18);
// 8 nodes → 27, 21, 6 (54). The count does not depend on the latency
// drawn: every ELECTION arrives (within 60 ms) before anyone's answer
// timeout (200 ms) runs out.
#[test]
fn worst_case_the_lowest_id_notices_first_and_the_messages_grow_as_n_squared() {
    for nodes in [5, 8] {
        let n = nodes as u64;
        let want = [(n - 2) + (n - 2) * (n - 1) / 2, (n - 2) * (n - 1) / 2, n - 2];
        assert_eq!(want.iter().sum::<u64>(), (n - 2) * (n + 1));
        for seed in SEEDS {
            let (count, sim) = crash_noticed_by(nodes, seed, 0);
            assert_eq!(count, want, "{nodes} nodes, seed {seed}");
            assert_eq!(
                ["last_election_msgs", "last_ok_msgs", "last_coordinator_msgs"].map(|m| metric(&sim, m)),
                want.map(|x| x as f64),
                "{nodes} nodes, seed {seed}"
            );
            // Node 0 and the n − 2 it woke each held one election.
            assert_eq!(sim.stats().by_kind.get("ELECTION").dropped, n - 2, "the ones to the crashed node");
        }
    }
    let (five, _) = crash_noticed_by(5, 1, 0);
    assert_eq!(five, [9, 6, 3]);
}

// Reference: Garcia-Molina 1982: a node that recovers holds an election; a
// recovering higher id finds nobody above it and takes over ("bullies").
#[test]
fn a_recovering_higher_id_takes_over() {
    for seed in SEEDS {
        let events = json!([
            { "at_ms": 1500, "type": "crash", "node": 4 },
            { "at_ms": 8000, "type": "restart", "node": 4 },
        ]);
        let (mut sim, replay) = start(scenario(5, seed, json!({}), events));
        run(&mut sim, 7_999, &replay);
        assert_eq!(coordinators(&sim, 5), vec![Some(3), Some(3), Some(3), Some(3), None], "seed {seed}\n{replay}");
        let before = sent(&sim);
        run(&mut sim, 12_000, &replay);
        assert_eq!(coordinators(&sim, 5), vec![Some(4); 5], "seed {seed}\n{replay}");
        let after = minus(sent(&sim), before);
        // n4 asks nobody (no higher id) and tells the 4 lower ids; if n3's
        // heartbeat crossed that COORDINATOR, n4 tells them again.
        assert_eq!(&after[..2], &[0, 0], "seed {seed}");
        assert!(after[2] == 4 || after[2] == 8, "seed {seed}: {after:?}");
        assert_eq!(
            ["last_election_msgs", "last_ok_msgs", "last_coordinator_msgs"].map(|m| metric(&sim, m)),
            [0.0, 0.0, 4.0],
            "seed {seed}"
        );
        assert_eq!(metric(&sim, "coordinators"), 1.0);
    }
}

// Reference: the lesson of PROTOCOLS.md (and the reason Garcia-Molina's
// paper goes on to the invitation algorithm): a timeout cannot tell a
// crashed coordinator from an unreachable one, so each side of a partition
// elects its own. Two coordinators, and no invariant broken: the bully
// algorithm promises nothing more once the network can partition.
#[test]
fn under_a_partition_each_side_elects_its_own_coordinator_and_the_heal_leaves_one() {
    for seed in SEEDS {
        let events = json!([
            { "at_ms": 1000, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
            { "at_ms": 8000, "type": "heal" },
        ]);
        let (mut sim, replay) = start(scenario(5, seed, json!({}), events));
        run(&mut sim, 7_999, &replay);
        assert_eq!(coordinators(&sim, 5), vec![Some(1), Some(1), Some(4), Some(4), Some(4)], "seed {seed}\n{replay}");
        assert_eq!(metric(&sim, "coordinators"), 2.0, "seed {seed}: two coordinators, the lesson");
        assert!(metric(&sim, "split_ms") > 2_000.0, "seed {seed}");
        run(&mut sim, 11_000, &replay);
        assert_eq!(coordinators(&sim, 5), vec![Some(4); 5], "seed {seed}: after the heal\n{replay}");
        assert_eq!(metric(&sim, "coordinators"), 1.0);
    }
}

// The explorer's liveness check for bully can fail: faults "stop" at 10 s,
// but the partition never heals, so two coordinators remain.
#[test]
fn a_partition_that_never_heals_fails_the_liveness_check() {
    let cut = json!([{ "at_ms": 1000, "type": "partition", "groups": [[0, 1], [2, 3, 4]] }]);
    let mut s = scenario(5, 1, json!({}), cut);
    s.run_until_ms = Some(20_000);
    let found = judge(&s, Some(10_000)).expect("runs").expect("fails");
    assert_eq!(found.invariant, "liveness");
    assert!(found.detail.contains("names n1 as coordinator, not n4"), "{}", found.detail);
    let mut healed = scenario(
        5,
        1,
        json!({}),
        json!([
            { "at_ms": 1000, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
            { "at_ms": 10_000, "type": "heal" },
        ]),
    );
    healed.run_until_ms = Some(20_000);
    assert_eq!(judge(&healed, Some(10_000)).expect("runs"), None);
}

#[test]
fn the_impatient_variant_crowns_lower_ids_first_and_still_ends_with_the_highest() {
    // An answer timeout (15 ms) below the round trip (20–60 ms): nodes win
    // before the OKs come back, and COORDINATOR messages multiply.
    let mut extra = 0;
    for seed in SEEDS {
        let events = json!([
            { "at_ms": 5500, "type": "crash", "node": 4 },
            { "at_ms": 5500, "type": "timeout", "node": 0 },
        ]);
        let (mut sim, replay) = start(scenario(5, seed, json!({ "answer_timeout_ms": 15 }), events));
        run(&mut sim, 5_499, &replay);
        let before = sent(&sim);
        run(&mut sim, 12_000, &replay);
        assert_eq!(coordinators(&sim, 5), vec![Some(3), Some(3), Some(3), Some(3), None], "seed {seed}\n{replay}");
        extra += minus(sent(&sim), before)[2] - 3;
    }
    assert!(extra > 0, "lower ids announced themselves too");
}

#[test]
fn bad_params_are_refused_naming_the_field() {
    for (params, field) in [
        (json!({ "timeout_ms": 0 }), "timeout_ms"),
        (json!({ "heartbeat_ms": 1 }), "heartbeat_ms"),
        (json!({ "answer_timeout_ms": 700_000 }), "answer_timeout_ms"),
        (json!({ "coordinator_timeout_ms": "soon" }), "coordinator_timeout_ms"),
        (json!({ "x": 1 }), "x"),
    ] {
        let doc = json!({ "version": 1, "protocol": "bully", "nodes": 3, "seed": 1, "params": params, "events": [] });
        let err = Scenario::from_value(&doc).and_then(Simulator::<Bully>::new).err().expect("refused");
        assert!(err.to_string().contains(field), "{err}");
    }
}

/// A cluster state made by hand, every node up.
struct Fake(Vec<Bully>);

impl Nodes<Bully> for Fake {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn node(&self, id: usize) -> NodeRef<'_, Bully> {
        NodeRef::Up(&self.0[id])
    }
}

/// The invariants reported when every node is checked in turn, the ones
/// that name themselves coordinator first (as if they had won first).
fn violated(phases: &[Phase]) -> Vec<&'static str> {
    let n = phases.len();
    let nodes = Fake(phases.iter().enumerate().map(|(i, &p)| Bully::in_phase(i, n, p)).collect());
    let mut checker = BullyChecker::default();
    let mut out: Vec<Violation> = Vec::new();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| phases[i] != Phase::Normal(i));
    for i in order {
        checker.check(0, i, &nodes, &mut out);
    }
    out.iter().map(|v| v.invariant).collect()
}

// Without these, "no violation" from the runs above would prove nothing.
#[test]
fn the_invariants_can_fire() {
    use Phase::{Electing, Normal};
    // n2 coordinates, n0 and n1 follow it, n3 is electing: all fine.
    assert!(violated(&[Normal(2), Normal(2), Normal(2), Electing]).is_empty());
    // Two coordinators are no violation (a partition makes them).
    assert!(violated(&[Normal(1), Normal(1), Normal(3), Normal(3)]).is_empty());
    // n2 follows n1, a lower id.
    assert_eq!(violated(&[Normal(1), Normal(1), Normal(1)]), ["never_defers_to_lower"]);
    // n0 follows n2, which never named itself coordinator.
    assert_eq!(violated(&[Normal(2), Normal(1), Electing]), ["coordinator_announced"]);
}
