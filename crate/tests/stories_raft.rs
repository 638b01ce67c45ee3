//! The Raft stories the page offers (www/stories/raft/*.json) do what their
//! captions promise. The directory is read, so a new story is covered at
//! once — and fails until its promised outcome is written down here.
//!
//! Every story must parse as a version-1 scenario with a title, a caption
//! and a `run_until_ms` of at most ten seconds; it runs to that time without
//! an error; only stories whose name says "unsafe" may show violations.

use crate::common;
use crate::stories_support;

use common::*;
use consensus_lab::engine::Engine;
use consensus_lab::raft::{Raft, Role};
use consensus_lab::scenario::{Event, Scenario};
use consensus_lab::sim::Simulator;
use stories_support::stories;

type Sim = Simulator<Raft>;

/// Values of the running node's log.
fn vals(s: &Sim, id: usize) -> Vec<String> {
    values(node(s, id).log())
}

fn kv(s: &Sim, id: usize, key: &str) -> Option<String> {
    node(s, id).kv().get(key).cloned()
}

/// Every node is up, follows `leader` in `term`, and holds `log` fully
/// committed.
fn all_agree(s: &Sim, leader: usize, term: u64, log: &[&str]) {
    assert_eq!(current_leader(s), Some((leader, term)), "{}", replay(s));
    for i in 0..s.nodes() {
        let r = node(s, i);
        assert_eq!(vals(s, i), log, "node {i}");
        assert_eq!(r.commit_index(), log.len() as u64, "node {i}");
        assert_eq!((r.term(), r.leader()), (term, Some(leader)), "node {i}");
    }
}

// Reference: §5.2 — one leader for term 1, followed by all, commits x=1.
fn first_election(s: &mut Sim, end: u64) {
    run(s, 1_400);
    let (l, t) = current_leader(s).expect("a leader before the request");
    assert_eq!(t, 1, "elected at the first try");
    run(s, end);
    all_agree(s, l, 1, &["x=1"]);
}

// Reference: §5.2 and §5.1 — a new leader in a higher term; the old one
// follows it after restarting.
fn leader_crash(s: &mut Sim, end: u64) {
    run(s, 1_499);
    assert_eq!(current_leader(s), Some((0, 1)));
    run(s, 2_500);
    let (l, t) = current_leader(s).expect("re-elected before the next request");
    assert!(l != 0 && t == 2, "leader {l} in term {t}");
    assert!(!s.is_up(0));
    run(s, end);
    all_agree(s, l, t, &["x=1", "x=2"]);
    assert_eq!(node(s, 0).role(), Role::Follower);
}

// Reference: §5.3 — the returning follower's log is filled in to the
// leader's from nextIndex on.
fn follower_catch_up(s: &mut Sim, end: u64) {
    run(s, 2_999);
    assert_eq!(values(&s.stable(4).log), ["a=1"], "node 4 missed the rest");
    assert_eq!(node(s, 0).commit_index(), 5, "the other four commit without it");
    assert_eq!(node(s, 0).next_index()[4], 2, "where the leader will resume");
    run(s, end);
    all_agree(s, 0, 1, &["a=1", "b=2", "c=3", "d=4", "e=5"]);
    assert_eq!(kv(s, 4, "e").as_deref(), Some("5"));
}

// Reference: §5.2 — term 1 elects nobody; one of the two candidates wins
// term 2.
fn split_vote(s: &mut Sim, end: u64) {
    run(s, 100);
    for c in [0, 1] {
        assert_eq!((node(s, c).role(), node(s, c).term()), (Role::Candidate, 1));
    }
    assert!(leaders(s).is_empty());
    run(s, end);
    let (l, t) = current_leader(s).expect("the split is resolved");
    assert!(l <= 1, "one of the two candidates wins, not {l}");
    assert_eq!(t, 2);
    assert!((0..4).all(|i| node(s, i).leader() == Some(l)));
}

// Reference: §5.3 and Figure 7 — the minority cannot commit, the majority
// can, and the heal replaces the minority's uncommitted entry.
fn partition_heal(s: &mut Sim, end: u64) {
    run(s, 3_999);
    assert_eq!(vals(s, 0), ["x=1", "y=2"]);
    assert_eq!(vals(s, 1), ["x=1", "y=2"]);
    assert_eq!(node(s, 0).commit_index(), 1, "y=2 is not committed");
    assert_eq!(node(s, 0).role(), Role::Leader, "node 0 still believes it leads term 1");
    assert_eq!(node(s, 2).commit_index(), 2, "z=3 is committed by the majority");
    run(s, end);
    all_agree(s, 2, 2, &["x=1", "z=3"]);
    assert_eq!(kv(s, 0, "y"), None);
}

// Reference: §5.4.2 and Figure 8 — nothing committed is lost.
fn figure8_safe(s: &mut Sim, end: u64) {
    run(s, 2_380);
    assert_eq!(current_leader(s), Some((0, 4)));
    for n in [0, 1, 2] {
        assert_eq!(vals(s, n), ["x=1", "x=2"], "S{}", n + 1);
    }
    assert_eq!(node(s, 0).commit_index(), 0, "x=2 is on a majority but not committed");
    run(s, end);
    all_agree(s, 4, 5, &["x=1", "x=3", "x=5"]);
}

// Reference: §5.4.2 and Figure 8 — the unsafe rule commits x=2, which S5
// then overwrites: the checker reports it.
fn figure8_unsafe(s: &mut Sim, end: u64) {
    run(s, 2_380);
    assert_eq!(current_leader(s), Some((0, 4)));
    assert_eq!(node(s, 0).commit_index(), 2, "x=2 committed by counting replicas");
    assert!(s.violations().is_empty());
    run(s, end);
    all_agree(s, 4, 5, &["x=1", "x=3", "x=5"]);
    let kinds: Vec<&str> = s.violations().iter().map(|v| v.invariant).collect();
    assert!(kinds.contains(&"leader_completeness"), "{kinds:?}");
    assert!(kinds.contains(&"state_machine_safety"), "{kinds:?}");
}

// Reference: §5.1 and Figure 2 — the logs survive; commitment returns with
// the new leader's first entry.
fn full_restart(s: &mut Sim, end: u64) {
    run(s, 2_499);
    assert!((0..5).all(|i| !s.is_up(i) && s.stable(i).log.last_index() == 3));
    run(s, 3_499);
    assert!(current_leader(s).is_some());
    assert!((0..5).all(|i| node(s, i).commit_index() == 0), "nothing of the new term to commit yet");
    run(s, end);
    let (l, t) = current_leader(s).unwrap();
    assert!(t >= 2);
    all_agree(s, l, t, &["a=1", "b=2", "c=3", "d=4"]);
}

/// The client operations (by id) that got an answer.
fn answered(s: &consensus_lab::sim::World) -> Vec<u64> {
    s.history().iter().filter(|op| op.return_ms.is_some()).map(|op| op.id).collect()
}

// CAP (Brewer; Gilbert & Lynch 2002): while the network is cut, the side
// without a majority cannot have both. Raft (CP) leaves the cut-off
// clients unanswered and its history stays linearizable; the story's second
// run (vs/cap-partition.json: quorum-kv with a sloppy quorum, AP) answers
// them, with a stale read the checker finds, diverges, and converges after
// the heal. Both runs get the same partition and the same operations.
fn cap_partition(s: &mut Sim, end: u64) {
    run(s, 2_999);
    assert_eq!(node(s, 0).role(), Role::Leader, "n0 still believes it leads the small side");
    assert_eq!(current_leader(s), Some((2, 2)), "the majority elected n2");
    run(s, end);
    // Operations 2 and 3 are the cut-off side's read (at n0) and write (at n1).
    assert_eq!(answered(s), [0, 1, 4], "{:?}", s.history());
    let c = s.consistency();
    assert_eq!((c.linearizable, c.converged), (Some(true), Some(true)), "{}", c.detail);
    assert_eq!(s.history()[4].value.as_deref(), Some("2"), "the write the majority committed");

    let a = s.scenario().clone();
    let b = stories_support::vs("raft", "cap-partition", &a).expect("the CAP story has a second run");
    assert_eq!(b.protocol, "quorum-kv");
    assert_eq!(b.params.get("sloppy_quorum"), Some(&serde_json::Value::Bool(true)));
    assert_eq!((b.seed, &b.network), (a.seed, &a.network), "the same seed and network");
    let shared = |sc: &Scenario| -> Vec<String> {
        sc.events.iter().filter(|t| !matches!(t.event, Event::Timeout { .. })).map(|t| format!("{t:?}")).collect()
    };
    assert_eq!(shared(&b), shared(&a), "the same partition and client operations");
    let mut w = Engine::build(b).unwrap();
    w.run_until(2_999).unwrap();
    assert!(w.metrics().get("divergent_keys").unwrap() >= 1.0, "the two sides took different writes of x");
    assert_eq!(w.converged().0, Some(false), "still cut at 2,999 ms");
    w.run_until(end).unwrap();
    assert!(w.violations().is_empty(), "{:?}", w.violations());
    assert_eq!(answered(&w), [0, 1, 2, 3, 4], "available on both sides");
    assert_eq!(w.history()[2].value.as_deref(), Some("1"), "the cut-off read is stale");
    let c = w.consistency();
    assert_eq!(c.linearizable, Some(false), "{}", c.detail);
    let ids: Vec<u64> = c.counterexample.as_ref().map(|x| x.ops.iter().map(|op| op.id).collect()).unwrap_or_default();
    assert!(ids.contains(&2), "the stale read is in the counterexample: {ids:?}");
    assert_eq!(c.converged, Some(true), "after the heal: {}", c.detail);
    assert_eq!(w.metrics().get("divergent_keys"), Some(0.0));
    assert_eq!(w.metrics().get("max_siblings"), Some(2.0), "x = 2 and x = 3 were concurrent: both kept as siblings");
}

/// What each story promises, by file name.
fn expectation(slug: &str) -> Option<fn(&mut Sim, u64)> {
    Some(match slug {
        "first-election" => first_election,
        "leader-crash" => leader_crash,
        "follower-catch-up" => follower_catch_up,
        "split-vote" => split_vote,
        "partition-heal" => partition_heal,
        "figure8-safe" => figure8_safe,
        "figure8-unsafe" => figure8_unsafe,
        "full-restart" => full_restart,
        "cap-partition" => cap_partition,
        _ => return None,
    })
}

#[test]
fn every_raft_story_keeps_its_promise() {
    let all = stories("raft");
    stories_support::vs_have_stories("raft", &all);
    // PROTOCOLS.md lists seven Raft stories; Figure 8 has two.
    assert!(all.len() >= 8, "stories: {:?}", all.iter().map(|(s, _)| s).collect::<Vec<_>>());
    for (slug, scenario) in all {
        let end = scenario.run_until_ms.unwrap_or_else(|| panic!("{slug}: no run_until_ms"));
        let check = expectation(&slug).unwrap_or_else(|| panic!("{slug}: write down what this story promises"));
        let mut s = sim(scenario);
        check(&mut s, end);
        assert_eq!(s.now(), end, "{slug}: the check must run the story to its end");
        if slug.contains("unsafe") {
            assert!(!s.violations().is_empty(), "{slug}: the violation must appear");
        } else {
            assert!(s.violations().is_empty(), "{slug}: {:?}", s.violations());
        }
        eprintln!("{slug}: ok ({} events, {} violations)", s.stats().events, s.violations().len());
    }
}
