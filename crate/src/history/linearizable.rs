//! Linearizability of a whole history: each key on its own (linearizability
//! is local — Herlihy & Wing 1990, §3.3, Theorem 1 — so a history is
//! linearizable exactly when every key's sub-history is), and, for a key
//! that is not, the smallest set of its operations that still cannot be
//! ordered, for a person to read.
//!
//! Shrinking starts from what the search proved: no order gets past one
//! operation's return, so the operations called before that return are
//! already impossible to order. From there it drops chunks, then single
//! operations, for as long as what is left stays impossible, in the manner
//! of delta debugging (Zeller & Hildebrandt 2002). One preference keeps the
//! result readable: a read (or successful cas) keeps an operation that
//! wrote the value it saw, whenever the history has one, so the set never
//! says "nothing wrote 1" about a value something did write.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use super::keys::{KeyHistory, by_key, key_count};
use super::model::{ABSENT, KvStep};
use super::search::{Budget, Outcome, linearize};
use super::{Limits, Op, explain};

/// A key's operations that cannot be put in any order that respects real
/// time and the model, with a sentence saying why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    pub key: Rc<str>,
    /// In call order, as the history records them.
    pub ops: Vec<Op>,
    pub detail: String,
}

/// The verdict on a whole history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linearizability {
    /// `None`: the search's budget ran out before it could decide.
    pub linearizable: Option<bool>,
    /// The keys the history touches.
    pub keys: usize,
    /// Keys proven not linearizable, in key order.
    pub failed: Vec<Rc<str>>,
    /// Keys the budget left undecided.
    pub undecided: Vec<Rc<str>>,
    /// For the first failed key.
    pub counterexample: Option<Counterexample>,
    /// Search steps taken, over all keys (shrinking not counted).
    pub steps: u64,
    /// One sentence on the verdict and what it assumed.
    pub detail: String,
}

/// Checks every key, in key order, within `limits`.
pub fn linearizability(ops: &[Op], limits: &Limits) -> Linearizability {
    let mut budget = Budget(limits.search_steps);
    let mut failed = Vec::new();
    let mut undecided = Vec::new();
    let mut counterexample = None;
    for mut kh in by_key(ops) {
        let spans = std::mem::take(&mut kh.spans);
        let outcome = linearize(&mut kh.model, &spans, &mut budget);
        kh.spans = spans;
        match outcome {
            Outcome::Linearizable => {}
            Outcome::Unknown => undecided.push(kh.key.clone()),
            Outcome::Illegal { stuck } => {
                failed.push(kh.key.clone());
                if counterexample.is_none() {
                    counterexample = Some(shrink(&mut kh, stuck, ops, Budget(limits.shrink_steps)));
                }
            }
        }
    }
    let linearizable = if !failed.is_empty() {
        Some(false)
    } else if !undecided.is_empty() {
        None
    } else {
        Some(true)
    };
    let keys = key_count(ops);
    let detail = verdict_detail(ops, keys, linearizable, &failed, &undecided, limits, counterexample.as_ref());
    let steps = limits.search_steps - budget.0;
    Linearizability { linearizable, keys, failed, undecided, counterexample, steps, detail }
}

fn verdict_detail(
    ops: &[Op],
    keys: usize,
    linearizable: Option<bool>,
    failed: &[Rc<str>],
    undecided: &[Rc<str>],
    limits: &Limits,
    cx: Option<&Counterexample>,
) -> String {
    let unknown = ops.iter().filter(|o| super::keys::pending(o) && o.f != super::F::Read).count();
    let assumed = if unknown == 0 {
        String::new()
    } else {
        format!(
            "; {unknown} operation{} with no answer may have taken effect at any time after {} call, or never",
            if unknown == 1 { "" } else { "s" },
            if unknown == 1 { "its" } else { "their" }
        )
    };
    match (linearizable, cx) {
        (Some(false), Some(cx)) => {
            let others = if failed.len() > 1 {
                format!(" ({} of {keys} keys are not linearizable: {})", failed.len(), explain::list(failed))
            } else {
                String::new()
            };
            format!("not linearizable: {}{others}", cx.detail)
        }
        (None, _) => format!(
            "undecided: the search stopped after {} steps on key{} {} (the other keys are linearizable){assumed}",
            limits.search_steps,
            if undecided.len() == 1 { "" } else { "s" },
            explain::list(undecided)
        ),
        _ => format!(
            "linearizable: every key's operations fit one order that respects real time (an operation that \
             returned before another was called comes first; ones that overlap, even by a millisecond, may go \
             either way){assumed}"
        ),
    }
}

/// Whether these spans are impossible to order: `Some(stuck)` if so,
/// `None` if they can be ordered or the budget ran out.
fn illegal(kh: &mut KeyHistory, keep: &[usize], budget: &mut Budget) -> Option<usize> {
    let spans = kh.subset(keep);
    match linearize(&mut kh.model, &spans, budget) {
        Outcome::Illegal { stuck } => Some(keep[stuck]),
        _ => None,
    }
}

/// The spans called no later than `stuck` returned (in time order calls
/// come before returns, so one called at that very millisecond is in).
fn cut(kh: &KeyHistory, keep: &[usize], stuck: usize) -> Vec<usize> {
    let deadline = kh.spans[stuck].ret;
    keep.iter().copied().filter(|&i| deadline.is_none_or(|d| kh.spans[i].call <= d)).collect()
}

/// For each span that saw something, the groups of spans of the whole key
/// that could have made it so, of which shrinking keeps one each, so that
/// a counterexample never rests on having dropped the very operation that
/// explained an observation. A read (or successful cas) of a value keeps
/// one of the writes and cas that set exactly that value or, when none did,
/// one that set a value it starts with, and for each piece appended to the
/// key that it contains, one append of that piece. A failed cas keeps one
/// operation that set a value other than the one it expected. Of the
/// writers that could have come before the observer (called before it
/// returned), only the most recent count — those no other one followed in
/// real time — so that the counterexample is the anomaly itself, not an
/// older write whose later twin was dropped.
fn writers_of(kh: &KeyHistory) -> Vec<Vec<Vec<usize>>> {
    let mut appends: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (j, s) in kh.spans.iter().enumerate() {
        if let KvStep::Append(a) = &s.op
            && !a.is_empty()
        {
            appends.entry(a).or_default().push(j);
        }
    }
    let n = kh.spans.len();
    let sets = |j: usize| KeyHistory::sets(&kh.spans[j].op);
    let mut out = vec![Vec::new(); n];
    for (i, s) in kh.spans.iter().enumerate() {
        let groups: Vec<Vec<usize>> = if let KvStep::Cas { expect, ok: Some(false), .. } = s.op {
            vec![(0..n).filter(|&j| j != i && KeyHistory::could_leave_other_than(&kh.spans[j].op, expect)).collect()]
        } else if let Some(v) = KeyHistory::observed(&s.op).filter(|&v| v != ABSENT) {
            let exact: Vec<usize> = (0..n).filter(|&j| j != i && sets(j) == Some(v)).collect();
            if !exact.is_empty() {
                vec![exact]
            } else {
                // Built by appends: what it started from, and each piece.
                let text = kh.model.values.get(v).map_or("", |s| &**s);
                let starts = |j: usize| {
                    sets(j)
                        .and_then(|b| kh.model.values.get(b))
                        .is_some_and(|b| b.len() < text.len() && text.starts_with(&**b))
                };
                let base: Vec<usize> = (0..n).filter(|&j| starts(j)).collect();
                let pieces = appends.iter().filter(|(a, _)| text.contains(**a)).map(|(_, js)| js.clone());
                (!base.is_empty()).then_some(base).into_iter().chain(pieces).collect()
            }
        } else {
            Vec::new()
        };
        // Of the writers that could have come before the observer, the most
        // recent: those no other one followed in real time.
        let deadline = s.ret;
        let failed_cas = matches!(s.op, KvStep::Cas { ok: Some(false), .. });
        let done_before = |a: usize, b: usize| kh.done_before(a, kh.spans[b].call);
        out[i] = groups
            .into_iter()
            .filter_map(|g| {
                let before: Vec<usize> =
                    g.iter().copied().filter(|&j| deadline.is_none_or(|d| kh.spans[j].call <= d)).collect();
                let latest: Vec<usize> =
                    before.iter().copied().filter(|&a| !before.iter().any(|&b| done_before(a, b))).collect();
                match (latest.is_empty(), failed_cas) {
                    (false, _) => Some(latest),
                    (true, false) if !g.is_empty() => Some(g),
                    _ => None,
                }
            })
            .collect();
    }
    out
}

/// Whether every span in `keep` that saw a value keeps one span of each of
/// its writer groups.
fn readable(keep: &[usize], writers: &[Vec<Vec<usize>>], member: &mut [bool]) -> bool {
    for &i in keep {
        member[i] = true;
    }
    let ok = keep.iter().all(|&i| writers[i].iter().all(|group| group.iter().any(|&j| member[j])));
    for &i in keep {
        member[i] = false;
    }
    ok
}

/// The smallest set of the key's spans found that still cannot be
/// ordered, as a counterexample.
fn shrink(kh: &mut KeyHistory, stuck: usize, ops: &[Op], mut budget: Budget) -> Counterexample {
    let mut writers = writers_of(kh);
    let mut member = vec![false; kh.spans.len()];
    let all: Vec<usize> = (0..kh.spans.len()).collect();
    let mut keep = cut(kh, &all, stuck);
    let mut stuck = stuck;
    // Give every observer a writer of what it saw. Those missing were called
    // after the deadline the search could not meet, so adding them cannot
    // make the set orderable (the search confirms it).
    for &i in &keep {
        member[i] = true;
    }
    let mut extra: Vec<usize> = Vec::new();
    for &i in &keep {
        for group in &writers[i] {
            if !group.iter().any(|&j| member[j])
                && let Some(&j) = group.iter().min_by_key(|&&j| (kh.spans[j].call, j))
            {
                member[j] = true;
                extra.push(j);
            }
        }
    }
    if !extra.is_empty() {
        let mut with: Vec<usize> = keep.iter().chain(&extra).copied().collect();
        with.sort_unstable();
        match illegal(kh, &with, &mut budget) {
            Some(s) => (keep, stuck) = (with, s),
            None => extra.iter().for_each(|&j| member[j] = false),
        }
    }
    // From here on an observer must keep one of each group it has now.
    for groups in &mut writers {
        groups.iter_mut().for_each(|g| g.retain(|&j| member[j]));
        groups.retain(|g| !g.is_empty());
    }
    member.iter_mut().for_each(|m| *m = false);
    // Delta debugging: drop chunks while the rest stays impossible, then
    // single operations until none can go.
    let mut chunk = keep.len().div_ceil(2).max(1);
    let mut complete = true;
    loop {
        let mut removed = false;
        let mut at = 0;
        while at < keep.len() && keep.len() > 1 {
            let end = (at + chunk).min(keep.len());
            let rest: Vec<usize> = keep[..at].iter().chain(&keep[end..]).copied().collect();
            let found = if readable(&rest, &writers, &mut member) { illegal(kh, &rest, &mut budget) } else { None };
            match found {
                Some(s) => {
                    // The new proof may let more go at once.
                    let trimmed = cut(kh, &rest, s);
                    keep = if readable(&trimmed, &writers, &mut member) { trimmed } else { rest };
                    stuck = s;
                    removed = true;
                }
                None => at = end,
            }
            if budget.0 == 0 {
                complete = false;
                break;
            }
        }
        if !complete || (chunk == 1 && !removed) {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    let detail = explain::why(kh, &keep, stuck, ops, complete);
    let mut chosen: Vec<Op> = keep.iter().map(|&i| ops[kh.origin[i]].clone()).collect();
    chosen.sort_by_key(|o| (o.call_ms, o.id));
    Counterexample { key: kh.key.clone(), ops: chosen, detail }
}
