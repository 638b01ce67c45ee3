//! The follower's side of Zab, as ZooKeeper's `Learner` and `Follower` run
//! it (Zab §IV-A; Medeiros 2012).
//!
//! A follower connects with FOLLOWERINFO (again each tick until LEADERINFO
//! comes). It accepts the leader's epoch only if it is above its
//! acceptedEpoch (Zab phase 1: "if e' > f.p"), records it and answers
//! ACKEPOCH. An epoch below it is refused: back to election. An epoch equal
//! to it is not accepted anew either; as in ZooKeeper, the follower says it
//! already had it (ACKEPOCH with -1 there) and may rejoin that epoch once
//! it is established, but it never counts toward fixing it. It applies the DIFF, TRUNC or
//! SNAP to its history, writes it, and only then, on NEWLEADER, sets its
//! currentEpoch and ACKs (the order ZOOKEEPER-3911 broke: with
//! `unsafe_ack_before_persist` the synced history stays in memory until
//! UPTODATE). UPTODATE commits the leader's history; in broadcast it logs
//! each PROPOSAL and ACKs it, and delivers on COMMIT, in zxid order.
//!
//! The leader's packets arrive in order over the connection (TCP in
//! ZooKeeper; a sequence number here). A lost packet breaks the connection:
//! nothing after it is read, and the follower soon gives up on the leader.

use super::msg::{LeaderPacket, Txn, ZabMsg, ZabTimer, Zxid, last_zxid};
use super::{Phase, Zab};
use crate::protocol::{Ctx, NodeId, Out};

/// Packets held back until the gap before them fills (a bound, so a broken
/// connection cannot grow memory without end).
const MAX_BUFFERED: usize = 4_096;

impl Zab {
    /// Elected someone else: connect to it.
    pub(super) fn follow(&mut self, leader: NodeId, cx: &mut Ctx, out: &mut Out<Self>) {
        self.phase = Phase::Discovery;
        self.leader = Some(leader);
        self.sessions += 1;
        // Sessions grow across restarts too (time does), so the leader can
        // tell a new connection from an old one.
        self.session = cx.now.saturating_mul(64).saturating_add(self.sessions % 64);
        self.expect_seq = 0;
        self.buffer.clear();
        self.got_leader_info = false;
        self.got_new_leader = false;
        self.staged = None;
        self.send_follower_info(out);
        out.set_timer(ZabTimer::Connect, self.params.tick_ms);
        out.set_timer(ZabTimer::Init, self.params.init_limit_ms);
    }

    fn send_follower_info(&self, out: &mut Out<Self>) {
        if let Some(l) = self.leader {
            out.send(
                l,
                ZabMsg::FollowerInfo {
                    session: self.session,
                    accepted_epoch: self.ps.accepted_epoch,
                    last_zxid: last_zxid(self.history()),
                },
            );
        }
    }

    pub(super) fn on_connect_timer(&mut self, _cx: &mut Ctx, out: &mut Out<Self>) {
        if self.state == super::PeerState::Following && self.phase == Phase::Discovery && !self.got_leader_info {
            self.send_follower_info(out);
            out.set_timer(ZabTimer::Connect, self.params.tick_ms);
        }
    }

    pub(super) fn on_watchdog(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.state == super::PeerState::Following && self.phase == Phase::Broadcast {
            out.note(|| "hears nothing from its leader within syncLimit".to_string());
            self.start_looking(cx, out);
        }
    }

    /// A packet of the connection: read in order, hold back what runs ahead.
    pub(super) fn on_leader_packet(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        session: u64,
        seq: u64,
        packet: LeaderPacket,
        out: &mut Out<Self>,
    ) {
        if self.state != super::PeerState::Following || self.leader != Some(from) || session != self.session {
            return;
        }
        if seq > self.expect_seq {
            if self.buffer.len() < MAX_BUFFERED {
                self.buffer.insert(seq, packet);
            }
            return;
        }
        if seq < self.expect_seq {
            return;
        }
        let mut next = Some(packet);
        while let Some(p) = next {
            self.expect_seq += 1;
            self.on_packet(cx, p, out);
            if self.state != super::PeerState::Following {
                return;
            }
            next = self.buffer.remove(&self.expect_seq);
        }
        if self.phase == Phase::Broadcast {
            out.set_timer(ZabTimer::Watchdog, self.params.sync_limit_ms);
        }
    }

    fn ack(&self, zxid: Zxid, out: &mut Out<Self>) {
        if let Some(l) = self.leader {
            out.send(l, ZabMsg::Ack { session: self.session, zxid });
        }
    }

    fn on_packet(&mut self, cx: &mut Ctx, packet: LeaderPacket, out: &mut Out<Self>) {
        let syncing = self.phase == Phase::Discovery && self.got_leader_info;
        match packet {
            LeaderPacket::LeaderInfo { epoch } => {
                if self.phase != Phase::Discovery || self.got_leader_info {
                    return;
                }
                self.got_leader_info = true;
                out.cancel_timer(ZabTimer::Connect);
                let fresh = epoch > self.ps.accepted_epoch;
                if epoch >= self.ps.accepted_epoch {
                    self.ps.accepted_epoch = epoch;
                    out.note(|| {
                        if fresh {
                            format!("accepts epoch {epoch}")
                        } else {
                            format!("already accepted epoch {epoch}: asks to rejoin it")
                        }
                    });
                    if let Some(l) = self.leader {
                        let (current_epoch, last_zxid) = (self.ps.current_epoch, last_zxid(self.history()));
                        out.send(l, ZabMsg::AckEpoch { session: self.session, current_epoch, last_zxid, fresh });
                    }
                } else {
                    let accepted = self.ps.accepted_epoch;
                    out.note(|| format!("refuses epoch {epoch}: below its acceptedEpoch {accepted}"));
                    self.start_looking(cx, out);
                }
            }
            LeaderPacket::Diff { txns } if syncing => self.take_sync(None, txns, false, out),
            LeaderPacket::Trunc { to, txns } if syncing => self.take_sync(Some(to), txns, false, out),
            LeaderPacket::Snap { txns } if syncing => self.take_sync(None, txns, true, out),
            LeaderPacket::NewLeader { epoch } => {
                if self.phase != Phase::Synchronization || self.got_new_leader {
                    return;
                }
                self.got_new_leader = true;
                self.ps.current_epoch = epoch;
                let unwritten = self.staged.is_some();
                out.note(|| {
                    if unwritten {
                        format!("ACKs NEWLEADER for epoch {epoch} before writing the synced history (unsafe)")
                    } else {
                        format!("has written the leader's history; ACKs NEWLEADER for epoch {epoch}")
                    }
                });
                self.ack(Zxid(epoch, 0), out);
            }
            LeaderPacket::UpToDate { committed } => {
                if self.phase != Phase::Synchronization || !self.got_new_leader {
                    return;
                }
                if let Some(h) = self.staged.take() {
                    self.ps.history = h;
                    let last = last_zxid(&self.ps.history);
                    if last.epoch() == self.ps.current_epoch && last.1 > 0 {
                        self.ack(last, out);
                    }
                }
                self.phase = Phase::Broadcast;
                out.cancel_timer(ZabTimer::Init);
                self.commit_to(committed, out);
                out.milestone(|| format!("is up to date with leader n{}", self.leader.unwrap_or(0)));
            }
            LeaderPacket::Proposal { txn } => {
                if self.phase == Phase::Discovery || txn.zxid <= last_zxid(self.history()) {
                    return;
                }
                let zxid = txn.zxid;
                self.history_mut().push(txn);
                if self.staged.is_none() {
                    self.ack(zxid, out);
                }
            }
            LeaderPacket::Commit { zxid } => {
                if self.phase != Phase::Discovery {
                    self.commit_to(zxid, out);
                }
            }
            LeaderPacket::Ping => {
                if let Some(l) = self.leader {
                    out.send(l, ZabMsg::FollowerPing { session: self.session, last_zxid: last_zxid(self.history()) });
                }
            }
            LeaderPacket::Diff { .. } | LeaderPacket::Trunc { .. } | LeaderPacket::Snap { .. } => {}
        }
    }

    /// Commits the history through `zxid`, if this server has it.
    fn commit_to(&mut self, zxid: Zxid, out: &mut Out<Self>) {
        let h = self.history();
        let k = h.partition_point(|t| t.zxid <= zxid);
        self.commit_through(k, out);
    }

    /// DIFF, TRUNC (to `trunc`) or SNAP (`replace`): the history becomes the
    /// leader's, written to disk unless ZOOKEEPER-3911's variant holds it in
    /// memory.
    fn take_sync(&mut self, trunc: Option<Zxid>, txns: Vec<Txn>, replace: bool, out: &mut Out<Self>) {
        self.phase = Phase::Synchronization;
        let before = self.history().to_vec();
        let mut h = before.clone();
        if replace {
            h = txns;
        } else {
            if let Some(to) = trunc {
                h.truncate(h.partition_point(|t| t.zxid <= to));
            }
            let last = last_zxid(&h);
            h.extend(txns.into_iter().filter(|t| t.zxid > last));
        }
        let keep = before.iter().zip(&h).take_while(|(a, b)| a == b).count();
        let (len, cut) = (h.len(), before.len() - keep);
        out.note(|| match (trunc, replace) {
            (_, true) => format!("takes a SNAP of {len} transactions"),
            (Some(to), _) => format!("truncates {cut} transactions after {to}, now has {len}"),
            _ => format!("takes a DIFF, now has {len} transactions"),
        });
        if self.params.unsafe_ack_before_persist {
            self.staged = Some(h);
        } else {
            self.ps.history = h;
        }
        self.history_cut(keep);
    }
}
