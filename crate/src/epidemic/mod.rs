//! Epidemic protocols: gossip after Demers et al., "Epidemic Algorithms for
//! Replicated Database Maintenance" (PODC 1987) — rumor mongering by push,
//! pull and push-pull, loss of interest, anti-entropy ([`Gossip`],
//! `"gossip"`), and the Maelstrom broadcast workload over a fixed topology
//! with batching and retries ([`Broadcast`], `"broadcast"`), and SWIM's
//! membership and failure detection, which spreads its updates the same
//! infection-style way (Das, Gupta, Motivala, DSN 2002; [`Swim`],
//! `"swim"`). See docs/protocols/gossip.md, docs/protocols/broadcast.md and
//! docs/protocols/swim.md.

pub mod broadcast;
pub mod gossip;
pub mod gossip_checker;
pub mod gossip_msg;
pub mod swim;
pub mod swim_check;
pub mod swim_msg;

pub use gossip::{Gossip, GossipStable, GossipView};
pub use broadcast::{Broadcast, BroadcastMsg, BroadcastParams, BroadcastStable};
pub use gossip_checker::{GossipChecker, SpreadChecker, Spreading};
pub use gossip_msg::{GossipMsg, GossipParams, GossipTimer, Mode};
pub use swim::{MemberView, Swim, SwimStable, SwimView};
pub use swim_check::SwimChecker;
pub use swim_msg::{State, SwimMsg, SwimParams, Update};

use crate::registry::Entry;

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![
        Entry::of::<Gossip>("epidemic").checker::<GossipChecker>().done(),
        Entry::of::<Broadcast>("epidemic").checker::<SpreadChecker<Broadcast>>().done(),
        Entry::of::<Swim>("epidemic").checker::<SwimChecker>().done(),
    ]
}
