//! Paxos in two engines: single-decree Paxos (`paxos`, after "Paxos Made
//! Simple" §2) and Multi-Paxos (`multi-paxos`, after "Paxos Made Simple" §3
//! and "Paxos Made Moderately Complex"). They share ballots; each has its own
//! messages, parameters and invariant checker. See docs/protocols/paxos.md.

pub mod ballot;
pub mod invariants;
pub mod multi;
pub mod multi_invariants;
pub mod multi_msg;
pub mod single;
pub mod single_msg;

pub use ballot::Ballot;
pub use invariants::PaxosChecker;
pub use multi::{MultiPaxos, MultiStable, MultiView, Role};
pub use multi_invariants::MultiChecker;
pub use multi_msg::{Cmd, MultiMsg, MultiPaxosParams, MultiTimer, Slot};
pub use single::{Paxos, PaxosStable, PaxosView, Phase};
pub use single_msg::{PaxosMsg, PaxosParams, PaxosTimer, Proposal};

use crate::registry::Entry;

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![
        Entry::of::<Paxos>("paxos").checker::<PaxosChecker>().done(),
        Entry::of::<MultiPaxos>("paxos").checker::<MultiChecker>().done(),
    ]
}
