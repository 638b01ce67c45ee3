//! Data placement and replication: consistent hashing with virtual nodes
//! (`consistent-hashing`, Karger et al. 1997 and Dynamo §4.2–4.3), and
//! Dynamo's quorum replication on that ring (`quorum-kv`, §4.3–4.7).
//! See docs/protocols/consistent-hashing.md and docs/protocols/quorum-kv.md.

pub mod hashing;
pub mod hashing_check;
pub mod quorum;
pub mod quorum_check;
pub mod quorum_msg;
pub mod ring;
pub mod vclock;

pub use hashing::{ConsistentHashing, HashMsg, HashStable, HashingParams};
pub use hashing_check::HashingChecker;
pub use quorum::{QuorumKv, QuorumParams, QuorumStable};
pub use quorum_check::QuorumChecker;

use crate::registry::Entry;

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![
        Entry::of::<ConsistentHashing>("placement").checker::<HashingChecker>().done(),
        Entry::of::<QuorumKv>("placement").checker::<QuorumChecker>().done(),
    ]
}
