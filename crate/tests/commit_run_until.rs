//! The simulator's `run_until(t)` never takes a step after `t`, even when
//! the queue's next items are stale (timers of a crashed coordinator, votes
//! lost with it) and the next real step is a timeline event or a participant
//! timeout. The commit tests read states just before such timeouts.

use consensus_lab::commit::ThreePc;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;

/// Node 0 crashes at 200 with its vote timer armed for 500: that queue item
/// is stale. The next real step is the participants' timeout at 1150.
const DOC: &str = r#"{"version":1,"protocol":"3pc","nodes":3,"seed":1,
  "network":{"latency_ms":[100,100]},
  "events":[{"at_ms":0,"type":"client_request","value":"t1"},
            {"at_ms":200,"type":"crash","node":0},
            {"at_ms":1120,"type":"restart","node":0}]}"#;

fn decided(s: &Simulator<ThreePc>) -> bool {
    s.stable(1).decision("t1").is_some()
}

#[test]
fn run_until_stops_at_its_time_when_only_stale_items_come_first() {
    // Reference: Skeen 1981, timeout transitions — the 1150 ms timeout must
    // not run early.
    let mut s = Simulator::<ThreePc>::new(Scenario::from_json_str(DOC).unwrap()).unwrap();
    s.run_until(1_100).unwrap();
    assert_eq!(s.now(), 1_100);
    assert!(!decided(&s), "the 1150 ms timeout ran during run_until(1100)");
    assert!(!s.is_up(0), "the 1120 ms restart ran during run_until(1100)");
    s.run_until(1_149).unwrap();
    assert!(s.is_up(0) && !decided(&s));
    s.run_until(1_150).unwrap();
    assert!(decided(&s));
}

#[test]
fn step_still_skips_stale_items() {
    // Reference: Skeen 1981 — the restart at 1120 is the next real step.
    let mut s = Simulator::<ThreePc>::new(Scenario::from_json_str(DOC).unwrap()).unwrap();
    s.run_until(300).unwrap();
    assert!(s.step().unwrap());
    assert_eq!(s.now(), 1_120, "the stale 500 ms timer is skipped, the restart runs");
}
