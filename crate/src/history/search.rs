//! The linearizability search for one partition (one key): Wing & Gong's
//! algorithm with Lowe's memoization, as Porcupine runs it, generic over a
//! [`Model`].
//!
//! Every operation becomes a call entry and a return entry, sorted by time
//! (an operation with no answer returns at +∞). The entries sit in a
//! doubly linked list. The operations that may be linearized next are those
//! whose call entries come before the first return entry. The search tries
//! each in turn — the model must accept it from the current state, and the
//! resulting configuration (set of linearized operations, state) must be
//! new — and lifts both of its entries out of the list. When none can come
//! next, that first return is a deadline no order meets from here: the
//! search backtracks, putting the last lifted operation back and trying
//! the next one in its place. An empty list is a linearization;
//! backtracking with nothing to put back proves there is none.
//!
//! Three things beyond Porcupine keep the search short on real histories
//! (none changes the verdict; a property test holds it to brute force): a
//! read that is legal now goes next without alternatives; the operations
//! that would let the most urgent waiting read go are tried first, then the
//! frontier's own operation, then the rest in call order, unanswered ones
//! last; and [`super::needs`] gives up on a configuration as soon as an
//! operation still to come needs a value nothing still to come can produce.
//!
//! Reference: Wing & Gong, "Testing and verifying concurrent objects", 1993;
//! Lowe, "Testing for linearizability", 2017; Herlihy & Wing 1990 for the
//! definition.

use super::Time;
use super::cache::{Bits, Seen};
use super::model::{Model, Produces};
use super::needs::Needs;

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
    /// The operations that may come next here (call nodes), and how many
    /// have been tried.
    moves: Vec<u32>,
    tried: usize,
    /// The return entry nothing here may pass: the earliest one still in
    /// the list.
    frontier: u32,
    /// The state and highest linearized operation on reaching here.
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
    // Each entry's place in time order: deadlines compare by it.
    let mut rank = vec![0u32; 2 * n + 1];
    let mut last = 0u32;
    for (r, &(_, _, node)) in entries.iter().enumerate() {
        list.next[last as usize] = node;
        list.prev[node as usize] = last;
        rank[node as usize] = r as u32;
        last = node;
    }
    let op_of = |call: u32| order[(call as usize - 1) / 2];
    let op_of_return = |ret: u32| order[(ret as usize - 2) / 2];
    let frontier_of = |list: &List| {
        let mut e = list.next[0];
        while e % 2 == 1 {
            e = list.next[e as usize];
        }
        e
    };
    // The operations that may be linearized next: every call before the
    // first return entry, the frontier. One that never changes the state
    // and is legal now goes next, alone: any linearization can be
    // rearranged to put it first, since it changes nothing, every operation
    // that had to precede it already has, and moving it earlier breaks no
    // real-time order. So reads never multiply the search.
    //
    // Otherwise each operation is a choice, and the order of trying them is
    // what keeps the search short; any order finds a linearization if there
    // is one. Just in time (Lowe 2017, §4): first what the waiting read with
    // the soonest deadline needs (the operations after which it is legal),
    // or with no read waiting the frontier's own operation, which must be
    // linearized before its deadline; then the rest in call order, the
    // unanswered last. Linearizing writes as early as possible (Wing &
    // Gong's order) buries values that reads called later still have to
    // see, and costs an exponential detour each time.
    let moves_here = |list: &List, model: &mut M, state: &M::State| -> (Vec<u32>, u32) {
        let mut moves = Vec::new();
        // The waiting read with the soonest deadline.
        let mut urgent: Option<u32> = None;
        let mut e = list.next[0];
        while e % 2 == 1 {
            let op = &ops[op_of(e)].op;
            if model.produces(op) == Produces::Nothing {
                if model.step(state, op).is_some() {
                    return (vec![e], frontier_of(list));
                }
                if urgent.is_none_or(|u| rank[e as usize + 1] < rank[u as usize + 1]) {
                    urgent = Some(e);
                }
            } else {
                moves.push(e);
            }
            e = list.next[e as usize];
        }
        let frontier = e;
        let lead = |model: &mut M, c: u32| -> bool {
            match urgent {
                Some(u) => model
                    .step(state, &ops[op_of(c)].op)
                    .is_some_and(|after| model.step(&after, &ops[op_of(u)].op).is_some()),
                None => c + 1 == frontier,
            }
        };
        let mut keyed: Vec<(bool, bool, u32)> =
            moves.into_iter().map(|c| (!lead(model, c), ops[op_of(c)].ret.is_none(), c)).collect();
        keyed.sort_unstable();
        (keyed.into_iter().map(|(_, _, c)| c).collect(), frontier)
    };

    let mut bits = Bits::new(n);
    let mut seen: Seen<M::State> = Seen::new();
    let in_order: Vec<&M::Op> = order.iter().map(|&i| &ops[i].op).collect();
    let mut needs = Needs::new(model, &in_order);
    let state = model.init();
    // The furthest deadline known unmeetable: the return entry of an
    // operation no order gets past.
    let mut furthest: Option<u32> = None;
    let reached = |e: u32, furthest: &mut Option<u32>| {
        if furthest.is_none_or(|f| rank[e as usize] > rank[f as usize]) {
            *furthest = Some(e);
        }
    };
    if let Some(w) = needs.doomed(&state, &bits) {
        return Outcome::Illegal { stuck: order[w] };
    }
    let (moves, frontier) = moves_here(&list, model, &state);
    let mut stack: Vec<Frame<M::State>> = vec![Frame { moves, tried: 0, frontier, state, hi: 0 }];
    let mut linearized = 0usize;
    while let Some(top) = stack.last_mut() {
        if !budget.take() {
            return Outcome::Unknown;
        }
        let Some(&call) = top.moves.get(top.tried) else {
            // Nothing can come next here: this deadline cannot be met from
            // here. Put the last operation back.
            reached(top.frontier, &mut furthest);
            stack.pop();
            if let Some(parent) = stack.last() {
                let undo = parent.moves[parent.tried - 1];
                let k = (undo as usize - 1) / 2;
                bits.remove(k);
                needs.restore(k);
                list.unlift(undo);
                linearized -= 1;
            }
            continue;
        };
        top.tried += 1;
        let k = (call as usize - 1) / 2;
        let Some(after) = model.step(&top.state, &ops[order[k]].op) else { continue };
        bits.insert(k);
        needs.linearize(k);
        let hi = if linearized == 0 { k } else { top.hi.max(k) };
        let doomed = needs.doomed(&after, &bits);
        if doomed.is_some() || !seen.insert(&bits, hi, &after, model.hash(&after)) {
            if let Some(w) = doomed {
                reached(2 * w as u32 + 2, &mut furthest);
            }
            bits.remove(k);
            needs.restore(k);
            continue;
        }
        list.lift(call);
        linearized += 1;
        if linearized == n {
            return Outcome::Linearizable;
        }
        let (moves, frontier) = moves_here(&list, model, &after);
        stack.push(Frame { moves, tried: 0, frontier, state: after, hi });
    }
    Outcome::Illegal { stuck: furthest.map_or(order[0], op_of_return) }
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
