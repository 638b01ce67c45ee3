//! Epidemic protocols: gossip after Demers et al., "Epidemic Algorithms for
//! Replicated Database Maintenance" (PODC 1987) — rumor mongering by push,
//! pull and push-pull, loss of interest, anti-entropy ([`Gossip`],
//! `"gossip"`). See docs/protocols/gossip.md.

pub mod gossip;
pub mod gossip_checker;
pub mod gossip_msg;

pub use gossip::{Gossip, GossipStable, GossipView};
pub use gossip_checker::GossipChecker;
pub use gossip_msg::{GossipMsg, GossipParams, GossipTimer, Mode};

use crate::registry::Entry;

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![Entry::of::<Gossip>("epidemic").checker::<GossipChecker>().done()]
}
