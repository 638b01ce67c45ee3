//! Histories from a simulated correct key-value store, for the checker's
//! tests and its benchmark: closed-loop clients each issue one operation,
//! wait for the answer, think, and issue the next; every operation takes
//! effect at a hidden moment inside its interval, and its result is what
//! the store held then. So every history made here is linearizable, and as
//! realistic as the lab's own runs: overlapping operations, reads, writes,
//! cas that fail when another client got there first, some appends, and a
//! few operations that time out (and took effect, or did not).

#![allow(dead_code)]

use std::rc::Rc;

use consensus_lab::history::{F, Op};
use consensus_lab::kv::{KvOp, Store};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to make.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    pub ops: usize,
    pub clients: u64,
    pub keys: usize,
    pub seed: u64,
    /// One in this many operations gets no answer.
    pub timeout_one_in: u32,
    /// One in this many reads returns the value before the key's latest
    /// change, as a lagging replica would (0: never): a bug to find.
    pub stale_one_in: u32,
    /// How many distinct values writes and cas choose from.
    pub values: u32,
    /// Percentages of reads, writes and cas; appends take the rest.
    pub mix: (u32, u32, u32),
}

impl Workload {
    pub fn new(ops: usize, clients: u64, keys: usize, seed: u64) -> Workload {
        Workload { ops, clients, keys, seed, timeout_one_in: 100, stale_one_in: 0, values: 8, mix: (50, 30, 15) }
    }
}

/// A linearizable history of the workload, in call order.
pub fn correct_history(w: Workload) -> Vec<Op> {
    let mut rng = ChaCha8Rng::seed_from_u64(w.seed);
    let keys: Vec<Rc<str>> = (0..w.keys.max(1)).map(|k| Rc::from(format!("k{k}"))).collect();
    let mut next_call: Vec<u64> = (0..w.clients).map(|_| rng.random_range(0..20)).collect();
    // (op, the moment it takes effect, or None if it never does)
    let mut planned: Vec<(Op, Option<u64>)> = Vec::with_capacity(w.ops);
    for id in 0..w.ops as u64 {
        // The client whose next call comes first.
        let client = (0..w.clients).min_by_key(|&c| (next_call[c as usize], c)).unwrap_or(0);
        let call = next_call[client as usize];
        let key = keys[rng.random_range(0..keys.len())].clone();
        let (r, wr, c) = w.mix;
        let f = match rng.random_range(0..100) {
            x if x < r => F::Read,
            x if x < r + wr => F::Write,
            x if x < r + wr + c => F::Cas,
            _ => F::Append,
        };
        let value: Option<Rc<str>> = match f {
            F::Read => None,
            F::Append => Some(Rc::from(["a", "b", "c"][rng.random_range(0..3)])),
            _ => Some(Rc::from(rng.random_range(0..w.values).to_string())),
        };
        let expect = (f == F::Cas).then(|| Some(Rc::from(rng.random_range(0..w.values).to_string()))).flatten();
        let timed_out = w.timeout_one_in > 0 && rng.random_range(0..w.timeout_one_in) == 0;
        let latency = rng.random_range(1..40);
        let (return_ms, effect) = if timed_out {
            let effect = rng.random_bool(0.5).then(|| call + rng.random_range(0..200));
            (None, effect)
        } else {
            (Some(call + latency), Some(call + rng.random_range(0..=latency)))
        };
        next_call[client as usize] = call + latency + rng.random_range(1..30);
        let op = Op { id, client, f, key, value, expect, call_ms: call, return_ms, ok: return_ms.map(|_| true) };
        planned.push((op, effect));
    }
    // Apply in the order the operations took effect.
    let mut order: Vec<usize> = (0..planned.len()).filter(|&i| planned[i].1.is_some()).collect();
    order.sort_by_key(|&i| (planned[i].1, i));
    let mut store = Store::new();
    let mut before: std::collections::BTreeMap<Rc<str>, Option<Rc<str>>> = Default::default();
    for i in order {
        let op = &mut planned[i].0;
        let kv = KvOp { f: op.f, key: op.key.clone(), value: op.value.clone(), expect: op.expect.clone() };
        let old: Option<Rc<str>> = store.get(&op.key).map(Rc::from);
        let mut result = store.apply(&kv);
        if store.get(&op.key) != old.as_deref() {
            before.insert(op.key.clone(), old);
        }
        if op.f == F::Read && w.stale_one_in > 0 && rng.random_range(0..w.stale_one_in) == 0 {
            result.value = before.get(&op.key).cloned().flatten();
        }
        if op.return_ms.is_some() {
            match op.f {
                F::Read => op.value = result.value,
                F::Cas => op.ok = Some(result.ok),
                _ => {}
            }
        }
    }
    planned.into_iter().map(|(op, _)| op).collect()
}

/// The history as a document for `consensus-lab check`.
pub fn document(ops: &[Op]) -> String {
    let list: Vec<serde_json::Value> = ops.iter().map(|o| serde_json::to_value(o).unwrap_or_default()).collect();
    serde_json::json!({ "model": "kv", "ops": list }).to_string()
}
