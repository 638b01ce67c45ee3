//! Zab's vocabulary: zxids and transactions, the messages ZooKeeper's
//! implementation exchanges (named as its packets are: FOLLOWERINFO,
//! LEADERINFO, ACKEPOCH, DIFF, TRUNC, SNAP, NEWLEADER, ACK, UPTODATE,
//! PROPOSAL, COMMIT, PING, REQUEST, and Fast Leader Election's
//! Notification), its timers and its parameters.

use std::rc::Rc;

use serde::{Serialize, Serializer};

use crate::params::ParamReader;
use crate::protocol::{ClientOp, Message, NodeId, Params, Time, TimerName, Value};
use crate::scenario::ScenarioError;

/// A transaction id: (epoch, counter), ordered epoch first (Zab §III: the
/// zxid's high 32 bits are the epoch, the low 32 a counter). Written `[e, c]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Zxid(pub u64, pub u64);

impl Zxid {
    pub const ZERO: Zxid = Zxid(0, 0);
    pub fn epoch(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for Zxid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// One transaction of the history: its zxid, its value, and the client
/// operation it carries (answered by the server the client contacted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    pub zxid: Zxid,
    pub value: Value,
    pub op: Option<Rc<ClientOp>>,
    /// The server the client handed it to (it answers the client).
    pub origin: NodeId,
}

impl Serialize for Txn {
    /// `{ "zxid": [epoch, counter], "value" }`, the scenario format's shape.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Txn", 2)?;
        st.serialize_field("zxid", &self.zxid)?;
        st.serialize_field("value", &*self.value)?;
        st.end()
    }
}

/// The last zxid of a history ((0, 0) when empty).
pub fn last_zxid(h: &[Txn]) -> Zxid {
    h.last().map_or(Zxid::ZERO, |t| t.zxid)
}

/// A server's state as Fast Leader Election names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeerState {
    Looking,
    Following,
    Leading,
}

impl PeerState {
    pub fn name(self) -> &'static str {
        match self {
            PeerState::Looking => "looking",
            PeerState::Following => "following",
            PeerState::Leading => "leading",
        }
    }
}

/// A vote: the proposed leader, its last zxid and its epoch (peerEpoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Vote {
    pub leader: NodeId,
    pub zxid: Zxid,
    pub peer_epoch: u64,
}

/// What the leader sends a follower inside their connection (see
/// [`ZabMsg::Leader`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "packet")]
pub enum LeaderPacket {
    /// Discovery: the new epoch (Zab's NEWEPOCH).
    LeaderInfo { epoch: u64 },
    /// Synchronization: the transactions after the follower's last zxid.
    Diff { txns: Vec<Txn> },
    /// Synchronization: drop everything after `to`, then take `txns`.
    Trunc { to: Zxid, txns: Vec<Txn> },
    /// Synchronization: the follower is too far behind; here is the leader's
    /// whole history in its place.
    Snap { txns: Vec<Txn> },
    /// The follower now has the leader's initial history: acknowledge it.
    NewLeader { epoch: u64 },
    /// A quorum acknowledged NEWLEADER: the initial history is committed
    /// through `committed`; serve clients.
    UpToDate { committed: Zxid },
    Proposal { txn: Txn },
    Commit { zxid: Zxid },
    Ping,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum ZabMsg {
    /// Fast Leader Election: (leader, zxid, electionEpoch, peerEpoch, state, sid).
    Notification { vote: Vote, election_epoch: u64, state: PeerState, sid: NodeId },
    /// Discovery: a follower connects, with its acceptedEpoch and last zxid.
    FollowerInfo { session: u64, accepted_epoch: u64, last_zxid: Zxid },
    /// Discovery: the follower accepts the new epoch, with its currentEpoch
    /// and last zxid (Zab's ACK-E). `fresh` is false when the epoch equals
    /// the acceptedEpoch it already had (ZooKeeper sends -1 then): it may
    /// rejoin that epoch, but it does not count toward fixing it.
    AckEpoch { session: u64, current_epoch: u64, last_zxid: Zxid, fresh: bool },
    /// Acknowledges NEWLEADER (`zxid` = (epoch, 0)) or a PROPOSAL.
    Ack { session: u64, zxid: Zxid },
    /// A follower's answer to the leader's PING.
    FollowerPing { session: u64, last_zxid: Zxid },
    /// A follower forwards a client's write to the leader.
    Request { value: Value, op: Option<Rc<ClientOp>>, origin: NodeId },
    /// The leader's side of a connection. ZooKeeper runs each
    /// leader–follower connection over TCP; `seq` numbers the packets so the
    /// follower reads them in order, and a gap (a lost packet) stalls the
    /// connection as a broken socket would.
    Leader { session: u64, seq: u64, packet: LeaderPacket },
}

impl Message for ZabMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZabMsg::Notification { .. } => "Notification",
            ZabMsg::FollowerInfo { .. } => "FOLLOWERINFO",
            ZabMsg::AckEpoch { .. } => "ACKEPOCH",
            ZabMsg::Ack { .. } => "ACK",
            ZabMsg::FollowerPing { .. } => "PING",
            ZabMsg::Request { .. } => "REQUEST",
            ZabMsg::Leader { packet, .. } => match packet {
                LeaderPacket::LeaderInfo { .. } => "LEADERINFO",
                LeaderPacket::Diff { .. } => "DIFF",
                LeaderPacket::Trunc { .. } => "TRUNC",
                LeaderPacket::Snap { .. } => "SNAP",
                LeaderPacket::NewLeader { .. } => "NEWLEADER",
                LeaderPacket::UpToDate { .. } => "UPTODATE",
                LeaderPacket::Proposal { .. } => "PROPOSAL",
                LeaderPacket::Commit { .. } => "COMMIT",
                LeaderPacket::Ping => "PING",
            },
        }
    }

    /// ZooKeeper queues election notifications one per peer
    /// (`QuorumCnxManager`'s send queue of capacity one drops the older
    /// message for the newer), so a server that changes its vote fast sends
    /// its latest vote, not every vote it held: without that, the old
    /// non-transitive vote order (ZOOKEEPER-1419) multiplies notifications
    /// without bound.
    fn latest_only(&self) -> bool {
        matches!(self, ZabMsg::Notification { .. })
    }

    fn label(&self) -> String {
        match self {
            ZabMsg::Notification { vote, election_epoch, .. } => {
                format!("vote n{} e{} z{} r{election_epoch}", vote.leader, vote.peer_epoch, vote.zxid)
            }
            ZabMsg::FollowerInfo { accepted_epoch, .. } => format!("FOLLOWERINFO a{accepted_epoch}"),
            ZabMsg::AckEpoch { current_epoch, last_zxid, fresh: true, .. } => {
                format!("ACKEPOCH c{current_epoch} z{last_zxid}")
            }
            ZabMsg::AckEpoch { last_zxid, .. } => format!("ACKEPOCH (had it) z{last_zxid}"),
            ZabMsg::Ack { zxid, .. } => format!("ACK {zxid}"),
            ZabMsg::FollowerPing { .. } => "PING".into(),
            ZabMsg::Request { value, .. } => format!("REQUEST {value}"),
            ZabMsg::Leader { packet, .. } => match packet {
                LeaderPacket::LeaderInfo { epoch } => format!("LEADERINFO e{epoch}"),
                LeaderPacket::Diff { txns } => format!("DIFF +{}", txns.len()),
                LeaderPacket::Trunc { to, txns } => format!("TRUNC to {to} +{}", txns.len()),
                LeaderPacket::Snap { txns } => format!("SNAP {}", txns.len()),
                LeaderPacket::NewLeader { epoch } => format!("NEWLEADER e{epoch}"),
                LeaderPacket::UpToDate { committed } => format!("UPTODATE {committed}"),
                LeaderPacket::Proposal { txn } => format!("PROPOSAL {}", txn.zxid),
                LeaderPacket::Commit { zxid } => format!("COMMIT {zxid}"),
                LeaderPacket::Ping => "PING".into(),
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ZabTimer {
    /// Fast Leader Election: no notification for a while, send ours again.
    Notify,
    /// Fast Leader Election: a quorum agrees; decide unless a better vote
    /// arrives within finalizeWait.
    Finalize,
    /// A follower in discovery sends FOLLOWERINFO again until LEADERINFO comes.
    Connect,
    /// Discovery and synchronization must finish within initLimit.
    Init,
    /// A follower that hears nothing from its leader for syncLimit gives up.
    Watchdog,
    /// The leader's tick: PING every follower, check it still has a quorum.
    Tick,
}

impl TimerName for ZabTimer {
    fn name(&self) -> &'static str {
        match self {
            ZabTimer::Notify => "notify",
            ZabTimer::Finalize => "finalize",
            ZabTimer::Connect => "connect",
            ZabTimer::Init => "init",
            ZabTimer::Watchdog => "watchdog",
            ZabTimer::Tick => "tick",
        }
    }
}

/// `params` for `zab`; see docs/protocols/zab.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ZabParams {
    /// Fast Leader Election's finalizeWait: a quorum for one vote decides
    /// once no better vote arrives within this time (ZooKeeper: 200 ms).
    pub finalize_wait_ms: Time,
    /// The first wait before notifications are sent again; it doubles up to
    /// `max_notification_interval_ms`.
    pub notification_timeout_ms: Time,
    pub max_notification_interval_ms: Time,
    /// The leader's tick: how often it PINGs followers.
    pub tick_ms: Time,
    /// Discovery and synchronization must finish within this (initLimit).
    pub init_limit_ms: Time,
    /// A follower (or a quorum of them, for the leader) silent this long
    /// ends the connection (syncLimit).
    pub sync_limit_ms: Time,
    /// The leader sends SNAP instead of DIFF when the follower lacks more than
    /// this many transactions (ZooKeeper keeps only a window of committed
    /// transactions in memory).
    pub snap_threshold: u64,
    /// ZOOKEEPER-1419: the old, non-transitive vote comparison.
    pub unsafe_vote_order: bool,
    /// ZOOKEEPER-3911: a follower acknowledges NEWLEADER before the synced
    /// transactions are on disk (they are written at UPTODATE).
    pub unsafe_ack_before_persist: bool,
}

impl Default for ZabParams {
    fn default() -> Self {
        ZabParams {
            finalize_wait_ms: 200,
            notification_timeout_ms: 200,
            max_notification_interval_ms: 1_600,
            tick_ms: 100,
            init_limit_ms: 1_000,
            sync_limit_ms: 500,
            snap_threshold: 50,
            unsafe_vote_order: false,
            unsafe_ack_before_persist: false,
        }
    }
}

impl Params for ZabParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field(
            "finalize_wait_ms",
            "Fast Leader Election decides once no better vote arrives within this (finalizeWait)",
            &mut self.finalize_wait_ms,
        )?;
        r.field(
            "notification_timeout_ms",
            "a looking server that hears nothing this long sends its vote again (the wait then doubles)",
            &mut self.notification_timeout_ms,
        )?;
        r.field(
            "max_notification_interval_ms",
            "the longest wait between a looking server's notifications",
            &mut self.max_notification_interval_ms,
        )?;
        r.field("tick_ms", "how often the leader PINGs its followers (tickTime)", &mut self.tick_ms)?;
        r.field(
            "init_limit_ms",
            "discovery and synchronization must finish within this (initLimit)",
            &mut self.init_limit_ms,
        )?;
        r.field(
            "sync_limit_ms",
            "a follower that hears nothing from its leader this long, or a leader without a quorum for this long, returns to election (syncLimit)",
            &mut self.sync_limit_ms,
        )?;
        r.field(
            "snap_threshold",
            "the leader sends SNAP rather than DIFF to a follower lacking more than this many transactions",
            &mut self.snap_threshold,
        )?;
        r.field(
            "unsafe_vote_order",
            "deliberately wrong (ZOOKEEPER-1419): the old vote comparison, which is not transitive",
            &mut self.unsafe_vote_order,
        )?;
        r.field(
            "unsafe_ack_before_persist",
            "deliberately wrong (ZOOKEEPER-3911): followers acknowledge NEWLEADER before writing the synced transactions",
            &mut self.unsafe_ack_before_persist,
        )?;
        Ok(())
    }

    fn validate(&self, _nodes: usize) -> Result<(), String> {
        let ms = |name: &str, v: Time| {
            if v == 0 || v > 600_000 { Err(format!("{name} must be between 1 and 600000")) } else { Ok(()) }
        };
        ms("finalize_wait_ms", self.finalize_wait_ms)?;
        ms("notification_timeout_ms", self.notification_timeout_ms)?;
        ms("max_notification_interval_ms", self.max_notification_interval_ms)?;
        ms("tick_ms", self.tick_ms)?;
        ms("init_limit_ms", self.init_limit_ms)?;
        ms("sync_limit_ms", self.sync_limit_ms)?;
        if self.max_notification_interval_ms < self.notification_timeout_ms {
            return Err("max_notification_interval_ms must be at least notification_timeout_ms".into());
        }
        if self.sync_limit_ms <= self.tick_ms {
            return Err("sync_limit_ms must be longer than tick_ms".into());
        }
        Ok(())
    }
}
