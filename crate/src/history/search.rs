//! The linearizability search for one partition (one key): Wing & Gong's
//! algorithm with Lowe's memoization, as Porcupine runs it, generic over a
//! [`Model`].
//!
//! Every operation becomes a call entry and a return entry, sorted by time
//! (an operation with no answer returns at +∞). The entries sit in a
//! doubly linked list. The search walks the list from its head: at a call
//! entry it tries to linearize that operation next — the model must accept
//! it from the current state, and the resulting configuration (set of
//! linearized operations, state) must be new — and if so lifts both of its
//! entries out of the list and starts again from the head. Reaching a
//! return entry means that operation's deadline has come with it still
//! unlinearized: the search backtracks, putting the last lifted operation
//! back and trying the entry after it. An empty list is a linearization;
//! backtracking with nothing to put back proves there is none.
//!
//! Reference: Wing & Gong, "Testing and verifying concurrent objects", 1993;
//! Lowe, "Testing for linearizability", 2017; Herlihy & Wing 1990 for the
//! definition.

use super::Time;
use super::cache::{Bits, Seen};
use super::model::Model;

/// One operation of a history with its times; `ret: None` means no answer
/// came, so it may take effect at any time after `call` (or never: taking
/// effect after everything else is the same thing for a history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span<O> {
    pub call: Time,
    pub ret: Option<Time>,
    pub op: O,
}

/// What the search found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Linearizable,
    /// No linearization exists. No order of the operations gets past the
    /// return of operation `stuck` (an index into the input): every
    /// operation called before that return, together with it, is already
    /// impossible to order.
    Illegal {
        stuck: usize,
    },
    /// The step budget ran out first.
    Unknown,
}

/// Steps the search may take; shared across calls so that a whole
/// history's checks stop at one total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget(pub u64);

impl Budget {
    fn take(&mut self) -> bool {
        if self.0 == 0 {
            return false;
        }
        self.0 -= 1;
        true
    }
}

const NONE: u32 = u32::MAX;

/// The list of entries: node 0 is the head, node `2k + 1` the call entry and
/// `2k + 2` the return entry of the k-th operation in call order.
struct List {
    next: Vec<u32>,
    prev: Vec<u32>,
}

impl List {
    fn lift(&mut self, call: u32) {
        for x in [call, call + 1] {
            let (p, n) = (self.prev[x as usize], self.next[x as usize]);
            self.next[p as usize] = n;
            if n != NONE {
                self.prev[n as usize] = p;
            }
        }
    }

    /// Undoes [`List::lift`]: the nodes still hold their old neighbours.
    fn unlift(&mut self, call: u32) {
        for x in [call + 1, call] {
            let (p, n) = (self.prev[x as usize], self.next[x as usize]);
            self.next[p as usize] = x;
            if n != NONE {
                self.prev[n as usize] = x;
            }
        }
    }
}

struct Frame<S> {
    call: u32,
    state: S,
    hi: usize,
}

/// Searches for a linearization of `ops` under `model`.
pub fn linearize<M: Model>(model: &mut M, ops: &[Span<M::Op>], budget: &mut Budget) -> Outcome {
    let n = ops.len();
    if n == 0 {
        return Outcome::Linearizable;
    }
    // Operations in call order (ties by input order); `order[k]` is the
    // input index of the k-th.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (ops[i].call, i));
    // Entries in time order; at equal times calls come first, so that
    // operations that only touch are concurrent (nothing is claimed about
    // two events in the same millisecond).
    let mut entries: Vec<(Time, bool, u32)> = Vec::with_capacity(2 * n);
    for (k, &i) in order.iter().enumerate() {
        entries.push((ops[i].call, false, 2 * k as u32 + 1));
        entries.push((ops[i].ret.unwrap_or(Time::MAX), true, 2 * k as u32 + 2));
    }
    entries.sort_unstable();
    let mut list = List { next: vec![NONE; 2 * n + 1], prev: vec![NONE; 2 * n + 1] };
    // Where each return entry sits in time order, to report how far the
    // search got.
    let mut rank = vec![0usize; 2 * n + 1];
    let mut last = 0u32;
    for (r, &(_, _, node)) in entries.iter().enumerate() {
        list.next[last as usize] = node;
        list.prev[node as usize] = last;
        rank[node as usize] = r;
        last = node;
    }

    let mut bits = Bits::new(n);
    let mut seen: Seen<M::State> = Seen::new();
    let mut stack: Vec<Frame<M::State>> = Vec::new();
    let mut state = model.init();
    let mut hi = 0usize;
    let mut furthest: Option<u32> = None;
    let mut entry = list.next[0];
    while entry != NONE {
        if !budget.take() {
            return Outcome::Unknown;
        }
        if entry % 2 == 1 {
            // A call entry: try this operation next.
            let k = (entry as usize - 1) / 2;
            if let Some(after) = model.step(&state, &ops[order[k]].op) {
                bits.insert(k);
                let new_hi = if stack.is_empty() { k } else { hi.max(k) };
                if seen.insert(&bits, new_hi, &after, model.hash(&after)) {
                    stack.push(Frame { call: entry, state: std::mem::replace(&mut state, after), hi });
                    hi = new_hi;
                    list.lift(entry);
                    entry = list.next[0];
                    continue;
                }
                bits.remove(k);
            }
            entry = list.next[entry as usize];
        } else {
            // A return entry: its operation's deadline, unmet. Backtrack.
            if furthest.is_none_or(|f| rank[entry as usize] > rank[f as usize]) {
                furthest = Some(entry);
            }
            let Some(frame) = stack.pop() else {
                let stuck = furthest.map_or(0, |f| order[(f as usize - 2) / 2]);
                return Outcome::Illegal { stuck };
            };
            state = frame.state;
            hi = frame.hi;
            bits.remove((frame.call as usize - 1) / 2);
            list.unlift(frame.call);
            entry = list.next[frame.call as usize];
        }
    }
    Outcome::Linearizable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::model::{KvModel, KvStep};

    fn span(call: Time, ret: Option<Time>, op: KvStep) -> Span<KvStep> {
        Span { call, ret, op }
    }

    #[test]
    fn a_stale_read_is_caught_and_a_concurrent_one_is_not() {
        // Reference: Herlihy & Wing 1990, §2 — a read after a completed
        // write must see it; one overlapping the write may go either way.
        let mut m = KvModel::default();
        let (one, two) = (m.values.id(Some("1")), m.values.id(Some("2")));
        let ops = vec![
            span(0, Some(10), KvStep::Write(one)),
            span(20, Some(30), KvStep::Write(two)),
            span(25, Some(40), KvStep::Read(one)),
        ];
        assert_eq!(linearize(&mut m, &ops, &mut Budget(1_000)), Outcome::Linearizable);
        let mut late = ops.clone();
        late[2].call = 31;
        assert_eq!(linearize(&mut m, &late, &mut Budget(1_000)), Outcome::Illegal { stuck: 2 });
        // Touching at one millisecond counts as concurrent.
        late[2].call = 30;
        assert_eq!(linearize(&mut m, &late, &mut Budget(1_000)), Outcome::Linearizable);
    }

    #[test]
    fn an_unanswered_write_may_happen_late_or_never() {
        let mut m = KvModel::default();
        let one = m.values.id(Some("1"));
        let pending = span(0, None, KvStep::Write(one));
        let seen_late = vec![pending.clone(), span(500, Some(510), KvStep::Read(one))];
        assert_eq!(linearize(&mut m, &seen_late, &mut Budget(1_000)), Outcome::Linearizable);
        let never = vec![pending, span(500, Some(510), KvStep::Read(0))];
        assert_eq!(linearize(&mut m, &never, &mut Budget(1_000)), Outcome::Linearizable);
    }

    #[test]
    fn the_budget_stops_the_search_and_says_so() {
        let mut m = KvModel::default();
        let one = m.values.id(Some("1"));
        let ops: Vec<_> = (0..20).map(|i| span(i, Some(100 + i), KvStep::Write(one))).collect();
        assert_eq!(linearize(&mut m, &ops, &mut Budget(5)), Outcome::Unknown);
        let mut b = Budget(10_000);
        assert_eq!(linearize(&mut m, &ops, &mut b), Outcome::Linearizable);
        assert!(b.0 < 10_000);
    }
}
