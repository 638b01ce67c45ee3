//! Zab as the papers describe it: Fast Leader Election's vote order, an
//! epoch not above acceptedEpoch refused, the leader's choice of DIFF, TRUNC
//! or SNAP, a committed transaction surviving leader changes, and a lagging
//! follower brought up to date. Each test cites the section it checks.
//!
//! Papers: Junqueira, Reed & Serafini, "Zab: High-performance broadcast for
//! primary-backup systems" (DSN 2011); Medeiros, "ZooKeeper's atomic
//! broadcast protocol: Theory and practice" (2012).

use crate::paxos_support;

use consensus_lab::protocol::{Message, Protocol};
use consensus_lab::sim::Simulator;
use consensus_lab::zab::election::vote_beats;
use consensus_lab::zab::{LeaderPacket, PeerState, Persistent, Phase, Txn, Vote, Zab, ZabParams, Zxid};
use paxos_support::{assert_safe, replay, run_to};
use serde_json::{Value, json};

/// A transaction as a preset disk holds it.
fn txn(e: u64, c: u64) -> Txn {
    Txn { zxid: Zxid(e, c), value: format!("v{e}.{c}").into(), op: None, origin: 0 }
}

fn disk(accepted: u64, current: u64, zxids: &[(u64, u64)]) -> Option<Persistent> {
    Some(Persistent {
        accepted_epoch: accepted,
        current_epoch: current,
        history: zxids.iter().map(|&(e, c)| txn(e, c)).collect(),
    })
}

fn scenario(nodes: usize, params: Value, events: Value) -> consensus_lab::scenario::Scenario {
    let doc = json!({ "version": 1, "protocol": "zab", "nodes": nodes, "seed": 7,
                      "network": { "latency_ms": [10, 10] }, "params": params, "events": events });
    consensus_lab::scenario::Scenario::from_json_str(&doc.to_string()).unwrap()
}

fn sim_with(nodes: usize, params: Value, events: Value, disks: Vec<Option<Persistent>>) -> Simulator<Zab> {
    Simulator::with_stable(scenario(nodes, params, events), disks).unwrap()
}

/// The established leader with a quorum in broadcast, if any.
fn settled(s: &Simulator<Zab>) -> Option<usize> {
    let l = (0..s.nodes()).find(|&i| s.node(i).is_some_and(Zab::is_established_leader))?;
    let epoch = s.node(l)?.current_epoch();
    let followers = (0..s.nodes())
        .filter_map(|i| s.node(i))
        .filter(|z| z.leader() == Some(l) && z.phase() == Phase::Broadcast && z.current_epoch() == epoch)
        .count();
    (followers > s.nodes() / 2).then_some(l)
}

/// Steps to `t`, recording the kind of every message sent to `to`.
fn kinds_to(s: &mut Simulator<Zab>, to: usize, t: u64) -> Vec<&'static str> {
    let (mut kinds, mut next) = (Vec::new(), 0);
    loop {
        for f in s.in_flight() {
            if f.id >= next {
                next = f.id + 1;
                if f.to == to {
                    kinds.push(f.msg.kind());
                }
            }
        }
        if s.next_event_at().is_none_or(|at| at > t) {
            break;
        }
        s.step().unwrap_or_else(|e| panic!("{e}"));
    }
    run_to(s, t);
    kinds
}

fn zxids(h: &[Txn]) -> Vec<Zxid> {
    h.iter().map(|t| t.zxid).collect()
}

// Reference: Medeiros 2012, "Fast Leader Election" (totalOrderPredicate): a
// vote beats another by higher peer epoch, then higher zxid, then higher id.
#[test]
fn vote_order_is_peer_epoch_then_zxid_then_server_id() {
    let v = |leader, zxid: (u64, u64), peer_epoch| Vote { leader, zxid: Zxid(zxid.0, zxid.1), peer_epoch };
    // The epoch decides before the zxid, the zxid before the id.
    assert!(vote_beats(&v(0, (1, 1), 2), &v(4, (1, 9), 1), false));
    assert!(vote_beats(&v(0, (1, 9), 1), &v(4, (1, 1), 1), false));
    assert!(vote_beats(&v(4, (1, 1), 1), &v(0, (1, 1), 1), false));
    assert!(!vote_beats(&v(0, (1, 1), 1), &v(0, (1, 1), 1), false));
    // A total order: exactly one of two different votes beats the other.
    let votes: Vec<Vote> =
        (0..3).flat_map(|id| (1..3).flat_map(move |e| (1..3).map(move |c| v(id, (e, c), e + c % 2)))).collect();
    for a in &votes {
        for b in &votes {
            if a != b {
                assert!(vote_beats(a, b, false) != vote_beats(b, a, false), "{a:?} vs {b:?}");
            }
        }
    }
    // In a run, five servers elect the one whose vote is highest: n3 (peer
    // epoch 2, zxid 2.1) over n0 (same, lower id) and n1/n4 (higher zxid,
    // lower epoch).
    let disks = vec![
        disk(2, 2, &[(1, 1), (2, 1)]),
        disk(1, 1, &[(1, 1), (1, 2), (1, 3)]),
        disk(1, 1, &[(1, 1)]),
        disk(2, 2, &[(1, 1), (2, 1)]),
        disk(1, 1, &[(1, 1), (1, 2), (1, 3)]),
    ];
    let mut s = sim_with(5, json!({}), json!([]), disks);
    run_to(&mut s, 2_000);
    assert_eq!(settled(&s), Some(3), "{}", replay(&s));
    assert_safe(&s);
}

// Reference: DSN 2011 §IV-A, Phase 1 (discovery): a follower accepts
// NEWEPOCH(e') only if e' > its acceptedEpoch, and returns to election when
// e' is below it (ZooKeeper's Learner.registerWithLeader).
#[test]
fn an_epoch_not_above_accepted_epoch_is_refused() {
    // n0 once accepted epoch 5; n1 and n2 elect each other without it and
    // settle on epoch 1. When n0 is back, it refuses LEADERINFO(1).
    let disks = vec![disk(5, 0, &[]), None, None];
    let events = json!([{ "at_ms": 0, "type": "partition", "groups": [[0], [1, 2]] },
                        { "at_ms": 1500, "type": "heal" },
                        { "at_ms": 1500, "type": "timeout", "node": 0 }]);
    let mut s = sim_with(3, json!({}), events, disks);
    run_to(&mut s, 1_500);
    let l = settled(&s).expect("n1 and n2 settle");
    assert_eq!(s.node(l).unwrap().current_epoch(), 1);
    let kinds = kinds_to(&mut s, 0, 3_000);
    assert!(kinds.contains(&"LEADERINFO"), "n0 was offered the epoch: {kinds:?}");
    let n0 = s.node(0).unwrap();
    assert_eq!(n0.accepted_epoch(), 5, "it kept its acceptedEpoch");
    assert_ne!(n0.phase(), Phase::Broadcast, "it never joined epoch 1");
    assert_eq!(s.node(l).unwrap().current_epoch(), 1);
    assert_safe(&s);
}

/// The leader's sync packet kind for a follower whose last zxid is `peer`.
fn choice(leader: &[(u64, u64)], peer: (u64, u64), snap_threshold: u64) -> LeaderPacket {
    let params = ZabParams { snap_threshold, ..ZabParams::default() };
    let z = Zab::boot(0, 3, &params, disk(2, 2, leader));
    z.sync_packet(Zxid(peer.0, peer.1))
}

// Reference: Medeiros 2012, "Synchronization" (LearnerHandler.syncFollower):
// DIFF when the follower's last zxid is in the leader's history, TRUNC when
// it holds transactions the leader does not, SNAP when it is too far behind.
#[test]
fn the_leader_chooses_diff_trunc_or_snap_from_the_followers_last_zxid() {
    let h = [(1, 1), (1, 2), (2, 1), (2, 2)];
    match choice(&h, (1, 2), 50) {
        LeaderPacket::Diff { txns } => assert_eq!(zxids(&txns), [Zxid(2, 1), Zxid(2, 2)]),
        p => panic!("expected DIFF, got {p:?}"),
    }
    assert_eq!(choice(&h, (2, 2), 50), LeaderPacket::Diff { txns: vec![] });
    // (1, 3) was proposed in epoch 1 but never reached the leader: cut back
    // to (1, 2), then the rest.
    match choice(&h, (1, 3), 50) {
        LeaderPacket::Trunc { to, txns } => {
            assert_eq!(to, Zxid(1, 2));
            assert_eq!(zxids(&txns), [Zxid(2, 1), Zxid(2, 2)]);
        }
        p => panic!("expected TRUNC, got {p:?}"),
    }
    // Ahead of the leader: cut back to the leader's last zxid.
    assert_eq!(choice(&h, (2, 5), 50), LeaderPacket::Trunc { to: Zxid(2, 2), txns: vec![] });
    match choice(&h, (0, 0), 2) {
        LeaderPacket::Snap { txns } => assert_eq!(txns.len(), 4),
        p => panic!("expected SNAP, got {p:?}"),
    }
}

/// Three servers from these disks; returns what n2 was sent and the run.
fn sync_run(disks: Vec<Option<Persistent>>, params: Value) -> (Vec<&'static str>, Simulator<Zab>) {
    let mut s = sim_with(3, params, json!([]), disks);
    let kinds = kinds_to(&mut s, 2, 2_000);
    let l = settled(&s).unwrap_or_else(|| panic!("no leader\n{}", replay(&s)));
    let lh = zxids(s.node(l).unwrap().history());
    assert_eq!(zxids(s.node(2).unwrap().history()), lh, "n2 has the leader's history");
    assert_eq!(s.node(2).unwrap().committed(), lh.len(), "and has committed it");
    assert_safe(&s);
    (kinds, s)
}

// Reference: Medeiros 2012, "Synchronization", each case in a run.
#[test]
fn each_sync_mode_is_used_in_the_situation_that_calls_for_it() {
    let ahead = &[(1, 1), (1, 2), (1, 3)];
    // DIFF: n2 lacks the last two transactions of epoch 1.
    let (kinds, _) = sync_run(vec![disk(1, 1, ahead), disk(1, 1, ahead), disk(1, 1, &[(1, 1)])], json!({}));
    assert!(kinds.contains(&"DIFF") && !kinds.contains(&"TRUNC") && !kinds.contains(&"SNAP"), "{kinds:?}");
    // TRUNC: n2 led epoch 1 and logged (1, 3) alone; n0 and n1 went on to
    // epoch 2 without it.
    let moved = &[(1, 1), (1, 2), (2, 1)];
    let (kinds, s) = sync_run(vec![disk(2, 2, moved), disk(2, 2, moved), disk(1, 1, ahead)], json!({}));
    assert!(kinds.contains(&"TRUNC"), "{kinds:?}");
    assert!(!s.node(2).unwrap().history().iter().any(|t| t.zxid == Zxid(1, 3)), "(1, 3) is gone");
    // SNAP: n2 has nothing and the leader keeps a DIFF window of 2.
    let (kinds, _) = sync_run(vec![disk(1, 1, ahead), disk(1, 1, ahead), None], json!({ "snap_threshold": 2 }));
    assert!(kinds.contains(&"SNAP"), "{kinds:?}");
}

// Reference: DSN 2011 §III, "no committed transaction is lost": a
// transaction committed in epoch e is in every later leader's history.
#[test]
fn a_transaction_committed_in_epoch_e_survives_later_leader_changes() {
    let mut s = sim_with(3, json!({}), json!([{ "at_ms": 1000, "type": "client_request", "value": "x=1" }]), vec![]);
    run_to(&mut s, 1_500);
    let first = settled(&s).expect("a leader");
    let e = s.node(first).unwrap().current_epoch();
    let t = s.node(first).unwrap().history()[0].clone();
    assert_eq!(t.zxid.epoch(), e);
    assert!((0..3).all(|i| s.node(i).unwrap().committed() == 1), "x=1 committed everywhere");
    // Depose leaders one after another, restarting each, a few times.
    let mut now = 1_500;
    let mut seen_epochs = vec![e];
    for _ in 0..3 {
        let l = settled(&s).expect("a leader");
        s.inject(consensus_lab::scenario::Event::Crash { node: l }).unwrap();
        now += 1_500;
        run_to(&mut s, now);
        s.inject(consensus_lab::scenario::Event::Restart { node: l }).unwrap();
        now += 1_500;
        run_to(&mut s, now);
        let nl = settled(&s).unwrap_or_else(|| panic!("no leader\n{}", replay(&s)));
        let z = s.node(nl).unwrap();
        seen_epochs.push(z.current_epoch());
        assert_eq!(z.history().first(), Some(&t), "epoch {} still holds {}", z.current_epoch(), t.zxid);
        assert!((0..3).all(|i| s.node(i).unwrap().committed() >= 1), "and every server delivered it");
    }
    assert!(seen_epochs.windows(2).all(|w| w[0] < w[1]), "each leader change began a new epoch: {seen_epochs:?}");
    assert_safe(&s);
}

// Reference: DSN 2011 §IV-A, Phase 2: a follower that missed transactions
// is synchronized before it joins broadcast.
#[test]
fn a_lagging_follower_is_brought_up_to_date() {
    let mut s = sim_with(3, json!({}), json!([]), vec![]);
    run_to(&mut s, 1_000);
    let l = settled(&s).expect("a leader");
    let lag = (l + 1) % 3;
    s.inject(consensus_lab::scenario::Event::Crash { node: lag }).unwrap();
    for (k, at) in [1_100, 1_200, 1_300].into_iter().enumerate() {
        s.schedule(at, consensus_lab::scenario::Event::ClientRequest { value: format!("k{k}=1"), node: Some(l) })
            .unwrap();
    }
    run_to(&mut s, 1_500);
    assert_eq!(s.node(l).unwrap().committed(), 3, "the other two committed without it");
    s.inject(consensus_lab::scenario::Event::Restart { node: lag }).unwrap();
    let kinds = kinds_to(&mut s, lag, 3_000);
    assert!(kinds.contains(&"DIFF"), "{kinds:?}");
    let z = s.node(lag).unwrap();
    assert_eq!(z.state(), PeerState::Following);
    assert_eq!(z.phase(), Phase::Broadcast);
    assert_eq!(zxids(z.history()), zxids(s.node(l).unwrap().history()));
    assert_eq!(z.committed(), 3);
    assert_eq!(z.kv().get("k2"), Some("1"));
    assert_safe(&s);
}
