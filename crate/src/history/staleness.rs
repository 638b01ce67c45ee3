//! How stale reads are, measured on a history in the spirit of PBS
//! (probabilistically bounded staleness, Bailis et al., VLDB 2012). For
//! each read that answered: the newest write of its key that completed
//! before the read began (newest: called last), and how long before the
//! read it completed. The read is stale when what it returned is provably
//! older than that write: every write of the value it returned completed
//! before that write began (or it returned nothing). Otherwise it is fresh
//! — the write's own value, a newer one, or one of a write concurrent with
//! it, as the history checks count "older" (session.rs). Grouping reads by
//! that time gives the share of fresh reads against time since the write:
//! PBS's t-visibility, measured on the run rather than predicted. With
//! R + W > N every read is fresh; with R = W = 1 the share starts lower and
//! rises as replication catches up.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Op;
use crate::kv::F;
use crate::protocol::Time;

/// The reads whose latest completed write ended `from_ms..to_ms` before the
/// read began; the last bin has no upper end (`to_ms: None`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bin {
    pub from_ms: Time,
    pub to_ms: Option<Time>,
    pub reads: u64,
    pub fresh: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Staleness {
    pub bin_ms: Time,
    pub bins: Vec<Bin>,
    /// Reads measured (answered, after some write of their key had completed).
    pub reads: u64,
    pub fresh: u64,
    /// Answered reads with no completed write of their key before them.
    pub unmeasured: u64,
}

/// A write that took effect with a known value: a `write`, or a `cas` that
/// succeeded.
fn is_write(op: &Op) -> bool {
    op.value.is_some() && (op.f == F::Write || (op.f == F::Cas && op.ok == Some(true)))
}

/// Bins of `bin_ms` from 0 up to `max_ms`, then one bin for everything
/// later. `bin_ms` is at least 1 and at most `max_ms`, and there are at
/// most 1,000 bins.
pub fn staleness(ops: &[Op], bin_ms: Time, max_ms: Time) -> Staleness {
    let bin_ms = bin_ms.max(1);
    let max_ms = max_ms.max(bin_ms).min(bin_ms.saturating_mul(1_000));
    let count = max_ms.div_ceil(bin_ms) as usize;
    let mut bins: Vec<Bin> = (0..=count)
        .map(|i| {
            let from_ms = i as Time * bin_ms;
            Bin { from_ms, to_ms: (i < count).then_some(from_ms + bin_ms), reads: 0, fresh: 0 }
        })
        .collect();
    // Per key, its writes.
    let mut writes: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in ops.iter().filter(|op| is_write(op)) {
        writes.entry(&op.key).or_default().push(op);
    }
    let mut out = Staleness { bin_ms, bins: Vec::new(), reads: 0, fresh: 0, unmeasured: 0 };
    for read in ops.iter().filter(|op| op.f == F::Read && op.ok == Some(true)) {
        let list = writes.get(&*read.key).map(Vec::as_slice).unwrap_or_default();
        // The newest write that completed before the read began.
        let done = |w: &&&Op| w.return_ms.is_some_and(|r| r < read.call_ms);
        let Some(latest) = list.iter().filter(done).max_by_key(|w| (w.call_ms, w.return_ms, w.id)) else {
            out.unmeasured += 1;
            continue;
        };
        let since = read.call_ms - latest.return_ms.unwrap_or(read.call_ms);
        let older = |w: &&Op| w.return_ms.is_some_and(|r| r < latest.call_ms);
        let mut writers = list.iter().filter(|w| w.value == read.value).peekable();
        // A value no write set is not provably older: the checks judge it.
        let fresh = read.value.is_some() && (writers.peek().is_none() || writers.any(|w| !older(w)));
        let bin = &mut bins[((since / bin_ms) as usize).min(count)];
        bin.reads += 1;
        out.reads += 1;
        if fresh {
            bin.fresh += 1;
            out.fresh += 1;
        }
    }
    out.bins = bins;
    out
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    fn op(id: u64, f: F, value: Option<&str>, call: Time, ret: Option<Time>) -> Op {
        Op {
            id,
            client: id,
            f,
            key: Rc::from("x"),
            value: value.map(Rc::from),
            expect: None,
            call_ms: call,
            return_ms: ret,
            ok: ret.map(|_| true),
        }
    }

    #[test]
    fn a_read_is_fresh_with_the_latest_completed_write_or_a_newer_one() {
        let ops = vec![
            op(0, F::Write, Some("1"), 0, Some(10)),
            op(1, F::Read, Some("1"), 5, Some(8)), // before any write completed: unmeasured
            op(2, F::Write, Some("2"), 20, Some(30)),
            op(3, F::Read, Some("1"), 35, Some(40)), // 5 ms after 2 completed, returns 1: stale
            op(4, F::Read, Some("2"), 50, Some(55)), // 20 ms after: fresh
            op(5, F::Read, Some("2"), 25, Some(28)), // 15 ms after 1 completed, sees the newer 2: fresh
            op(6, F::Read, None, 60, None),          // no answer: not counted
        ];
        let s = staleness(&ops, 10, 30);
        assert_eq!((s.reads, s.fresh, s.unmeasured), (3, 2, 1));
        let counts: Vec<(Time, Option<Time>, u64, u64)> =
            s.bins.iter().map(|b| (b.from_ms, b.to_ms, b.reads, b.fresh)).collect();
        assert_eq!(counts, vec![(0, Some(10), 1, 0), (10, Some(20), 1, 1), (20, Some(30), 1, 1), (30, None, 0, 0)]);
    }

    #[test]
    fn bins_are_bounded_whatever_is_asked() {
        assert_eq!(staleness(&[], 0, 0).bins.len(), 2);
        assert_eq!(staleness(&[], 1, u64::MAX).bins.len(), 1_001);
    }
}
