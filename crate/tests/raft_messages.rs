//! Raft's handlers driven one message at a time, against Figure 2's receiver
//! and leader rules: stale terms, the consistency check, conflict deletion,
//! the commit bound, reordered AppendEntries and replies, nextIndex back-off,
//! client redirects, and malformed input that must not panic.

use crate::common;

use common::*;
use consensus_lab::protocol::ClientReply;
use consensus_lab::raft::{Entry, RaftMsg, Role};

fn reply(effects: &[consensus_lab::protocol::Effect<consensus_lab::raft::Raft>]) -> RaftMsg {
    match sent(effects).as_slice() {
        [(_, m @ RaftMsg::AppendReply { .. })] => m.clone(),
        other => panic!("expected one AppendReply, got {other:?}"),
    }
}

// Reference: Figure 2, AppendEntries receiver rule 1 — "Reply false if
// term < currentTerm": the stale leader's entries are not taken, the reply
// carries the current term (so the stale leader steps down), and the
// follower's election timer is not reset by a leader that is not current.
#[test]
fn stale_term_append_entries_is_rejected_with_current_term() {
    let mut h = Hand::new(1, 3, Some(persistent(5, None, &[1, 1])));
    let effects = h.recv(0, append(0, 3, (2, 1), &[(3, "x=3")], 3));
    assert_eq!(reply(&effects), RaftMsg::AppendReply { term: 5, success: false, prev_log_index: 2, match_index: 0 });
    assert_eq!(terms(h.raft.log()), vec![1, 1]);
    assert_eq!((h.raft.term(), h.raft.commit_index(), h.raft.leader()), (5, 0, None));
    assert!(!resets_election_timer(&effects));

    // A candidate is not turned back into a follower by a stale leader either.
    let mut c = Hand::new(1, 3, Some(persistent(4, None, &[])));
    c.timeout();
    c.recv(0, append(0, 3, (0, 0), &[], 0));
    assert_eq!((c.raft.role(), c.raft.term()), (Role::Candidate, 5));
}

// Reference: Figure 2, "If RPC request or response contains term T >
// currentTerm: set currentTerm = T, convert to follower" — a leader that
// receives a reply of a higher term steps down.
#[test]
fn leader_steps_down_on_higher_term_reply() {
    let mut h = Hand::new(0, 3, None);
    h.elect();
    h.recv(1, RaftMsg::AppendReply { term: 9, success: false, prev_log_index: 0, match_index: 0 });
    assert_eq!((h.raft.role(), h.raft.term(), h.raft.voted_for()), (Role::Follower, 9, None));
}

// Reference: Figure 2, receiver rule 2 — "Reply false if log doesn't contain
// an entry at prevLogIndex whose term matches prevLogTerm"; the current
// leader's message still resets the election timer and makes a candidate of
// the same term a follower.
#[test]
fn consistency_check_rejects_missing_or_mismatched_prev() {
    let mut h = Hand::new(1, 3, Some(persistent(2, None, &[1, 1])));
    h.timeout(); // a candidate in term 3
    let effects = h.recv(0, append(0, 3, (3, 2), &[(3, "x")], 0));
    assert_eq!(reply(&effects), RaftMsg::AppendReply { term: 3, success: false, prev_log_index: 3, match_index: 0 });
    assert_eq!((h.raft.role(), h.raft.leader()), (Role::Follower, Some(0)));
    assert!(resets_election_timer(&effects));
    // The entry at index 2 has term 1, not 2.
    let effects = h.recv(0, append(0, 3, (2, 2), &[(3, "x")], 0));
    assert!(matches!(reply(&effects), RaftMsg::AppendReply { success: false, .. }));
    assert_eq!(terms(h.raft.log()), vec![1, 1]);
}

// Reference: Figure 2, receiver rules 3 and 4 — a conflicting entry and all
// that follow it are deleted, then new entries appended; entries already
// present are kept.
#[test]
fn conflicting_entries_are_deleted_and_replaced() {
    let mut h = Hand::new(1, 3, Some(persistent(3, None, &[1, 1, 2, 2, 2])));
    let effects = h.recv(0, append(0, 4, (2, 1), &[(1, "ignored: same term"), (4, "y"), (4, "z")], 0));
    // The leader's index 3 has term 1 where the follower's has term 2: a
    // conflict, so indices 3..5 go and the leader's entries take their place.
    assert!(matches!(reply(&effects), RaftMsg::AppendReply { success: true, match_index: 5, .. }));
    assert_eq!(terms(h.raft.log()), vec![1, 1, 1, 4, 4]);
    assert_eq!(values(h.raft.log())[3..], ["y", "z"]);

    // Matching entries are not touched: the existing value stays.
    let mut h = Hand::new(1, 3, Some(persistent(3, None, &[1, 1, 2])));
    h.recv(0, append(0, 3, (1, 1), &[(1, "other value, same term")], 0));
    assert_eq!(values(h.raft.log())[1], "i2t1");
    assert_eq!(terms(h.raft.log()), vec![1, 1, 2], "nothing conflicted, nothing deleted");
}

// Reference: Figure 2, receiver rule 5 — "If leaderCommit > commitIndex, set
// commitIndex = min(leaderCommit, index of last new entry)": a follower never
// commits entries it has not verified against this leader.
#[test]
fn follower_commit_is_bounded_by_last_new_entry() {
    // Index 3 (term 2) is an unverified leftover: the heartbeat only checks
    // through index 2.
    let mut h = Hand::new(1, 3, Some(persistent(2, None, &[1, 1, 2])));
    h.recv(0, append(0, 3, (2, 1), &[], 10));
    assert_eq!(h.raft.commit_index(), 2);
    assert_eq!(h.raft.last_applied(), 2);
    // A later leaderCommit below what is known does not move it back.
    h.recv(0, append(0, 3, (1, 1), &[], 1));
    assert_eq!(h.raft.commit_index(), 2);
}

// Reference: §5.3 (and Figure 2 rule 3: delete only on conflict) — a stale
// AppendEntries of the current term that arrives after a newer one must not
// truncate the entries the newer one added, and its success reply reports
// only what it verified.
#[test]
fn reordered_append_entries_do_not_truncate_follower() {
    let mut h = Hand::new(1, 3, None);
    let newer = append(0, 1, (0, 0), &[(1, "a"), (1, "b"), (1, "c")], 0);
    let older = append(0, 1, (0, 0), &[(1, "a")], 0);
    assert!(matches!(reply(&h.recv(0, newer)), RaftMsg::AppendReply { success: true, match_index: 3, .. }));
    let r = reply(&h.recv(0, older));
    assert_eq!(r, RaftMsg::AppendReply { term: 1, success: true, prev_log_index: 0, match_index: 1 });
    assert_eq!(values(h.raft.log()), vec!["a", "b", "c"]);
}

/// A leader of term 1 in a 3-node cluster with entries "a", "b", "c".
fn leader_with_three() -> Hand {
    let mut h = Hand::new(0, 3, None);
    h.elect();
    for v in ["a", "b", "c"] {
        assert_eq!(h.client(v).0, ClientReply::Accepted);
    }
    h
}

// Reference: Figure 2, leader rules — "If successful: update nextIndex and
// matchIndex for follower": replies that arrive late or twice never move
// matchIndex (or nextIndex) backwards.
#[test]
fn reordered_replies_never_move_match_index_back() {
    let mut h = leader_with_three();
    h.recv(1, RaftMsg::AppendReply { term: 1, success: true, prev_log_index: 0, match_index: 3 });
    assert_eq!((h.raft.match_index()[1], h.raft.next_index()[1]), (3, 4));
    assert_eq!(h.raft.commit_index(), 3, "leader and follower 1 are a majority");
    h.recv(1, RaftMsg::AppendReply { term: 1, success: true, prev_log_index: 0, match_index: 1 });
    assert_eq!((h.raft.match_index()[1], h.raft.next_index()[1]), (3, 4));
    // A late refusal of an old probe neither backs nextIndex below the
    // match nor triggers a retry.
    let effects = h.recv(1, RaftMsg::AppendReply { term: 1, success: false, prev_log_index: 1, match_index: 0 });
    assert_eq!((h.raft.match_index()[1], h.raft.next_index()[1]), (3, 4));
    assert!(sent(&effects).is_empty());
    // A reply cannot claim entries the leader does not have.
    h.recv(2, RaftMsg::AppendReply { term: 1, success: true, prev_log_index: 0, match_index: 99 });
    assert_eq!(h.raft.match_index()[2], 3);
}

// Reference: Figure 2, leader rules — "If AppendEntries fails because of log
// inconsistency: decrement nextIndex and retry".
#[test]
fn refusal_backs_off_next_index_and_retries() {
    // Elected in term 2 with three entries: nextIndex starts at 4 for all.
    let mut leader = Hand::new(0, 3, Some(persistent(1, None, &[1, 1, 1])));
    leader.elect();
    assert_eq!(leader.raft.next_index()[1], 4);
    // The follower refuses the probe at index 3.
    let effects = leader.recv(1, RaftMsg::AppendReply { term: 2, success: false, prev_log_index: 3, match_index: 0 });
    assert_eq!(leader.raft.next_index()[1], 3);
    match sent(&effects).as_slice() {
        [(1, RaftMsg::AppendEntries { prev_log_index: 2, prev_log_term: 1, entries, .. })] => {
            assert_eq!(entries.iter().map(|e: &Entry| e.term).collect::<Vec<_>>(), vec![1]);
        }
        other => panic!("expected a retry from index 3, got {other:?}"),
    }
}

// Reference: Figure 2, "Followers … respond to RPCs" / §8 client interaction
// — a follower redirects a client to the leader it knows; one that knows no
// leader says so.
#[test]
fn followers_redirect_clients() {
    let mut h = Hand::new(1, 3, None);
    assert_eq!(h.client("x=1").0, ClientReply::Redirect(None));
    h.recv(2, append(2, 1, (0, 0), &[], 0));
    assert_eq!(h.client("x=1").0, ClientReply::Redirect(Some(2)));
    assert_eq!(h.raft.log().last_index(), 0);
}

// "No input may panic": malformed or hostile messages (impossible senders,
// mismatched ids, huge indices) are answered or ignored, never a crash.
#[test]
fn malformed_messages_do_not_panic() {
    let mut h = Hand::new(0, 3, None);
    h.elect();
    let huge = u64::MAX;
    let msgs = [
        (7, RaftMsg::Vote { term: 1, granted: true }),
        (0, RaftMsg::Vote { term: 1, granted: true }),
        (1, RaftMsg::RequestVote { term: 1, candidate: 9, last_log_index: huge, last_log_term: huge }),
        (1, RaftMsg::AppendReply { term: 1, success: true, prev_log_index: huge, match_index: huge }),
        (1, RaftMsg::AppendReply { term: 1, success: false, prev_log_index: huge, match_index: huge }),
        (2, append(5, 1, (huge, huge), &[(1, "x")], huge)),
        (2, append(2, 1, (huge, huge), &[(1, "x")], huge)),
        (2, append(2, huge, (huge, 0), &[(huge, "x")], huge)),
        (1, RaftMsg::RequestVote { term: huge, candidate: 1, last_log_index: huge, last_log_term: huge }),
        (1, RaftMsg::AppendReply { term: huge, success: true, prev_log_index: 0, match_index: huge }),
    ];
    for (from, m) in msgs {
        h.recv(from, m);
    }
    // It now sits in the last possible term: timing out must not overflow,
    // nor vote twice in that term.
    assert_eq!(h.raft.term(), huge);
    let voted = h.raft.voted_for();
    h.timeout();
    assert_eq!((h.raft.term(), h.raft.voted_for()), (huge, voted));
    let mut f = Hand::new(1, 3, None);
    f.recv(0, append(0, 1, (0, 0), &[(1, "a")], huge));
    assert_eq!(f.raft.commit_index(), 1);
    f.recv(0, append(0, 1, (huge - 1, 1), &[(1, "b")], huge));
    assert_eq!(f.raft.log().last_index(), 1);
}

// Reference: Figure 2, leader rules — "If last log index >= nextIndex for a
// follower: send AppendEntries RPC with log entries starting at nextIndex":
// after a full batch is acknowledged the next batch goes out at once; a
// partial batch means the follower is up to date with what was sent.
#[test]
fn acknowledged_full_batch_sends_the_next_one() {
    let params = consensus_lab::raft::RaftParams { max_entries_per_message: 2, ..Default::default() };
    let mut h = Hand::with_params(0, 3, params, Some(persistent(1, None, &[1, 1, 1, 1, 1])));
    h.elect();
    // Pretend follower 1 had matched nothing: back nextIndex off to 1.
    for p in (1..=5).rev() {
        h.recv(1, RaftMsg::AppendReply { term: 2, success: false, prev_log_index: p, match_index: 0 });
    }
    assert_eq!(h.raft.next_index()[1], 1);
    let effects = h.recv(1, RaftMsg::AppendReply { term: 2, success: true, prev_log_index: 0, match_index: 2 });
    match sent(&effects).as_slice() {
        [(1, RaftMsg::AppendEntries { prev_log_index: 2, entries, .. })] => assert_eq!(entries.len(), 2),
        other => panic!("expected the next batch from index 3, got {other:?}"),
    }
    // The same reply again (a duplicate) advances nothing and sends nothing.
    let effects = h.recv(1, RaftMsg::AppendReply { term: 2, success: true, prev_log_index: 0, match_index: 2 });
    assert!(sent(&effects).is_empty());
    // A partial batch: nothing more is sent until the next heartbeat.
    let effects = h.recv(2, RaftMsg::AppendReply { term: 2, success: true, prev_log_index: 4, match_index: 5 });
    assert!(sent(&effects).is_empty());
}
