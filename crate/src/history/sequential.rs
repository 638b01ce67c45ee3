//! Sequential consistency (Lamport, "How to Make a Multiprocessor Computer
//! That Correctly Executes Multiprocess Programs", 1979): one order of all
//! the operations, legal under the model, that keeps each client's own
//! order — and, unlike linearizability, need not respect real time between
//! clients.
//!
//! Sequential consistency is not local: every key can be sequentially
//! consistent on its own while the whole history is not (Herlihy & Wing
//! 1990, §3.3, who show it with a queue pair), so the search runs over all
//! keys at once. A client's own order is real time among its own
//! operations — one that returned before the client called another comes
//! first — with the linearizability check's rule for ties, so that a
//! linearizable history is always sequentially consistent; a client that
//! waits for each answer has a total order. An operation with no answer
//! may take effect at any point after the client's operations that returned
//! before its call, or never. The search is a depth-first search over
//! (which operations each client has done, which unanswered ones took
//! effect, every key's value), trying the earliest-called operation first
//! and never visiting a configuration twice, and it stops after a fixed
//! number of configurations: the caller says what it concluded then.

use std::collections::BTreeSet;

use super::Time;
use super::model::{Model, Produces, mix};
use super::search::Span;

/// One operation for the search: its key (an index into the models), its
/// client, and the operation with its times.
#[derive(Clone, Debug)]
pub struct SeqOp<O> {
    pub key: usize,
    pub client: u64,
    pub span: Span<O>,
}

/// `Some(true)`: an order exists; `Some(false)`: none does; `None`: more
/// than `budget` configurations would have to be visited to tell.
pub fn sequential<M: Model>(models: &mut [M], ops: &[SeqOp<M::Op>], budget: u64) -> Option<bool>
where
    M::State: Ord,
{
    let mut clients: Vec<u64> = ops.iter().map(|o| o.client).collect();
    clients.sort_unstable();
    clients.dedup();
    let slot = |c: u64| clients.binary_search(&c).unwrap_or(0);
    // Each client's answered operations in call order; the unanswered ones
    // apart, each with its client.
    let mut lanes: Vec<Vec<usize>> = vec![Vec::new(); clients.len()];
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].span.call, i));
    let mut optional: Vec<(usize, usize)> = Vec::new();
    for &i in &order {
        let c = slot(ops[i].client);
        if ops[i].span.ret.is_some() { lanes[c].push(i) } else { optional.push((i, c)) }
    }
    let ret = |i: usize| ops[i].span.ret.unwrap_or(Time::MAX);
    // For each unanswered operation, its client's answered ones that
    // returned before it was called (places in the lane, ascending).
    let before: Vec<Vec<usize>> = optional
        .iter()
        .map(|&(i, c)| (0..lanes[c].len()).filter(|&j| ret(lanes[c][j]) < ops[i].span.call).collect())
        .collect();
    // The moves from a configuration, earliest call first: each client's
    // answered operations that nothing of its own must precede, and the
    // unanswered ones whose client has done what returned before them. A
    // read that is legal goes alone, as in the linearizability search: it
    // changes nothing, and whatever had to precede it has.
    let moves_from = |config: &Config<M::State>, models: &mut [M]| -> Vec<(usize, Move)> {
        let mut moves: Vec<(Time, usize, Move)> = Vec::new();
        for (c, lane) in lanes.iter().enumerate() {
            let mut due = Time::MAX;
            for (k, &i) in lane.iter().enumerate().skip(config.pos[c]) {
                if ops[i].span.call > due {
                    break;
                }
                if !config.done(c, k) {
                    let op = &ops[i];
                    if models[op.key].produces(&op.span.op) == Produces::Nothing
                        && models[op.key].step(&config.values[op.key], &op.span.op).is_some()
                    {
                        return vec![(i, Move::Answered(c, k))];
                    }
                    moves.push((op.span.call, i, Move::Answered(c, k)));
                    due = due.min(ret(i));
                }
            }
        }
        for (k, &(i, c)) in optional.iter().enumerate() {
            let from = before[k].partition_point(|&j| j < config.pos[c]);
            if !config.applied[k] && before[k][from..].iter().all(|&j| config.done(c, j)) {
                moves.push((ops[i].span.call, i, Move::Optional(k)));
            }
        }
        moves.sort_unstable();
        moves.into_iter().map(|(_, i, m)| (i, m)).collect()
    };
    let mut init = Config {
        hash: 0,
        pos: vec![0; lanes.len()],
        ahead: Vec::new(),
        applied: vec![false; optional.len()],
        values: models.iter_mut().map(|m| m.init()).collect(),
    };
    init.rehash(models);
    let mut visited: BTreeSet<Config<M::State>> = BTreeSet::new();
    visited.insert(init.clone());
    let moves = moves_from(&init, models);
    let mut stack = vec![(init, moves, 0usize)];
    while let Some((config, moves, next)) = stack.last_mut() {
        if config.pos.iter().zip(&lanes).all(|(p, l)| *p == l.len()) {
            return Some(true);
        }
        let Some(&(i, mv)) = moves.get(*next) else {
            stack.pop();
            continue;
        };
        *next += 1;
        let op = &ops[i];
        let Some(after) = models[op.key].step(&config.values[op.key], &op.span.op) else { continue };
        let mut child = config.clone();
        child.values[op.key] = after;
        match mv {
            Move::Answered(c, k) => child.mark(c, k),
            Move::Optional(k) => child.applied[k] = true,
        }
        child.rehash(models);
        if visited.contains(&child) {
            continue;
        }
        if visited.len() as u64 >= budget {
            return None;
        }
        visited.insert(child.clone());
        let moves = moves_from(&child, models);
        stack.push((child, moves, 0));
    }
    Some(false)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Move {
    /// A client (lane) and the operation's place in its lane.
    Answered(usize, usize),
    Optional(usize),
}

/// Where the search stands: every lane's done operations are a prefix
/// (`pos`) plus a few beyond it (`ahead`, sorted), since a client's
/// operations can only overlap when its calls do.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Config<S> {
    /// First, so that configurations compare quickly.
    hash: u64,
    pos: Vec<usize>,
    ahead: Vec<(usize, usize)>,
    applied: Vec<bool>,
    values: Vec<S>,
}

impl<S> Config<S> {
    fn rehash<M: Model<State = S>>(&mut self, models: &[M]) {
        let mut h = 0u64;
        let mut add = |x: u64| h = mix(h ^ x);
        self.pos.iter().for_each(|&p| add(p as u64));
        self.ahead.iter().for_each(|&(c, k)| add(((c as u64) << 32) ^ k as u64));
        self.applied.iter().enumerate().filter(|(_, a)| **a).for_each(|(k, _)| add(k as u64 | 1 << 63));
        self.values.iter().zip(models).for_each(|(v, m)| add(m.hash(v)));
        self.hash = h;
    }

    fn done(&self, c: usize, k: usize) -> bool {
        k < self.pos[c] || self.ahead.binary_search(&(c, k)).is_ok()
    }

    fn mark(&mut self, c: usize, k: usize) {
        if k != self.pos[c] {
            if let Err(at) = self.ahead.binary_search(&(c, k)) {
                self.ahead.insert(at, (c, k));
            }
            return;
        }
        self.pos[c] += 1;
        while let Ok(at) = self.ahead.binary_search(&(c, self.pos[c])) {
            self.ahead.remove(at);
            self.pos[c] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::model::{ABSENT, KvModel, KvStep};

    fn op(key: usize, client: u64, call: u64, ret: Option<u64>, step: KvStep) -> SeqOp<KvStep> {
        SeqOp { key, client, span: Span { call, ret, op: step } }
    }

    #[test]
    fn a_stale_read_is_sequential_but_two_clients_disagreeing_on_order_is_not() {
        // Reference: Lamport 1979 — only each process's own order counts.
        let mut m = vec![KvModel::default()];
        let one = m[0].values.id(Some("1"));
        // Client 1 reads nothing after client 0's write completed: ordering
        // the read first is fine without real time.
        let stale = vec![op(0, 0, 0, Some(10), KvStep::Write(one)), op(0, 1, 20, Some(30), KvStep::Read(ABSENT))];
        assert_eq!(sequential(&mut m, &stale, 1_000), Some(true));
        // But client 1 cannot read 1 and then nothing.
        let mut back = stale.clone();
        back.insert(1, op(0, 1, 15, Some(18), KvStep::Read(one)));
        assert_eq!(sequential(&mut m, &back, 1_000), Some(false));
        assert_eq!(sequential(&mut m, &back, 1), None);
    }
}
