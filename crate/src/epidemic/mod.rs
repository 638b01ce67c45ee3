//! Epidemic protocols: gossip after Demers et al., "Epidemic Algorithms for
//! Replicated Database Maintenance" (PODC 1987) — rumor mongering by push,
//! pull and push-pull, loss of interest, anti-entropy ([`Gossip`],
//! `"gossip"`), and the Maelstrom broadcast workload over a fixed topology
//! with batching and retries ([`Broadcast`], `"broadcast"`). See
//! docs/protocols/gossip.md and docs/protocols/broadcast.md.

pub mod broadcast;
pub mod gossip;
pub mod gossip_checker;
pub mod gossip_msg;

pub use gossip::{Gossip, GossipStable, GossipView};
pub use broadcast::{Broadcast, BroadcastMsg, BroadcastParams, BroadcastStable};
pub use gossip_checker::{GossipChecker, SpreadChecker, Spreading};
pub use gossip_msg::{GossipMsg, GossipParams, GossipTimer, Mode};

use crate::registry::Entry;

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![
        Entry::of::<Gossip>("epidemic").checker::<GossipChecker>().done(),
        Entry::of::<Broadcast>("epidemic").checker::<SpreadChecker<Broadcast>>().done(),
    ]
}
