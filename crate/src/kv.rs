//! The key-value model that client operations run against: the same rules
//! for the engines' replicated stores and for the history checker's model.
//!
//! Every key starts with no value; `write` sets it; `append` sets an absent
//! key to the value and otherwise concatenates; `cas` succeeds exactly when
//! the current value equals `expect` (`None` meaning absent) and then sets
//! `value`; `read` changes nothing and returns the current value. A leaf
//! module: it imports nothing of the engine.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

/// What a client operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum F {
    Read,
    Write,
    Append,
    Cas,
}

impl F {
    pub fn name(self) -> &'static str {
        match self {
            F::Read => "read",
            F::Write => "write",
            F::Append => "append",
            F::Cas => "cas",
        }
    }

    pub fn parse(s: &str) -> Option<F> {
        Some(match s {
            "read" => F::Read,
            "write" => F::Write,
            "append" => F::Append,
            "cas" => F::Cas,
            _ => return None,
        })
    }

    pub const ALL: [F; 4] = [F::Read, F::Write, F::Append, F::Cas];
}

/// One operation as a client asks for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct KvOp {
    pub f: F,
    pub key: Rc<str>,
    /// What `write`, `append` and `cas` set; `None` for `read`.
    pub value: Option<Rc<str>>,
    /// What `cas` compares with (`None`: the key must be absent).
    pub expect: Option<Rc<str>>,
}

impl KvOp {
    /// A few words for logs and captions: `write x=1`, `cas x 1→2`, `read x`.
    pub fn describe(&self) -> String {
        let v = |o: &Option<Rc<str>>| o.as_deref().map_or("∅".to_string(), str::to_string);
        match self.f {
            F::Read => format!("read {}", self.key),
            F::Write => format!("write {}={}", self.key, v(&self.value)),
            F::Append => format!("append {}+={}", self.key, v(&self.value)),
            F::Cas => format!("cas {} {}→{}", self.key, v(&self.expect), v(&self.value)),
        }
    }
}

/// What an operation returned: `ok` is false only for a `cas` whose
/// comparison failed; `value` is what a `read` saw (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KvResult {
    pub ok: bool,
    pub value: Option<Rc<str>>,
}

/// One step of the model on a single key: the key's value after `op`, and
/// what `op` returns, given the value before.
pub fn step(current: Option<&str>, op: &KvOp) -> (Option<Rc<str>>, KvResult) {
    let keep = || current.map(Rc::from);
    match op.f {
        F::Read => (keep(), KvResult { ok: true, value: keep() }),
        F::Write => (op.value.clone(), KvResult { ok: true, value: None }),
        F::Append => {
            let add = op.value.as_deref().unwrap_or("");
            let next = match current {
                None => Rc::from(add),
                Some(c) => Rc::from(format!("{c}{add}")),
            };
            (Some(next), KvResult { ok: true, value: None })
        }
        F::Cas => {
            if current == op.expect.as_deref() {
                (op.value.clone(), KvResult { ok: true, value: None })
            } else {
                (keep(), KvResult { ok: false, value: None })
            }
        }
    }
}

/// A replica's store: key → value, in key order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Store(pub BTreeMap<String, String>);

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Runs a client operation and returns its result.
    pub fn apply(&mut self, op: &KvOp) -> KvResult {
        let (next, result) = step(self.get(&op.key), op);
        match next {
            // Most writes update a key already present: reuse its string.
            Some(v) => match self.0.get_mut(&*op.key) {
                Some(slot) => v.as_ref().clone_into(slot),
                None => {
                    self.0.insert(op.key.to_string(), v.to_string());
                }
            },
            None => {
                self.0.remove(&*op.key);
            }
        }
        result
    }

    /// A `client_request` value of the form `key=value` sets that key
    /// (spaces around either side are trimmed); any other value changes
    /// nothing. This is how the protocols' logs of plain values reach the store.
    pub fn apply_assignment(&mut self, text: &str) {
        if let Some((k, v)) = text.split_once('=') {
            let (k, v) = (k.trim(), v.trim());
            match self.0.get_mut(k) {
                Some(slot) => v.clone_into(slot),
                None => {
                    self.0.insert(k.to_string(), v.to_string());
                }
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(f: F, value: Option<&str>, expect: Option<&str>) -> KvOp {
        KvOp { f, key: Rc::from("x"), value: value.map(Rc::from), expect: expect.map(Rc::from) }
    }

    #[test]
    fn the_model_follows_the_contract() {
        let mut s = Store::new();
        assert_eq!(s.apply(&op(F::Read, None, None)), KvResult { ok: true, value: None });
        // cas against an absent key succeeds only with expect = absent.
        assert!(!s.apply(&op(F::Cas, Some("1"), Some("0"))).ok);
        assert!(s.apply(&op(F::Cas, Some("1"), None)).ok);
        assert_eq!(s.get("x"), Some("1"));
        s.apply(&op(F::Append, Some("2"), None));
        assert_eq!(s.get("x"), Some("12"));
        s.apply(&op(F::Write, Some("7"), None));
        assert_eq!(s.apply(&op(F::Read, None, None)).value.as_deref(), Some("7"));
        let mut t = Store::new();
        t.apply(&op(F::Append, Some("a"), None));
        assert_eq!(t.get("x"), Some("a"));
        t.apply_assignment(" y = 3 ");
        t.apply_assignment("no equals sign");
        assert_eq!(t.get("y"), Some("3"));
        assert_eq!(t.len(), 2);
    }
}
