//! What a history is checked against: a model, in Porcupine's shape. A
//! model is a handful of small functions — the initial state, one step
//! (is this operation, with what it returned, legal from this state, and
//! what state follows), a hash of a state, and a few words describing an
//! operation or a state — and the searches in [`super::search`] and
//! [`super::sequential`] are generic over it.
//!
//! [`KvModel`] is the key-value model of [`crate::kv`] on one key, with
//! values interned as small numbers so that states compare and hash in one
//! instruction. Appends defer to [`crate::kv::step`]; the other operations
//! compare numbers, which is the same rule because interning is one-to-one
//! (a test holds the two to each other).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::kv::{F, KvOp, step};

/// A sequential specification: the searches ask it whether an operation
/// could have returned what it did from a state.
pub trait Model {
    /// One operation together with what it returned.
    type Op;
    type State: Clone + Ord;
    fn init(&mut self) -> Self::State;
    /// The state after `op`, or `None` when `op` could not have returned
    /// what it did from `state`.
    fn step(&mut self, state: &Self::State, op: &Self::Op) -> Option<Self::State>;
    /// What `op` can leave behind. The search linearizes an operation that
    /// changes nothing as soon as it is legal, without trying anything else
    /// first.
    fn produces(&self, op: &Self::Op) -> Produces<Self::State>;
    /// The one state `op` is legal in, if there is one (a read that
    /// returned a value): the search gives up on a configuration as soon as
    /// such an operation still to come needs a state that is not the current
    /// one and that nothing still to come can produce.
    fn needs(&self, op: &Self::Op) -> Option<Self::State>;
    /// A hash of a state; equal states must hash alike.
    fn hash(&self, state: &Self::State) -> u64;
    fn describe_op(&self, op: &Self::Op) -> String;
    fn describe_state(&self, state: &Self::State) -> String;
}

/// What an operation can leave behind when it takes effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Produces<S> {
    /// It never changes the state (a read).
    Nothing,
    /// The state as it was, or this one (a write, a cas).
    This(S),
    /// It may produce any state (an append).
    Any,
}

/// SplitMix64's finaliser: a fixed, well-mixed hash of a number.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value of one key, interned: 0 is "no value", every other number one
/// string.
pub type Vid = u32;
pub const ABSENT: Vid = 0;

/// The strings one key has held, each with its number.
#[derive(Clone, Debug, Default)]
pub struct Values {
    ids: BTreeMap<Rc<str>, Vid>,
    strings: Vec<Rc<str>>,
}

impl Values {
    pub fn id(&mut self, value: Option<&str>) -> Vid {
        let Some(s) = value else { return ABSENT };
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let rc: Rc<str> = Rc::from(s);
        self.strings.push(rc.clone());
        let id = self.strings.len() as Vid;
        self.ids.insert(rc, id);
        id
    }

    pub fn get(&self, id: Vid) -> Option<&Rc<str>> {
        if id == ABSENT { None } else { self.strings.get(id as usize - 1) }
    }
}

/// One operation on a key as the kv model checks it: what was asked and
/// what came back, with values interned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvStep {
    /// A read that returned this value.
    Read(Vid),
    Write(Vid),
    Append(Rc<str>),
    /// `ok`: `Some(true)` it succeeded, `Some(false)` the comparison failed,
    /// `None` no answer came (it succeeds exactly when the value matches).
    Cas {
        expect: Vid,
        value: Vid,
        ok: Option<bool>,
    },
}

/// The key-value model on one key.
#[derive(Clone, Debug, Default)]
pub struct KvModel {
    pub values: Values,
}

impl KvModel {
    /// The operation as [`crate::kv`] takes it.
    fn kv_op(&self, op: &KvStep) -> KvOp {
        let s = |v: Vid| self.values.get(v).cloned();
        let (f, value, expect) = match op {
            KvStep::Read(_) => (F::Read, None, None),
            KvStep::Write(v) => (F::Write, s(*v), None),
            KvStep::Append(a) => (F::Append, Some(a.clone()), None),
            KvStep::Cas { expect, value, .. } => (F::Cas, s(*value), s(*expect)),
        };
        KvOp { f, key: Rc::from(""), value, expect }
    }

    fn show(&self, v: Vid) -> String {
        super::explain::show(self.values.get(v).map(|s| &**s))
    }
}

impl Model for KvModel {
    type Op = KvStep;
    type State = Vid;

    fn init(&mut self) -> Vid {
        ABSENT
    }

    fn step(&mut self, state: &Vid, op: &KvStep) -> Option<Vid> {
        match *op {
            // The common cases need no strings at all.
            KvStep::Read(seen) => (seen == *state).then_some(*state),
            KvStep::Write(v) => Some(v),
            KvStep::Cas { expect, value, ok } => match (expect == *state, ok) {
                (true, Some(true) | None) => Some(value),
                (false, Some(false) | None) => Some(*state),
                _ => None,
            },
            KvStep::Append(_) => {
                let current = self.values.get(*state).cloned();
                let (next, _) = step(current.as_deref(), &self.kv_op(op));
                Some(self.values.id(next.as_deref()))
            }
        }
    }

    fn produces(&self, op: &KvStep) -> Produces<Vid> {
        match *op {
            KvStep::Read(_) | KvStep::Cas { ok: Some(false), .. } => Produces::Nothing,
            KvStep::Write(v) | KvStep::Cas { value: v, .. } => Produces::This(v),
            KvStep::Append(_) => Produces::Any,
        }
    }

    fn needs(&self, op: &KvStep) -> Option<Vid> {
        match *op {
            KvStep::Read(v) | KvStep::Cas { expect: v, ok: Some(true), .. } => Some(v),
            _ => None,
        }
    }

    fn hash(&self, state: &Vid) -> u64 {
        mix(u64::from(*state))
    }

    fn describe_op(&self, op: &KvStep) -> String {
        match op {
            KvStep::Read(v) => format!("read → {}", self.show(*v)),
            KvStep::Write(v) => format!("write {}", self.show(*v)),
            KvStep::Append(a) => format!("append {}", super::explain::show(Some(a))),
            KvStep::Cas { expect, value, ok } => {
                let how = match ok {
                    Some(true) => "",
                    Some(false) => " (failed)",
                    None => " (no answer)",
                };
                format!("cas {}→{}{how}", self.show(*expect), self.show(*value))
            }
        }
    }

    fn describe_state(&self, state: &Vid) -> String {
        self.show(*state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kv_model_steps_as_the_store_does() {
        let mut m = KvModel::default();
        let one = m.values.id(Some("1"));
        let two = m.values.id(Some("2"));
        assert_eq!(m.values.id(Some("1")), one);
        let s = m.init();
        assert_eq!(m.step(&s, &KvStep::Read(ABSENT)), Some(ABSENT));
        assert_eq!(m.step(&s, &KvStep::Read(one)), None);
        assert_eq!(m.step(&s, &KvStep::Cas { expect: ABSENT, value: one, ok: Some(true) }), Some(one));
        assert_eq!(m.step(&s, &KvStep::Cas { expect: one, value: two, ok: Some(true) }), None);
        assert_eq!(m.step(&s, &KvStep::Cas { expect: one, value: two, ok: Some(false) }), Some(ABSENT));
        assert_eq!(m.step(&one, &KvStep::Cas { expect: one, value: two, ok: Some(false) }), None);
        assert_eq!(m.step(&one, &KvStep::Cas { expect: one, value: two, ok: None }), Some(two));
        assert_eq!(m.step(&two, &KvStep::Cas { expect: one, value: two, ok: None }), Some(two));
        let a = m.step(&ABSENT, &KvStep::Append(Rc::from("1"))).unwrap();
        assert_eq!(a, one, "append to an absent key sets it");
        let b = m.step(&one, &KvStep::Append(Rc::from("2"))).unwrap();
        assert_eq!(m.values.get(b).map(|s| &**s), Some("12"));
        assert_eq!(m.describe_state(&b), "12");
        assert_eq!(m.describe_op(&KvStep::Write(two)), "write 2");
        assert_eq!(
            m.describe_op(&KvStep::Cas { expect: ABSENT, value: two, ok: Some(false) }),
            "cas nothing→2 (failed)"
        );
    }

    #[test]
    fn interned_steps_agree_with_the_store_on_every_case() {
        let mut m = KvModel::default();
        let vals = [None, Some("1"), Some("2")];
        for cur in vals {
            for a in vals {
                for b in vals.iter().skip(1) {
                    let (c, e, v) = (m.values.id(cur), m.values.id(a), m.values.id(*b));
                    let kv = KvOp { f: F::Cas, key: Rc::from("x"), value: b.map(Rc::from), expect: a.map(Rc::from) };
                    let (next, result) = step(cur, &kv);
                    let ours = m.step(&c, &KvStep::Cas { expect: e, value: v, ok: Some(result.ok) });
                    assert_eq!(ours, Some(m.values.id(next.as_deref())));
                    assert_eq!(m.step(&c, &KvStep::Cas { expect: e, value: v, ok: Some(!result.ok) }), None);
                    let kv = KvOp { f: F::Write, key: Rc::from("x"), value: b.map(Rc::from), expect: None };
                    assert_eq!(m.step(&c, &KvStep::Write(v)), Some(m.values.id(step(cur, &kv).0.as_deref())));
                    let seen = m.values.id(step(cur, &KvOp { f: F::Read, ..kv }).1.value.as_deref());
                    assert_eq!(m.step(&c, &KvStep::Read(seen)), Some(c));
                }
            }
        }
    }
}
