//! Every heartbeat and phi-accrual story in www/stories/ runs headless to
//! its `run_until_ms` and shows what its caption promises. The directory is
//! read, so a new story file is covered as soon as it exists, and a story
//! without an outcome check here fails until one is written.

#[path = "support/stories.rs"]
mod stories_support;

use consensus_lab::detect::{Detector, Heartbeat, PhiAccrual, Rule};
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
