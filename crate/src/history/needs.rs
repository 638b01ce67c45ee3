//! Pruning for the linearizability search: which states the operations
//! still to come need, and whether anything still to come can produce them.
//!
//! A read that returned 1 is legal only while the key holds 1. If it is
//! not linearized yet, the key does not hold 1 now, and no write, cas or
//! append still to come can set 1, then no order of the rest can work: the
//! search gives up on that configuration at once instead of discovering it
//! at the read's deadline, possibly far away (the usual way a wrong early
//! choice costs Wing & Gong's search its time). Appends may produce any
//! value, so while one is still to come nothing is pruned.

use std::collections::{BTreeMap, BTreeSet};

use super::cache::Bits;
use super::model::{Model, Produces};

const NO: u32 = u32::MAX;

pub(crate) struct Needs<S> {
    ids: BTreeMap<S, u32>,
    /// Per operation, in the search's call order: the state it needs, the
    /// state it may set (or `NO`), and its place among that state's
    /// observers.
    need: Vec<u32>,
    make: Vec<u32>,
    any: Vec<bool>,
    place: Vec<u32>,
    /// Per state: operations still to come that need it, and that may
    /// produce it; the observers in call order, with the first perhaps not
    /// yet linearized.
    needed: Vec<u32>,
    remaining: Vec<u32>,
    observers: Vec<Vec<u32>>,
    cursor: Vec<u32>,
    /// Appends still to come.
    wildcards: u32,
    /// States needed that nothing still to come can produce.
    starved: BTreeSet<u32>,
}

impl<S: Clone + Ord> Needs<S> {
    /// `ops` in the search's call order.
    pub fn new<M: Model<State = S>>(model: &M, ops: &[&M::Op]) -> Needs<S> {
        let mut ids: BTreeMap<S, u32> = BTreeMap::new();
        let id = |s: S, ids: &mut BTreeMap<S, u32>| {
            let next = ids.len() as u32;
            *ids.entry(s).or_insert(next)
        };
        let mut need = vec![NO; ops.len()];
        let mut make = vec![NO; ops.len()];
        let mut any = vec![false; ops.len()];
        for (k, op) in ops.iter().enumerate() {
            if let Some(s) = model.needs(op) {
                need[k] = id(s, &mut ids);
            }
            match model.produces(op) {
                Produces::Nothing => {}
                Produces::This(s) => make[k] = id(s, &mut ids),
                Produces::Any => any[k] = true,
            }
        }
        let states = ids.len();
        let mut needs = Needs {
            ids,
            need,
            make,
            any,
            place: vec![0; ops.len()],
            needed: vec![0; states],
            remaining: vec![0; states],
            observers: vec![Vec::new(); states],
            cursor: vec![0; states],
            wildcards: 0,
            starved: BTreeSet::new(),
        };
        for k in 0..ops.len() {
            if let Some(s) = needs.state(needs.need[k]) {
                needs.needed[s] += 1;
                needs.place[k] = needs.observers[s].len() as u32;
                needs.observers[s].push(k as u32);
            }
            if let Some(s) = needs.state(needs.make[k]) {
                needs.remaining[s] += 1;
            }
            needs.wildcards += u32::from(needs.any[k]);
        }
        for s in 0..states {
            needs.update(s);
        }
        needs
    }

    fn state(&self, id: u32) -> Option<usize> {
        (id != NO).then_some(id as usize)
    }

    fn update(&mut self, s: usize) {
        if self.needed[s] > 0 && self.remaining[s] == 0 {
            self.starved.insert(s as u32);
        } else {
            self.starved.remove(&(s as u32));
        }
    }

    /// Operation `k` has been linearized.
    pub fn linearize(&mut self, k: usize) {
        if let Some(s) = self.state(self.need[k]) {
            self.needed[s] -= 1;
            self.update(s);
        }
        if let Some(s) = self.state(self.make[k]) {
            self.remaining[s] -= 1;
            self.update(s);
        }
        self.wildcards -= u32::from(self.any[k]);
    }

    /// Undoes [`Needs::linearize`].
    pub fn restore(&mut self, k: usize) {
        if let Some(s) = self.state(self.need[k]) {
            self.needed[s] += 1;
            self.cursor[s] = self.cursor[s].min(self.place[k]);
            self.update(s);
        }
        if let Some(s) = self.state(self.make[k]) {
            self.remaining[s] += 1;
            self.update(s);
        }
        self.wildcards += u32::from(self.any[k]);
    }

    /// If no order of the operations still to come can work from `state`,
    /// one that proves it: an operation (by call order) needing a state
    /// that is not `state` and that nothing still to come can produce. Its
    /// deadline is one no order from here gets past.
    pub fn doomed(&mut self, state: &S, bits: &Bits) -> Option<usize> {
        if self.wildcards > 0 || self.starved.is_empty() {
            return None;
        }
        let current = self.ids.get(state).copied();
        let starved: Vec<u32> = self.starved.iter().copied().filter(|&s| Some(s) != current).take(4).collect();
        let mut witness = None;
        for s in starved {
            let s = s as usize;
            let list = &self.observers[s];
            let mut c = self.cursor[s] as usize;
            while c < list.len() && bits.contains(list[c] as usize) {
                c += 1;
            }
            self.cursor[s] = c as u32;
            if let Some(&k) = list.get(c) {
                witness = Some(witness.map_or(k, |w: u32| w.min(k)));
            }
        }
        witness.map(|k| k as usize)
    }
}
