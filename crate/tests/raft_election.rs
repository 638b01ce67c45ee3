//! Raft leader election against the extended paper (§5.1, §5.2, §5.4.1 and
//! Figure 2): first elections, the majority vote count, re-election after a
//! leader fails, an old leader rejoining, one vote per term (also across a
//! restart), the up-to-date check and split votes.

use crate::common;

use common::*;
use consensus_lab::protocol::Protocol;
use consensus_lab::raft::{RaftMsg, Role};
use consensus_lab::scenario::Event;
use serde_json::json;

/// Runs a fresh cluster until it has a leader everyone follows.
fn elect(nodes: usize, seed: u64) -> consensus_lab::sim::Simulator<consensus_lab::raft::Raft> {
    let mut s = sim(raft(nodes, seed));
    run_until_cond(&mut s, 3_000, |s| {
        current_leader(s)
            .is_some_and(|(l, t)| (0..nodes).all(|i| s.node(i).unwrap().term() == t && node(s, i).leader() == Some(l)))
    });
    s
}

// Reference: §5.2 — a fresh 3-node cluster elects exactly one leader, and
// every server ends up in its term following it.
#[test]
fn initial_election_three_nodes() {
    for seed in 0..20 {
        let s = elect(3, seed);
        assert_eq!(leaders(&s).len(), 1, "seed {seed}\n{}", replay(&s));
        assert!(s.now() <= 1_000, "seed {seed}: the first election took until {} ms", s.now());
        assert_safe(&s);
    }
}

// Reference: §5.2 — the same for five servers.
#[test]
fn initial_election_five_nodes() {
    for seed in 0..20 {
        let s = elect(5, seed);
        let (_, term) = current_leader(&s).unwrap();
        assert_eq!(leaders(&s).len(), 1, "seed {seed}\n{}", replay(&s));
        assert!(term >= 1);
        assert!(s.now() <= 1_000, "seed {seed}: the first election took until {} ms", s.now());
        assert_safe(&s);
    }
}

// Reference: §5.2 — "a candidate wins an election if it receives votes from a
// majority of the servers": with 2 of 3 down the survivor has 1 vote of the
// 2 needed, so it stays a candidate, term after term, and never leads.
#[test]
fn vote_count_three_nodes_two_down_never_elects() {
    let mut sc = raft(3, 1);
    at(&mut sc, 0, crash(1));
    at(&mut sc, 0, crash(2));
    let mut s = sim(sc);
    while s.now() < 5_000 {
        if !s.step().unwrap() {
            break;
        }
        assert!(leaders(&s).is_empty(), "a leader without a majority at {} ms\n{}", s.now(), replay(&s));
    }
    let n0 = node(&s, 0);
    assert_eq!(n0.role(), Role::Candidate);
    assert!(n0.term() >= 5, "it keeps standing for new terms (term {})", n0.term());
    assert_safe(&s);
}

// Reference: §5.2 — with 2 of 5 down the other 3 are a majority and elect a
// leader among themselves.
#[test]
fn vote_count_five_nodes_two_down_elects() {
    for seed in 0..10 {
        let mut sc = raft(5, seed);
        at(&mut sc, 0, crash(3));
        at(&mut sc, 0, crash(4));
        let mut s = sim(sc);
        run_until_cond(&mut s, 3_000, |s| current_leader(s).is_some());
        let (l, _) = current_leader(&s).unwrap();
        assert!(l < 3, "seed {seed}: leader {l} is down?\n{}", replay(&s));
        assert_safe(&s);
    }
}

// Reference: §5.2 — when the leader crashes, followers time out and elect a
// new leader in a higher term.
#[test]
fn leader_crash_elects_new_leader_in_higher_term() {
    for seed in 0..10 {
        let mut s = elect(5, seed);
        let (old, t1) = current_leader(&s).unwrap();
        s.inject(crash(old)).unwrap();
        let crashed_at = s.now();
        run_until_cond(&mut s, crashed_at + 3_000, |s| current_leader(s).is_some());
        let (new, t2) = current_leader(&s).unwrap();
        assert_ne!(new, old);
        assert!(t2 > t1, "seed {seed}: new leader's term {t2} is not above {t1}\n{}", replay(&s));
        assert_safe(&s);
    }
}

// Reference: §5.1 — "if a candidate or leader discovers that its term is out
// of date, it immediately reverts to follower state": a crashed leader that
// restarts comes back as a follower and adopts the newer term.
#[test]
fn old_leader_restarts_as_follower_in_higher_term() {
    let mut s = elect(5, 3);
    let (old, _) = current_leader(&s).unwrap();
    s.inject(crash(old)).unwrap();
    let t = s.now();
    run_until_cond(&mut s, t + 3_000, |s| current_leader(s).is_some());
    let (new, t2) = current_leader(&s).unwrap();
    s.inject(restart(old)).unwrap();
    let t = s.now();
    run_until_cond(&mut s, t + 1_000, |s| node(s, old).leader() == Some(new));
    let o = node(&s, old);
    assert_eq!(o.role(), Role::Follower);
    assert_eq!(o.term(), t2);
    assert_eq!(current_leader(&s), Some((new, t2)));
    assert_safe(&s);
}

// Reference: §5.1 — a leader cut off by a partition keeps believing it leads
// its old term; once the partition heals, the higher term it sees makes it a
// follower of the new leader.
#[test]
fn old_leader_steps_down_after_heal() {
    let mut s = elect(5, 4);
    let (old, t1) = current_leader(&s).unwrap();
    let others: Vec<usize> = (0..5).filter(|&i| i != old).collect();
    s.inject(partition(&[&[old], &others])).unwrap();
    let t = s.now();
    run_until_cond(&mut s, t + 3_000, |s| leaders(s).iter().any(|&(_, term)| term > t1));
    // Two leaders exist at once, in different terms: allowed (Election
    // Safety is per term), and the old one cannot commit anything.
    let o = node(&s, old);
    assert_eq!((o.role(), o.term()), (Role::Leader, t1));
    let (new, t2) = current_leader(&s).unwrap();
    s.inject(Event::Heal).unwrap();
    let t = s.now();
    run_until_cond(&mut s, t + 1_000, |s| node(s, old).role() == Role::Follower);
    run_until_cond(&mut s, t + 1_000, |s| node(s, old).leader() == Some(new));
    assert_eq!(node(&s, old).term(), t2);
    assert_eq!(leaders(&s), vec![(new, t2)]);
    assert_safe(&s);
}

// Reference: §5.2 and Figure 2 (RequestVote receiver rule 2, votedFor is
// persistent) — a server grants at most one vote per term, first come first
// served, and a crash does not let it vote again in the same term.
#[test]
fn at_most_one_vote_per_term_across_restart() {
    let mut h = Hand::new(2, 3, None);
    let rv = |term, candidate| RaftMsg::RequestVote { term, candidate, last_log_index: 0, last_log_term: 0 };
    let granted = |effects: &[_]| match sent(effects).as_slice() {
        [(_, RaftMsg::Vote { granted, .. })] => *granted,
        other => panic!("expected one Vote, got {other:?}"),
    };
    assert!(granted(&h.recv(0, rv(1, 0))));
    assert!(!granted(&h.recv(1, rv(1, 1))), "a second vote in term 1");
    h.crash_restart();
    assert_eq!(h.raft.voted_for(), Some(0), "votedFor survives the crash");
    assert!(!granted(&h.recv(1, rv(1, 1))), "a second vote in term 1 after a restart");
    // The same candidate asking again (a retransmission) gets the same answer.
    assert!(granted(&h.recv(0, rv(1, 0))));
    // A new term is a new vote.
    assert!(granted(&h.recv(1, rv(2, 1))));
    assert_eq!((h.raft.term(), h.raft.voted_for()), (2, Some(1)));
}

// Reference: §5.2 — a candidate votes for itself, so it refuses a rival
// candidate of its own term.
#[test]
fn candidate_refuses_rival_of_same_term() {
    let mut h = Hand::new(0, 3, None);
    h.timeout();
    assert_eq!((h.raft.role(), h.raft.term(), h.raft.voted_for()), (Role::Candidate, 1, Some(0)));
    let reply = sent(&h.recv(1, RaftMsg::RequestVote { term: 1, candidate: 1, last_log_index: 0, last_log_term: 0 }));
    assert_eq!(reply, vec![(1, RaftMsg::Vote { term: 1, granted: false })]);
}

// Reference: §5.4.1 — a voter denies its vote if its own log is more
// up-to-date: a later last term wins, and with equal last terms the longer log.
#[test]
fn up_to_date_check_refuses_less_up_to_date_candidate() {
    // The voter's log has terms [1, 1, 2]; it is at term 2.
    let cases = [
        // (candidate's last index, last term, granted)
        (5, 1, false), // longer, but an older last term
        (2, 2, false), // same last term, shorter
        (3, 2, true),  // same last term, as long
        (4, 2, true),  // same last term, longer
        (1, 3, true),  // shorter, but a newer last term
        (0, 0, false), // empty
    ];
    for (last_log_index, last_log_term, want) in cases {
        let mut h = Hand::new(1, 3, Some(persistent(2, None, &[1, 1, 2])));
        let effects = h.recv(0, RaftMsg::RequestVote { term: 3, candidate: 0, last_log_index, last_log_term });
        assert_eq!(
            sent(&effects),
            vec![(0, RaftMsg::Vote { term: 3, granted: want })],
            "candidate log ends at index {last_log_index} term {last_log_term}"
        );
        // Denied or not, the voter adopts the newer term (Figure 2), and only
        // a granted vote resets its election timer.
        assert_eq!(h.raft.term(), 3);
        assert_eq!(resets_election_timer(&effects), want);
    }
}

// Reference: §5.4.1 — in a running cluster, a server missing an entry the
// others hold cannot be elected; a server with the fuller log can.
#[test]
fn stale_log_candidate_cannot_win() {
    let mut sc = raft(3, 1);
    quiet(&mut sc);
    at(&mut sc, 0, timeout(0));
    at(&mut sc, 500, timeout(1));
    let stable =
        vec![Some(persistent(1, None, &[1])), Some(persistent(1, None, &[1, 1])), Some(persistent(1, None, &[1, 1]))];
    let mut s = sim_with(sc, stable);
    run(&mut s, 400);
    assert_eq!((node(&s, 0).role(), node(&s, 0).term()), (Role::Candidate, 2), "node 0 was refused");
    assert!(leaders(&s).is_empty());
    run(&mut s, 1_000);
    assert_eq!(current_leader(&s), Some((1, 3)));
    assert_eq!(node(&s, 0).role(), Role::Follower);
    assert_safe(&s);
}

// Reference: §5.2 — two candidates of one term split the votes so neither
// has a majority; randomized election timeouts make one of them (or another
// server) time out first and win a later term.
#[test]
fn split_vote_resolved_by_randomized_timeouts() {
    for seed in 0..20 {
        let mut sc = raft(4, seed);
        // Node 2 hears node 0 first, node 3 hears node 1 first.
        for (from, to, ms) in [(0, 2, 1), (1, 2, 40), (1, 3, 1), (0, 3, 40)] {
            at(&mut sc, 0, Event::Link { from, to, drop_rate: None, latency_ms: Some((ms, ms)) });
        }
        at(&mut sc, 0, timeout(0));
        at(&mut sc, 0, timeout(1));
        let mut s = sim(sc);
        run(&mut s, 100);
        for c in [0, 1] {
            let r = node(&s, c);
            assert_eq!((r.role(), r.term()), (Role::Candidate, 1), "seed {seed}\n{}", replay(&s));
            let votes = serde_json::to_value(r.view()).unwrap()["votes"].clone();
            assert_eq!(votes.as_array().map(Vec::len), Some(2), "seed {seed}: 2 votes of the 3 needed");
        }
        run_until_cond(&mut s, 3_000, |s| current_leader(s).is_some());
        let (_, term) = current_leader(&s).unwrap();
        assert!(term >= 2, "seed {seed}: the split term 1 elected nobody");
        assert_safe(&s);
    }
}

// Reference: §5.2 — the election timeout is drawn anew from the configured
// range each time, so servers that start together fire at different times.
#[test]
fn election_timeouts_are_randomized_within_the_range() {
    let mut sc = raft(5, 11);
    param(&mut sc, "election_timeout_ms", json!([150, 300]));
    let s = sim(sc);
    let snap = serde_json::to_value(s.snapshot()).unwrap();
    let text = snap.to_string();
    // Every node armed its election timer at start; read the due times.
    let mut due: Vec<u64> = Vec::new();
    for n in snap["nodes"].as_array().unwrap() {
        for t in n["timers"].as_array().into_iter().flatten() {
            due.push(t["fire_at"].as_u64().unwrap_or_else(|| panic!("no fire_at in {text}")));
        }
    }
    assert_eq!(due.len(), 5, "{text}");
    assert!(due.iter().all(|&d| (150..=300).contains(&d)), "{due:?}");
    due.sort_unstable();
    due.dedup();
    assert!(due.len() > 1, "all five drew the same timeout: {due:?}");
}
