//! The session guarantees of Terry et al., "Session Guarantees for Weakly
//! Consistent Replicated Data" (PDIS 1994), judged from what clients saw:
//!
//! - **read-your-writes**: a client's read of a key never returns a value
//!   older than that client's own last write of the key that had completed
//!   (answered with `ok: true`) before the read was called;
//! - **monotonic reads**: a client's read of a key never returns a value
//!   older than one its own earlier read of the key (completed before this
//!   one was called) returned.
//!
//! Servers' version orders are not in a history, so "older" is taken from
//! real time, where it cannot be argued with. A value *v* is older than a
//! write *w* when every operation that could have produced *v* (a write or
//! cas of *v*, answered or not; an append that *v* ends with) completed
//! before *w* began, and *w* itself cannot have produced *v*. A value is older
//! than another value *u* when every operation that could have produced
//! *v* completed before any that could have produced *u* began. No value is
//! the same as being older than every written value (nothing removes a
//! value); a value that nothing wrote is not judged here (linearizability
//! catches it). With duplicate values this is exactly right: a value
//! written twice is older only when both writes are. By these definitions a
//! linearizable history always keeps both guarantees.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::explain::{object, show, when};
use super::keys::{KeyHistory, by_key};
use super::model::{ABSENT, KvStep, Vid};
use super::{Op, Time};

/// One guarantee's verdict, with a sentence on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub holds: bool,
    pub detail: String,
}

/// The operations that could have produced a value: the earliest of their
/// calls and the latest of their returns (`None`: one never answered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Writers {
    first_call: Time,
    last_end: Option<Time>,
}

impl Writers {
    fn merge(&mut self, more: Writers) {
        self.first_call = self.first_call.min(more.first_call);
        self.last_end = self.last_end.zip(more.last_end).map(|(a, b)| a.max(b));
    }

    /// Adds one operation's call and return to the entry for `k`.
    fn add<K: Ord>(map: &mut BTreeMap<K, Writers>, k: K, call: Time, ret: Option<Time>) {
        let one = Writers { first_call: call, last_end: ret };
        map.entry(k).and_modify(|w| w.merge(one)).or_insert(one);
    }

    /// Whether all of these completed before `t`.
    fn all_done_before(&self, t: Time) -> bool {
        self.last_end.is_some_and(|e| e < t)
    }
}

/// For one key: who could have produced each value.
struct Versions<'a> {
    kh: &'a KeyHistory,
    set: BTreeMap<Vid, Writers>,
    /// Appends by the byte length of what they append.
    appends: BTreeMap<usize, BTreeMap<Rc<str>, Writers>>,
}

impl<'a> Versions<'a> {
    fn new(kh: &'a KeyHistory) -> Versions<'a> {
        let mut set = BTreeMap::new();
        let mut appends: BTreeMap<usize, BTreeMap<Rc<str>, Writers>> = BTreeMap::new();
        for s in &kh.spans {
            if let Some(v) = KeyHistory::sets(&s.op) {
                Writers::add(&mut set, v, s.call, s.ret);
            } else if let KvStep::Append(a) = &s.op {
                Writers::add(appends.entry(a.len()).or_default(), a.clone(), s.call, s.ret);
            }
        }
        Versions { kh, set, appends }
    }

    /// Who could have produced `v`; `None` for no value or a value nothing
    /// wrote.
    fn writers(&self, v: Vid) -> Option<Writers> {
        let mut out = self.set.get(&v).copied();
        let s = self.kh.model.values.get(v)?;
        for (&n, by) in &self.appends {
            if let Some(&w) = s.len().checked_sub(n).and_then(|at| s.get(at..)).and_then(|tail| by.get(tail)) {
                match &mut out {
                    Some(acc) => acc.merge(w),
                    None => out = Some(w),
                }
            }
        }
        out
    }
}

/// A client's operations on one key that a session check looks at.
fn per_client(kh: &KeyHistory, ops: &[Op]) -> BTreeMap<u64, Vec<usize>> {
    let mut out: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, &o) in kh.origin.iter().enumerate() {
        out.entry(ops[o].client).or_default().push(i);
    }
    out
}

/// The first violation found, by time of the read.
fn earliest(found: &mut Option<(Time, u64, String)>, at: Time, client: u64, text: String) {
    if found.as_ref().is_none_or(|f| (at, client) < (f.0, f.1)) {
        *found = Some((at, client, text));
    }
}

pub fn read_your_writes(ops: &[Op]) -> Session {
    let mut found = None;
    for kh in by_key(ops) {
        let versions = Versions::new(&kh);
        for (client, mine) in per_client(&kh, ops) {
            // The client's completed writes, by return time, each with the
            // latest-called one returned by then.
            let mut done: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&i| ops[kh.origin[i]].ok == Some(true) && KeyHistory::writes(&kh.spans[i].op))
                .filter(|&i| kh.spans[i].ret.is_some())
                .collect();
            done.sort_by_key(|&i| (kh.spans[i].ret, i));
            let mut last = Vec::with_capacity(done.len());
            for &i in &done {
                let best = last.last().copied().filter(|&b: &usize| kh.spans[b].call > kh.spans[i].call).unwrap_or(i);
                last.push(best);
            }
            for &r in &mine {
                let KvStep::Read(v) = kh.spans[r].op else { continue };
                let call = kh.spans[r].call;
                let n = done.partition_point(|&i| kh.spans[i].ret.is_some_and(|t| t < call));
                let Some(&w) = n.checked_sub(1).and_then(|k| last.get(k)) else { continue };
                if kh.could_produce(&kh.spans[w].op, v) {
                    continue;
                }
                let older = v == ABSENT || versions.writers(v).is_some_and(|x| x.all_done_before(kh.spans[w].call));
                if older {
                    let read = &ops[kh.origin[r]];
                    let because = if v == ABSENT {
                        String::new()
                    } else {
                        format!(
                            ", and every write of {} had completed before that write began",
                            show(read.value.as_deref())
                        )
                    };
                    let text = format!(
                        "client {client}'s read of {} at {} returned {} after its own {} had completed{because}",
                        show(Some(&kh.key)),
                        when(read.call_ms, read.return_ms),
                        show(read.value.as_deref()),
                        object(&ops[kh.origin[w]]).trim_start_matches("the "),
                    );
                    earliest(&mut found, call, client, text);
                }
            }
        }
    }
    match found {
        Some((_, _, text)) => Session { holds: false, detail: format!("read-your-writes fails: {text}") },
        None => Session {
            holds: true,
            detail: "read-your-writes holds: no client read a key's value older than its own last completed write \
                     of that key (older: every write that could have produced it completed before that write began)"
                .to_string(),
        },
    }
}

pub fn monotonic_reads(ops: &[Op]) -> Session {
    let mut found = None;
    for kh in by_key(ops) {
        let versions = Versions::new(&kh);
        for (client, mine) in per_client(&kh, ops) {
            // The client's reads that saw a written value, by return time,
            // each with the one whose value's writers began latest so far.
            let mut reads: Vec<(usize, Writers)> = mine
                .iter()
                .filter_map(|&i| match kh.spans[i].op {
                    KvStep::Read(v) => Some((i, versions.writers(v)?)),
                    _ => None,
                })
                .filter(|(i, _)| kh.spans[*i].ret.is_some())
                .collect();
            reads.sort_by_key(|(i, _)| (kh.spans[*i].ret, *i));
            let mut newest: Vec<(usize, Writers)> = Vec::with_capacity(reads.len());
            for &(i, w) in &reads {
                let best = newest.last().copied().filter(|(_, b)| b.first_call >= w.first_call).unwrap_or((i, w));
                newest.push(best);
            }
            for &r in &mine {
                let KvStep::Read(v) = kh.spans[r].op else { continue };
                let call = kh.spans[r].call;
                let n = reads.partition_point(|(i, _)| kh.spans[*i].ret.is_some_and(|t| t < call));
                let Some(&(e, ew)) = n.checked_sub(1).and_then(|k| newest.get(k)) else { continue };
                let older = match versions.writers(v) {
                    None => v == ABSENT,
                    Some(w) => w.all_done_before(ew.first_call),
                };
                if older {
                    let (read, before) = (&ops[kh.origin[r]], &ops[kh.origin[e]]);
                    let because = if v == ABSENT {
                        String::new()
                    } else {
                        format!(
                            ", and every write of {} had completed before any write of {} began",
                            show(read.value.as_deref()),
                            show(before.value.as_deref())
                        )
                    };
                    let text = format!(
                        "client {client}'s read of {} at {} returned {} after its read at {} had returned {}{because}",
                        show(Some(&kh.key)),
                        when(read.call_ms, read.return_ms),
                        show(read.value.as_deref()),
                        when(before.call_ms, before.return_ms),
                        show(before.value.as_deref()),
                    );
                    earliest(&mut found, call, client, text);
                }
            }
        }
    }
    match found {
        Some((_, _, text)) => Session { holds: false, detail: format!("monotonic reads fails: {text}") },
        None => Session {
            holds: true,
            detail: "monotonic reads holds: no client read a key's value older than one its own earlier completed \
                     read of that key returned"
                .to_string(),
        },
    }
}
