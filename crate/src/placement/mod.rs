//! Data placement and replication: consistent hashing with virtual nodes
//! (`consistent-hashing`, Karger et al. 1997 and Dynamo §4.2–4.3).
//! See docs/protocols/consistent-hashing.md.

pub mod hashing;
pub mod hashing_check;
pub mod ring;

pub use hashing::{ConsistentHashing, HashMsg, HashStable, HashingParams};
pub use hashing_check::HashingChecker;

use crate::registry::Entry;

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![Entry::of::<ConsistentHashing>("placement").checker::<HashingChecker>().done()]
}
