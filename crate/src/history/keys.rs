//! A history in the model's terms, split by key: which operations count
//! and how, decided once for every check.
//!
//! - A `read` counts only when it answered (`ok: true`); one with no answer
//!   observed nothing and is left out.
//! - A `write` or `append` with `ok: false` was refused: it did not happen
//!   and is left out. With no answer (`return_ms` or `ok` null) it may have
//!   taken effect at any time after its call, or never.
//! - A `cas` with `ok: false` did happen: it saw a value other than
//!   `expect` and changed nothing. With no answer it may have taken effect
//!   (succeeding exactly when the value matched) or not.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::model::{KvModel, KvStep, Vid};
use super::search::Span;
use super::{F, Op};

/// One key's operations, in the order of the history, and the model that
/// interned their values.
#[derive(Clone, Debug)]
pub(crate) struct KeyHistory {
    pub key: Rc<str>,
    pub model: KvModel,
    pub spans: Vec<Span<KvStep>>,
    /// For each span, the index of its operation in the whole history.
    pub origin: Vec<usize>,
}

/// Whether an operation's outcome is unknown (no answer came).
pub(crate) fn pending(op: &Op) -> bool {
    op.return_ms.is_none() || op.ok.is_none()
}

/// The operations that count, per key, in key order.
pub(crate) fn by_key(ops: &[Op]) -> Vec<KeyHistory> {
    let mut keys: BTreeMap<Rc<str>, KeyHistory> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        let refused = op.ok == Some(false) && op.f != F::Cas;
        if refused || (op.f == F::Read && (op.ok != Some(true) || op.return_ms.is_none())) {
            continue;
        }
        let kh = keys.entry(op.key.clone()).or_insert_with(|| KeyHistory {
            key: op.key.clone(),
            model: KvModel::default(),
            spans: Vec::new(),
            origin: Vec::new(),
        });
        let values = &mut kh.model.values;
        let v = values.id(op.value.as_deref());
        let step = match op.f {
            F::Read => KvStep::Read(v),
            F::Write => KvStep::Write(v),
            F::Append => KvStep::Append(op.value.clone().unwrap_or_else(|| Rc::from(""))),
            F::Cas => KvStep::Cas { expect: values.id(op.expect.as_deref()), value: v, ok: op.ok },
        };
        let ret = if pending(op) { None } else { op.return_ms };
        kh.spans.push(Span { call: op.call_ms, ret, op: step });
        kh.origin.push(i);
    }
    keys.into_values().collect()
}

/// The number of distinct keys the history touches (every operation
/// counts here, also those the checks leave out).
pub(crate) fn key_count(ops: &[Op]) -> usize {
    let mut keys: Vec<&str> = ops.iter().map(|o| &*o.key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

impl KeyHistory {
    /// The value `step` leaves behind when that is known without the state
    /// before it (not for appends, nor for a failed cas).
    pub fn sets(step: &KvStep) -> Option<Vid> {
        match *step {
            KvStep::Write(v) => Some(v),
            KvStep::Cas { value, ok: Some(true) | None, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether `step` could leave the key holding `v`: a write or cas of
    /// `v`, or an append that `v` ends with.
    pub fn could_produce(&self, step: &KvStep, v: Vid) -> bool {
        match step {
            KvStep::Append(a) => self.model.values.get(v).is_some_and(|s| s.ends_with(&**a)),
            other => KeyHistory::sets(other) == Some(v),
        }
    }

    /// The value an operation saw, when it reveals one: what a read
    /// returned, or what a successful cas found.
    pub fn observed(step: &KvStep) -> Option<Vid> {
        match *step {
            KvStep::Read(v) => Some(v),
            KvStep::Cas { expect, ok: Some(true), .. } => Some(expect),
            _ => None,
        }
    }

    /// Whether `step` could leave the key holding something other than
    /// `v` (what a failed cas expecting `v` needs to have come before it).
    pub fn could_leave_other_than(step: &KvStep, v: Vid) -> bool {
        match step {
            KvStep::Append(_) => true,
            op => KeyHistory::sets(op).is_some_and(|s| s != v),
        }
    }

    /// Whether span `j` returned before time `t` (so it precedes anything
    /// called at `t`).
    pub fn done_before(&self, j: usize, t: super::Time) -> bool {
        self.spans[j].ret.is_some_and(|r| r < t)
    }

    /// Whether an operation changes the key whenever it takes effect.
    pub fn writes(step: &KvStep) -> bool {
        matches!(step, KvStep::Write(_) | KvStep::Append(_) | KvStep::Cas { ok: Some(true), .. })
    }

    /// This history restricted to some of its spans (indices, in order).
    pub fn subset(&self, keep: &[usize]) -> Vec<Span<KvStep>> {
        keep.iter().map(|&i| self.spans[i].clone()).collect()
    }
}
