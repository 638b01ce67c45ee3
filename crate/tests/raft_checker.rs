//! The Raft invariant checker can fire: each of the five properties of the
//! extended paper's Figure 3 is shown failing on handcrafted cluster states
//! (through a stand-in `Nodes`), and a consistent state passes. Without
//! these, "zero violations" from the other tests would prove nothing.

use crate::common;

use common::*;
use consensus_lab::invariant::{Checker, NodeRef, Nodes, Violation};
use consensus_lab::raft::{Entry, Log, Persistent, Raft, RaftChecker, Role};

/// A cluster state made by hand.
enum Slot {
    Up(Raft),
    Down(Persistent),
}

struct Fake(Vec<Slot>);

impl Nodes<Raft> for Fake {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn node(&self, id: usize) -> NodeRef<'_, Raft> {
        match &self.0[id] {
            Slot::Up(r) => NodeRef::Up(r),
            Slot::Down(p) => NodeRef::Down(p),
        }
    }
}

/// Checks the nodes in `order` as if each had just changed; returns the
/// names of the invariants reported.
fn check(checker: &mut RaftChecker, nodes: &Fake, order: &[usize]) -> Vec<&'static str> {
    let mut out: Vec<Violation> = Vec::new();
    for &i in order {
        checker.check(0, i, nodes, &mut out);
    }
    out.iter().map(|v| v.invariant).collect()
}

fn down() -> Slot {
    Slot::Down(Persistent::default())
}

/// A leader of `term` (one above `from_term`) with the given log terms.
fn leader(id: usize, from_term: u64, log: &[u64]) -> Raft {
    let mut h = Hand::new(id, 3, Some(persistent(from_term, None, log)));
    h.elect();
    h.raft
}

// Reference: Figure 3, Election Safety — two leaders of one term are caught.
#[test]
fn election_safety_can_fire() {
    let nodes = Fake(vec![Slot::Up(leader(0, 0, &[])), Slot::Up(leader(1, 0, &[])), down()]);
    assert_eq!(check(&mut RaftChecker::default(), &nodes, &[0, 1]), vec!["election_safety"]);
    // Leaders of different terms are allowed.
    let nodes = Fake(vec![Slot::Up(leader(0, 0, &[])), Slot::Up(leader(1, 1, &[])), down()]);
    assert!(check(&mut RaftChecker::default(), &nodes, &[0, 1]).is_empty());
}

// Reference: Figure 3, Leader Append-Only — a leader whose log lost entries
// during its term is caught. (The engine never does this; the state is made
// by presenting the same leader again with a log that was truncated.)
#[test]
fn leader_append_only_can_fire() {
    let mut checker = RaftChecker::default();
    let before = Fake(vec![Slot::Up(leader(0, 1, &[1, 1])), down(), down()]);
    assert!(check(&mut checker, &before, &[0]).is_empty());
    let mut cut = persistent(1, None, &[1, 1, 1]);
    cut.log.truncate_from(3);
    let mut h = Hand::new(0, 3, Some(cut));
    h.elect();
    assert_eq!((h.raft.role(), h.raft.term()), (Role::Leader, 2));
    let after = Fake(vec![Slot::Up(h.raft), down(), down()]);
    assert_eq!(check(&mut checker, &after, &[0]), vec!["leader_append_only"]);
}

// Reference: Figure 3, Log Matching — two logs with an entry of the same
// index and term must agree on everything before it.
#[test]
fn log_matching_can_fire() {
    // Same term 3 at index 2, different histories before it.
    let nodes = Fake(vec![
        Slot::Down(Persistent { current_term: 3, voted_for: None, log: log_of(&[1, 3]) }),
        Slot::Down(Persistent {
            current_term: 3,
            voted_for: None,
            log: Log::from_entries([Entry::new(2, "i1t1"), Entry::new(3, "i2t3")]),
        }),
        down(),
    ]);
    assert_eq!(check(&mut RaftChecker::default(), &nodes, &[1]), vec!["log_matching"]);
    // Logs that merely differ in length or diverge at a term change are fine.
    let nodes = Fake(vec![
        Slot::Down(persistent(3, None, &[1, 1, 2])),
        Slot::Down(persistent(3, None, &[1, 1])),
        Slot::Down(persistent(3, None, &[1, 1, 3])),
    ]);
    assert!(check(&mut RaftChecker::default(), &nodes, &[0, 1, 2]).is_empty());
}

// Reference: Figure 3, Leader Completeness — an entry committed in term 2 is
// missing from the leader of term 3.
#[test]
fn leader_completeness_can_fire() {
    let mut f = Hand::new(1, 3, None);
    f.recv(0, append(0, 2, (0, 0), &[(2, "a=1")], 1));
    assert_eq!((f.raft.term(), f.raft.commit_index()), (2, 1));
    let nodes = Fake(vec![down(), Slot::Up(f.raft), Slot::Up(leader(2, 2, &[]))]);
    assert_eq!(check(&mut RaftChecker::default(), &nodes, &[1, 2]), vec!["leader_completeness"]);
    // The other order: the leader first, then the commit becomes known.
    let mut f = Hand::new(1, 3, None);
    f.recv(0, append(0, 2, (0, 0), &[(2, "a=1")], 1));
    let nodes = Fake(vec![down(), Slot::Up(f.raft), Slot::Up(leader(2, 2, &[]))]);
    assert_eq!(check(&mut RaftChecker::default(), &nodes, &[2, 1]), vec!["leader_completeness"]);
    // A leader of term 3 that holds the entry is fine.
    let mut f = Hand::new(1, 3, None);
    f.recv(0, append(0, 2, (0, 0), &[(2, "a=1")], 1));
    let mut l = Hand::new(2, 3, None);
    l.recv(0, append(0, 2, (0, 0), &[(2, "a=1")], 0));
    l.elect();
    let nodes = Fake(vec![down(), Slot::Up(f.raft), Slot::Up(l.raft)]);
    assert!(check(&mut RaftChecker::default(), &nodes, &[1, 2]).is_empty());
}

// Reference: Figure 3, State Machine Safety — two servers applied different
// entries at index 1.
#[test]
fn state_machine_safety_can_fire() {
    let mut a = Hand::new(0, 3, None);
    a.recv(2, append(2, 1, (0, 0), &[(1, "x=1")], 1));
    let mut b = Hand::new(1, 3, None);
    b.recv(2, append(2, 2, (0, 0), &[(2, "x=2")], 1));
    assert_eq!((a.raft.last_applied(), b.raft.last_applied()), (1, 1));
    let nodes = Fake(vec![Slot::Up(a.raft), Slot::Up(b.raft), down()]);
    assert_eq!(check(&mut RaftChecker::default(), &nodes, &[0, 1]), vec!["state_machine_safety"]);
    // The same entry applied twice is fine.
    let mut a = Hand::new(0, 3, None);
    a.recv(2, append(2, 1, (0, 0), &[(1, "x=1")], 1));
    let mut b = Hand::new(1, 3, None);
    b.recv(2, append(2, 1, (0, 0), &[(1, "x=1")], 1));
    let nodes = Fake(vec![Slot::Up(a.raft), Slot::Up(b.raft), down()]);
    assert!(check(&mut RaftChecker::default(), &nodes, &[0, 1]).is_empty());
}

// Each violation is reported once, not again at every later step.
#[test]
fn a_violation_is_reported_once() {
    let nodes = Fake(vec![Slot::Up(leader(0, 0, &[])), Slot::Up(leader(1, 0, &[])), down()]);
    let mut checker = RaftChecker::default();
    assert_eq!(check(&mut checker, &nodes, &[0, 1]).len(), 1);
    assert!(check(&mut checker, &nodes, &[0, 1, 0, 1]).is_empty());
}
