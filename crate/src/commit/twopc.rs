//! Two-phase commit, after Gray & Lamport, "Consensus on Transaction Commit":
//! the transaction commit problem of §2 and the Two-Phase Commit protocol of §3.
//!
//! Node 0 is the transaction manager (the coordinator); every other node is a
//! resource manager (a participant). A client request names a transaction;
//! the coordinator forces a `begin` record and sends Prepare to everyone.
//! A participant is *working* until it has finished its part; then it votes.
//! A yes vote makes it *prepared*: it forces a `yes` record and from then on
//! may neither commit nor abort on its own. A no vote aborts it at once. The
//! coordinator commits when every participant has voted yes, and aborts on
//! any no or when a vote is overdue (§3: the TM may abort while it waits).
//! It forces the decision to its log before anyone hears of it, then sends
//! Commit or Abort; participants force the decision and acknowledge, and
//! once everyone has, the coordinator writes `end` and stops resending.
//!
//! The weakness §3 points out is blocking: a prepared participant that hears
//! nothing can only wait. After `decision_timeout_ms` it shows as *uncertain*
//! and keeps asking the coordinator (Query). If the coordinator crashed, the
//! answer comes only when it restarts and reads its log: a logged decision is
//! resent; a transaction begun but never decided is aborted (presumed abort)
//! and every participant is told.

use std::collections::BTreeSet;

use super::common::{Core, Rules, Tally, Timers, Timing};
use super::log::{Decision, DurableLog, RecordKind};
use super::twopc_msg::{TwoPcMsg, TwoPcParams, TwoPcTimer};
use super::{COORDINATOR, CommitView, Tx, TxView};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Spec, Variant};

/// One node of a two-phase commit cluster.
#[derive(Clone, Debug)]
pub struct TwoPc {
    core: Core,
    /// Participant: prepared, its decision overdue, asking the coordinator.
    uncertain: BTreeSet<Tx>,
    /// The deliberately unsafe variants' switches.
    no_durable_log: bool,
    decide_alone: bool,
}

/// How two-phase commit fills in the shared steps of common.rs.
impl Rules for TwoPc {
    const TIMERS: Timers<TwoPcTimer> = Timers {
        votes: TwoPcTimer::Votes,
        acks: None,
        retry: TwoPcTimer::Retry,
        work: TwoPcTimer::Work,
        wait: TwoPcTimer::Decision,
    };
    const ASKS: &'static str = "to prepare";
    fn ask_msg(tx: Tx) -> TwoPcMsg {
        TwoPcMsg::Prepare { tx }
    }
    fn vote_msg(tx: Tx, yes: bool) -> TwoPcMsg {
        TwoPcMsg::Vote { tx, yes }
    }
    fn decision_msg(tx: Tx, d: Decision) -> TwoPcMsg {
        match d {
            Decision::Commit => TwoPcMsg::Commit { tx },
            Decision::Abort => TwoPcMsg::Abort { tx },
        }
    }
    fn receipt_msg(tx: Tx) -> TwoPcMsg {
        TwoPcMsg::Ack { tx }
    }
    /// Collecting votes: tracked since the coordinator last started, and
    /// not yet decided.
    fn voting(core: &Core, tx: &str) -> bool {
        core.log.decision(tx).is_none() && core.coord.contains_key(tx)
    }
}

impl TwoPc {
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

    // ---- coordinator ------------------------------------------------------

    /// Answers a participant that voted or asked about a transaction the
    /// coordinator is not collecting votes for.
    fn answer(&mut self, cx: &mut Ctx, from: NodeId, tx: &Tx, out: &mut Out<Self>) {
        match self.core.log.get(tx).map(|r| (r.began, r.decision)) {
            Some((_, Some(d))) => out.send(from, Self::decision_msg(tx.clone(), d)),
            // Begun, undecided and not being voted on: only possible for a
            // log handed over without recovery. Presume abort.
            Some((true, None)) if !self.core.coord.contains_key(tx) => self.core.decide(cx, tx, Decision::Abort, out),
            // Still collecting votes: the vote timeout will decide.
            Some((true, None)) => {}
            // Never begun here: nothing was ever committed (presumed abort).
            _ => {
                out.note(|| format!("knows nothing of {tx}; answers abort"));
                out.send(from, TwoPcMsg::Abort { tx: tx.clone() });
            }
        }
    }

    fn on_vote(&mut self, cx: &mut Ctx, from: NodeId, tx: Tx, yes: bool, out: &mut Out<Self>) {
        match self.core.on_vote(cx, from, &tx, yes, out) {
            Tally::NotVoting => self.answer(cx, from, &tx, out),
            Tally::AllYes => self.core.decide(cx, &tx, Decision::Commit, out),
            Tally::Counted => {}
        }
    }

    /// A restarted coordinator reads its log (§3): what it never decided it
    /// aborts (presumed abort).
    fn recover_coordinator(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.core.recover_coordinator(cx, out, |tx, _, out| {
            out.milestone(|| format!("reads its log: no decision for {tx}, so it aborts it"));
            Decision::Abort
        });
    }

    // ---- participant ------------------------------------------------------

    fn on_decision(&mut self, tx: Tx, d: Decision, out: &mut Out<Self>) {
        self.uncertain.remove(&tx);
        self.core.on_decision(tx, d, out);
    }

    /// The decision timeout: a prepared participant that has heard nothing
    /// turns uncertain (blocked) and starts asking the coordinator.
    fn decisions_overdue(&mut self, cx: &mut Ctx, txs: Vec<Tx>, out: &mut Out<Self>) {
        for tx in txs {
            if self.core.log.vote(&tx) == Some(true) && self.core.log.decision(&tx).is_none() {
                if self.decide_alone {
                    self.core.log.write(&tx, RecordKind::Abort);
                    out.milestone(|| format!("hears no decision on {tx} and aborts on its own (unsafe: it voted yes)"));
                    continue;
                }
                self.uncertain.insert(tx.clone());
                out.milestone(|| format!("is uncertain about {tx}: voted yes, cannot decide alone; asks"));
                self.query(cx, tx, out);
            }
        }
    }

    fn query(&mut self, cx: &mut Ctx, tx: Tx, out: &mut Out<Self>) {
        if self.uncertain.contains(&tx) && self.core.log.decision(&tx).is_none() {
            self.core.retry.set(&tx, cx.now + self.core.timing.retry_ms);
            out.send(COORDINATOR, TwoPcMsg::Query { tx });
        }
    }

    /// The retry timer: the coordinator resends decisions, an uncertain
    /// participant asks again.
    fn retries_due(&mut self, cx: &mut Ctx, txs: Vec<Tx>, out: &mut Out<Self>) {
        for tx in txs {
            if self.is_coordinator() {
                self.core.resend_decision(cx, &tx, out);
            } else {
                self.query(cx, tx, out);
            }
        }
    }

    /// The coordinator shows "voting" until it decides; a participant
    /// that voted yes is "prepared", and "uncertain" (blocked) once its
    /// decision is overdue.
    fn build_view(id: NodeId, log: &DurableLog, live: Option<&TwoPc>) -> CommitView {
        Core::view(id, log, live.map(|me| &me.core), |tx, r, c, v| {
            if id == COORDINATOR {
                v.state = r.decision.map_or("voting", Decision::state);
                if r.decision.is_some() {
                    v.acks = Some(c.map(|c| c.confirmed.iter().copied().collect()).unwrap_or_default());
                }
            } else {
                let uncertain = live.is_some_and(|me| me.uncertain.contains(tx));
                v.blocked = uncertain && r.decision.is_none();
                v.state = match (r.decision, r.vote) {
                    (Some(d), _) => d.state(),
                    (None, Some(true)) if uncertain => "uncertain",
                    (None, Some(true)) => "prepared",
                    (None, _) => "working",
                };
            }
        })
    }
}

impl Protocol for TwoPc {
    const NAME: &'static str = "2pc";
    const NODES: std::ops::RangeInclusive<usize> = 2..=25;
    const DEFAULT_NODES: usize = 4;

    type Params = TwoPcParams;
    type Msg = TwoPcMsg;
    type Timer = TwoPcTimer;
    type Stable = DurableLog;
    type View = CommitView;

    fn spec() -> Spec {
        Spec {
            summary: "Every participant commits a transaction or every one aborts it, decided by one coordinator.",
            reference: "Gray & Lamport, Consensus on Transaction Commit, §2 and §4",
            kinds: &[
                Doc { name: "Prepare", doc: "phase 1: the coordinator asks each participant to prepare and vote" },
                Doc { name: "Vote", doc: "a participant's vote: yes (prepared, it can commit) or no (it aborts)" },
                Doc { name: "Commit", doc: "phase 2: the coordinator's decision is commit" },
                Doc { name: "Abort", doc: "phase 2: the coordinator's decision is abort" },
                Doc { name: "Ack", doc: "a participant has applied the decision" },
                Doc { name: "Query", doc: "an uncertain participant asks the coordinator for the outcome" },
            ],
            variants: &[
                Variant {
                    name: "no-durable-log",
                    doc: "the coordinator does not force its decision to its log: restarted, it presumes abort and decides the other way",
                    params: r#"{"unsafe_no_durable_log": true}"#,
                },
                Variant {
                    name: "decide-alone",
                    doc: "a participant that voted yes and hears no decision aborts on its own: the others commit",
                    params: r#"{"unsafe_decide_alone": true}"#,
                },
            ],
            fields: &["role", "transactions"],
            liveness: "after the network heals and every node is up, every transaction is decided at every node",
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &TwoPcParams, stable: Option<DurableLog>) -> Self {
        let timing = Timing {
            vote_delay_ms: params.vote_delay_ms,
            vote_timeout_ms: params.vote_timeout_ms,
            wait_ms: params.decision_timeout_ms,
            retry_ms: params.retry_ms,
        };
        TwoPc {
            core: Core::new(id, n, stable, timing, &params.no_voters),
            uncertain: BTreeSet::new(),
            no_durable_log: params.unsafe_no_durable_log,
            decide_alone: params.unsafe_decide_alone,
        }
    }

    /// The `unsafe_no_durable_log` variant's coordinator loses its decisions.
    fn crash(self) -> DurableLog {
        let mut log = self.core.log;
        if self.no_durable_log && self.core.id == COORDINATOR {
            log.forget_decisions();
        }
        log
    }

    fn stable(&self) -> &DurableLog {
        &self.core.log
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.is_coordinator() {
            self.recover_coordinator(cx, out);
        } else {
            let says = |tx: &Tx| format!("reads its log: prepared on {tx}, waits for the decision");
            self.core.recover_participant(cx, out, says);
        }
        self.core.sync_timers(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: TwoPcMsg, out: &mut Out<Self>) {
        match (self.is_coordinator(), from == COORDINATOR, msg) {
            (true, false, TwoPcMsg::Vote { tx, yes }) => self.on_vote(cx, from, tx, yes, out),
            (true, false, TwoPcMsg::Ack { tx }) => {
                let says = |tx: &Tx| format!("every participant has {tx}'s decision; writes end");
                self.core.on_receipt(from, tx, out, says);
            }
            (true, false, TwoPcMsg::Query { tx }) => self.answer(cx, from, &tx, out),
            (false, true, TwoPcMsg::Prepare { tx }) => self.core.on_ask(cx, tx, out),
            (false, true, TwoPcMsg::Commit { tx }) => self.on_decision(tx, Decision::Commit, out),
            (false, true, TwoPcMsg::Abort { tx }) => self.on_decision(tx, Decision::Abort, out),
            // Anything else is not for this role: ignore it.
            _ => {}
        }
        self.core.sync_timers(cx, out);
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: TwoPcTimer, out: &mut Out<Self>) {
        let now = cx.now;
        match timer {
            TwoPcTimer::Votes => {
                let due = self.core.votes_due.fired(now);
                self.core.votes_overdue(cx, due, out);
            }
            TwoPcTimer::Retry => {
                let due = self.core.retry.fired(now);
                self.retries_due(cx, due, out);
            }
            TwoPcTimer::Work => self.core.work_done(cx, out),
            TwoPcTimer::Decision => {
                let due = self.core.wait_due.fired(now);
                self.decisions_overdue(cx, due, out);
            }
        }
        self.core.sync_timers(cx, out);
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        self.core.client_request(cx, value, out)
    }

    /// The coordinator's vote timeouts fire now (else its resends); a
    /// participant's decision timeouts fire now (else its queries).
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        let first = if self.is_coordinator() { &mut self.core.votes_due } else { &mut self.core.wait_due };
        let fired = if first.is_empty() {
            let due = self.core.retry.take_all();
            let any = !due.is_empty();
            self.retries_due(cx, due, out);
            any
        } else {
            let due = first.take_all();
            if self.is_coordinator() {
                self.core.votes_overdue(cx, due, out);
            } else {
                self.decisions_overdue(cx, due, out);
            }
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
