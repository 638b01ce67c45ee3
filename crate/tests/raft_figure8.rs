//! The Figure 8 sequence of the extended Raft paper (§5.4.2), step by step:
//! why a leader may not commit an entry from an earlier term by counting its
//! replicas. With the paper's rule nothing committed is ever lost; with
//! `unsafe_commit_previous_terms` the same sequence commits an entry that a
//! later leader overwrites, and the invariant checker reports it — which
//! proves both the rule and the checker.
//!
//! Servers S1..S5 of the figure are nodes 0..4. Elections are scripted with
//! `timeout` injects (election timeouts are too long to fire by themselves),
//! and partitions decide who hears whom.

use crate::common;

use std::collections::BTreeMap;

use common::*;
use consensus_lab::raft::{Entry, Raft, Role};
use consensus_lab::scenario::{Event, Scenario};
use consensus_lab::sim::Simulator;
use serde_json::json;

const S1: usize = 0;
const S2: usize = 1;
const S3: usize = 2;
const S4: usize = 3;
const S5: usize = 4;

/// The Figure 8 script. With `e`, S1 replicates its term-4 entry before it
/// crashes (the figure's branch (e)) instead of crashing first (branch (d)).
fn figure8(unsafe_rule: bool, e: bool) -> Scenario {
    let mut s = raft(5, 8);
    quiet(&mut s);
    param(&mut s, "unsafe_commit_previous_terms", json!(unsafe_rule));
    // Term 1: S2 leads and commits index 1 everywhere.
    at(&mut s, 0, timeout(S2));
    at(&mut s, 100, request("x=1", Some(S2)));
    // (a) S1 times out, is elected for term 2 and replicates index 2 to S2
    // only, then crashes.
    at(&mut s, 300, timeout(S1));
    at(&mut s, 400, partition(&[&[S1, S2], &[S3, S4, S5]]));
    at(&mut s, 410, request("x=2", Some(S1)));
    at(&mut s, 500, crash(S1));
    // (b) S5 is elected for term 3 by S3, S4 and itself, and accepts a
    // different entry at index 2 that reaches nobody; then it crashes.
    at(&mut s, 600, timeout(S5));
    at(&mut s, 700, partition(&[&[S5], &[S1, S2, S3, S4]]));
    at(&mut s, 710, request("x=3", Some(S5)));
    at(&mut s, 800, crash(S5));
    // (c) S1 restarts and, with S2 and S3, is elected for term 4 (its first
    // try, term 3, fails: S3 already voted for S5 in term 3). It brings
    // index 2 to S3: a majority holds it now. It then appends "x=4".
    at(&mut s, 900, restart(S1));
    at(&mut s, 900, partition(&[&[S1, S2, S3], &[S4], &[S5]]));
    at(&mut s, 900, timeout(S1));
    at(&mut s, 1_000, timeout(S1));
    if !e {
        at(&mut s, 1_200, partition(&[&[S1], &[S2, S3], &[S4], &[S5]]));
    }
    at(&mut s, 1_210, request("x=4", Some(S1)));
    at(&mut s, 1_300, crash(S1));
    // (d) S5 restarts and is elected for term 5 by S2, S3 and S4 (after a
    // failed term 4), then replicates its own log — and a new entry.
    at(&mut s, 1_400, Event::Heal);
    at(&mut s, 1_400, restart(S5));
    at(&mut s, 1_400, timeout(S5));
    at(&mut s, 1_500, timeout(S5));
    at(&mut s, 1_600, request("x=5", Some(S5)));
    at(&mut s, 1_700, restart(S1));
    if e {
        // S5 cannot win; S1 can, and repairs S5's log.
        at(&mut s, 1_800, timeout(S1));
    }
    s.run_until_ms = Some(2_500);
    s
}

/// Every entry any server ever had committed, by index, and the first index
/// at which two servers committed different entries.
#[derive(Default)]
struct Committed {
    seen: BTreeMap<u64, Entry>,
    conflict: Option<u64>,
}

impl Committed {
    fn observe(&mut self, s: &Simulator<Raft>) {
        for r in (0..s.nodes()).filter_map(|i| s.node(i)) {
            for i in 1..=r.commit_index() {
                let Some(e) = r.log().entry(i) else { continue };
                match self.seen.get(&i) {
                    Some(prev) if prev != e => self.conflict = self.conflict.or(Some(i)),
                    Some(_) => {}
                    None => {
                        self.seen.insert(i, e.clone());
                    }
                }
            }
        }
    }

    /// Whether every committed entry is still in every server's log.
    fn all_kept(&self, s: &Simulator<Raft>) -> bool {
        (0..s.nodes()).all(|n| self.seen.iter().all(|(&i, e)| s.stable(n).log.entry(i) == Some(e)))
    }
}

/// Runs the script to `t`, recording commitments after every step.
fn run_observed(s: &mut Simulator<Raft>, c: &mut Committed, t: u64) {
    while s.next_event_at().is_some_and(|at| at <= t) {
        s.step().unwrap_or_else(|e| panic!("{e}\n{}", replay(s)));
        c.observe(s);
    }
    run(s, t);
}

// Reference: §5.4.2 and Figure 8 — with the paper's rule S1 does not commit
// index 2 in (c) although a majority stores it, so S5 overwriting it in (d)
// loses nothing that was committed, and no invariant is violated.
#[test]
fn figure8_safe_rule_loses_no_committed_entry() {
    let mut s = sim(figure8(false, false));
    let mut c = Committed::default();
    run_observed(&mut s, &mut c, 450);
    // (a)
    assert_eq!(current_leader(&s), Some((S1, 2)));
    assert_eq!(terms(node(&s, S1).log()), vec![1, 2]);
    assert_eq!(terms(node(&s, S2).log()), vec![1, 2]);
    assert_eq!(node(&s, S1).commit_index(), 1);
    run_observed(&mut s, &mut c, 750);
    // (b)
    assert_eq!((node(&s, S5).role(), node(&s, S5).term()), (Role::Leader, 3));
    run_observed(&mut s, &mut c, 790);
    assert_eq!(terms(node(&s, S5).log()), vec![1, 3]);
    run_observed(&mut s, &mut c, 1_190);
    // (c): index 2 (term 2) is on S1, S2 and S3 — a majority — yet S1, the
    // leader of term 4, leaves it uncommitted.
    assert_eq!((node(&s, S1).role(), node(&s, S1).term()), (Role::Leader, 4));
    for n in [S1, S2, S3] {
        assert_eq!(terms(node(&s, n).log()), vec![1, 2], "S{}\n{}", n + 1, replay(&s));
    }
    assert_eq!(node(&s, S1).match_index()[S3], 2);
    // (S1 restarted, so its volatile commitIndex began again at 0.)
    assert_eq!(node(&s, S1).commit_index(), 0, "index 2 must not be committed\n{}", replay(&s));
    run_observed(&mut s, &mut c, 1_590);
    // (d): S5 leads term 5 and overwrites index 2 everywhere.
    assert_eq!(current_leader(&s), Some((S5, 5)));
    run_observed(&mut s, &mut c, 2_500);
    for n in 0..5 {
        assert_eq!(terms(node(&s, n).log()), vec![1, 3, 5], "S{}\n{}", n + 1, replay(&s));
        assert_eq!(node(&s, n).commit_index(), 3);
    }
    assert_eq!(c.conflict, None);
    assert!(c.all_kept(&s), "a committed entry was lost: {:?}", c.seen);
    assert_safe(&s);
}

// Reference: §5.4.2 and Figure 8 — the unsafe variant: counting replicas of
// the term-2 entry, S1 commits index 2 in (c) and the servers apply "x=2";
// S5 is still elected in (d), overwrites it and applies "x=3" there. The
// checker reports Leader Completeness and State Machine Safety.
#[test]
fn figure8_unsafe_rule_is_caught_by_the_checker() {
    let mut s = sim(figure8(true, false));
    let mut c = Committed::default();
    run_observed(&mut s, &mut c, 1_190);
    assert_eq!((node(&s, S1).role(), node(&s, S1).term()), (Role::Leader, 4));
    assert_eq!(node(&s, S1).commit_index(), 2, "the unsafe rule commits the term-2 entry");
    assert_eq!(node(&s, S3).kv().get("x").map(String::as_str), Some("2"));
    assert!(s.violations().is_empty(), "nothing is wrong yet: {:?}", s.violations());
    run_observed(&mut s, &mut c, 2_500);
    assert_eq!(current_leader(&s), Some((S5, 5)));
    assert_eq!(node(&s, S5).kv().get("x").map(String::as_str), Some("5"));
    let kinds: Vec<&str> = s.violations().iter().map(|v| v.invariant).collect();
    assert!(kinds.contains(&"leader_completeness"), "{:?}\n{}", s.violations(), replay(&s));
    assert!(kinds.contains(&"state_machine_safety"), "{:?}\n{}", s.violations(), replay(&s));
    // Independently of the checker: a committed entry was replaced.
    assert_eq!(c.conflict, Some(2));
    assert!(!c.all_kept(&s));
}

// Reference: §5.4.2 and Figure 8 (e) — if S1 replicates an entry of its own
// term 4 to a majority before crashing, that entry commits (and index 2 with
// it, by the Log Matching property), and S5 can no longer be elected: its log
// is less up-to-date than S2's and S3's.
#[test]
fn figure8_e_current_term_entry_commits_and_blocks_s5() {
    let mut s = sim(figure8(false, true));
    let mut c = Committed::default();
    run_observed(&mut s, &mut c, 1_290);
    assert_eq!(node(&s, S1).commit_index(), 3);
    assert_eq!(terms(node(&s, S3).log()), vec![1, 2, 4]);
    run_observed(&mut s, &mut c, 1_790);
    assert_eq!(node(&s, S5).role(), Role::Candidate);
    run_observed(&mut s, &mut c, 2_500);
    assert!(leaders(&s).iter().all(|&(l, _)| l != S5), "S5 must not win with a stale log\n{}", replay(&s));
    // S5 got S4's vote for term 5 but not S2's or S3's; S1 then wins term 5
    // with theirs.
    assert_eq!(current_leader(&s), Some((S1, 5)));
    for n in 0..5 {
        assert_eq!(values(node(&s, n).log()), vec!["x=1", "x=2", "x=4", "x=5"], "S{}\n{}", n + 1, replay(&s));
    }
    assert!(c.all_kept(&s));
    assert_eq!(c.conflict, None);
    assert_safe(&s);
}
