//! Every Zab story in www/stories/zab/ runs headless to its `run_until_ms`
//! and shows what its caption promises. The directory is read, so a new
//! story file is covered as soon as it exists, and a story without an
//! outcome check here fails until one is written.

use crate::paxos_support;
use crate::stories_support;

use consensus_lab::scenario::{Event, Scenario};
use consensus_lab::sim::Simulator;
use consensus_lab::zab::{PeerState, Phase, Zab, Zxid};
use paxos_support::count_kinds;
use stories_support::stories;

fn values(s: &Simulator<Zab>, i: usize) -> Vec<String> {
    s.stable(i).history.iter().map(|t| t.value.to_string()).collect()
}

/// Every running server follows or leads epoch `epoch` in broadcast, with
/// `want` committed.
fn all_in_broadcast(slug: &str, s: &Simulator<Zab>, epoch: u64, want: &[&str]) {
    for i in 0..s.nodes() {
        let z = s.node(i).unwrap_or_else(|| panic!("{slug}: n{i} is down"));
        assert_eq!((z.phase(), z.current_epoch()), (Phase::Broadcast, epoch), "{slug}: n{i}");
        assert_eq!(values(s, i), want, "{slug}: n{i}");
        assert_eq!(z.committed(), want.len(), "{slug}: n{i} committed everything");
    }
}

/// The story's run with its deliberate bug (`param`) switched off.
fn fixed(sc: &Scenario, param: &str) -> Simulator<Zab> {
    let mut fixed = sc.clone();
    fixed.params.insert(param.into(), false.into());
    Simulator::<Zab>::new(fixed).unwrap()
}

// Reference: DSN 2011 §IV; Medeiros 2012; ZOOKEEPER-3911.
#[test]
fn zab_stories_show_what_their_captions_promise() {
    let all = stories("zab");
    let order: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/stories/zab/order.json")).unwrap(),
    )
    .unwrap();
    let mut slugs: Vec<&String> = all.iter().map(|(s, _)| s).collect();
    slugs.sort();
    let mut listed: Vec<&String> = order.iter().collect();
    listed.sort();
    assert_eq!(slugs, listed, "order.json lists every story once");
    for (slug, sc) in all {
        let mut s = Simulator::<Zab>::new(sc.clone()).unwrap_or_else(|e| panic!("{slug}: {e}"));
        let counts = count_kinds(&mut s, sc.run_until_ms.unwrap_or(0));
        let kind = |k: &str| counts.get(k).copied().unwrap_or(0);
        let replay = sc.to_json_string();
        let lost: Vec<_> = s.violations().iter().filter(|v| v.invariant == "committed_kept").collect();
        match slug.as_str() {
            "first-election" => {
                assert!(s.violations().is_empty(), "{slug}: {:?}\n{replay}", s.violations());
                assert!(s.node(4).is_some_and(Zab::is_established_leader), "{slug}: n4 leads");
                all_in_broadcast(&slug, &s, 1, &["x=1"]);
                assert_eq!(s.stable(0).history[0].zxid, Zxid(1, 1));
                assert_eq!((kind("LEADERINFO"), kind("ACKEPOCH"), kind("DIFF")), (4, 4, 4), "{slug}: {counts:?}");
                assert_eq!((kind("PROPOSAL"), kind("COMMIT")), (4, 4), "{slug}: {counts:?}");
            }
            "lagging-follower" => {
                assert!(s.violations().is_empty(), "{slug}: {:?}\n{replay}", s.violations());
                all_in_broadcast(&slug, &s, 1, &["x=1", "y=2", "x=3", "z=4"]);
                assert_eq!(kind("DIFF"), 3, "{slug}: two at the start, one for n0's return: {counts:?}");
                assert_eq!((kind("TRUNC"), kind("SNAP")), (0, 0), "{slug}: {counts:?}");
            }
            "zookeeper-3911" => {
                assert_eq!(lost.len(), 1, "{slug}: the checker reports the loss: {:?}", s.violations());
                assert!(lost[0].detail.contains("x=1"), "{slug}: {}", lost[0].detail);
                assert!(values(&s, 0).is_empty() && values(&s, 2).is_empty(), "{slug}: x=1 is gone");
                // The same story with the fix keeps x=1.
                let mut f = fixed(&sc, "unsafe_ack_before_persist");
                f.run_until(sc.run_until_ms.unwrap_or(0)).unwrap();
                assert!(f.violations().is_empty(), "{slug} fixed: {:?}", f.violations());
                assert_eq!(values(&f, 2), ["x=1"], "{slug} fixed");
            }
            "leader-crash" => {
                assert!(s.violations().is_empty(), "{slug}: {:?}\n{replay}", s.violations());
                assert!(s.node(1).is_some_and(Zab::is_established_leader), "{slug}: n1 leads");
                all_in_broadcast(&slug, &s, 2, &["x=1", "y=2", "z=3"]);
                assert_eq!(s.stable(2).history[2].zxid, Zxid(2, 1), "{slug}: z=3 is the first of epoch 2");
                // Two at the start, one to n0 for epoch 2, one for n2's return.
                assert_eq!(kind("DIFF"), 4, "{slug}: {counts:?}");
                assert_eq!((kind("TRUNC"), kind("SNAP")), (0, 0), "{slug}: {counts:?}");
            }
            "far-behind-snap" => {
                assert!(s.violations().is_empty(), "{slug}: {:?}\n{replay}", s.violations());
                all_in_broadcast(&slug, &s, 1, &["a=1", "b=2", "c=3", "d=4", "e=5"]);
                assert_eq!((kind("SNAP"), kind("DIFF"), kind("TRUNC")), (1, 2, 0), "{slug}: {counts:?}");
            }
            "zookeeper-1419" => {
                assert!(s.violations().is_empty(), "{slug}: {:?}\n{replay}", s.violations());
                let restart = sc
                    .events
                    .iter()
                    .filter(|e| matches!(e.event, Event::Restart { .. }))
                    .map(|e| e.at_ms)
                    .max()
                    .unwrap();
                let end = sc.run_until_ms.unwrap_or(0);
                let mut bad = Simulator::<Zab>::new(sc.clone()).unwrap();
                let mut t = restart;
                while t < end {
                    t += 50;
                    bad.run_until(t).unwrap();
                    assert!(
                        (0..5).all(|i| bad.node(i).is_some_and(|z| z.state() == PeerState::Looking)),
                        "{slug}: all looking at {t} ms"
                    );
                }
                assert!(kind("Notification") > 10_000, "{slug}: the votes keep flipping: {counts:?}");
                // The same story with the fixed vote order: n3 leads within 300 ms.
                let mut f = fixed(&sc, "unsafe_vote_order");
                f.run_until(restart + 300).unwrap();
                assert!(f.node(3).is_some_and(Zab::is_established_leader), "{slug} fixed: n3 leads");
                f.run_until(end).unwrap();
                assert!(f.violations().is_empty(), "{slug} fixed: {:?}", f.violations());
            }
            other => panic!("story zab/{other} has no outcome check in stories_zab.rs"),
        }
    }
}
