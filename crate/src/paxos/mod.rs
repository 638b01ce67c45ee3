//! Paxos in two engines: single-decree Paxos (`paxos`, after "Paxos Made
//! Simple" §2) and Multi-Paxos (`multi-paxos`, after "Paxos Made Simple" §3
//! and "Paxos Made Moderately Complex"). They share ballots; each has its own
//! messages, parameters and invariant checker. See docs/protocols/paxos.md.

pub mod ballot;
pub mod invariants;
pub mod single;
pub mod single_msg;

pub use ballot::Ballot;
pub use invariants::PaxosChecker;
pub use single::{Paxos, PaxosStable, PaxosView, Phase};
pub use single_msg::{PaxosMsg, PaxosParams, PaxosTimer, Proposal};
