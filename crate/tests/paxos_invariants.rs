//! Every Paxos and Multi-Paxos invariant check can fire: real runs with the
//! deliberately unsafe parameter break agreement, and hand-made node states
//! break the checks no correct engine can reach.

use crate::paxos_support;

use consensus_lab::invariant::{Checker, NodeRef, Nodes, Violation};
use consensus_lab::paxos::multi::Stored;
use consensus_lab::paxos::{
    Ballot, Cmd, MultiChecker, MultiPaxos, MultiStable, Paxos, PaxosChecker, PaxosStable, Proposal,
};
use consensus_lab::protocol::{NodeId, Protocol, Value};
use paxos_support::{replay, run_to, sim};
use serde_json::json;

/// Crashed nodes holding hand-made stable states.
struct Down<P: Protocol>(Vec<P::Stable>);

impl<P: Protocol> Nodes<P> for Down<P> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn node(&self, id: NodeId) -> NodeRef<'_, P> {
        NodeRef::Down(&self.0[id])
    }
}

fn names(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|v| v.invariant).collect()
}

/// Checks every node of `nodes` as if each had just changed.
fn check_all<P: Protocol, C: Checker<P>>(c: &mut C, nodes: &Down<P>) -> Vec<Violation> {
    let mut out = Vec::new();
    for i in 0..nodes.len() {
        c.check(1, i, nodes, &mut out);
    }
    out
}

fn accepted(round: u64, node: NodeId, v: &str) -> Option<Proposal> {
    Some(Proposal { ballot: Ballot::new(round, node), value: Value::from(v) })
}

// Reference: Paxos Made Simple §2.1 and §2.2: a proposer that ignores the
// values reported in phase 1 gets a second value chosen, and learners split.
#[test]
fn single_value_chosen_and_learners_agree_fire_without_value_adoption() {
    // "A" is chosen by 0, 1, 2 with ballot (1,0); 0 and 1 learn it; the
    // partition then keeps the decide from 2, 3 and 4.
    let mut s = sim::<Paxos>(json!({
        "version": 1, "protocol": "paxos", "nodes": 5, "seed": 1,
        "network": { "latency_ms": [10, 10] },
        "params": { "unsafe_ignore_promised_values": true },
        "events": [
            { "at_ms": 0, "type": "client_request", "value": "A", "node": 0 },
            { "at_ms": 45, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
            { "at_ms": 60, "type": "client_request", "value": "B", "node": 4 }
        ]
    }));
    run_to(&mut s, 1_000);
    let n = names(s.violations());
    assert!(n.contains(&"single_value_chosen"), "{:?}\n{}", s.violations(), replay(&s));
    assert!(n.contains(&"learners_agree"), "{:?}", s.violations());
    assert!(!n.contains(&"chosen_was_proposed") && !n.contains(&"learned_was_chosen"));
    assert_eq!(s.stable(0).learned.as_deref(), Some("A"));
    assert_eq!(s.stable(4).learned.as_deref(), Some("B"));
}

// Reference: Paxos Made Simple §2.1 ("only a value that has been proposed may be chosen").
#[test]
fn chosen_was_proposed_fires_for_a_value_nobody_proposed() {
    let mut nodes = Down::<Paxos>(vec![PaxosStable::default(); 3]);
    let mut c = PaxosChecker::default();
    assert!(check_all::<Paxos, _>(&mut c, &nodes).is_empty());
    nodes.0[0].accepted = accepted(1, 0, "forged");
    nodes.0[1].accepted = accepted(1, 0, "forged");
    let v = check_all::<Paxos, _>(&mut c, &nodes);
    assert_eq!(names(&v), ["chosen_was_proposed"], "{v:?}");
    assert!(v[0].detail.contains("\"forged\""), "{}", v[0].detail);
}

// Reference: Paxos Made Simple §2.1 ("a process never learns that a value has
// been chosen unless it actually has been").
#[test]
fn learned_was_chosen_fires_when_a_learner_jumps_ahead() {
    let mut nodes = Down::<Paxos>(vec![PaxosStable::default(); 3]);
    let mut c = PaxosChecker::default();
    nodes.0[0].accepted = accepted(1, 0, "x");
    assert!(check_all::<Paxos, _>(&mut c, &nodes).is_empty(), "a prepared state counts as proposed");
    nodes.0[2].learned = Some(Value::from("x"));
    let v = check_all::<Paxos, _>(&mut c, &nodes);
    assert_eq!(names(&v), ["learned_was_chosen"], "one acceptance of three is no majority: {v:?}");
}

// Reference: Paxos Made Simple §2.1 (learners never disagree, and a chosen
// value stays chosen).
#[test]
fn learners_agree_fires_when_a_learner_changes_its_mind() {
    let mut nodes = Down::<Paxos>(vec![PaxosStable::default(); 3]);
    nodes.0[0].learned = Some(Value::from("x"));
    let mut c = PaxosChecker::default();
    assert!(check_all::<Paxos, _>(&mut c, &nodes).is_empty());
    nodes.0[0].learned = Some(Value::from("y"));
    let v = check_all::<Paxos, _>(&mut c, &nodes);
    assert!(names(&v).contains(&"learners_agree"), "{v:?}");
}

// Reference: Paxos Made Simple §3: a new leader must propose the values
// reported in phase 1; one that does not overwrites a chosen slot.
#[test]
fn multi_single_value_chosen_and_replicas_agree_fire_without_recovery() {
    let mut s = sim::<MultiPaxos>(json!({
        "version": 1, "protocol": "multi-paxos", "nodes": 5, "seed": 3,
        "params": { "unsafe_ignore_promised_values": true },
        "events": [
            { "at_ms": 0, "type": "timeout", "node": 0 },
            { "at_ms": 200, "type": "partition", "groups": [[0, 1, 2], [3, 4]] },
            { "at_ms": 210, "type": "client_request", "value": "x", "node": 0 },
            { "at_ms": 400, "type": "crash", "node": 0 },
            { "at_ms": 400, "type": "partition", "groups": [[1], [2, 3, 4]] },
            { "at_ms": 401, "type": "timeout", "node": 3 },
            { "at_ms": 1500, "type": "client_request", "value": "y" }
        ]
    }));
    run_to(&mut s, 3_000);
    let n = names(s.violations());
    assert!(n.contains(&"single_value_chosen"), "{:?}\n{}", s.violations(), replay(&s));
    assert!(n.contains(&"replicas_agree"), "{:?}\n{}", s.violations(), replay(&s));
    assert!(!n.contains(&"chosen_was_proposed") && !n.contains(&"learned_was_chosen"));
}

fn stored(round: u64, node: NodeId, cmd: Cmd, seq: u64) -> Stored {
    Stored { ballot: Ballot::new(round, node), cmd, seq }
}

// Reference: Paxos Made Simple §2.1 per slot: only proposed commands (client
// values or a leader's no-op) may be chosen.
#[test]
fn multi_chosen_was_proposed_fires_for_a_value_nobody_proposed() {
    let mut nodes = Down::<MultiPaxos>(vec![MultiStable::default(); 3]);
    let mut c = MultiChecker::default();
    assert!(check_all::<MultiPaxos, _>(&mut c, &nodes).is_empty());
    for i in 0..2 {
        let st = &mut nodes.0[i];
        st.accept_seq = 2;
        st.accepted.insert(0, stored(1, 0, Cmd::Noop, 1));
        st.accepted.insert(1, stored(1, 0, Cmd::Value(Value::from("forged")), 2));
    }
    let v = check_all::<MultiPaxos, _>(&mut c, &nodes);
    assert_eq!(names(&v), ["chosen_was_proposed"], "a no-op is fine, a forged value is not: {v:?}");
    assert!(v[0].detail.contains("slot 1"), "{}", v[0].detail);
}

// Reference: Paxos Made Moderately Complex §3 (a replica only performs
// decisions, which a majority of acceptors accepted).
#[test]
fn multi_learned_was_chosen_fires_when_a_replica_jumps_ahead() {
    let mut nodes = Down::<MultiPaxos>(vec![MultiStable::default(); 3]);
    let mut c = MultiChecker::default();
    assert!(check_all::<MultiPaxos, _>(&mut c, &nodes).is_empty());
    nodes.0[1].chosen = vec![None, Some(Cmd::Noop)];
    nodes.0[1].learned = 1;
    let v = check_all::<MultiPaxos, _>(&mut c, &nodes);
    assert_eq!(names(&v), ["learned_was_chosen"], "{v:?}");
    assert!(v[0].detail.contains("slot 1"), "{}", v[0].detail);
}
