//! Fast Leader Election, as ZooKeeper's `FastLeaderElection.lookForLeader`
//! runs it (Medeiros 2012, §"Leader election"; Zab's phase 0).
//!
//! A looking server increments its logical clock (the election epoch),
//! votes for itself with its last zxid and currentEpoch, and notifies every
//! peer. A notification from a looking peer in a later election epoch
//! restarts its tally there; one from an earlier epoch is answered with the
//! current vote; in the same epoch a better vote (`totalOrderPredicate`:
//! higher peer epoch, then higher zxid, then higher server id) is adopted and
//! sent on. Once a quorum of the tally (`recvset`) holds the proposed vote,
//! the server waits finalizeWait for a better one and otherwise decides:
//! it leads if the vote names it, and follows otherwise. Notifications from
//! servers already following or leading let a server join an ensemble that
//! has settled (`outofelection`, with `checkLeader`).

use super::msg::{PeerState, Vote, ZabMsg, ZabTimer, last_zxid};
use super::{Phase, Zab};
use crate::protocol::{Ctx, NodeId, Out};

impl Zab {
    /// This server's own vote: itself, its last logged zxid, its currentEpoch.
    pub(super) fn own_vote(&self) -> Vote {
        Vote { leader: self.id, zxid: last_zxid(self.history()), peer_epoch: self.ps.current_epoch }
    }

    /// `totalOrderPredicate(new, cur)`: does `new` beat `cur`? With
    /// `unsafe_vote_order`, the comparison before ZOOKEEPER-1419's fix, whose
    /// last clause forgot to require equal epochs (so it is not transitive,
    /// not even antisymmetric).
    pub fn beats(&self, new: &Vote, cur: &Vote) -> bool {
        vote_beats(new, cur, self.params.unsafe_vote_order)
    }

    /// Leaves any role and starts a new round of Fast Leader Election.
    pub(super) fn start_looking(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        for t in [ZabTimer::Connect, ZabTimer::Init, ZabTimer::Watchdog, ZabTimer::Tick, ZabTimer::Finalize] {
            out.cancel_timer(t);
        }
        if let Some(staged) = self.staged.take() {
            let keep = staged.iter().zip(&self.ps.history).take_while(|(a, b)| a == b).count();
            self.history_cut(keep);
            out.note(|| "drops the synced transactions it had not written".to_string());
        }
        self.state = PeerState::Looking;
        self.phase = Phase::Election;
        self.leader = None;
        self.learners.clear();
        self.new_epoch = None;
        self.epoch_quorum = false;
        self.established = false;
        self.buffer.clear();
        self.logical_clock += 1;
        self.proposal = self.own_vote();
        self.recv.clear();
        self.recv.insert(self.id, self.proposal);
        self.out_of_election.clear();
        self.finalizing = false;
        self.not_timeout = self.params.notification_timeout_ms;
        out.note(|| format!("is looking (election epoch {})", self.logical_clock));
        self.send_notifications(cx, out);
        out.set_timer(ZabTimer::Notify, self.not_timeout);
        self.check_quorum(out);
    }

    fn send_notifications(&self, cx: &mut Ctx, out: &mut Out<Self>) {
        for peer in cx.peers() {
            out.send(peer, self.notification());
        }
    }

    fn notification(&self) -> ZabMsg {
        ZabMsg::Notification { vote: self.proposal, election_epoch: self.logical_clock, state: self.state, sid: self.id }
    }

    /// The proposed vote changed: tally it for ourselves and tell everyone.
    fn adopt(&mut self, vote: Vote, cx: &mut Ctx, out: &mut Out<Self>) {
        if vote != self.proposal {
            out.note(|| format!("now votes for n{}", vote.leader));
        }
        self.proposal = vote;
        self.recv.insert(self.id, vote);
        if self.finalizing {
            self.finalizing = false;
            out.cancel_timer(ZabTimer::Finalize);
        }
        self.send_notifications(cx, out);
    }

    /// `termPredicate(recvset, proposal)`: start the finalize wait.
    fn check_quorum(&mut self, out: &mut Out<Self>) {
        let agree = self.recv.values().filter(|v| **v == self.proposal).count();
        if agree >= self.majority() && !self.finalizing {
            self.finalizing = true;
            out.set_timer(ZabTimer::Finalize, self.params.finalize_wait_ms);
        }
    }

    pub(super) fn on_notification(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        n: (Vote, u64, PeerState),
        out: &mut Out<Self>,
    ) {
        let (vote, election_epoch, state) = n;
        if self.state != PeerState::Looking {
            // A settled server answers a looking one with the vote it decided on.
            if state == PeerState::Looking {
                out.send(from, self.notification());
            }
            return;
        }
        match state {
            PeerState::Looking => {
                if election_epoch > self.logical_clock {
                    self.logical_clock = election_epoch;
                    self.recv.clear();
                    let own = self.own_vote();
                    let best = if self.beats(&vote, &own) { vote } else { own };
                    self.adopt(best, cx, out);
                } else if election_epoch < self.logical_clock {
                    // A lagging peer: send it our current vote.
                    out.send(from, self.notification());
                    return;
                } else if self.beats(&vote, &self.proposal) {
                    self.adopt(vote, cx, out);
                }
                self.recv.insert(from, vote);
                self.check_quorum(out);
            }
            PeerState::Following | PeerState::Leading => {
                if election_epoch == self.logical_clock {
                    self.recv.insert(from, vote);
                    if self.settled_on(vote, election_epoch, from, state) {
                        self.decide(vote, cx, out);
                        return;
                    }
                }
                self.out_of_election.insert(from, (vote, election_epoch, state));
                if self.settled_on(vote, election_epoch, from, state) {
                    self.logical_clock = election_epoch;
                    self.decide(vote, cx, out);
                }
            }
        }
    }

    /// `termPredicate(outofelection, vote) && checkLeader(...)`: a quorum of
    /// settled servers names this leader, and the leader itself says it leads.
    fn settled_on(&self, vote: Vote, election_epoch: u64, from: NodeId, state: PeerState) -> bool {
        let same = |v: &Vote| v.leader == vote.leader && v.peer_epoch == vote.peer_epoch;
        let mut agree = self.out_of_election.values().filter(|(v, _, _)| same(v)).count();
        if !self.out_of_election.contains_key(&from) {
            agree += 1;
        }
        if agree < self.majority() {
            return false;
        }
        if vote.leader == self.id {
            return self.logical_clock == election_epoch;
        }
        let leader_says = if from == vote.leader {
            Some(state)
        } else {
            self.out_of_election.get(&vote.leader).map(|(_, _, s)| *s)
        };
        leader_says == Some(PeerState::Leading)
    }

    pub(super) fn on_finalize(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.state != PeerState::Looking || !self.finalizing {
            return;
        }
        self.finalizing = false;
        let agree = self.recv.values().filter(|v| **v == self.proposal).count();
        if agree >= self.majority() {
            self.decide(self.proposal, cx, out);
        }
    }

    /// ZooKeeper sends its notifications again when it has heard nothing
    /// for notTimeout, over TCP that retransmits what is lost. Here a
    /// notification can be lost for good, so the resend keeps its own clock
    /// (doubling up to the maximum) whatever arrives meanwhile.
    pub(super) fn on_notify_timer(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.state != PeerState::Looking {
            return;
        }
        self.send_notifications(cx, out);
        self.not_timeout = (self.not_timeout * 2).min(self.params.max_notification_interval_ms);
        out.set_timer(ZabTimer::Notify, self.not_timeout);
    }

    /// The election is over: lead or follow.
    fn decide(&mut self, vote: Vote, cx: &mut Ctx, out: &mut Out<Self>) {
        out.cancel_timer(ZabTimer::Notify);
        out.cancel_timer(ZabTimer::Finalize);
        self.finalizing = false;
        self.proposal = vote;
        if vote.leader == self.id {
            self.state = PeerState::Leading;
            out.milestone(|| format!("is elected leader (election epoch {})", self.logical_clock));
            self.lead(cx, out);
        } else {
            self.state = PeerState::Following;
            out.note(|| format!("follows n{}", vote.leader));
            self.follow(vote.leader, cx, out);
        }
    }
}

/// The vote order, on its own (tests and the docs use it).
pub fn vote_beats(new: &Vote, cur: &Vote, unsafe_order: bool) -> bool {
    if unsafe_order {
        new.peer_epoch > cur.peer_epoch
            || (new.peer_epoch == cur.peer_epoch && new.zxid > cur.zxid)
            || (new.zxid == cur.zxid && new.leader > cur.leader)
    } else {
        (new.peer_epoch, new.zxid, new.leader) > (cur.peer_epoch, cur.zxid, cur.leader)
    }
}
