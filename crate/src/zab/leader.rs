//! The leader's side of Zab's three phases, as ZooKeeper's `Leader` and
//! `LearnerHandler` run them (Zab §IV-A; Medeiros 2012, "Discovery",
//! "Synchronization", "Broadcast").
//!
//! - Discovery (`getEpochToPropose`): once FOLLOWERINFO has come from a
//!   quorum (counting itself), the new epoch is one above every
//!   acceptedEpoch heard; LEADERINFO carries it. A quorum of ACKEPOCH follows
//!   (`waitForEpochAck`); a follower more recent than the leader (by
//!   currentEpoch, then last zxid) ends the attempt. The leader then sets its
//!   currentEpoch.
//! - Synchronization (`syncFollower`): from the follower's last zxid the
//!   leader chooses DIFF (the follower's last zxid is in its history: send
//!   what follows), TRUNC (the follower has transactions the leader does not:
//!   cut back to the last zxid they share, then send the rest) or SNAP (the
//!   follower lacks more than `snap_threshold` transactions), then NEWLEADER.
//!   A quorum of ACKs (`waitForNewLeaderAck`) establishes the epoch: the
//!   leader's history is committed and UPTODATE goes to every synced follower.
//! - Broadcast: a transaction gets the next zxid and goes out as PROPOSAL;
//!   once a quorum has logged it (ACK) it is committed, and COMMITs go out in
//!   zxid order. The leader PINGs each tick and steps down without a quorum
//!   heard from within syncLimit.

use std::rc::Rc;

use super::msg::{LeaderPacket, Txn, ZabMsg, ZabTimer, Zxid, last_zxid};
use super::{Phase, Zab};
use crate::protocol::{ClientOp, Ctx, NodeId, Out, Time, Value};

/// The leader's view of one follower's connection (a `LearnerHandler`).
#[derive(Clone, Debug)]
pub struct Learner {
    pub session: u64,
    pub accepted_epoch: u64,
    /// The ACKEPOCH's last zxid, once it came.
    pub peer_last: Option<Zxid>,
    /// That ACKEPOCH accepted the epoch anew (only those fix it).
    pub fresh: bool,
    /// The leader's last zxid when it sent the sync (NEWLEADER covers it).
    pub synced_to: Option<Zxid>,
    /// NEWLEADER acknowledged: its ACKs count.
    pub synced: bool,
    pub acked: Zxid,
    pub next_seq: u64,
    pub last_heard: Time,
}

impl Zab {
    /// Elected: start discovery.
    pub(super) fn lead(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.phase = Phase::Discovery;
        self.leader = Some(self.id);
        self.learners.clear();
        self.new_epoch = None;
        self.epoch_quorum = false;
        self.established = false;
        out.set_timer(ZabTimer::Init, self.params.init_limit_ms);
        self.try_choose_epoch(cx, out);
    }

    /// The followers whose packets go out in this epoch.
    pub fn learner_ids(&self) -> Vec<NodeId> {
        self.learners.keys().copied().collect()
    }

    pub fn learner(&self, id: NodeId) -> Option<&Learner> {
        self.learners.get(&id)
    }

    fn send_learner(&mut self, f: NodeId, packet: LeaderPacket, out: &mut Out<Self>) {
        if let Some(l) = self.learners.get_mut(&f) {
            let seq = l.next_seq;
            l.next_seq += 1;
            out.send(f, ZabMsg::Leader { session: l.session, seq, packet });
        }
    }

    /// Every follower that has been sent the sync gets `packet`.
    fn send_forwarding(&mut self, packet: &LeaderPacket, out: &mut Out<Self>) {
        let ids: Vec<NodeId> = self.learners.iter().filter(|(_, l)| l.synced_to.is_some()).map(|(&i, _)| i).collect();
        for f in ids {
            self.send_learner(f, packet.clone(), out);
        }
    }

    /// A message from `from` in its current session: it is alive.
    pub(super) fn heard(&mut self, cx: &mut Ctx, from: NodeId, session: u64) {
        if let Some(l) = self.learners.get_mut(&from)
            && l.session == session
        {
            l.last_heard = cx.now;
        }
    }

    fn session_of(&mut self, from: NodeId, session: u64) -> Option<&mut Learner> {
        self.learners.get_mut(&from).filter(|l| l.session == session)
    }

    pub(super) fn on_follower_info(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        session: u64,
        accepted_epoch: u64,
        _last_zxid: Zxid,
        out: &mut Out<Self>,
    ) {
        if self.state != super::PeerState::Leading || self.learners.get(&from).is_some_and(|l| l.session >= session) {
            return;
        }
        let l = Learner {
            session,
            accepted_epoch,
            peer_last: None,
            fresh: false,
            synced_to: None,
            synced: false,
            acked: Zxid::ZERO,
            next_seq: 0,
            last_heard: cx.now,
        };
        self.learners.insert(from, l);
        match self.new_epoch {
            Some(epoch) => self.send_learner(from, LeaderPacket::LeaderInfo { epoch }, out),
            None => self.try_choose_epoch(cx, out),
        }
    }

    /// `getEpochToPropose`: a quorum has connected; pick the new epoch.
    fn try_choose_epoch(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.new_epoch.is_some() || self.learners.len() + 1 < self.majority() {
            return;
        }
        let top = self.learners.values().map(|l| l.accepted_epoch).max().unwrap_or(0).max(self.ps.accepted_epoch);
        let epoch = top.saturating_add(1);
        self.ps.accepted_epoch = epoch;
        self.new_epoch = Some(epoch);
        out.note(|| format!("proposes epoch {epoch}"));
        for f in self.learner_ids() {
            self.send_learner(f, LeaderPacket::LeaderInfo { epoch }, out);
        }
        self.try_epoch_quorum(cx, out);
    }

    pub(super) fn on_ack_epoch(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        session: u64,
        summary: (u64, Zxid),
        fresh: bool,
        out: &mut Out<Self>,
    ) {
        if self.state != super::PeerState::Leading || self.new_epoch.is_none() {
            return;
        }
        let mine = (self.ps.current_epoch, last_zxid(self.history()));
        let quorum = self.epoch_quorum;
        let Some(l) = self.session_of(from, session) else { return };
        if l.peer_last.is_some() {
            return;
        }
        l.last_heard = cx.now;
        if !quorum && summary > mine {
            out.note(|| format!("n{from} is more recent than this leader: back to election"));
            self.start_looking(cx, out);
            return;
        }
        l.peer_last = Some(summary.1);
        l.fresh = fresh;
        if quorum {
            self.sync(from, out);
        } else {
            self.try_epoch_quorum(cx, out);
        }
    }

    /// `waitForEpochAck`: a quorum accepted the epoch; synchronize them.
    fn try_epoch_quorum(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let Some(epoch) = self.new_epoch else { return };
        let acked = self.learners.values().filter(|l| l.peer_last.is_some() && l.fresh).count();
        if self.epoch_quorum || acked + 1 < self.majority() {
            return;
        }
        self.epoch_quorum = true;
        self.ps.current_epoch = epoch;
        self.phase = Phase::Synchronization;
        let ready: Vec<NodeId> = self.learners.iter().filter(|(_, l)| l.peer_last.is_some()).map(|(&i, _)| i).collect();
        for f in ready {
            self.sync(f, out);
        }
        self.try_establish(cx, out);
    }

    /// `syncFollower`: DIFF, TRUNC or SNAP from the follower's last zxid,
    /// then NEWLEADER.
    fn sync(&mut self, f: NodeId, out: &mut Out<Self>) {
        let (Some(epoch), Some(peer)) = (self.new_epoch, self.learners.get(&f).and_then(|l| l.peer_last)) else {
            return;
        };
        let packet = self.sync_packet(peer);
        let kind = match &packet {
            LeaderPacket::Diff { .. } => "DIFF",
            LeaderPacket::Trunc { .. } => "TRUNC",
            _ => "SNAP",
        };
        out.note(|| format!("synchronizes n{f} (last zxid {peer}) with {kind}"));
        self.send_learner(f, packet, out);
        self.send_learner(f, LeaderPacket::NewLeader { epoch }, out);
        let last = last_zxid(self.history());
        if let Some(l) = self.learners.get_mut(&f) {
            l.synced_to = Some(last);
        }
    }

    /// The leader's choice for a follower whose last zxid is `peer`.
    pub fn sync_packet(&self, peer: Zxid) -> LeaderPacket {
        let h = self.history();
        // How many of the leader's transactions the follower may share.
        let k = h.partition_point(|t| t.zxid <= peer);
        let shared = k.checked_sub(1).map_or(Zxid::ZERO, |i| h[i].zxid);
        let missing = (h.len() - k) as u64;
        if shared == peer && missing <= self.params.snap_threshold {
            LeaderPacket::Diff { txns: h[k..].to_vec() }
        } else if missing > self.params.snap_threshold {
            LeaderPacket::Snap { txns: h.to_vec() }
        } else {
            LeaderPacket::Trunc { to: shared, txns: h[k..].to_vec() }
        }
    }

    pub(super) fn on_ack(&mut self, cx: &mut Ctx, from: NodeId, session: u64, zxid: Zxid, out: &mut Out<Self>) {
        let Some(epoch) = self.new_epoch.filter(|_| self.state == super::PeerState::Leading) else { return };
        let last = last_zxid(self.history());
        let committed = self.last_committed().unwrap_or(Zxid::ZERO);
        let established = self.established;
        let Some(l) = self.session_of(from, session) else { return };
        let Some(synced_to) = l.synced_to else { return };
        l.last_heard = cx.now;
        if zxid.epoch() != epoch {
            return;
        }
        if zxid == Zxid(epoch, 0) {
            if l.synced {
                return;
            }
            l.synced = true;
            l.acked = l.acked.max(synced_to);
            if established {
                self.send_learner(from, LeaderPacket::UpToDate { committed }, out);
            } else {
                self.try_establish(cx, out);
            }
        } else {
            l.acked = l.acked.max(zxid.min(last));
        }
        self.try_commit(out);
    }

    /// `waitForNewLeaderAck`: a quorum holds the leader's history; it is
    /// committed and the epoch established.
    fn try_establish(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let synced = self.learners.values().filter(|l| l.synced).count();
        if self.established || !self.epoch_quorum || synced + 1 < self.majority() {
            return;
        }
        self.established = true;
        self.phase = Phase::Broadcast;
        let len = self.history().len();
        self.commit_through(len, out);
        let committed = self.last_committed().unwrap_or(Zxid::ZERO);
        out.milestone(|| format!("establishes epoch {} and leads", self.ps.current_epoch));
        let ids: Vec<NodeId> = self.learners.iter().filter(|(_, l)| l.synced).map(|(&i, _)| i).collect();
        for f in ids {
            self.send_learner(f, LeaderPacket::UpToDate { committed }, out);
        }
        out.cancel_timer(ZabTimer::Init);
        let _ = cx;
        out.set_timer(ZabTimer::Tick, self.params.tick_ms);
    }

    /// A new transaction: the next zxid, logged, then PROPOSAL to everyone.
    pub(super) fn propose(
        &mut self,
        cx: &mut Ctx,
        value: Value,
        op: Option<Rc<ClientOp>>,
        origin: NodeId,
        out: &mut Out<Self>,
    ) {
        let _ = cx;
        if let Some(o) = &op
            && self.history().iter().any(|t| t.op.as_ref().is_some_and(|x| x.id == o.id))
        {
            return;
        }
        let epoch = self.ps.current_epoch;
        let last = last_zxid(self.history());
        let counter = if last.epoch() == epoch { last.1.saturating_add(1) } else { 1 };
        let txn = Txn { zxid: Zxid(epoch, counter), value, op, origin };
        out.note(|| format!("proposes {} as {}", txn.value, txn.zxid));
        self.history_mut().push(txn.clone());
        self.send_forwarding(&LeaderPacket::Proposal { txn }, out);
        self.try_commit(out);
    }

    pub(super) fn on_request(
        &mut self,
        cx: &mut Ctx,
        value: Value,
        op: Option<Rc<ClientOp>>,
        origin: NodeId,
        out: &mut Out<Self>,
    ) {
        if self.is_established_leader() {
            self.propose(cx, value, op, origin, out);
        }
    }

    /// Commits, in zxid order, every proposal of this epoch a quorum logged.
    fn try_commit(&mut self, out: &mut Out<Self>) {
        if !self.established {
            return;
        }
        let majority = self.majority();
        let h = self.history();
        let mut upto = self.committed;
        for (i, t) in h.iter().enumerate().skip(self.committed) {
            let acks = 1 + self.learners.values().filter(|l| l.synced && l.acked >= t.zxid).count();
            if acks >= majority {
                upto = i + 1;
            } else {
                break;
            }
        }
        if upto <= self.committed {
            return;
        }
        let zxids: Vec<Zxid> = h[self.committed..upto].iter().map(|t| t.zxid).collect();
        for zxid in zxids {
            out.note(|| format!("commits {zxid}"));
            self.send_forwarding(&LeaderPacket::Commit { zxid }, out);
        }
        self.commit_through(upto, out);
    }

    /// The leader's tick: PING everyone; without a quorum heard from within
    /// syncLimit, return to election.
    pub(super) fn on_tick(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.state != super::PeerState::Leading || !self.established {
            return;
        }
        let now = cx.now;
        let (sync_limit, init_limit) = (self.params.sync_limit_ms, self.params.init_limit_ms);
        self.learners.retain(|_, l| {
            let limit = if l.synced { sync_limit } else { init_limit };
            now.saturating_sub(l.last_heard) <= limit
        });
        let alive = self.learners.values().filter(|l| l.synced).count();
        if alive + 1 < self.majority() {
            out.milestone(|| "loses its quorum and returns to election".to_string());
            self.start_looking(cx, out);
            return;
        }
        self.send_forwarding(&LeaderPacket::Ping, out);
        out.set_timer(ZabTimer::Tick, self.params.tick_ms);
    }

    /// initLimit passed: a leader that has not established its epoch, or a
    /// follower not yet in broadcast, returns to election.
    pub(super) fn on_init_limit(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let stuck = match self.state {
            super::PeerState::Leading => !self.established,
            super::PeerState::Following => self.phase != Phase::Broadcast,
            super::PeerState::Looking => false,
        };
        if stuck {
            out.note(|| format!("did not finish {} within initLimit", self.phase.name()));
            self.start_looking(cx, out);
        }
    }
}
