//! Raft log replication in running clusters against the extended paper
//! (§5.3, §5.4.2, Figure 7 and Figure 2's persistent state): the Figure 7 log
//! repair, commitment only through current-term entries, partitions, follower
//! catch-up, full-cluster restarts, and reordered or duplicated messages.

use crate::common;

use common::*;
use consensus_lab::raft::{Raft, Role};
use consensus_lab::scenario::{Event, NetworkSpec};
use consensus_lab::sim::Simulator;
use serde_json::json;

/// Runs a fresh cluster until everyone follows one leader.
fn settled(nodes: usize, seed: u64) -> Simulator<Raft> {
    let mut s = sim(raft(nodes, seed));
    run_until_cond(&mut s, 3_000, |s| {
        current_leader(s).is_some_and(|(l, _)| (0..nodes).all(|i| node(s, i).leader() == Some(l)))
    });
    s
}

/// Runs until the leader has committed its whole log and every running node
/// has the same log and commit index.
fn converged(s: &mut Simulator<Raft>, within: u64) {
    let until = s.now() + within;
    run_until_cond(s, until, |s| {
        let Some((l, _)) = current_leader(s) else { return false };
        let lead = node(s, l);
        lead.commit_index() == lead.log().last_index()
            && (0..s.nodes()).filter_map(|i| s.node(i)).all(|r| {
                same_log(r.log(), lead.log()) && r.commit_index() == lead.commit_index() && r.leader() == Some(l)
            })
    });
}

// Reference: §5.3 and Figure 7 — the leader of term 8, log terms
// 1,1,1,4,4,5,5,6,6,6, brings each follower (a)–(f) to exactly its own log:
// missing entries are filled in, conflicting ones deleted, by backing
// nextIndex off until the logs match.
#[test]
fn figure7_leader_repairs_every_follower() {
    let leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    let followers: [(u64, &[u64]); 6] = [
        (6, &[1, 1, 1, 4, 4, 5, 5, 6, 6]),          // (a) missing one entry
        (4, &[1, 1, 1, 4]),                         // (b) missing many
        (6, &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]),    // (c) one extra of term 6
        (7, &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]), // (d) two extra of term 7
        (4, &[1, 1, 1, 4, 4, 4, 4]),                // (e) missing and extra
        (3, &[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),    // (f) a different history
    ];
    let mut stable = vec![Some(persistent(7, None, &leader))];
    stable.extend(followers.iter().map(|(term, log)| Some(persistent(*term, None, log))));
    let mut sc = raft(7, 1);
    quiet(&mut sc);
    at(&mut sc, 0, timeout(0));
    at(&mut sc, 1_000, request("x=8", Some(0)));
    let mut s = sim_with(sc, stable);
    run(&mut s, 999);
    // (a), (b), (e), (f) voted for it; (c) and (d) have more up-to-date logs.
    assert_eq!(current_leader(&s), Some((0, 8)));
    // §5.4.2: nothing from earlier terms is committed by counting replicas.
    assert_eq!(node(&s, 0).commit_index(), 0);
    // Until the leader has an entry at index 11, (c) and (d) keep their extra
    // entries: a follower only deletes what conflicts with what it is sent.
    assert_eq!(terms(node(&s, 3).log()).len(), 11);
    for f in [1, 2, 5, 6] {
        assert!(same_log(node(&s, f).log(), node(&s, 0).log()), "follower {f} not repaired\n{}", replay(&s));
    }
    run(&mut s, 2_000);
    let want = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8];
    for f in 0..7 {
        let r = node(&s, f);
        assert_eq!(terms(r.log()), want, "follower {f}\n{}", replay(&s));
        assert!(same_log(r.log(), node(&s, 0).log()));
        assert_eq!(r.commit_index(), 11, "node {f}");
    }
    assert_safe(&s);
}

// Reference: §5.4.2 — "Raft never commits log entries from previous terms by
// counting replicas": a new leader whose earlier-term entries sit on every
// server commits nothing until an entry of its own term is replicated, and
// then commits everything through it at once.
#[test]
fn no_commit_without_current_term_entry() {
    let mut sc = raft(3, 2);
    quiet(&mut sc);
    at(&mut sc, 0, timeout(0));
    at(&mut sc, 2_000, request("x=2", Some(0)));
    let stable = (0..3).map(|_| Some(persistent(1, None, &[1, 1]))).collect();
    let mut s = sim_with(sc, stable);
    let mut seen = Vec::new();
    while s.now() < 3_000 && s.step().unwrap() {
        let c = node(&s, 0).commit_index();
        if seen.last() != Some(&c) {
            seen.push(c);
        }
        if s.now() < 2_000 {
            // Both old entries are on every server, yet stay uncommitted.
            assert_eq!(c, 0, "committed by counting old-term replicas\n{}", replay(&s));
        }
    }
    assert_eq!(node(&s, 0).match_index(), &[3, 3, 3]);
    assert_eq!(seen, vec![0, 3], "commitIndex jumps from 0 straight to the new entry");
    for i in 0..3 {
        assert_eq!(node(&s, i).commit_index(), 3);
        assert_eq!(node(&s, i).kv().get("x").map(String::as_str), Some("2"));
    }
    assert_safe(&s);
}

// Reference: §8 (with §5.4.2) — the no-op a leader may append on election is
// an entry of its own term, so with it the old entries commit at once.
#[test]
fn leader_noop_commits_earlier_entries() {
    let mut sc = raft(3, 2);
    quiet(&mut sc);
    param(&mut sc, "leader_noop", json!(true));
    at(&mut sc, 0, timeout(0));
    let stable = (0..3).map(|_| Some(persistent(1, None, &[1, 1]))).collect();
    let mut s = sim_with(sc, stable);
    run(&mut s, 500);
    assert_eq!(terms(node(&s, 0).log()), vec![1, 1, 2]);
    for i in 0..3 {
        assert_eq!(node(&s, i).commit_index(), 3, "node {i}");
    }
    assert_safe(&s);
}

// Reference: §5.3 and the Figure 7 story — a leader cut off with a minority
// keeps accepting entries but cannot commit them; the majority elects a
// leader that can. After the heal the old leader steps down and its
// uncommitted entries are replaced by the majority's log.
#[test]
fn minority_partition_cannot_commit_majority_can() {
    for seed in 0..5 {
        let mut s = settled(5, seed);
        s.inject(request("a=1", None)).unwrap();
        converged(&mut s, 1_000);
        let (old, t1) = current_leader(&s).unwrap();
        let buddy = (old + 1) % 5;
        let majority: Vec<usize> = (0..5).filter(|&i| i != old && i != buddy).collect();
        s.inject(partition(&[&[old, buddy], &majority])).unwrap();
        s.inject(request("b=2", Some(old))).unwrap();
        let t = s.now();
        run_until_cond(&mut s, t + 3_000, |s| leaders(s).iter().any(|&(l, term)| term > t1 && l != old));
        let (new, _) = leaders(&s).into_iter().find(|&(l, _)| l != old).unwrap();
        s.inject(request("c=3", Some(new))).unwrap();
        let t = s.now();
        run_until_cond(&mut s, t + 1_000, |s| majority.iter().all(|&i| node(s, i).commit_index() == 2));
        // The minority holds "b=2" at index 2 but never commits it.
        assert_eq!(values(node(&s, old).log()), vec!["a=1", "b=2"]);
        assert_eq!(values(node(&s, buddy).log()), vec!["a=1", "b=2"], "seed {seed}\n{}", replay(&s));
        assert_eq!(node(&s, old).commit_index(), 1);
        assert_eq!(node(&s, buddy).commit_index(), 1);
        s.inject(Event::Heal).unwrap();
        converged(&mut s, 2_000);
        for i in 0..5 {
            let r = node(&s, i);
            assert_eq!(values(r.log()), vec!["a=1", "c=3"], "seed {seed} node {i}\n{}", replay(&s));
            assert_eq!(r.kv().get("b"), None);
        }
        assert_eq!(node(&s, old).role(), Role::Follower);
        assert_safe(&s);
    }
}

// Reference: §5.3 — a follower that was down catches up when it returns:
// the leader backs nextIndex off until the logs match and then sends the rest
// (here in batches of two, so catching up takes several messages).
#[test]
fn follower_crash_catches_up() {
    let mut sc = raft(3, 5);
    param(&mut sc, "max_entries_per_message", json!(2));
    let mut s = sim(sc);
    run_until_cond(&mut s, 3_000, |s| current_leader(s).is_some());
    let (l, _) = current_leader(&s).unwrap();
    let f = (l + 1) % 3;
    s.inject(crash(f)).unwrap();
    for k in 0..9 {
        s.inject(request(&format!("k{k}={k}"), Some(l))).unwrap();
        let t = s.now();
        run(&mut s, t + 5);
    }
    let t = s.now();
    run_until_cond(&mut s, t + 1_000, |s| node(s, l).commit_index() == 9);
    assert_eq!(s.stable(f).log.last_index(), 0, "the crashed follower missed everything");
    s.inject(restart(f)).unwrap();
    converged(&mut s, 1_000);
    assert_eq!(node(&s, f).commit_index(), 9);
    assert_eq!(node(&s, f).kv(), node(&s, l).kv());
    assert_safe(&s);
}

// Reference: §5.1 and Figure 2 ("persistent state on all servers") — every
// server crashes and restarts: the logs survive, commitIndex (volatile)
// starts over at 0, and the next leader's first own-term entry commits the
// old entries again; the state machines rebuild to the same contents.
#[test]
fn full_cluster_restart_keeps_committed_entries() {
    let mut s = settled(5, 6);
    for v in ["a=1", "b=2", "c=3"] {
        s.inject(request(v, None)).unwrap();
    }
    converged(&mut s, 1_000);
    let before = node(&s, 0).log().clone();
    let kv = node(&s, 0).kv().clone();
    assert_eq!(node(&s, 0).commit_index(), 3);
    for i in 0..5 {
        s.inject(crash(i)).unwrap();
    }
    let t = s.now();
    run(&mut s, t + 500);
    for i in 0..5 {
        assert!(same_log(&s.stable(i).log, &before), "node {i} lost its log in the crash");
        s.inject(restart(i)).unwrap();
    }
    let t = s.now();
    run_until_cond(&mut s, t + 3_000, |s| current_leader(s).is_some());
    assert!((0..5).all(|i| node(&s, i).commit_index() == 0 || node(&s, i).role() == Role::Leader));
    s.inject(request("d=4", None)).unwrap();
    converged(&mut s, 1_000);
    for i in 0..5 {
        let r = node(&s, i);
        assert_eq!(values(r.log()), vec!["a=1", "b=2", "c=3", "d=4"], "node {i}");
        assert_eq!(r.commit_index(), 4);
        for (k, v) in &kv {
            assert_eq!(r.kv().get(k), Some(v), "node {i} lost {k}");
        }
    }
    assert_safe(&s);
}

// Reference: §5.3 — with latencies from 1 to 200 ms and duplicated messages,
// AppendEntries and their replies arrive out of order and more than once;
// a leader's matchIndex still never moves backwards within its term, and
// the cluster still converges with no invariant violated.
#[test]
fn reordered_and_duplicated_messages_keep_match_index() {
    for seed in 0..10 {
        let mut sc = raft(5, seed);
        sc.network = NetworkSpec { latency_ms: Some((1, 200)), drop_rate: None, duplicate_rate: Some(0.3) };
        param(&mut sc, "election_timeout_ms", json!([1_000, 2_000]));
        param(&mut sc, "max_entries_per_message", json!(2));
        for k in 0..20 {
            at(&mut sc, 3_000 + 50 * k, request(&format!("k{k}={k}"), None));
        }
        let mut s = sim(sc);
        let mut last: Option<(usize, u64, Vec<u64>)> = None;
        while s.now() < 12_000 && s.step().unwrap() {
            for (l, t) in leaders(&s) {
                let m = node(&s, l).match_index().to_vec();
                if let Some((pl, pt, pm)) = &last
                    && (*pl, *pt) == (l, t)
                {
                    for (i, (a, b)) in pm.iter().zip(&m).enumerate() {
                        assert!(b >= a, "seed {seed}: matchIndex[{i}] fell from {a} to {b}\n{}", replay(&s));
                    }
                }
                last = Some((l, t, m));
            }
        }
        s.inject(Event::SetNetwork(NetworkSpec {
            latency_ms: Some((10, 10)),
            drop_rate: None,
            duplicate_rate: Some(0.0),
        }))
        .unwrap();
        converged(&mut s, 5_000);
        assert_eq!(node(&s, 0).log().last_index(), 20, "seed {seed}\n{}", replay(&s));
        assert_safe(&s);
    }
}
