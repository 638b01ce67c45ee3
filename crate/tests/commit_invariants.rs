//! The atomic-commit checker can fire: nodes started from hand-written logs
//! that disagree are reported, once, under the right invariant name.

use consensus_lab::commit::{DurableLog, RecordKind, ThreePc, TwoPc};
use consensus_lab::protocol::Protocol;
use consensus_lab::scenario::{Event, Scenario};
use consensus_lab::sim::Simulator;

fn log(records: &[(&str, RecordKind)]) -> DurableLog {
    let mut l = DurableLog::default();
    for (tx, kind) in records {
        l.write(&(*tx).into(), *kind);
    }
    l
}

fn start<P: Protocol<Stable = DurableLog>>(name: &str, logs: Vec<Option<DurableLog>>) -> Simulator<P> {
    let s = Scenario::new(name, logs.len(), 1);
    Simulator::<P>::with_stable(s, logs).expect("valid scenario")
}

#[test]
fn atomicity_fires_when_one_node_commits_and_another_aborts() {
    // Reference: Gray & Lamport §2, consistency — "no two RMs are in
    // different final states".
    use RecordKind::*;
    let logs = vec![
        None,
        Some(log(&[("t1", Yes), ("t1", Commit), ("t2", Yes), ("t2", Commit)])),
        Some(log(&[("t1", Yes), ("t1", Abort), ("t2", Yes), ("t2", Commit)])),
    ];
    let mut s = start::<TwoPc>("2pc", logs);
    let names: Vec<_> = s.violations().iter().map(|v| (v.invariant, v.at_ms)).collect();
    assert_eq!(names, [("atomicity", 0)]);
    assert_eq!(s.violations()[0].detail, "transaction \"t1\" is committed at node 1 but aborted at node 2");
    // Reported once, however long the run goes on.
    s.inject(Event::ClientRequest { value: "t3".into(), node: None }).unwrap();
    s.run_until(5_000).unwrap();
    assert_eq!(s.violation_count(), 1);
}

#[test]
fn validity_fires_when_a_node_commits_without_every_yes_vote() {
    // Reference: Gray & Lamport §2, non-triviality — commit only if all RMs
    // prepared. Node 2 never voted.
    use RecordKind::*;
    let logs = vec![None, Some(log(&[("t1", Yes), ("t1", Commit)])), None];
    let s = start::<ThreePc>("3pc", logs);
    let names: Vec<_> = s.violations().iter().map(|v| v.invariant).collect();
    assert_eq!(names, ["validity"]);
    assert!(s.violations()[0].detail.contains("participant 2 did not vote yes"));
}

#[test]
fn agreeing_logs_raise_nothing() {
    // Reference: Gray & Lamport §2 — all nodes committed: consistent.
    use RecordKind::*;
    let logs = vec![
        Some(log(&[("t1", Begin), ("t1", Commit), ("t1", End)])),
        Some(log(&[("t1", Yes), ("t1", Commit)])),
        Some(log(&[("t1", Yes), ("t1", Commit)])),
    ];
    let mut s = start::<TwoPc>("2pc", logs);
    s.run_until(5_000).unwrap();
    assert!(s.violations().is_empty());
}

#[test]
fn a_decision_written_during_the_run_is_checked_and_reported_once() {
    // Reference: Gray & Lamport §2 (consistency) and §3 (presumed abort).
    // Node 1's log says commit (a log from another run); the coordinator's
    // says only begin, so on restart it presumes abort and tells everyone.
    // Its own abort record is checked against node 1's commit when written,
    // and node 2's later abort adds no second report.
    use RecordKind::*;
    let logs = vec![Some(log(&[("t1", Begin)])), Some(log(&[("t1", Yes), ("t1", Commit)])), Some(log(&[("t1", Yes)]))];
    let mut s = start::<TwoPc>("2pc", logs);
    assert_eq!(s.violations().iter().map(|v| v.invariant).collect::<Vec<_>>(), ["atomicity"]);
    let first = s.violations()[0].detail.clone();
    assert!(first.contains("committed at node 1 but aborted at node 0"), "{first}");
    s.run_until(1_000).unwrap();
    assert_eq!(s.stable(2).decision("t1"), Some(consensus_lab::commit::Decision::Abort));
    assert_eq!(s.violation_count(), 1, "one report per transaction");
}
