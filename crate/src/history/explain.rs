//! Words for people: how values, times and operations read in a detail
//! line, and the one sentence that says why a counterexample cannot be
//! ordered.
//!
//! The sentence is built around the operation whose deadline no order can
//! meet (the search's `stuck`), usually a read that saw the wrong value, and
//! picks the first of a few patterns whose every word is true of the
//! history: nothing wrote the value; the only writes of it came later; a
//! later write completed before the read began and nothing wrote the value
//! after that (a stale read); two cas found the same value that only one
//! can have found; an earlier read already saw a newer value (the new–old
//! inversion). When none fits, it says plainly that the operations fit no
//! order.

use std::rc::Rc;

use super::keys::KeyHistory;
use super::model::{ABSENT, KvStep, Vid};
use super::{F, Op, Time};

/// A value as a detail line shows it: plain when it is a simple word,
/// quoted otherwise, "nothing" for no value.
pub(crate) fn show(v: Option<&str>) -> String {
    match v {
        None => "nothing".to_string(),
        Some(s)
            if !s.is_empty()
                && s.chars().count() <= 40
                && s.chars().all(|c| c.is_alphanumeric() || "-_.:/+#@".contains(c)) =>
        {
            s.to_string()
        }
        Some(s) => {
            let clipped = super::super::scenario::clip(s);
            serde_json::to_string(&clipped).unwrap_or(clipped)
        }
    }
}

/// "x", "x and y", "x, y and z".
pub(crate) fn list(items: &[Rc<str>]) -> String {
    let shown: Vec<String> = items.iter().map(|k| show(Some(k))).collect();
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// "130–170 ms", or "from 140 ms, no answer".
pub(crate) fn when(call: Time, ret: Option<Time>) -> String {
    match ret {
        Some(r) => format!("{call}–{r} ms"),
        None => format!("from {call} ms, no answer"),
    }
}

/// An operation as the object of a sentence: "the write of 2 (100–120 ms)".
pub(crate) fn object(op: &Op) -> String {
    let v = show(op.value.as_deref());
    let what = match op.f {
        F::Read => return format!("a read at {}", when(op.call_ms, op.return_ms)),
        F::Write => format!("the write of {v}"),
        F::Append => format!("the append of {v}"),
        F::Cas => format!("the cas from {} to {v}", show(op.expect.as_deref())),
    };
    format!("{what} ({})", when(op.call_ms, op.return_ms))
}

/// The operation a sentence is about: "the read of x at 130–170 ms
/// returned 1", "the cas of x from 1 to 2 at 130–170 ms succeeded".
fn subject(op: &Op) -> String {
    let key = show(Some(&op.key));
    let at = when(op.call_ms, op.return_ms);
    match op.f {
        F::Cas => format!(
            "the cas of {key} from {} to {} at {at} succeeded",
            show(op.expect.as_deref()),
            show(op.value.as_deref())
        ),
        _ => format!("the read of {key} at {at} returned {}", show(op.value.as_deref())),
    }
}

/// A cas that failed although the key held what it expected: a write of
/// that value completed before it began and nothing else could come
/// between, or nothing had written the key at all.
fn failed_cas(kh: &KeyHistory, keep: &[usize], stuck: usize, expect: Vid, ops: &[Op]) -> Option<String> {
    let spans = &kh.spans;
    let r = &spans[stuck];
    let o = &ops[kh.origin[stuck]];
    let key = show(Some(&kh.key));
    let subject = format!(
        "the cas of {key} from {} to {} at {} failed",
        show(o.expect.as_deref()),
        show(o.value.as_deref()),
        when(o.call_ms, o.return_ms)
    );
    let done_before = |j: usize, t: Time| kh.done_before(j, t);
    let after_it = |j: usize| r.ret.is_some_and(|d| spans[j].call > d);
    // Operations that would leave something other than what it expected.
    let others: Vec<usize> =
        (0..spans.len()).filter(|&j| j != stuck && KeyHistory::could_leave_other_than(&spans[j].op, expect)).collect();
    if expect == ABSENT {
        return others.iter().all(|&x| after_it(x)).then(|| format!("{subject}, but nothing had written {key} yet"));
    }
    let w = keep
        .iter()
        .copied()
        .filter(|&w| KeyHistory::sets(&spans[w].op) == Some(expect) && done_before(w, r.call))
        .filter(|&w| others.iter().all(|&x| done_before(x, spans[w].call) || after_it(x)))
        .max_by_key(|&w| (spans[w].ret, w))?;
    Some(format!(
        "{subject}, but {} completed before it began and nothing else wrote {key} after that",
        object(&ops[kh.origin[w]])
    ))
}

/// What an observer saw, as words after "found" / "returned".
fn seen(kh: &KeyHistory, v: Vid) -> String {
    show(kh.model.values.get(v).map(|s| &**s))
}

/// Why the key's spans `keep` cannot be ordered, in one sentence; `stuck`
/// is the span whose deadline no order meets. `complete` is false when
/// shrinking stopped early.
pub(crate) fn why(kh: &KeyHistory, keep: &[usize], stuck: usize, ops: &[Op], complete: bool) -> String {
    let sentence = pattern(kh, keep, stuck, ops).unwrap_or_else(|| {
        format!(
            "these {} operations on {} fit no order that respects both real time and the key-value model",
            keep.len(),
            show(Some(&kh.key))
        )
    });
    if complete {
        sentence
    } else {
        format!("{sentence} (shrinking stopped at its step limit, so a smaller set may exist)")
    }
}

fn pattern(kh: &KeyHistory, keep: &[usize], stuck: usize, ops: &[Op]) -> Option<String> {
    let spans = &kh.spans;
    let op = |i: usize| &ops[kh.origin[i]];
    let r = &spans[stuck];
    let done_before = |j: usize, t: Time| kh.done_before(j, t);
    if let KvStep::Cas { expect, ok: Some(false), .. } = r.op {
        return failed_cas(kh, keep, stuck, expect, ops);
    }
    let v = KeyHistory::observed(&r.op)?;
    let writers = |val: Vid, among: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
        among.filter(|&j| j != stuck && kh.could_produce(&spans[j].op, val)).collect()
    };
    let all_v = if v == ABSENT { Vec::new() } else { writers(v, &mut (0..spans.len())) };
    let subject = subject(op(stuck));
    let shown_v = seen(kh, v);
    // "wrote 1", or "appended a" when only appends of one piece could have.
    let appended: Vec<&Rc<str>> =
        all_v.iter().filter_map(|&j| if let KvStep::Append(a) = &spans[j].op { Some(a) } else { None }).collect();
    let wrote_v = match appended.first() {
        Some(a) if appended.len() == all_v.len() && appended.iter().all(|b| b == a) => {
            format!("appended {}", show(Some(a)))
        }
        _ => format!("wrote {shown_v}"),
    };

    if v != ABSENT {
        // Nothing wrote it, or nothing wrote it before the read returned.
        if all_v.is_empty() {
            return Some(format!("{subject}, but nothing wrote {shown_v}"));
        }
        if let Some(deadline) = r.ret
            && all_v.iter().all(|&j| spans[j].call > deadline)
        {
            return Some(match all_v.as_slice() {
                [only] => format!("{subject}, but {} began only after that", object(op(*only))),
                _ => format!("{subject}, but every write of {shown_v} began only after that"),
            });
        }
    }
    // A stale read: a write of something else completed before it began.
    let overwrites: Vec<usize> = keep
        .iter()
        .copied()
        .filter(|&j| {
            j != stuck
                && KeyHistory::writes(&spans[j].op)
                && !kh.could_produce(&spans[j].op, v)
                && done_before(j, r.call)
        })
        .collect();
    let latest = |list: &[usize]| list.iter().copied().max_by_key(|&j| (spans[j].ret, j));
    if v == ABSENT {
        if let Some(w) = latest(&overwrites) {
            return Some(format!("{subject}, but {} completed before it began", object(op(w))));
        }
    } else {
        // Strong: no write of the value anywhere could come after `w`.
        let after_nothing = |w: usize, among: &[usize]| {
            among.iter().all(|&x| done_before(x, spans[w].call) || r.ret.is_some_and(|d| spans[x].call > d))
        };
        let strong: Vec<usize> = overwrites.iter().copied().filter(|&w| after_nothing(w, &all_v)).collect();
        if let Some(w) = latest(&strong) {
            return Some(format!(
                "{subject}, but {} completed before it began and nothing {wrote_v} after that",
                object(op(w))
            ));
        }
        let in_set = writers(v, &mut keep.iter().copied());
        let weak: Vec<usize> = overwrites.iter().copied().filter(|&w| after_nothing(w, &in_set)).collect();
        if let Some(w) = latest(&weak) {
            return Some(format!("{subject}, but {} completed before it began", object(op(w))));
        }
    }
    // Two cas that found the same value, which only one can have found.
    if let KvStep::Cas { ok: Some(true), .. } = r.op {
        for &c in keep {
            let twin = matches!(spans[c].op, KvStep::Cas { ok: Some(true), .. })
                && KeyHistory::observed(&spans[c].op) == Some(v);
            if c == stuck || !twin || kh.could_produce(&spans[c].op, v) || kh.could_produce(&r.op, v) {
                continue;
            }
            let first = r.call.min(spans[c].call);
            let last = r.ret.zip(spans[c].ret).map(|(a, b)| a.max(b));
            let between =
                all_v.iter().any(|&x| x != c && !done_before(x, first) && last.is_none_or(|d| spans[x].call <= d));
            if between {
                continue;
            }
            let (found, because) = if v == ABSENT {
                (format!("{} absent", show(Some(&kh.key))), "nothing removes a value once written")
            } else {
                (shown_v.clone(), "no write of it could come between them")
            };
            let (a, b) = if (spans[c].call, c) < (r.call, stuck) { (c, stuck) } else { (stuck, c) };
            return Some(format!(
                "{} and {} both found {found} and succeeded, but only one can have: {because}",
                object(op(a)),
                object(op(b))
            ));
        }
    }
    // The new–old inversion: an earlier read already saw something newer.
    for &e in keep {
        let Some(u) = KeyHistory::observed(&spans[e].op) else { continue };
        if e == stuck || u == v || u == ABSENT || !done_before(e, r.call) {
            continue;
        }
        let earlier = match op(e).f {
            F::Cas => format!("{} had already found {}", object(op(e)), seen(kh, u)),
            _ => format!("a read at {} had already returned {}", when(op(e).call_ms, op(e).return_ms), seen(kh, u)),
        };
        let newer = writers(u, &mut keep.iter().copied())
            .into_iter()
            .filter(|&s| all_v.iter().all(|&x| done_before(x, spans[s].call)))
            .max_by_key(|&s| (spans[s].ret, s));
        return Some(match newer {
            Some(s) if v != ABSENT => format!(
                "{subject}, but {earlier}, set by {} after every write of {shown_v} had completed",
                object(op(s))
            ),
            _ => format!("{subject}, but {earlier}"),
        });
    }
    None
}
