//! No input makes a commit engine panic or misbehave: every message kind
//! from every sender, in any order, duplicated, stale or arriving after a
//! restart, plus timers, timeouts and client requests, driven by hand at
//! the handler level. After each input: sends go to another existing node
//! and fit the sender's role, views serialize, and no decision ever changes
//! (Gray & Lamport §2, stability).

use std::collections::BTreeMap;

use consensus_lab::commit::{
    CommitView, DurableLog, ThreePc, ThreePcMsg, ThreePcParams, ThreePcTimer, TwoPc, TwoPcMsg, TwoPcParams, TwoPcTimer,
    Tx,
};
use consensus_lab::protocol::{Ctx, Effect, Message, Out, Protocol};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const NODES: usize = 3;
const TXS: [&str; 3] = ["a", "b", "c"];

struct Kit<P: Protocol> {
    params: P::Params,
    msgs: fn(Tx) -> Vec<P::Msg>,
    timers: Vec<P::Timer>,
    coordinator_kinds: &'static [&'static str],
    participant_kinds: &'static [&'static str],
}

fn fuzz<P: Protocol<Stable = DurableLog, View = CommitView>>(kit: &Kit<P>, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut node_rng = ChaCha8Rng::seed_from_u64(seed ^ 0xabcd);
    let mut nodes: Vec<P> = (0..NODES).map(|id| P::boot(id, NODES, &kit.params, None)).collect();
    let mut decided: Vec<BTreeMap<Tx, _>> = vec![BTreeMap::new(); NODES];
    let mut now = 0;
    for (id, node) in nodes.iter_mut().enumerate() {
        node.on_start(&mut Ctx::new(now, id, NODES, &mut node_rng), &mut Out::new());
    }
    for step in 0..400 {
        now += rng.random_range(0..40u64);
        let id = rng.random_range(0..NODES);
        let tx: Tx = TXS[rng.random_range(0..TXS.len())].into();
        let mut out = Out::new();
        let mut cx = Ctx::new(now, id, NODES, &mut node_rng);
        let node = &mut nodes[id];
        match rng.random_range(0..10u32) {
            0..=4 => {
                let msgs = (kit.msgs)(tx);
                let msg = msgs[rng.random_range(0..msgs.len())].clone();
                let from = rng.random_range(0..NODES);
                node.on_message(&mut cx, from, msg, &mut out);
            }
            5 | 6 => {
                let timer = kit.timers[rng.random_range(0..kit.timers.len())].clone();
                node.on_timer(&mut cx, timer, &mut out);
            }
            7 => {
                node.on_client_request(&mut cx, tx, &mut out);
            }
            8 => {
                node.on_timeout_now(&mut cx, &mut out);
            }
            _ => {
                let stable = nodes[id].clone().crash();
                nodes[id] = P::boot(id, NODES, &kit.params, Some(stable));
                nodes[id].on_start(&mut cx, &mut out);
            }
        }
        let allowed = if id == 0 { kit.coordinator_kinds } else { kit.participant_kinds };
        for e in out.effects() {
            if let Effect::Send { to, msg } = e {
                assert!(*to < NODES && *to != id, "seed {seed} step {step}: node {id} sends to {to}");
                assert!(id == 0 || *to == 0, "seed {seed} step {step}: participant {id} sends to {to}");
                assert!(allowed.contains(&msg.kind()), "seed {seed} step {step}: node {id} sends {}", msg.kind());
            }
        }
        let view = nodes[id].view();
        assert!(serde_json::to_string(&view).is_ok());
        for (tx, r) in nodes[id].stable().txs() {
            if let Some(d) = r.decision {
                let was = *decided[id].entry(tx.clone()).or_insert(d);
                assert_eq!(was, d, "seed {seed} step {step}: node {id} changed its decision on {tx}");
            }
        }
        for (tx, v) in &view.transactions {
            assert!(!v.state.is_empty(), "seed {seed}: node {id} shows {tx} without a state");
        }
    }
}

#[test]
fn twopc_handlers_take_any_input_without_panicking() {
    // Reference: Gray & Lamport §2 (stability) and §3.
    let kit = Kit::<TwoPc> {
        params: TwoPcParams { no_voters: vec![2], ..TwoPcParams::default() },
        msgs: |tx| {
            vec![
                TwoPcMsg::Prepare { tx: tx.clone() },
                TwoPcMsg::Vote { tx: tx.clone(), yes: true },
                TwoPcMsg::Vote { tx: tx.clone(), yes: false },
                TwoPcMsg::Commit { tx: tx.clone() },
                TwoPcMsg::Abort { tx: tx.clone() },
                TwoPcMsg::Ack { tx: tx.clone() },
                TwoPcMsg::Query { tx },
            ]
        },
        timers: vec![TwoPcTimer::Votes, TwoPcTimer::Retry, TwoPcTimer::Work, TwoPcTimer::Decision],
        coordinator_kinds: &["Prepare", "Commit", "Abort"],
        participant_kinds: &["Vote", "Ack", "Query"],
    };
    for seed in 0..300 {
        fuzz(&kit, seed);
    }
}

#[test]
fn threepc_handlers_take_any_input_without_panicking() {
    // Reference: Skeen 1981, and Gray & Lamport §2 (stability).
    let kit = Kit::<ThreePc> {
        params: ThreePcParams { no_voters: vec![2], vote_delay_ms: 0, ..ThreePcParams::default() },
        msgs: |tx| {
            vec![
                ThreePcMsg::CanCommit { tx: tx.clone() },
                ThreePcMsg::Vote { tx: tx.clone(), yes: true },
                ThreePcMsg::Vote { tx: tx.clone(), yes: false },
                ThreePcMsg::PreCommit { tx: tx.clone() },
                ThreePcMsg::Ack { tx: tx.clone() },
                ThreePcMsg::DoCommit { tx: tx.clone() },
                ThreePcMsg::Abort { tx: tx.clone() },
                ThreePcMsg::Done { tx },
            ]
        },
        timers: vec![
            ThreePcTimer::Votes,
            ThreePcTimer::Acks,
            ThreePcTimer::Retry,
            ThreePcTimer::Work,
            ThreePcTimer::Timeout,
        ],
        coordinator_kinds: &["CanCommit", "PreCommit", "DoCommit", "Abort"],
        participant_kinds: &["Vote", "Ack", "Done"],
    };
    for seed in 0..300 {
        fuzz(&kit, seed);
    }
}
