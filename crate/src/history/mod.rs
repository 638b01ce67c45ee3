//! Histories of client operations, and the consistency checks run over them.
//!
//! A history is what clients saw: each operation's call and return times
//! and its result. The checks judge a history against the key-value model
//! in [`crate::kv`], without looking at any protocol: linearizability
//! (Herlihy & Wing), sequential consistency, and the session guarantees.
//! A leaf module beside `kv`: it imports nothing of the engine.
//!
//! - [`parse`]: the history document that `consensus-lab check` reads.
//! - [`model`]: the model a history is checked against (Porcupine's shape),
//!   and the key-value model on one key.
//! - [`search`]: the linearizability search for one key (Wing & Gong, Lowe),
//!   with its memory in `cache` and its pruning in `needs`.
//! - [`linearizable`]: the whole history, key by key, and counterexamples
//!   shrunk for a person to read (the sentence comes from `explain`).
//! - [`sequential`]: sequential consistency, a bounded search over the whole
//!   history.
//! - [`session`]: read-your-writes and monotonic reads.
//! - [`consistency`]: every check at once, as the run result reports it.

use std::rc::Rc;

use serde::Serialize;

pub use crate::kv::F;

mod cache;
pub mod consistency;
mod explain;
mod keys;
pub mod linearizable;
pub mod model;
mod needs;
pub mod parse;
pub mod search;
pub mod sequential;
pub mod session;
pub mod staleness;

pub use consistency::{Consistency, consistency, consistency_with};
pub use linearizable::{Counterexample, Linearizability, linearizability};
pub use parse::{MAX_OPS, parse_history};
pub use staleness::{Staleness, staleness};

/// How much work the checks may do, so that no history can keep the page
/// (or the CLI) busy for long. Limits count steps, never wall time, so a
/// verdict is the same on every machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Steps of the linearizability search, over all keys together.
    pub search_steps: u64,
    /// Steps spent shrinking a counterexample.
    pub shrink_steps: u64,
    /// Configurations the sequential-consistency search may visit, for the
    /// whole history and again for each key.
    pub sequential_states: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { search_steps: 20_000_000, shrink_steps: 5_000_000, sequential_states: 50_000 }
    }
}

/// Simulated milliseconds.
pub type Time = u64;

/// One client operation as the history records it (the contract's
/// `history` entries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub id: u64,
    pub client: u64,
    pub f: F,
    pub key: Rc<str>,
    /// `write` / `append` / `cas`: the value set. `read`: the value it
    /// returned (`None`: the key had no value, or no answer came).
    pub value: Option<Rc<str>>,
    /// `cas` only: the value compared with (`None`: absent).
    pub expect: Option<Rc<str>>,
    pub call_ms: Time,
    /// `None`: no response came (the operation may or may not have happened).
    pub return_ms: Option<Time>,
    /// `Some(false)`: a `cas` whose comparison failed, or an operation the
    /// system refused (it did not happen). `None` with `return_ms: None`.
    pub ok: Option<bool>,
}

impl Serialize for Op {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let cas = self.f == F::Cas;
        let mut st = s.serialize_struct("Op", if cas { 9 } else { 8 })?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("client", &self.client)?;
        st.serialize_field("f", self.f.name())?;
        st.serialize_field("key", &*self.key)?;
        if cas {
            st.serialize_field("expect", &self.expect.as_deref())?;
        }
        st.serialize_field("value", &self.value.as_deref())?;
        st.serialize_field("call_ms", &self.call_ms)?;
        st.serialize_field("return_ms", &self.return_ms)?;
        st.serialize_field("ok", &self.ok)?;
        st.end()
    }
}
