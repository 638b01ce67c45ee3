//! Zab, ZooKeeper's atomic broadcast: Junqueira, Reed & Serafini, "Zab:
//! High-performance broadcast for primary-backup systems" (DSN 2011),
//! Medeiros, "ZooKeeper's atomic broadcast protocol: Theory and practice"
//! (2012), and ZooKeeper's implementation, whose packet names we use.
//!
//! A server is looking, following or leading. Looking servers run Fast
//! Leader Election ([`election`]): each sends a notification with its vote,
//! adopts any better vote it hears (higher peer epoch, then higher zxid, then
//! higher server id) and decides once a quorum agrees and no better vote
//! arrives within finalizeWait. Then the three phases of Zab run over each
//! leader–follower connection ([`leader`], [`follower`]):
//! - discovery: FOLLOWERINFO(acceptedEpoch) from a quorum; the leader picks
//!   an epoch above all of them and sends LEADERINFO; a follower accepts only
//!   an epoch above its acceptedEpoch and answers ACKEPOCH;
//! - synchronization: the leader brings each follower to its own history with
//!   DIFF, TRUNC or SNAP, chosen from the follower's last zxid, then
//!   NEWLEADER; once a quorum ACKs it, the history is committed and UPTODATE
//!   goes out;
//! - broadcast: PROPOSAL, ACK from a quorum, COMMIT, strictly in zxid order.
//!
//! acceptedEpoch, currentEpoch and the history persist across crashes
//! ([`Persistent`]); the rest is volatile. Committed transactions are applied
//! in order to a key-value store; followers forward client operations to the
//! leader (reads too, so that they are linearizable, as ZooKeeper's `sync`
//! then read is), and the server the client contacted answers it.

pub mod election;
pub mod follower;
pub mod invariants;
pub mod leader;
pub mod msg;
mod view;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::kv::Store;
use crate::protocol::{ClientOp, ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::registry::Entry as RegistryEntry;
use crate::spec::{Doc, Layout, Spec, Variant};
pub use invariants::ZabChecker;
use leader::Learner;
pub use msg::{LeaderPacket, PeerState, Txn, Vote, ZabMsg, ZabParams, ZabTimer, Zxid, last_zxid};
pub use view::ZabView;

/// The family's protocols for the registry.
pub fn registry() -> Vec<RegistryEntry> {
    vec![RegistryEntry::of::<Zab>("zab").checker::<ZabChecker>().done()]
}

/// What a server keeps on disk (Zab §III: acceptedEpoch, currentEpoch and
/// the history).
#[derive(Clone, Debug, Default)]
pub struct Persistent {
    pub accepted_epoch: u64,
    pub current_epoch: u64,
    pub history: Vec<Txn>,
}

/// Where a server is in Zab's phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Election,
    Discovery,
    Synchronization,
    Broadcast,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Election => "election",
            Phase::Discovery => "discovery",
            Phase::Synchronization => "synchronization",
            Phase::Broadcast => "broadcast",
        }
    }
}

/// One ZooKeeper server.
#[derive(Clone, Debug)]
pub struct Zab {
    id: NodeId,
    n: usize,
    params: ZabParams,
    ps: Persistent,
    state: PeerState,
    phase: Phase,
    leader: Option<NodeId>,
    // Fast Leader Election.
    logical_clock: u64,
    proposal: Vote,
    recv: BTreeMap<NodeId, Vote>,
    out_of_election: BTreeMap<NodeId, (Vote, u64, PeerState)>,
    not_timeout: u64,
    finalizing: bool,
    // Follower: its connection to the leader.
    session: u64,
    sessions: u64,
    expect_seq: u64,
    buffer: BTreeMap<u64, LeaderPacket>,
    got_leader_info: bool,
    got_new_leader: bool,
    /// ZOOKEEPER-3911: the synced history, in memory until UPTODATE.
    staged: Option<Vec<Txn>>,
    // Leader.
    learners: BTreeMap<NodeId, Learner>,
    new_epoch: Option<u64>,
    epoch_quorum: bool,
    established: bool,
    // Everyone: how much of the history is committed and applied.
    committed: usize,
    applied: usize,
    kv: Store,
}

impl Zab {
    pub fn state(&self) -> PeerState {
        self.state
    }
    pub fn phase(&self) -> Phase {
        self.phase
    }
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    pub fn accepted_epoch(&self) -> u64 {
        self.ps.accepted_epoch
    }
    pub fn current_epoch(&self) -> u64 {
        self.ps.current_epoch
    }
    /// The history this server works with (in memory, which is the disk's
    /// but for ZOOKEEPER-3911's unwritten sync).
    pub fn history(&self) -> &[Txn] {
        self.staged.as_deref().unwrap_or(&self.ps.history)
    }
    /// How many transactions of the history are committed.
    pub fn committed(&self) -> usize {
        self.committed
    }
    pub fn last_committed(&self) -> Option<Zxid> {
        self.committed.checked_sub(1).and_then(|i| self.history().get(i)).map(|t| t.zxid)
    }
    /// The vote this server proposes (looking) or decided on.
    pub fn vote(&self) -> Vote {
        self.proposal
    }
    pub fn election_epoch(&self) -> u64 {
        self.logical_clock
    }
    pub fn kv(&self) -> &Store {
        &self.kv
    }
    /// Leading, with its epoch established (a quorum acknowledged NEWLEADER).
    pub fn is_established_leader(&self) -> bool {
        self.state == PeerState::Leading && self.established
    }

    fn majority(&self) -> usize {
        crate::base::quorum::majority(self.n)
    }

    fn history_mut(&mut self) -> &mut Vec<Txn> {
        match &mut self.staged {
            Some(h) => h,
            None => &mut self.ps.history,
        }
    }

    /// Commits the history through index `upto` (exclusive) and applies it.
    fn commit_through(&mut self, upto: usize, out: &mut Out<Self>) {
        let upto = upto.min(self.history().len());
        if upto > self.committed {
            self.committed = upto;
        }
        while self.applied < self.committed {
            let Some(t) = self.history().get(self.applied) else { break };
            let (op, origin, value) = (t.op.clone(), t.origin, t.value.clone());
            self.applied += 1;
            match op {
                Some(op) => {
                    let result = self.kv.apply(&op.op);
                    if origin == self.id {
                        out.reply(op.id, result);
                    }
                }
                None => self.kv.apply_assignment(&value),
            }
        }
    }

    /// After the history changed below `keep` (the length of the part that
    /// stayed), committed and applied state beyond it is void.
    fn history_cut(&mut self, keep: usize) {
        self.committed = self.committed.min(keep);
        if self.applied > keep {
            self.applied = 0;
            self.kv = Store::new();
        }
    }

    /// Client writes and reads go to the leader as a transaction.
    fn submit(&mut self, cx: &mut Ctx, value: Value, op: Option<Rc<ClientOp>>, out: &mut Out<Self>) -> ClientReply {
        match (self.state, self.phase) {
            (PeerState::Leading, Phase::Broadcast) => {
                self.propose(cx, value, op, self.id, out);
                ClientReply::Accepted
            }
            (PeerState::Following, Phase::Broadcast) => {
                if let Some(l) = self.leader {
                    out.note(|| format!("forwards {value} to leader n{l}"));
                    out.send(l, ZabMsg::Request { value, op, origin: self.id });
                }
                ClientReply::Accepted
            }
            _ => ClientReply::Redirect(None),
        }
    }
}

impl Protocol for Zab {
    const NAME: &'static str = "zab";
    const NODES: std::ops::RangeInclusive<usize> = 1..=15;
    const DEFAULT_NODES: usize = 5;

    type Params = ZabParams;
    type Msg = ZabMsg;
    type Timer = ZabTimer;
    type Stable = Persistent;
    type View = ZabView;

    fn spec() -> Spec {
        Spec {
            summary: "ZooKeeper's atomic broadcast: an elected leader orders every transaction by zxid, and each new epoch first brings a quorum to the leader's history.",
            reference: "Junqueira, Reed & Serafini, Zab: High-performance broadcast for primary-backup systems (DSN 2011); Medeiros, ZooKeeper's atomic broadcast protocol: Theory and practice (2012); ZooKeeper's FastLeaderElection, Leader and Learner",
            kinds: &[
                Doc {
                    name: "Notification",
                    doc: "Fast Leader Election: a server's vote (leader, zxid, peer epoch), its election epoch and state",
                },
                Doc { name: "FOLLOWERINFO", doc: "discovery: a follower connects with its acceptedEpoch and last zxid" },
                Doc { name: "LEADERINFO", doc: "discovery: the leader's new epoch, above every acceptedEpoch it heard" },
                Doc { name: "ACKEPOCH", doc: "discovery: the follower accepts the epoch, with its currentEpoch and last zxid" },
                Doc { name: "DIFF", doc: "synchronization: the transactions the follower lacks" },
                Doc { name: "TRUNC", doc: "synchronization: drop transactions after a zxid the leader has, then take its own" },
                Doc { name: "SNAP", doc: "synchronization: the follower is too far behind; the leader's whole state instead" },
                Doc { name: "NEWLEADER", doc: "synchronization done: acknowledge the leader's history for the new epoch" },
                Doc { name: "UPTODATE", doc: "a quorum acknowledged NEWLEADER: the history is committed; serve clients" },
                Doc { name: "PROPOSAL", doc: "broadcast: a new transaction with the next zxid" },
                Doc { name: "ACK", doc: "the follower has logged the proposal (or the NEWLEADER history)" },
                Doc { name: "COMMIT", doc: "a quorum logged the proposal: deliver it (always in zxid order)" },
                Doc { name: "PING", doc: "the leader's tick and the follower's answer: both are alive" },
                Doc { name: "REQUEST", doc: "a follower forwards a client's operation to the leader" },
            ],
            variants: &[
                Variant {
                    name: "zookeeper-1419",
                    doc: "the old vote comparison, which is not transitive: a 5-node election can flip between two votes forever",
                    params: r#"{"unsafe_vote_order": true}"#,
                },
                Variant {
                    name: "zookeeper-3911",
                    doc: "followers ACK NEWLEADER before writing the synced transactions: a whole-quorum crash loses a committed transaction",
                    params: r#"{"unsafe_ack_before_persist": true}"#,
                },
            ],
            fields: &["state", "phase", "accepted_epoch", "current_epoch", "last_committed", "leader"],
            clients: true,
            layout: Layout::Ring,
            liveness: "after the network heals, a leader establishes its epoch with a quorum of followers in broadcast",
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &ZabParams, stable: Option<Persistent>) -> Self {
        let ps = stable.unwrap_or_default();
        let proposal = Vote { leader: id, zxid: last_zxid(&ps.history), peer_epoch: ps.current_epoch };
        Zab {
            id,
            n,
            params: params.clone(),
            ps,
            state: PeerState::Looking,
            phase: Phase::Election,
            leader: None,
            logical_clock: 0,
            proposal,
            recv: BTreeMap::new(),
            out_of_election: BTreeMap::new(),
            not_timeout: params.notification_timeout_ms,
            finalizing: false,
            session: 0,
            sessions: 0,
            expect_seq: 0,
            buffer: BTreeMap::new(),
            got_leader_info: false,
            got_new_leader: false,
            staged: None,
            learners: BTreeMap::new(),
            new_epoch: None,
            epoch_quorum: false,
            established: false,
            committed: 0,
            applied: 0,
            kv: Store::new(),
        }
    }

    fn crash(self) -> Persistent {
        self.ps
    }

    fn stable(&self) -> &Persistent {
        &self.ps
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.start_looking(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: ZabMsg, out: &mut Out<Self>) {
        if from >= self.n || from == self.id {
            return;
        }
        match msg {
            ZabMsg::Notification { vote, election_epoch, state, sid } if sid == from => {
                self.on_notification(cx, from, (vote, election_epoch, state), out)
            }
            ZabMsg::Notification { .. } => {}
            ZabMsg::FollowerInfo { session, accepted_epoch, last_zxid } => {
                self.on_follower_info(cx, from, session, accepted_epoch, last_zxid, out)
            }
            ZabMsg::AckEpoch { session, current_epoch, last_zxid, fresh } => {
                self.on_ack_epoch(cx, from, session, (current_epoch, last_zxid), fresh, out)
            }
            ZabMsg::Ack { session, zxid } => self.on_ack(cx, from, session, zxid, out),
            ZabMsg::FollowerPing { session, .. } => self.heard(cx, from, session),
            ZabMsg::Request { value, op, origin } => self.on_request(cx, value, op, origin, out),
            ZabMsg::Leader { session, seq, packet } => self.on_leader_packet(cx, from, session, seq, packet, out),
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: ZabTimer, out: &mut Out<Self>) {
        match timer {
            ZabTimer::Notify => self.on_notify_timer(cx, out),
            ZabTimer::Finalize => self.on_finalize(cx, out),
            ZabTimer::Connect => self.on_connect_timer(cx, out),
            ZabTimer::Init => self.on_init_limit(cx, out),
            ZabTimer::Watchdog => self.on_watchdog(cx, out),
            ZabTimer::Tick => self.on_tick(cx, out),
        }
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        self.submit(cx, value, None, out)
    }

    fn on_client_op(&mut self, cx: &mut Ctx, op: Rc<ClientOp>, out: &mut Out<Self>) -> ClientReply {
        let value = Value::from(format!("op {}: {}", op.id, op.op.describe()));
        self.submit(cx, value, Some(op), out)
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.kv)
    }

    /// Looking: notify again now; following: give up on the leader;
    /// leading: tick now.
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        match self.state {
            PeerState::Looking => self.on_notify_timer(cx, out),
            PeerState::Following => {
                out.note(|| "gives up on its leader (timeout)".to_string());
                self.start_looking(cx, out);
            }
            PeerState::Leading => self.on_tick(cx, out),
        }
        true
    }

    fn view(&self) -> ZabView {
        ZabView::of(self)
    }

    fn view_down(_id: NodeId, s: &Persistent) -> ZabView {
        ZabView::down(s)
    }
}
