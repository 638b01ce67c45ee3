//! `quorum-kv` on the wire: its messages, timers and `params`.

use std::rc::Rc;

use serde::Serialize;

use super::vclock::{Version, clock_text, latest};
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, ScenarioError, Time, TimerName};

/// `params` for `quorum-kv`; see docs/protocols/quorum-kv.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuorumParams {
    /// N: replicas per key (the first N distinct nodes clockwise).
    pub n: u64,
    /// R: replies a read (and a write's version query) waits for.
    pub r: u64,
    /// W: acknowledgements a write waits for.
    pub w: u64,
    /// Virtual nodes per physical node on the ring.
    pub tokens: u64,
    /// ABD: a read writes the version it returns back to W replicas first.
    pub read_write_back: bool,
    /// After answering a read, bring stale replicas up to date.
    pub read_repair: bool,
    /// Sloppy quorum: stand-ins further along the ring take the place of
    /// replicas that do not answer, keeping a hint for them.
    pub sloppy_quorum: bool,
    /// How long a coordinator waits before asking again (and, sloppy,
    /// before asking stand-ins).
    pub retry_ms: Time,
    /// A coordinator gives an operation up after this long.
    pub request_timeout_ms: Time,
    /// How often a stand-in tries to hand its hints to their replicas.
    pub handoff_ms: Time,
    /// How often a node syncs its keys with a random peer; 0 turns
    /// anti-entropy off.
    pub anti_entropy_ms: Time,
}

impl Default for QuorumParams {
    fn default() -> Self {
        QuorumParams {
            n: 3,
            r: 2,
            w: 2,
            tokens: 8,
            read_write_back: false,
            read_repair: true,
            sloppy_quorum: false,
            retry_ms: 80,
            request_timeout_ms: 600,
            handoff_ms: 200,
            anti_entropy_ms: 1_000,
        }
    }
}

impl Params for QuorumParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("n", "N: replicas per key, the first N distinct nodes clockwise from the key on the ring (every node when the cluster is smaller; R and W are capped likewise).", &mut self.n)?;
        r.field("r", "R: replies a read (and a write's version query) waits for; R + W > N makes every read quorum meet every write quorum.", &mut self.r)?;
        r.field("w", "W: acknowledgements a write waits for.", &mut self.w)?;
        r.field("tokens", "Virtual nodes per physical node on the ring.", &mut self.tokens)?;
        r.field("read_write_back", "ABD: a read writes the version it returns back to W replicas before answering (linearizable with R + W > N).", &mut self.read_write_back)?;
        r.field("read_repair", "After a read, the coordinator sends the latest versions to the replicas that answered with older ones.", &mut self.read_repair)?;
        r.field("sloppy_quorum", "Sloppy quorum: nodes further along the ring stand in for replicas that do not answer, keeping a hint to hand the data over later.", &mut self.sloppy_quorum)?;
        r.field("retry_ms", "How long a coordinator waits before asking again (and, with a sloppy quorum, before asking stand-ins).", &mut self.retry_ms)?;
        r.field("request_timeout_ms", "A coordinator gives an operation up after this long (the client sees no answer).", &mut self.request_timeout_ms)?;
        r.field("handoff_ms", "How often a stand-in tries to hand its hints to the replicas they are for.", &mut self.handoff_ms)?;
        r.field("anti_entropy_ms", "How often a node compares its keys with a random peer and both take the newer versions; 0 turns anti-entropy off.", &mut self.anti_entropy_ms)?;
        Ok(())
    }
    fn validate(&self, _nodes: usize) -> Result<(), String> {
        if self.n == 0 || self.n > 25 {
            return Err(format!("n must be between 1 and 25 (got {}); a smaller cluster replicates on every node", self.n));
        }
        if self.r == 0 || self.r > self.n {
            return Err(format!("r must be between 1 and n = {} (got {})", self.n, self.r));
        }
        if self.w == 0 || self.w > self.n {
            return Err(format!("w must be between 1 and n = {} (got {})", self.n, self.w));
        }
        if self.tokens == 0 || self.tokens > super::hashing::MAX_TOKENS {
            return Err(format!("tokens must be between 1 and {} (got {})", super::hashing::MAX_TOKENS, self.tokens));
        }
        for (name, v, min) in [
            ("retry_ms", self.retry_ms, 1),
            ("request_timeout_ms", self.request_timeout_ms, 1),
            ("handoff_ms", self.handoff_ms, 1),
            ("anti_entropy_ms", self.anti_entropy_ms, 0),
        ] {
            if v < min || v > 600_000 {
                return Err(format!("{name} must be between {min} and 600000 (got {v})"));
            }
        }
        Ok(())
    }
}

/// A key's versions, as messages carry them.
pub type Entry = (Rc<str>, Vec<Version>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum QuorumMsg {
    /// The coordinator of operation `op` asks a replica for its versions.
    Get { op: u64, key: Rc<str> },
    /// A replica's versions of the key (a stand-in adds its hinted ones).
    GetReply { op: u64, versions: Vec<Version> },
    /// Store these versions; `hint` names the replica a stand-in keeps them for.
    Put { op: u64, key: Rc<str>, versions: Vec<Version>, hint: Option<NodeId> },
    /// The versions are stored.
    PutAck { op: u64 },
    /// Read repair: newer versions for a replica that answered with old ones.
    Repair { key: Rc<str>, versions: Vec<Version> },
    /// Hinted handoff: a stand-in hands over what it kept for this replica.
    Handoff { key: Rc<str>, versions: Vec<Version> },
    /// The replica stored the handed-over versions; the hint can go.
    HandoffAck { key: Rc<str>, versions: Vec<Version> },
    /// Anti-entropy: the sender's versions of the keys both replicate;
    /// `reply` asks for the receiver's in return.
    Sync { entries: Vec<Entry>, reply: bool },
}

fn top(versions: &[Version]) -> String {
    match (latest(versions), versions.len()) {
        (None, _) => "∅".to_string(),
        (Some(v), 1) => format!("{}{}", crate::base::text::clip(&v.value, 6), clock_text(&v.clock)),
        (Some(_), k) => format!("{k} siblings"),
    }
}

impl Message for QuorumMsg {
    fn kind(&self) -> &'static str {
        match self {
            QuorumMsg::Get { .. } => "Get",
            QuorumMsg::GetReply { .. } => "GetReply",
            QuorumMsg::Put { hint: None, .. } => "Put",
            QuorumMsg::Put { hint: Some(_), .. } => "HintedPut",
            QuorumMsg::PutAck { .. } => "PutAck",
            QuorumMsg::Repair { .. } => "Repair",
            QuorumMsg::Handoff { .. } => "Handoff",
            QuorumMsg::HandoffAck { .. } => "HandoffAck",
            QuorumMsg::Sync { .. } => "Sync",
        }
    }
    fn label(&self) -> String {
        let k = |key: &str| crate::base::text::clip(key, 6);
        match self {
            QuorumMsg::Get { key, .. } => format!("get {}", k(key)),
            QuorumMsg::GetReply { versions, .. } => format!("have {}", top(versions)),
            QuorumMsg::Put { key, versions, hint: None, .. } => format!("put {}={}", k(key), top(versions)),
            QuorumMsg::Put { key, versions, hint: Some(h), .. } => {
                format!("put {}={} for n{h}", k(key), top(versions))
            }
            QuorumMsg::PutAck { .. } => "stored".to_string(),
            QuorumMsg::Repair { key, versions } => format!("repair {}={}", k(key), top(versions)),
            QuorumMsg::Handoff { key, versions } => format!("handoff {}={}", k(key), top(versions)),
            QuorumMsg::HandoffAck { key, .. } => format!("took {}", k(key)),
            QuorumMsg::Sync { entries, reply } => {
                format!("sync {} key{}{}", entries.len(), if entries.len() == 1 { "" } else { "s" }, if *reply { "?" } else { "" })
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum QuorumTimer {
    /// Operation `op` waits for replies: ask again, or give up.
    Retry(u64),
    /// Try to hand hints to their replicas.
    Handoff,
    /// Sync with a random peer.
    AntiEntropy,
}

impl TimerName for QuorumTimer {
    fn name(&self) -> &'static str {
        match self {
            QuorumTimer::Retry(_) => "retry",
            QuorumTimer::Handoff => "handoff",
            QuorumTimer::AntiEntropy => "anti_entropy",
        }
    }
}
