//! The history checks against brute force, on small random histories (up
//! to 7 operations, 1–2 keys, 2–3 clients): a history is linearizable
//! exactly when some order of its operations respects real time and the
//! key-value model (Herlihy & Wing 1990, §2, definition of
//! linearizability), and sequentially consistent exactly when some order
//! respecting each client's own order does (Lamport 1979; a client's order
//! is real time among its own operations). Brute force
//! tries every such order, and every choice of which unanswered operations
//! took effect, with the store of `kv` itself; the checker must agree, its
//! counterexamples must be impossible to order on their own and need every
//! operation they name, and a linearizable history must keep both session
//! guarantees. Results come from a hidden linearization, then some are
//! falsified, so both verdicts are common.

use std::rc::Rc;

use consensus_lab::history::{F, Limits, Op, consistency, linearizability};
use consensus_lab::kv::{KvOp, Store};
use proptest::prelude::*;
use proptest::test_runner::Config;

const VALUES: [Option<&str>; 4] = [None, Some("1"), Some("2"), Some("3")];

#[derive(Clone, Debug)]
struct Raw {
    f: F,
    key: u8,
    client: u8,
    call: u64,
    /// `None`: no answer came.
    dur: Option<u64>,
    /// Where in its interval it takes effect, in 0..=8 eighths.
    at: u64,
    value: u8,
    expect: u8,
    /// A write or append the system refused.
    refused: bool,
    /// An unanswered operation that took effect.
    happened: bool,
    /// Falsify the result: a read returns `lie`, a cas reports the opposite.
    lie: Option<u8>,
}

fn raw(keys: u8, clients: u8) -> impl Strategy<Value = Raw> {
    (
        prop::sample::select(&F::ALL[..]),
        0..keys,
        0..clients,
        0u64..40,
        prop_oneof![5 => (0u64..20).prop_map(Some), 1 => Just(None)],
        0u64..=8,
        1u8..4,
        0u8..3,
        prop::bool::weighted(0.1),
        any::<bool>(),
        prop::option::weighted(0.3, 0u8..4),
    )
        .prop_map(|(f, key, client, call, dur, at, value, expect, refused, happened, lie)| Raw {
            f,
            key,
            client,
            call,
            dur,
            at,
            value,
            expect,
            refused,
            happened,
            lie,
        })
}

fn history() -> impl Strategy<Value = Vec<Op>> {
    (1u8..=2, 2u8..=3)
        .prop_flat_map(|(keys, clients)| prop::collection::vec(raw(keys, clients), 0..=7))
        .prop_map(|raws| realise(&raws))
}

fn rc(v: Option<&str>) -> Option<Rc<str>> {
    v.map(Rc::from)
}

/// Runs the operations against one store in the order of their hidden
/// linearization points, and records what each returned.
fn realise(raws: &[Raw]) -> Vec<Op> {
    let append_value = |r: &Raw| Some(["a", "b", "c"][r.value as usize % 3]);
    let mut order: Vec<usize> = (0..raws.len()).collect();
    let point = |r: &Raw| r.call * 8 + r.dur.unwrap_or(30) * r.at;
    order.sort_by_key(|&i| (point(&raws[i]), i));
    let mut store = Store::new();
    let mut ops: Vec<Option<Op>> = vec![None; raws.len()];
    for i in order {
        let r = &raws[i];
        let key: Rc<str> = Rc::from(["x", "y"][r.key as usize]);
        let value = if r.f == F::Append { append_value(r) } else { VALUES[r.value as usize] };
        let expect = if r.f == F::Cas { VALUES[r.expect as usize] } else { None };
        let kv =
            KvOp { f: r.f, key: key.clone(), value: if r.f == F::Read { None } else { rc(value) }, expect: rc(expect) };
        let answered = r.dur.is_some();
        let refused = r.refused && matches!(r.f, F::Write | F::Append) && answered;
        let takes_effect = !refused && (answered || r.happened);
        let result = if takes_effect { Some(store.apply(&kv)) } else { None };
        let (mut ok, mut value) = match (r.f, &result) {
            (F::Read, Some(res)) => (Some(true), res.value.clone()),
            (F::Read, None) => (None, None),
            (F::Cas, Some(res)) => (Some(res.ok), rc(value)),
            (_, _) => (Some(!refused), rc(value)),
        };
        if let Some(lie) = r.lie {
            match r.f {
                F::Read if answered => value = rc(VALUES[lie as usize]),
                F::Cas if answered => ok = ok.map(|b| !b),
                _ => {}
            }
        }
        if !answered {
            ok = None;
            if r.f == F::Read {
                value = None;
            }
        }
        ops[i] = Some(Op {
            id: i as u64,
            client: u64::from(r.client),
            f: r.f,
            key,
            value,
            expect: rc(expect),
            call_ms: r.call,
            return_ms: r.dur.map(|d| r.call + d),
            ok,
        });
    }
    ops.into_iter().flatten().collect()
}

/// The operations that count, and which of them may not have happened.
fn counted(ops: &[Op]) -> (Vec<&Op>, Vec<bool>) {
    let keep: Vec<&Op> = ops
        .iter()
        .filter(|o| match o.f {
            F::Read => o.ok == Some(true) && o.return_ms.is_some(),
            F::Write | F::Append => o.ok != Some(false),
            F::Cas => true,
        })
        .collect();
    let optional = keep.iter().map(|o| o.return_ms.is_none() || o.ok.is_none()).collect();
    (keep, optional)
}

/// Whether `op` may run next from `store`, and runs it.
fn legal(store: &mut Store, op: &Op) -> bool {
    let kv = KvOp {
        f: op.f,
        key: op.key.clone(),
        value: if op.f == F::Read { None } else { op.value.clone() },
        expect: op.expect.clone(),
    };
    let before = store.clone();
    let result = store.apply(&kv);
    let fine = match op.f {
        F::Read => result.value == op.value,
        F::Cas => op.ok.is_none() || op.return_ms.is_none() || op.ok == Some(result.ok),
        _ => true,
    };
    if !fine {
        *store = before;
    }
    fine
}

/// Tries every order in which each operation comes after those that
/// `before(a, b)` says must precede it; unanswered operations may be left
/// out.
fn any_order(ops: &[&Op], optional: &[bool], before: &dyn Fn(&Op, &Op) -> bool) -> bool {
    fn go(
        ops: &[&Op],
        optional: &[bool],
        before: &dyn Fn(&Op, &Op) -> bool,
        placed: &mut Vec<bool>,
        store: &Store,
    ) -> bool {
        if (0..ops.len()).all(|i| placed[i] || optional[i]) {
            return true;
        }
        for i in 0..ops.len() {
            if placed[i] || (0..ops.len()).any(|j| !placed[j] && !optional[j] && j != i && before(ops[j], ops[i])) {
                continue;
            }
            let mut next = store.clone();
            if legal(&mut next, ops[i]) {
                placed[i] = true;
                if go(ops, optional, before, placed, &next) {
                    return true;
                }
                placed[i] = false;
            }
        }
        false
    }
    // Which unanswered operations happened: every subset, so that leaving
    // one out never hides behind the order.
    let opt: Vec<usize> = (0..ops.len()).filter(|&i| optional[i]).collect();
    (0..1u32 << opt.len()).any(|mask| {
        let chosen: Vec<&Op> = (0..ops.len())
            .filter(|&i| !optional[i] || mask & (1 << opt.iter().position(|&k| k == i).unwrap_or(0)) != 0)
            .map(|i| ops[i])
            .collect();
        go(&chosen, &vec![false; chosen.len()], before, &mut vec![false; chosen.len()], &Store::new())
    })
}

fn brute_linearizable(ops: &[Op]) -> bool {
    let (keep, optional) = counted(ops);
    let real_time = |a: &Op, b: &Op| {
        let ret = if a.return_ms.is_none() || a.ok.is_none() { None } else { a.return_ms };
        ret.is_some_and(|r| r < b.call_ms)
    };
    any_order(&keep, &optional, &real_time)
}

fn brute_sequential(ops: &[Op]) -> bool {
    let (keep, optional) = counted(ops);
    let answered = |o: &Op| o.return_ms.is_some() && o.ok.is_some();
    // Real time among each client's own operations: what returned before
    // the client called another comes first.
    let own = |a: &Op, b: &Op| a.client == b.client && answered(a) && a.return_ms.is_some_and(|r| r < b.call_ms);
    any_order(&keep, &optional, &own)
}

/// Whether `o` could explain what another operation in `set` saw — written
/// (part of) the value a read or successful cas found, or set another value
/// before a failed cas: the shrinker keeps such operations for readability.
fn supports(o: &Op, set: &[Op]) -> bool {
    let wrote = match (o.f, o.ok) {
        (F::Read, _) | (F::Cas, Some(false)) => return false,
        _ => o.value.clone(),
    };
    set.iter().any(|s| {
        if s.id == o.id {
            return false;
        }
        if s.f == F::Cas && s.ok == Some(false) {
            let before = s.return_ms.is_none_or(|r| o.call_ms <= r);
            return before && (o.f == F::Append || wrote != s.expect);
        }
        let seen = match s.f {
            F::Read => s.value.clone(),
            F::Cas if s.ok == Some(true) => s.expect.clone(),
            _ => None,
        };
        seen.zip(wrote.clone()).is_some_and(|(seen, w)| seen.contains(&*w))
    })
}

/// 3,000 histories per property; `FUZZ_SCALE=100` runs a hundred times as many.
fn config() -> Config {
    let scale = std::env::var("FUZZ_SCALE").ok().and_then(|s| s.parse::<u32>().ok()).unwrap_or(1).max(1);
    Config { cases: 3_000 * scale, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_search_agrees_with_brute_force(ops in history()) {
        let c = consistency(&ops);
        let lin = brute_linearizable(&ops);
        prop_assert_eq!(c.linearizable, Some(lin), "history: {:?}\ndetail: {}", ops, c.detail);
        prop_assert_eq!(c.sequential, Some(brute_sequential(&ops)), "history: {:?}\ndetail: {}", ops, c.detail);
        if lin {
            prop_assert!(c.read_your_writes && c.monotonic_reads, "linearizable but {}", c.detail);
            prop_assert!(c.counterexample.is_none());
        } else {
            let cx = c.counterexample.clone().expect("a counterexample");
            prop_assert!(cx.ops.iter().all(|o| o.key == cx.key));
            prop_assert!(!brute_linearizable(&cx.ops), "counterexample {:?} can be ordered", cx.ops);
            for (i, o) in cx.ops.iter().enumerate() {
                let mut rest = cx.ops.clone();
                rest.remove(i);
                prop_assert!(
                    brute_linearizable(&rest) || supports(o, &cx.ops),
                    "op {} need not be in counterexample {:?}", o.id, cx.ops
                );
            }
            prop_assert!(!cx.detail.is_empty() && !cx.detail.contains('\n'));
        }
    }

    #[test]
    fn a_search_out_of_steps_says_so_and_never_lies(ops in history()) {
        let tight = Limits { search_steps: 3, shrink_steps: 3, sequential_states: 3 };
        let lin = linearizability(&ops, &tight);
        if let Some(v) = lin.linearizable {
            prop_assert_eq!(v, brute_linearizable(&ops));
        } else {
            prop_assert!(lin.detail.starts_with("undecided"), "{}", lin.detail);
        }
        // Out of configurations, the sequential verdict may be per key only:
        // then true says only that every key alone is sequentially consistent.
        let c = consensus_lab::history::consistency_with(&ops, &tight);
        let per_key = c.details.sequential.contains("per key only");
        match c.sequential {
            Some(true) if per_key => {}
            Some(v) => prop_assert_eq!(v, brute_sequential(&ops), "{}", c.detail),
            None => prop_assert!(c.details.sequential.starts_with("undecided"), "{}", c.detail),
        }
    }
}

#[test]
fn both_verdicts_are_common() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut yes, mut no) = (0, 0);
    for _ in 0..500 {
        let ops = history().new_tree(&mut runner).expect("a history").current();
        if brute_linearizable(&ops) { yes += 1 } else { no += 1 }
    }
    assert!(yes > 100 && no > 100, "{yes} linearizable, {no} not");
}
