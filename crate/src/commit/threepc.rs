//! Three-phase commit, after Skeen, "Nonblocking Commit Protocols" (1981): the
//! central-site three-phase protocol with its timeout and failure transitions.
//!
//! Two-phase commit blocks because a participant that voted yes may be
//! waiting while others have already committed *or* aborted. Skeen's cure is
//! a buffer state between the vote and the commit. Node 0 (the coordinator)
//! forces `begin` and sends CanCommit; each participant works, then votes
//! (yes: forces `yes` and is *prepared*; no: aborts at once). On any no, or
//! a vote that is late, the coordinator aborts. When all voted yes it forces
//! `precommit` and sends PreCommit; participants force `precommit`, become
//! *precommitted* and Ack. With every Ack in — or when the Acks are late — the
//! coordinator forces commit and sends DoCommit; participants commit and
//! answer Done; the coordinator writes `end` once everyone has.
//!
//! Nobody waits forever. A participant that hears nothing for
//! `participant_timeout_ms` decides alone: prepared (no PreCommit yet) →
//! abort, precommitted → commit. A restarted coordinator commits what it had
//! pre-committed and aborts the rest. A restarted participant that finds
//! itself prepared does not use the timeout rule (it may have missed a
//! PreCommit while down, and the coordinator may have committed since): it
//! asks the coordinator until it hears the decision. With crashes only, that
//! is consistent: nobody can be precommitted unless everyone voted yes, a
//! participant that stayed up and saw no PreCommit knows the coordinator has
//! not committed, and nobody commits unless the coordinator had sent
//! PreCommit to all. (The explorer found the recovering-participant case:
//! without this rule a participant that crashed before PreCommit, restarted
//! after the coordinator committed and crashed, aborted by timeout.)
//!
//! The rules assume a network that never separates live nodes. A partition
//! that lets PreCommit reach some participants and not others makes the
//! first group commit and the second abort, each by its timeout rule: the
//! atomicity invariant fails. The lab shows this on purpose — it is the
//! known flaw of three-phase commit.

use std::collections::BTreeSet;

use super::common::{Core, Rules, Tally, Timers, Timing};
use super::log::{Decision, DurableLog, RecordKind};
use super::threepc_msg::{ThreePcMsg, ThreePcParams, ThreePcTimer};
use super::{COORDINATOR, CommitView, Tx, TxView};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Spec};

/// One node of a three-phase commit cluster.
#[derive(Clone, Debug)]
pub struct ThreePc {
    core: Core,
    /// For the PreCommit round's timeouts, which the shared core does not hold.
    params: ThreePcParams,
    /// Participant: decided by its own timeout rule.
    by_timeout: BTreeSet<Tx>,
    /// Participant: transactions it found prepared (voted yes, no PreCommit,
    /// no decision) in its log when it restarted. The timeout rule is for
    /// sites that stayed up; a recovering site may have missed a PreCommit
    /// while it was down, so it asks instead of deciding alone.
    recovering: BTreeSet<Tx>,
}

/// How three-phase commit fills in the shared steps of common.rs.
impl Rules for ThreePc {
    const TIMERS: Timers<ThreePcTimer> = Timers {
        votes: ThreePcTimer::Votes,
        acks: Some(ThreePcTimer::Acks),
        retry: ThreePcTimer::Retry,
        work: ThreePcTimer::Work,
        wait: ThreePcTimer::Timeout,
    };
    const ASKS: &'static str = "whether it can commit";
    fn ask_msg(tx: Tx) -> ThreePcMsg {
        ThreePcMsg::CanCommit { tx }
    }
    fn vote_msg(tx: Tx, yes: bool) -> ThreePcMsg {
        ThreePcMsg::Vote { tx, yes }
    }
    fn decision_msg(tx: Tx, d: Decision) -> ThreePcMsg {
        match d {
            Decision::Commit => ThreePcMsg::DoCommit { tx },
            Decision::Abort => ThreePcMsg::Abort { tx },
        }
    }
    fn receipt_msg(tx: Tx) -> ThreePcMsg {
        ThreePcMsg::Done { tx }
    }
    /// Collecting votes: begun, neither pre-committed nor decided.
    fn voting(core: &Core, tx: &str) -> bool {
        core.coord.contains_key(tx)
            && core.log.get(tx).is_some_and(|r| r.began && !r.precommitted && r.decision.is_none())
    }
}

impl ThreePc {
    pub fn is_coordinator(&self) -> bool {
        self.core.is_coordinator()
    }
    pub fn log(&self) -> &DurableLog {
        &self.core.log
    }
    /// This node's view of one transaction, if it knows of it.
    pub fn transaction(&self, tx: &str) -> Option<TxView> {
        self.view().transactions.get(tx).cloned()
    }

    /// Waiting for PreCommit acknowledgements.
    fn precommitting(&self, tx: &str) -> bool {
        self.core.log.get(tx).is_some_and(|r| r.precommitted && r.decision.is_none())
    }

    // ---- coordinator ------------------------------------------------------

    fn on_vote(&mut self, cx: &mut Ctx, from: NodeId, tx: Tx, yes: bool, out: &mut Out<Self>) {
        match self.core.on_vote(cx, from, &tx, yes, out) {
            // Not collecting votes on it: a decision is resent; a
            // transaction never begun here is aborted.
            Tally::NotVoting => match self.core.log.get(&tx) {
                Some(r) => {
                    if let Some(d) = r.decision {
                        out.send(from, Self::decision_msg(tx, d));
                    }
                }
                None => out.send(from, ThreePcMsg::Abort { tx }),
            },
            Tally::AllYes => self.precommit(cx, &tx, out),
            Tally::Counted => {}
        }
    }

    fn precommit(&mut self, cx: &mut Ctx, tx: &Tx, out: &mut Out<Self>) {
        self.core.log.write(tx, RecordKind::PreCommit);
        self.core.votes_due.clear(tx);
        self.core.coord.entry(tx.clone()).or_default().precommitted.clear();
        out.milestone(|| format!("everyone voted yes on {tx}: sends PreCommit"));
        for p in cx.peers() {
            out.send(p, ThreePcMsg::PreCommit { tx: tx.clone() });
        }
        self.core.acks_due.set(tx, cx.now + self.params.ack_timeout_ms);
    }

    fn on_ack(&mut self, cx: &mut Ctx, from: NodeId, tx: Tx, out: &mut Out<Self>) {
        if !self.precommitting(&tx) {
            return;
        }
        let participants = self.core.participants();
        let c = self.core.coord.entry(tx.clone()).or_default();
        c.precommitted.insert(from);
        if c.precommitted.len() == participants {
            self.core.decide(cx, &tx, Decision::Commit, out);
        }
    }

    fn acks_overdue(&mut self, cx: &mut Ctx, txs: Vec<Tx>, out: &mut Out<Self>) {
        for tx in txs {
            if self.precommitting(&tx) {
                out.note(|| format!("times out waiting for acks on {tx}; everyone voted yes, so it commits"));
                self.core.decide(cx, &tx, Decision::Commit, out);
            }
        }
    }

    /// A restarted coordinator reads its log: what it pre-committed it
    /// commits, what it never pre-committed it aborts (the failure
    /// transitions of its states p and w).
    fn recover_coordinator(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.core.recover_coordinator(cx, out, |tx, r, out| {
            let d = if r.precommitted { Decision::Commit } else { Decision::Abort };
            out.milestone(|| {
                let had = if r.precommitted { "had sent PreCommit" } else { "had not sent PreCommit" };
                format!("reads its log: it {had} for {tx}, so it decides {}", d.name())
            });
            d
        });
    }

    // ---- participant ------------------------------------------------------

    fn on_precommit(&mut self, cx: &mut Ctx, tx: Tx, out: &mut Out<Self>) {
        let Some(r) = self.core.log.get(&tx) else { return };
        match (r.decision, r.vote) {
            (Some(Decision::Abort), _) => out.note(|| format!("ignores PreCommit for {tx}: already aborted")),
            (Some(Decision::Commit), _) => out.send(COORDINATOR, ThreePcMsg::Ack { tx }),
            (None, Some(true)) => {
                if self.core.log.write(&tx, RecordKind::PreCommit) {
                    out.note(|| format!("is precommitted on {tx}"));
                }
                self.core.wait_due.set(&tx, cx.now + self.params.participant_timeout_ms);
                out.send(COORDINATOR, ThreePcMsg::Ack { tx });
            }
            (None, _) => {}
        }
    }

    /// Skeen's timeout transitions for a participant: prepared → abort,
    /// precommitted → commit.
    /// A participant that restarted prepared cannot use the first rule: the
    /// coordinator may have committed while it was down (its PreCommit lost
    /// with the crash). It asks the coordinator again, resending its yes
    /// vote, until a decision comes (Skeen's recovery: an uncertain site
    /// cannot recover independently).
    fn timeouts(&mut self, cx: &mut Ctx, txs: Vec<Tx>, out: &mut Out<Self>) {
        for tx in txs {
            let Some(r) = self.core.log.get(&tx) else { continue };
            if r.decision.is_some() || r.vote != Some(true) {
                continue;
            }
            if !r.precommitted && self.recovering.contains(&tx) {
                out.note(|| format!("restarted uncertain on {tx}: cannot decide alone, asks the coordinator"));
                out.send(COORDINATOR, ThreePcMsg::Vote { tx: tx.clone(), yes: true });
                self.core.wait_due.set(&tx, cx.now + self.params.participant_timeout_ms);
                continue;
            }
            let d = if r.precommitted { Decision::Commit } else { Decision::Abort };
            self.core.log.write(&tx, d.into());
            self.by_timeout.insert(tx.clone());
            out.milestone(|| match d {
                Decision::Commit => format!("times out precommitted on {tx} and commits"),
                Decision::Abort => format!("times out before PreCommit on {tx} and aborts"),
            });
        }
    }

    /// The coordinator shows "voting", then "precommitting" with the
    /// PreCommit acks, then its decision with the Done receipts; a
    /// participant is "prepared", then "precommitted".
    fn build_view(id: NodeId, log: &DurableLog, live: Option<&ThreePc>) -> CommitView {
        Core::view(id, log, live.map(|me| &me.core), |tx, r, c, v| {
            if id == COORDINATOR {
                v.state = match r.decision {
                    Some(d) => d.state(),
                    None if r.precommitted => "precommitting",
                    None => "voting",
                };
                let acks = match r.decision {
                    Some(_) => c.map(|c| &c.confirmed),
                    None if r.precommitted => c.map(|c| &c.precommitted),
                    None => None,
                };
                if r.precommitted || r.decision.is_some() {
                    v.acks = Some(acks.map(|a| a.iter().copied().collect()).unwrap_or_default());
                }
            } else {
                v.by_timeout = live.is_some_and(|me| me.by_timeout.contains(tx));
                v.state = match (r.decision, r.precommitted, r.vote) {
                    (Some(d), _, _) => d.state(),
                    (None, true, _) => "precommitted",
                    (None, false, Some(true)) => "prepared",
                    (None, false, _) => "working",
                };
            }
        })
    }
}

impl Protocol for ThreePc {
    const NAME: &'static str = "3pc";
    const NODES: std::ops::RangeInclusive<usize> = 2..=25;
    const DEFAULT_NODES: usize = 4;

    type Params = ThreePcParams;
    type Msg = ThreePcMsg;
    type Timer = ThreePcTimer;
    type Stable = DurableLog;
    type View = CommitView;

    fn spec() -> Spec {
        Spec {
            summary: "Atomic commit that does not block when the coordinator crashes — on a synchronous network without partitions.",
            reference: "Skeen, Nonblocking Commit Protocols (1981)",
            kinds: &[
                Doc { name: "CanCommit", doc: "phase 1: the coordinator asks whether each participant can commit" },
                Doc { name: "Vote", doc: "a participant's vote: yes or no" },
                Doc { name: "PreCommit", doc: "phase 2: everyone voted yes; participants prepare to commit" },
                Doc { name: "Ack", doc: "a participant acknowledges PreCommit" },
                Doc { name: "DoCommit", doc: "phase 3: commit" },
                Doc { name: "Abort", doc: "the transaction aborts" },
                Doc { name: "Done", doc: "a participant has applied the decision" },
            ],
            fields: &["role", "transactions"],
            liveness: "after the network heals and every node is up, every transaction is decided at every node",
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &ThreePcParams, stable: Option<DurableLog>) -> Self {
        let timing = Timing {
            vote_delay_ms: params.vote_delay_ms,
            vote_timeout_ms: params.vote_timeout_ms,
            wait_ms: params.participant_timeout_ms,
            retry_ms: params.retry_ms,
        };
        let core = Core::new(id, n, stable, timing, &params.no_voters);
        ThreePc { core, params: params.clone(), by_timeout: BTreeSet::new(), recovering: BTreeSet::new() }
    }

    fn crash(self) -> DurableLog {
        self.core.log
    }

    fn stable(&self) -> &DurableLog {
        &self.core.log
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.is_coordinator() {
            self.recover_coordinator(cx, out);
        } else {
            let says = |tx: &Tx| format!("reads its log: voted yes on {tx}, undecided; waits again");
            self.core.recover_participant(cx, out, says);
            self.recovering = self
                .core
                .log
                .txs()
                .filter(|(_, r)| r.vote == Some(true) && r.decision.is_none() && !r.precommitted)
                .map(|(tx, _)| tx.clone())
                .collect();
        }
        self.core.sync_timers(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: ThreePcMsg, out: &mut Out<Self>) {
        match (self.is_coordinator(), from == COORDINATOR, msg) {
            (true, false, ThreePcMsg::Vote { tx, yes }) => self.on_vote(cx, from, tx, yes, out),
            (true, false, ThreePcMsg::Ack { tx }) => self.on_ack(cx, from, tx, out),
            (true, false, ThreePcMsg::Done { tx }) => {
                let says = |tx: &Tx| format!("every participant confirmed {tx}; writes end");
                self.core.on_receipt(from, tx, out, says);
            }
            (false, true, ThreePcMsg::CanCommit { tx }) => self.core.on_ask(cx, tx, out),
            (false, true, ThreePcMsg::PreCommit { tx }) => self.on_precommit(cx, tx, out),
            (false, true, ThreePcMsg::DoCommit { tx }) => self.core.on_decision(tx, Decision::Commit, out),
            (false, true, ThreePcMsg::Abort { tx }) => self.core.on_decision(tx, Decision::Abort, out),
            // Anything else is not for this role: ignore it.
            _ => {}
        }
        self.core.sync_timers(cx, out);
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: ThreePcTimer, out: &mut Out<Self>) {
        let now = cx.now;
        match timer {
            ThreePcTimer::Votes => {
                let due = self.core.votes_due.fired(now);
                self.core.votes_overdue(cx, due, out);
            }
            ThreePcTimer::Acks => {
                let due = self.core.acks_due.fired(now);
                self.acks_overdue(cx, due, out);
            }
            ThreePcTimer::Retry => {
                for tx in self.core.retry.fired(now) {
                    self.core.resend_decision(cx, &tx, out);
                }
            }
            ThreePcTimer::Work => self.core.work_done(cx, out),
            ThreePcTimer::Timeout => {
                let due = self.core.wait_due.fired(now);
                self.timeouts(cx, due, out);
            }
        }
        self.core.sync_timers(cx, out);
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        self.core.client_request(cx, value, out)
    }

    /// Coordinator: overdue votes, else overdue acks, else resends fire now.
    /// Participant: its timeout rule fires now for every undecided
    /// transaction it voted yes on.
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        let fired = if self.is_coordinator() {
            if !self.core.votes_due.is_empty() {
                let due = self.core.votes_due.take_all();
                self.core.votes_overdue(cx, due, out);
            } else if !self.core.acks_due.is_empty() {
                let due = self.core.acks_due.take_all();
                self.acks_overdue(cx, due, out);
            } else if !self.core.retry.is_empty() {
                for tx in self.core.retry.take_all() {
                    self.core.resend_decision(cx, &tx, out);
                }
            } else {
                return false;
            }
            true
        } else if self.core.wait_due.is_empty() {
            false
        } else {
            let due = self.core.wait_due.take_all();
            self.timeouts(cx, due, out);
            true
        };
        self.core.sync_timers(cx, out);
        fired
    }

    fn view(&self) -> CommitView {
        Self::build_view(self.core.id, &self.core.log, Some(self))
    }

    fn view_down(id: NodeId, stable: &DurableLog) -> CommitView {
        Self::build_view(id, stable, None)
    }
}
