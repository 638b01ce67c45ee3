//! Time travel is exact: every position the timeline reaches by seeking,
//! stepping back or forking equals a fresh run of the same scenario to the
//! same point — same snapshot, same trace hash — and memory stays bounded.

use consensus_lab::engine::Engine;
use consensus_lab::scenario::{Event, Scenario};
use consensus_lab::sim::World;
use consensus_lab::timeline::{MAX_CHECKPOINTS, Timeline};

fn scenario(nodes: usize, seed: u64, until: u64) -> Scenario {
    let mut s = Scenario::new("raft", nodes, seed);
    for (i, t) in (500..until).step_by(250).enumerate() {
        s.events.push(consensus_lab::scenario::Timed {
            at_ms: t,
            event: Event::ClientRequest { value: format!("k{}={i}", i % 7), node: None },
        });
    }
    s.events.push(consensus_lab::scenario::Timed { at_ms: 2_100, event: Event::Crash { node: 1 } });
    s.events.push(consensus_lab::scenario::Timed { at_ms: 3_300, event: Event::Restart { node: 1 } });
    s.events.sort_by_key(|e| e.at_ms);
    s
}

fn fresh(s: &Scenario) -> World {
    let mut w = Engine::build(s.clone()).expect("valid scenario");
    w.record_trace(100);
    w
}

/// What must be equal for two positions to be the same moment of a run.
fn fingerprint(w: &World) -> (String, String, u64) {
    (w.snapshot_json(), w.trace_hash(), w.stats().events)
}

#[test]
fn seeking_anywhere_equals_a_fresh_run_to_that_time() {
    let s = scenario(5, 7, 12_000);
    let mut tl = Timeline::new(fresh(&s));
    tl.run_until(12_000).unwrap();
    // Out of order, across checkpoints, exactly on and between them.
    for t in [11_999, 0, 4_000, 2_100, 2_101, 9_000, 1, 6_543, 12_000, 3_300, 500] {
        tl.seek(t).unwrap();
        let mut w = fresh(&s);
        w.run_until(t).unwrap();
        assert_eq!(fingerprint(tl.world()), fingerprint(&w), "seek to {t} ms");
    }
}

#[test]
fn stepping_back_equals_a_fresh_run_one_step_shorter() {
    let s = scenario(3, 11, 5_000);
    let mut tl = Timeline::new(fresh(&s));
    tl.run_until(4_321).unwrap();
    for _ in 0..25 {
        let steps = tl.world().stats().events;
        tl.step_back().unwrap();
        assert_eq!(tl.world().stats().events, steps - 1);
        let mut w = fresh(&s);
        while w.stats().events < steps - 1 {
            assert!(w.step().unwrap());
        }
        assert_eq!(fingerprint(tl.world()), fingerprint(&w), "back to step {}", steps - 1);
    }
    // Forward again, one step at a time.
    let steps = tl.world().stats().events;
    tl.step().unwrap();
    assert_eq!(tl.world().stats().events, steps + 1);
}

#[test]
fn acting_in_the_past_forks_and_the_recorded_scenario_replays_the_fork() {
    let s = scenario(5, 3, 8_000);
    let mut tl = Timeline::new(fresh(&s));
    tl.run_until(8_000).unwrap();
    let head_markers = tl.markers().len();
    let epoch = tl.marker_epoch();
    tl.seek(1_500).unwrap();
    assert_eq!(tl.marker_epoch(), epoch, "seeking keeps the markers");
    tl.inject(Event::Crash { node: 0 }).unwrap();
    assert_ne!(tl.marker_epoch(), epoch, "the fork took the old future's markers away: readers must read them again");
    tl.inject(Event::Partition { groups: vec![vec![3, 4]] }).unwrap();
    // The old future is gone: no timeline event after the fork point.
    let recorded = tl.world().scenario().clone();
    assert!(recorded.events.iter().all(|e| e.at_ms <= 1_500), "future events discarded");
    // Everything up to and including 1 500 ms stays (a request was due then),
    // and the two new events come last, in the order they were made.
    let kept = s.events.iter().filter(|e| e.at_ms <= 1_500).count();
    assert_eq!(recorded.events.len(), kept + 2);
    let last: Vec<&str> = recorded.events[kept..].iter().map(|e| e.event.type_name()).collect();
    assert_eq!(last, ["crash", "partition"]);
    assert_eq!(tl.head().time_ms, 1_500);
    assert!(tl.markers().len() <= head_markers);
    assert!(tl.markers().iter().all(|m| m.time_ms <= 1_500));
    tl.run_until(6_000).unwrap();
    let mut w = fresh(&recorded);
    w.run_until(6_000).unwrap();
    assert_eq!(fingerprint(tl.world()), fingerprint(&w));
    // Seeking within the fork is exact too.
    tl.seek(2_000).unwrap();
    let mut w = fresh(&recorded);
    w.run_until(2_000).unwrap();
    assert_eq!(fingerprint(tl.world()), fingerprint(&w));
}

#[test]
fn acting_at_the_head_keeps_scheduled_events() {
    let s = scenario(5, 5, 6_000);
    let total = s.events.len();
    let mut tl = Timeline::new(fresh(&s));
    tl.run_until(1_000).unwrap();
    tl.inject(Event::Timeout { node: 2 }).unwrap();
    assert_eq!(tl.world().scenario().events.len(), total + 1, "nothing discarded at the head");
}

#[test]
fn markers_record_leader_changes_crashes_and_restarts() {
    let s = scenario(5, 7, 5_000);
    let mut tl = Timeline::new(fresh(&s));
    tl.run_until(5_000).unwrap();
    let kinds: Vec<String> = tl.markers().iter().map(|m| format!("{:?}", m.kind)).collect();
    assert!(kinds.iter().any(|k| k == "Milestone"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "Crash"));
    assert!(kinds.iter().any(|k| k == "Restart"));
    // Rewinding keeps the known future's markers.
    let n = tl.markers().len();
    tl.seek(100).unwrap();
    assert_eq!(tl.markers().len(), n);
}

#[test]
fn checkpoints_stay_bounded_on_a_long_run_and_seeks_stay_exact() {
    // An hour of simulated time with a client request every 250 ms.
    let s = scenario(5, 13, 3_600_000);
    let mut tl = Timeline::new(fresh(&s));
    tl.run_until(3_600_000).unwrap();
    assert!(tl.checkpoints() <= MAX_CHECKPOINTS + 1, "{} checkpoints", tl.checkpoints());
    for t in [3_599_999, 1_234_567, 17] {
        tl.seek(t).unwrap();
        let mut w = fresh(&s);
        w.run_until(t).unwrap();
        assert_eq!(fingerprint(tl.world()), fingerprint(&w), "seek to {t} ms");
    }
}

#[test]
fn running_in_slices_of_a_few_steps_is_the_same_run() {
    // The page cuts a heavy frame's work short (runSteps) and goes on in the
    // next frame: however the steps are cut, the run is the one run_until makes.
    let s = scenario(5, 11, 8_000);
    for slice in [1, 7, 64] {
        let mut tl = Timeline::new(fresh(&s));
        let mut cuts = 0;
        for target in (0..=8_000).step_by(500) {
            while !tl.run_steps(target, slice).unwrap() {
                cuts += 1;
                assert!(tl.world().now() <= target, "a cut short slice stops before its target");
            }
            assert_eq!(tl.world().now(), target);
        }
        let mut w = fresh(&s);
        w.run_until(8_000).unwrap();
        assert_eq!(fingerprint(tl.world()), fingerprint(&w), "slices of {slice} steps");
        assert!(cuts > 0, "slices of {slice} steps were cut short");
        // Seeking back still works from checkpoints taken on the way.
        tl.seek(3_000).unwrap();
        let mut back = fresh(&s);
        back.run_until(3_000).unwrap();
        assert_eq!(fingerprint(tl.world()), fingerprint(&back));
    }
}
