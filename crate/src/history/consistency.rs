//! Every check at once, as a run result's `consistency` object reports it:
//! `linearizable`, `sequential`, `read_your_writes`, `monotonic_reads`,
//! `converged` (the simulator's own judgement, filled in by it) and one
//! `detail` line, in that order, then the counterexample when there is one.
//!
//! Linearizable implies sequentially consistent, and both session
//! guarantees (as [`super::session`] defines "older"), so the sequential
//! search runs only when the history is not known to be linearizable.

use std::rc::Rc;

use serde::Serialize;
use serde::ser::SerializeStruct;

use super::keys::by_key;
use super::linearizable::{Counterexample, linearizability};
use super::model::KvModel;
use super::sequential::{SeqOp, sequential};
use super::session::{monotonic_reads, read_your_writes};
use super::{Limits, Op};

/// One sentence per check, saying what it found and what it assumed
/// (serialized as the page's `consistency().details`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Details {
    pub linearizable: String,
    pub sequential: String,
    pub read_your_writes: String,
    pub monotonic_reads: String,
    pub converged: Option<String>,
}

/// The consistency of a history of client operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consistency {
    /// `None`: the search's step limit came first.
    pub linearizable: Option<bool>,
    /// `None`: undecided within the limit, even key by key.
    pub sequential: Option<bool>,
    pub read_your_writes: bool,
    pub monotonic_reads: bool,
    /// Left `None` here: whether replicas agree once the network is quiet
    /// is the simulator's to say ([`Consistency::set_converged`]).
    pub converged: Option<bool>,
    /// Every check's sentence, in the order above, as one line.
    pub detail: String,
    pub details: Details,
    /// For the first key that is not linearizable.
    pub counterexample: Option<Counterexample>,
    /// The keys the history touches.
    pub keys: usize,
}

impl Consistency {
    /// Records the simulator's convergence verdict and adds its sentence to
    /// `detail`.
    pub fn set_converged(&mut self, converged: bool, detail: &str) {
        self.converged = Some(converged);
        self.details.converged = Some(detail.to_string());
        self.detail = joined(&self.details);
    }
}

impl Serialize for Consistency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Consistency", 7)?;
        st.serialize_field("linearizable", &self.linearizable)?;
        st.serialize_field("sequential", &self.sequential)?;
        st.serialize_field("read_your_writes", &self.read_your_writes)?;
        st.serialize_field("monotonic_reads", &self.monotonic_reads)?;
        st.serialize_field("converged", &self.converged)?;
        st.serialize_field("detail", &self.detail)?;
        st.serialize_field("counterexample", &self.counterexample)?;
        st.end()
    }
}

/// The sentences as one line: each capitalised, each ending in a full stop.
fn joined(d: &Details) -> String {
    let parts = [Some(&d.linearizable), Some(&d.sequential), Some(&d.read_your_writes), Some(&d.monotonic_reads)];
    parts
        .into_iter()
        .chain([d.converged.as_ref()])
        .flatten()
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            let first: String = c.next().map(|f| f.to_uppercase().collect()).unwrap_or_default();
            let rest = c.as_str().trim_end_matches('.');
            format!("{first}{rest}.")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every check with the default limits.
pub fn consistency(ops: &[Op]) -> Consistency {
    consistency_with(ops, &Limits::default())
}

/// Every check within `limits`.
pub fn consistency_with(ops: &[Op], limits: &Limits) -> Consistency {
    let lin = linearizability(ops, limits);
    let (sequential, seq_detail) = if lin.linearizable == Some(true) {
        (Some(true), "sequentially consistent, as every linearizable history is".to_string())
    } else {
        sequential_verdict(ops, limits, &lin.failed, &lin.undecided)
    };
    let ryw = read_your_writes(ops);
    let mr = monotonic_reads(ops);
    let details = Details {
        linearizable: lin.detail,
        sequential: seq_detail,
        read_your_writes: ryw.detail,
        monotonic_reads: mr.detail,
        converged: None,
    };
    Consistency {
        linearizable: lin.linearizable,
        sequential,
        read_your_writes: ryw.holds,
        monotonic_reads: mr.holds,
        converged: None,
        detail: joined(&details),
        details,
        counterexample: lin.counterexample,
        keys: lin.keys,
    }
}

/// The sequential search over the whole history, then, if that runs out,
/// over each key alone.
/// Keys that are linearizable are sequentially consistent on their own, so
/// only the others are searched key by key.
fn sequential_verdict(ops: &[Op], limits: &Limits, failed: &[Rc<str>], unsure: &[Rc<str>]) -> (Option<bool>, String) {
    let keys = by_key(ops);
    let mut models: Vec<KvModel> = keys.iter().map(|kh| kh.model.clone()).collect();
    let mut all: Vec<SeqOp<_>> = Vec::new();
    for (k, kh) in keys.iter().enumerate() {
        for (span, &o) in kh.spans.iter().zip(&kh.origin) {
            all.push(SeqOp { key: k, client: ops[o].client, span: span.clone() });
        }
    }
    let n = all.len();
    let own = "each client's own order (what returned before the client's next call comes first; an operation \
               with no answer may take effect any time after, or never)";
    match sequential(&mut models, &all, limits.sequential_states) {
        Some(true) => {
            return (
                Some(true),
                format!(
                    "sequentially consistent: one order of all {n} operations keeps {own} and fits the model, \
                     though not real time"
                ),
            );
        }
        Some(false) => {
            return (Some(false), format!("not sequentially consistent: no order of all {n} operations keeps {own}"));
        }
        None => {}
    }
    let stopped = format!("the whole-history search stopped after {} configurations", limits.sequential_states);
    let mut undecided = Vec::new();
    for (k, kh) in keys.iter().enumerate() {
        if !failed.contains(&kh.key) && !unsure.contains(&kh.key) {
            continue;
        }
        let mine: Vec<SeqOp<_>> = all.iter().filter(|o| o.key == k).map(|o| SeqOp { key: 0, ..o.clone() }).collect();
        match sequential(&mut models[k..=k], &mine, limits.sequential_states) {
            Some(true) => {}
            Some(false) => {
                return (
                    Some(false),
                    format!(
                        "not sequentially consistent: {stopped}, but the operations on {} alone fit no order that \
                         keeps {own}",
                        super::explain::show(Some(&kh.key))
                    ),
                );
            }
            None => undecided.push(kh.key.clone()),
        }
    }
    if undecided.is_empty() {
        (
            Some(true),
            format!(
                "sequentially consistent per key only: {stopped}; each key's operations alone fit an order that \
                 keeps {own} (the linearizable keys by linearizability; sequential consistency is not local, so \
                 the whole history may still not be)"
            ),
        )
    } else {
        (None, format!("undecided: {stopped}, and so did the search on {}", super::explain::list(&undecided)))
    }
}
