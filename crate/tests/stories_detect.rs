//! Every heartbeat, phi-accrual and bully story in www/stories/ runs headless to
//! its `run_until_ms` and shows what its caption promises. The directory is
//! read, so a new story file is covered as soon as it exists, and a story
//! without an outcome check here fails until one is written.

use crate::stories_support;

use consensus_lab::detect::{Bully, Detector, Heartbeat, PhiAccrual, Rule};
use consensus_lab::protocol::Protocol;
use consensus_lab::sim::Simulator;
use stories_support::{ordered, play, stories};

fn metric<P: Protocol>(s: &Simulator<P>, name: &str) -> f64 {
    s.metrics().get(name).unwrap_or(f64::NAN)
}

fn suspects<R: Rule>(s: &Simulator<Detector<R>>, i: usize) -> Vec<usize> {
    s.node(i).map(Detector::suspects).unwrap_or_default()
}

// Reference: each caption names what it shows (docs/protocols/heartbeat.md).
#[test]
fn heartbeat_stories_show_what_their_captions_promise() {
    let all = stories("heartbeat");
    ordered("heartbeat", &all);
    for (slug, sc) in &all {
        let end = sc.run_until_ms.unwrap_or(0);
        let s: Simulator<Heartbeat> = play(slug, sc, end);
        match slug.as_str() {
            "crash-detected" => {
                let d = metric(&s, "detection_ms");
                assert!((2000.0..=3130.0).contains(&d), "{slug}: {d}");
                for i in [0, 1, 3, 4] {
                    assert_eq!(suspects(&s, i), vec![2], "{slug}: n{i}");
                }
                assert_eq!(metric(&s, "false_suspicions"), 0.0, "{slug}");
            }
            "jitter-false-suspicion" => {
                assert!(metric(&s, "false_suspicions") >= 1.0, "{slug}");
                assert_eq!(metric(&s, "crashes"), 0.0, "{slug}");
            }
            "pause" => {
                let during: Simulator<Heartbeat> = play(slug, sc, 6_800);
                for i in [0, 1, 2, 4] {
                    assert_eq!(suspects(&during, i), vec![3], "{slug}: n{i} during the pause");
                }
                for i in 0..5 {
                    assert!(suspects(&s, i).is_empty(), "{slug}: n{i} at the end");
                }
                assert!(metric(&s, "false_suspicions") >= 4.0, "{slug}");
            }
            other => panic!("story heartbeat/{other} has no outcome check in stories_detect.rs"),
        }
    }
}

// Reference: Hayashibara et al. 2004, §3–4 (docs/protocols/phi-accrual.md).
#[test]
fn phi_accrual_stories_show_what_their_captions_promise() {
    let all = stories("phi-accrual");
    ordered("phi-accrual", &all);
    for (slug, sc) in &all {
        let end = sc.run_until_ms.unwrap_or(0);
        let s: Simulator<PhiAccrual> = play(slug, sc, end);
        match slug.as_str() {
            "phi-rises-after-crash" => {
                let d = metric(&s, "detection_ms");
                // A few samples so far: σ ≈ 160 ms, so φ = 8 at a gap of about 4.9 s.
                assert!((3800.0..=5100.0).contains(&d), "{slug}: {d}");
                let early: Simulator<PhiAccrual> = play(slug, sc, 6_000);
                let phi = early.node(0).and_then(|n| n.level_at(6_000, 4)).expect("n0 watches n4");
                assert!(phi < 1.0, "{slug}: φ {phi} still low 2 s after the crash");
                assert_eq!(metric(&s, "false_suspicions"), 0.0, "{slug}");
            }
            "adapts-to-jitter" => {
                assert_eq!(metric(&s, "false_suspicions"), 0.0, "{slug}");
                assert_eq!(metric(&s, "undetected"), 0.0, "{slug}");
                let d = metric(&s, "first_detection_ms");
                assert!(d < 500.0, "{slug}: the quick nodes saw it in {d} ms");
            }
            other => panic!("story phi-accrual/{other} has no outcome check in stories_detect.rs"),
        }
    }
}

fn coordinators(s: &Simulator<Bully>) -> Vec<Option<usize>> {
    (0..5).map(|i| s.node(i).and_then(Bully::coordinator)).collect()
}

fn last_election(s: &Simulator<Bully>) -> [f64; 3] {
    ["last_election_msgs", "last_ok_msgs", "last_coordinator_msgs"].map(|m| metric(s, m))
}

// Reference: Garcia-Molina 1982 and the lesson of PROTOCOLS.md (docs/protocols/bully.md).
#[test]
fn bully_stories_show_what_their_captions_promise() {
    let all = stories("bully");
    ordered("bully", &all);
    for (slug, sc) in &all {
        let end = sc.run_until_ms.unwrap_or(0);
        let s: Simulator<Bully> = play(slug, sc, end);
        match slug.as_str() {
            "highest-crashes" => {
                assert_eq!(coordinators(&s), [Some(3), Some(3), Some(3), Some(3), None], "{slug}");
                assert_eq!(last_election(&s), [9.0, 6.0, 3.0], "{slug}: the worst case");
            }
            "highest-live-notices" => {
                assert_eq!(coordinators(&s), [Some(3), Some(3), Some(3), Some(3), None], "{slug}");
                assert_eq!(last_election(&s), [0.0, 0.0, 3.0], "{slug}: the best case");
            }
            "higher-recovers" => {
                let before: Simulator<Bully> = play(slug, sc, 5_999);
                assert_eq!(coordinators(&before), [Some(3), Some(3), Some(3), Some(3), None], "{slug}: n3 first");
                assert_eq!(coordinators(&s), [Some(4); 5], "{slug}: then n4");
                assert_eq!(last_election(&s), [0.0, 0.0, 4.0], "{slug}: n4 asks nobody");
            }
            "partition-two-coordinators" => {
                let split: Simulator<Bully> = play(slug, sc, 6_999);
                assert_eq!(coordinators(&split), [Some(1), Some(1), Some(4), Some(4), Some(4)], "{slug}");
                assert_eq!(metric(&split, "coordinators"), 2.0, "{slug}: two coordinators, flagged");
                assert!(split.violations().is_empty(), "{slug}: the lesson, not a violation");
                assert_eq!(coordinators(&s), [Some(4); 5], "{slug}: the heal leaves n4");
                assert_eq!(metric(&s, "coordinators"), 1.0, "{slug}");
            }
            other => panic!("story bully/{other} has no outcome check in stories_detect.rs"),
        }
    }
}
