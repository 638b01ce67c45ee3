//! Handler-level robustness: a node fed arbitrary messages, timers, client
//! requests and timeouts in any order never panics, and its acceptor never
//! breaks its promise (the promised ballot never goes down, and nothing is
//! accepted below it).

use crate::paxos_support;

use consensus_lab::paxos::multi::{Decision, MAX_SLOT, PValue};
use consensus_lab::paxos::{
    Ballot, Cmd, MultiMsg, MultiPaxos, MultiPaxosParams, MultiTimer, Paxos, PaxosMsg, PaxosParams, PaxosTimer, Proposal,
};
use consensus_lab::protocol::{Ctx, Out, Protocol, Value};
use paxos_support::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const N: usize = 5;

fn ballot(r: &mut Rng) -> Ballot {
    Ballot::new(r.range(0, 6), r.range(0, N as u64 - 1) as usize)
}

fn value(r: &mut Rng) -> Value {
    Value::from(["a", "b", "x=1", ""][r.range(0, 3) as usize])
}

fn paxos_msg(r: &mut Rng) -> PaxosMsg {
    match r.range(0, 5) {
        0 => PaxosMsg::Prepare { ballot: ballot(r) },
        1 => {
            let accepted = r.chance(0.5).then(|| Proposal { ballot: ballot(r), value: value(r) });
            PaxosMsg::Promise { ballot: ballot(r), accepted }
        }
        2 => PaxosMsg::Accept { ballot: ballot(r), value: value(r) },
        3 => PaxosMsg::Accepted { ballot: ballot(r) },
        4 => PaxosMsg::Nack { ballot: ballot(r), promised: ballot(r) },
        _ => PaxosMsg::Decide { value: value(r) },
    }
}

fn slot(r: &mut Rng) -> u64 {
    if r.chance(0.05) { MAX_SLOT + r.range(1, 3) } else { r.range(0, 8) }
}

fn cmd(r: &mut Rng) -> Cmd {
    if r.chance(0.3) { Cmd::Noop } else { Cmd::Value(value(r)) }
}

fn multi_msg(r: &mut Rng) -> MultiMsg {
    match r.range(0, 7) {
        0 => MultiMsg::Prepare { ballot: ballot(r), from_slot: slot(r) },
        1 => {
            let accepted =
                (0..r.range(0, 3)).map(|_| PValue { slot: slot(r), ballot: ballot(r), cmd: cmd(r) }).collect();
            MultiMsg::Promise { ballot: ballot(r), accepted }
        }
        2 => MultiMsg::Accept { ballot: ballot(r), slot: slot(r), cmd: cmd(r) },
        3 => MultiMsg::Accepted { ballot: ballot(r), slot: slot(r) },
        4 => MultiMsg::Nack { ballot: ballot(r), promised: ballot(r) },
        5 => MultiMsg::Decide { decisions: vec![Decision { slot: slot(r), cmd: cmd(r) }] },
        6 => MultiMsg::Heartbeat { ballot: ballot(r), chosen_upto: slot(r) },
        _ => MultiMsg::CatchUp { from_slot: slot(r) },
    }
}

/// Drives one node of `P` with `steps` random inputs; `check` sees it after each.
fn drive<P: Protocol>(
    seed: u64,
    params: &P::Params,
    msg: impl Fn(&mut Rng) -> P::Msg,
    timer: P::Timer,
    mut check: impl FnMut(&P),
) {
    let mut r = Rng(seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut node = P::boot(1, N, params, None);
    for now in 0..2_000u64 {
        let mut cx = Ctx::new(now, 1, N, &mut rng);
        let mut out = Out::<P>::new();
        match r.range(0, 12) {
            0 => node.on_timer(&mut cx, timer.clone(), &mut out),
            1 => {
                node.on_client_request(&mut cx, value(&mut r), &mut out);
            }
            2 => {
                node.on_timeout_now(&mut cx, &mut out);
            }
            3 => {
                node = P::boot(1, N, params, Some(node.crash()));
                node.on_start(&mut cx, &mut out);
            }
            _ => {
                let from = r.range(0, N as u64 - 1) as usize;
                node.on_message(&mut cx, from, msg(&mut r), &mut out);
            }
        }
        check(&node);
        let _ = serde_json::to_string(&node.view()).expect("the view serializes");
    }
}

// Reference: Paxos Made Simple §2.2 (P1a: an acceptor never accepts below a
// ballot it promised) and §2.3 (that promise survives restarts).
#[test]
fn paxos_nodes_survive_any_input_and_keep_their_promises() {
    for seed in 0..50 {
        let params = PaxosParams { backoff: seed % 2 == 0, ..PaxosParams::default() };
        let mut last = None;
        drive::<Paxos>(seed, &params, paxos_msg, PaxosTimer::Retry, |p| {
            assert!(p.promised() >= last, "promise went down");
            last = p.promised();
            if let Some(a) = p.accepted() {
                assert!(Some(a.ballot) <= p.promised(), "accepted above the promise");
            }
        });
    }
}

// Reference: Paxos Made Simple §3 (each slot's acceptor obeys P1a).
#[test]
fn multi_paxos_nodes_survive_any_input_and_keep_their_promises() {
    for seed in 0..50 {
        let mut last = None;
        let timer = if seed % 2 == 0 { MultiTimer::Election } else { MultiTimer::Heartbeat };
        drive::<MultiPaxos>(seed, &MultiPaxosParams::default(), multi_msg, timer, |p| {
            let st = p.stable();
            assert!(st.promised >= last, "promise went down");
            last = st.promised;
            assert!(st.accepted.values().all(|a| Some(a.ballot) <= st.promised));
            assert!(st.chosen.len() <= 9, "slots past MAX_SLOT are ignored");
            assert!(p.executed() as usize <= st.chosen.len());
        });
    }
}
