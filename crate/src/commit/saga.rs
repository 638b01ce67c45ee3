//! Sagas, after Garcia-Molina & Salem, "Sagas" (SIGMOD 1987), run by an
//! orchestrator (their §5 "saga execution component", centralised).
//!
//! A saga is a long transaction written as steps T1…Tn, each a transaction of
//! its own that commits locally, each with a compensation Ci that semantically
//! undoes it. Node 0 orchestrates; step Ti runs on participant i (n1 runs T1,
//! n2 runs T2, …), one step at a time, in order. A client request names a
//! saga. When every step has run the saga is *committed*. When a step fails
//! (a business failure: the params choose which participants fail and for
//! which sagas) the orchestrator runs the compensations of the steps already
//! done, in reverse — Cj-1 … C1 — and the saga is *compensated*. Either way
//! the saga has *ended*: the sequence executed is T1…Tn or T1…Tj Cj…C1 (§2),
//! which is the saga's only atomicity: semantic, not isolation. Between the
//! steps, other sagas see the partial results (a later saga's step may read
//! what an earlier one's compensation will take back), which participants
//! record as what each step saw.
//!
//! Recovery is backward only after a business failure; a crash is recovered
//! forward (§5): the orchestrator forces each step's result to its log before
//! acting on it, and a restarted orchestrator reads the log and resumes where
//! it stopped. Until an answer comes it resends the current step or
//! compensation, so participants make both idempotent: they log what a step
//! did, and a repeated request gets the logged answer, never a second run.

use super::saga_msg::{SagaLog, SagaMsg, SagaParams, SagaRecord, SagaTimer, SagaTx, Step};
use super::{Agenda, COORDINATOR, Tx};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Spec, Variant};
use serde::Serialize;
use std::collections::BTreeMap;

/// One node of a saga cluster: the orchestrator (node 0) or a participant.
#[derive(Clone, Debug)]
pub struct Saga {
    id: NodeId,
    n: usize,
    params: SagaParams,
    log: SagaLog,
    /// Orchestrator: sagas waiting for an answer, by resend time.
    retry: Agenda,
    /// Participant: work in progress (true: a step, false: a compensation).
    jobs: BTreeMap<Tx, bool>,
    work_due: Agenda,
}

/// What the orchestrator does next for a saga, read from its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Do(Step),
    Undo(Step),
    End(bool),
}

/// A node's fields for the page and the CLI.
#[derive(Clone, Debug, Serialize)]
pub struct SagaView {
    /// "orchestrator" or "participant".
    pub role: &'static str,
    pub transactions: BTreeMap<Tx, SagaTxView>,
    /// Participant: the sagas whose step is applied here now (visible to others).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied: Option<Vec<Tx>>,
    /// The node's log records, oldest first, such as `"T2 failed t1"`.
    pub log: Vec<String>,
}

/// One saga as one node sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SagaTxView {
    /// Orchestrator: "running", "compensating", "committed", "compensated".
    /// Participant: "working", "done", "failed", "compensating", "compensated".
    pub state: &'static str,
    /// Orchestrator: "committed" or "compensated" once the saga ended, else null.
    pub outcome: Option<&'static str>,
    /// Orchestrator: every step T1…Tn with what became of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepView>>,
    /// Participant: the other sagas applied here when its step ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saw: Option<Vec<Tx>>,
}

/// One step of a saga as the orchestrator's log tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepView {
    pub step: Step,
    /// "pending", "running", "done", "failed", "compensating", "compensated".
    pub state: &'static str,
}

impl Saga {
    pub fn is_orchestrator(&self) -> bool {
        self.id == COORDINATOR
    }
    pub fn log(&self) -> &SagaLog {
        &self.log
    }
    fn last_step(&self) -> Step {
        self.n - 1
    }

    // ---- orchestrator -----------------------------------------------------

    fn next(&self, t: &SagaTx) -> Option<Next> {
        if t.outcome.is_some() {
            return None;
        }
        if t.failed.is_none() {
            let k = t.done.len() + 1;
            return Some(if k > self.last_step() { Next::End(true) } else { Next::Do(k) });
        }
        let left = t.applied();
        let pick = if self.params.compensate_forward { left.min() } else { left.max() };
        Some(pick.map_or(Next::End(false), Next::Undo))
    }

    /// Acts on a saga's log: sends the current step or compensation (and
    /// arms its resend), or writes the end.
    fn advance(&mut self, cx: &Ctx, tx: &Tx, out: &mut Out<Self>) {
        let Some(t) = self.log.get(tx) else { return };
        match self.next(t) {
            None => self.retry.clear(tx),
            Some(Next::End(committed)) => {
                self.retry.clear(tx);
                self.log.write(tx, if committed { SagaRecord::Committed } else { SagaRecord::Compensated });
                if committed {
                    out.milestone(|| format!("every step of {tx} ran: committed"));
                } else {
                    out.milestone(|| format!("every completed step of {tx} is compensated: compensated"));
                }
            }
            Some(Next::Do(step)) => {
                out.send(step, SagaMsg::Do { tx: tx.clone(), step });
                self.retry.set(tx, cx.now + self.params.retry_ms);
            }
            Some(Next::Undo(step)) => {
                out.send(step, SagaMsg::Compensate { tx: tx.clone(), step });
                self.retry.set(tx, cx.now + self.params.retry_ms);
            }
        }
    }

    fn on_answer(&mut self, cx: &Ctx, from: NodeId, msg: SagaMsg, out: &mut Out<Self>) {
        let tx = msg.tx().clone();
        let Some(next) = self.log.get(&tx).and_then(|t| self.next(t)) else { return };
        match (msg, next) {
            (SagaMsg::Done { step, ok, .. }, Next::Do(k)) if step == k && from == k => {
                self.log.write(&tx, SagaRecord::Ran { step, ok, saw: Vec::new() });
                if !ok {
                    out.milestone(|| format!("T{step} of {tx} failed: compensates the completed steps"));
                }
            }
            (SagaMsg::Compensated { step, .. }, Next::Undo(k)) if step == k && from == k => {
                self.log.write(&tx, SagaRecord::Undone { step });
            }
            // A duplicate, or an answer the log has moved past.
            _ => return,
        }
        self.advance(cx, &tx, out);
    }

    // ---- participant ------------------------------------------------------

    /// The sagas whose step is applied here now, by name.
    fn applied_here(log: &SagaLog, id: NodeId) -> Vec<Tx> {
        log.txs().filter(|(_, t)| t.applied().any(|s| s == id)).map(|(tx, _)| tx.clone()).collect()
    }

    /// A step or a compensation is asked for. A logged answer is given
    /// again (idempotence); work in progress is not started twice.
    fn on_request(&mut self, cx: &Ctx, tx: Tx, forward: bool, out: &mut Out<Self>) {
        let me = self.id;
        if let Some(t) = self.log.get(&tx) {
            if forward && (t.done.contains(&me) || t.failed == Some(me)) {
                out.send(COORDINATOR, SagaMsg::Done { tx, step: me, ok: t.failed != Some(me) });
                return;
            }
            if !forward && t.undone.contains(&me) {
                out.send(COORDINATOR, SagaMsg::Compensated { tx, step: me });
                return;
            }
        }
        if !forward && !self.log.get(&tx).is_some_and(|t| t.done.contains(&me)) {
            out.note(|| format!("has no completed T{me} of {tx} to compensate"));
            return;
        }
        if self.jobs.get(&tx) == Some(&forward) {
            return;
        }
        self.jobs.insert(tx.clone(), forward);
        out.note(|| format!("runs {}{me} of {tx}", if forward { "T" } else { "C" }));
        if self.params.step_ms == 0 {
            self.finish(tx, out);
        } else {
            self.work_due.set(&tx, cx.now + self.params.step_ms);
        }
    }

    /// Work done: the result is forced to the log, then reported.
    fn finish(&mut self, tx: Tx, out: &mut Out<Self>) {
        let me = self.id;
        let Some(forward) = self.jobs.remove(&tx) else { return };
        if forward {
            let ok = !self.params.fails(me, &tx);
            let saw: Vec<Tx> = Self::applied_here(&self.log, me).into_iter().filter(|t| *t != tx).collect();
            self.log.write(&tx, SagaRecord::Ran { step: me, ok, saw: saw.clone() });
            if !ok {
                out.milestone(|| format!("T{me} of {tx} fails"));
            } else if !saw.is_empty() {
                out.note(|| format!("T{me} of {tx} reads the partial results of {}", saw.join(", ")));
            }
            out.send(COORDINATOR, SagaMsg::Done { tx, step: me, ok });
        } else {
            self.log.write(&tx, SagaRecord::Undone { step: me });
            out.note(|| format!("C{me} of {tx} undoes T{me}"));
            out.send(COORDINATOR, SagaMsg::Compensated { tx, step: me });
        }
    }

    fn sync_timers(&mut self, cx: &Ctx, out: &mut Out<Self>) {
        self.retry.sync(SagaTimer::Retry, cx.now, out);
        self.work_due.sync(SagaTimer::Work, cx.now, out);
    }

    fn resend(&mut self, cx: &Ctx, txs: Vec<Tx>, out: &mut Out<Self>) {
        for tx in txs {
            self.advance(cx, &tx, out);
        }
    }

    fn build_view(id: NodeId, n: usize, log: &SagaLog, jobs: Option<&BTreeMap<Tx, bool>>) -> SagaView {
        let mut transactions = BTreeMap::new();
        for (tx, t) in log.txs() {
            let v = if id == COORDINATOR {
                let compensating = t.failed.is_some();
                let steps = (1..n)
                    .map(|step| {
                        let state = if t.undone.contains(&step) {
                            "compensated"
                        } else if t.failed == Some(step) {
                            "failed"
                        } else if t.done.contains(&step) {
                            if compensating && t.outcome.is_none() { "compensating" } else { "done" }
                        } else if !compensating && t.outcome.is_none() && step == t.done.len() + 1 {
                            "running"
                        } else {
                            "pending"
                        };
                        StepView { step, state }
                    })
                    .collect();
                let state = t.outcome.unwrap_or(if compensating { "compensating" } else { "running" });
                SagaTxView { state, outcome: t.outcome, steps: Some(steps), saw: None }
            } else {
                let state = if t.undone.contains(&id) {
                    "compensated"
                } else if jobs.is_some_and(|j| j.get(tx) == Some(&false)) {
                    "compensating"
                } else if t.failed == Some(id) {
                    "failed"
                } else {
                    "done"
                };
                SagaTxView { state, outcome: None, steps: None, saw: Some(t.saw.clone()) }
            };
            transactions.insert(tx.clone(), v);
        }
        for (tx, _) in jobs.into_iter().flatten().filter(|(_, f)| **f) {
            transactions.entry(tx.clone()).or_insert(SagaTxView { state: "working", ..SagaTxView::default() });
        }
        let role = if id == COORDINATOR { "orchestrator" } else { "participant" };
        let applied = (id != COORDINATOR).then(|| Self::applied_here(log, id));
        SagaView { role, transactions, applied, log: log.lines() }
    }
}

impl Protocol for Saga {
    const NAME: &'static str = "saga";
    const NODES: std::ops::RangeInclusive<usize> = 2..=12;
    const DEFAULT_NODES: usize = 4;

    type Params = SagaParams;
    type Msg = SagaMsg;
    type Timer = SagaTimer;
    type Stable = SagaLog;
    type View = SagaView;

    fn spec() -> Spec {
        Spec {
            summary: "A long transaction as local steps, each with a compensation: all steps commit, or the completed ones are undone in reverse.",
            reference: "Garcia-Molina & Salem, Sagas (SIGMOD 1987), §2 and §5",
            kinds: &[
                Doc { name: "Do", doc: "the orchestrator asks participant i to run step Ti" },
                Doc { name: "Done", doc: "step Ti ran and committed locally" },
                Doc { name: "Failed", doc: "step Ti failed: nothing of it is applied; the saga must compensate" },
                Doc { name: "Compensate", doc: "the orchestrator asks participant i to run compensation Ci" },
                Doc { name: "Compensated", doc: "compensation Ci ran: Ti is semantically undone" },
            ],
            variants: &[
                Variant {
                    name: "compensate-forward",
                    doc: "compensates the completed steps first to last (C1 before C2): a compensation runs while later steps built on its step are still applied",
                    params: r#"{"compensate_forward":true,"fail_steps":[3]}"#,
                },
                Variant {
                    name: "no-log",
                    doc: "the orchestrator keeps its progress in memory only: after its crash the sagas it was running are neither committed nor compensated, ever",
                    params: r#"{"durable_log":false}"#,
                },
            ],
            fields: &["role", "transactions", "applied"],
            liveness: "after the network heals and every node is up, every saga any node has heard of has ended at the orchestrator: committed or compensated",
            metrics: &[
                Doc { name: "committed", doc: "sagas that ended with every step committed" },
                Doc { name: "compensated", doc: "sagas that ended with every completed step compensated" },
                Doc { name: "dirty_reads", doc: "steps that ran on the partial results of a saga later compensated (no isolation)" },
            ],
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &SagaParams, stable: Option<SagaLog>) -> Self {
        let mut log = stable.unwrap_or_default();
        log.nodes = n;
        Saga {
            id,
            n,
            params: params.clone(),
            log,
            retry: Agenda::default(),
            jobs: BTreeMap::new(),
            work_due: Agenda::default(),
        }
    }

    /// The log survives, unless the orchestrator runs without one (`no-log`).
    fn crash(self) -> SagaLog {
        if self.is_orchestrator() && !self.params.durable_log {
            SagaLog::empty(self.n)
        } else {
            self.log
        }
    }

    fn stable(&self) -> &SagaLog {
        &self.log
    }

    /// A restarted orchestrator reads its log and resumes every saga that
    /// has not ended (recovery is forward after a crash).
    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.is_orchestrator() {
            let open: Vec<Tx> = self.log.txs().filter(|(_, t)| t.outcome.is_none()).map(|(tx, _)| tx.clone()).collect();
            for tx in open {
                out.milestone(|| format!("reads its log: resumes {tx}"));
                self.advance(cx, &tx, out);
            }
        }
        self.sync_timers(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: SagaMsg, out: &mut Out<Self>) {
        match (self.is_orchestrator(), msg) {
            (true, m @ (SagaMsg::Done { .. } | SagaMsg::Compensated { .. })) => self.on_answer(cx, from, m, out),
            (false, SagaMsg::Do { tx, step }) if from == COORDINATOR && step == self.id => {
                self.on_request(cx, tx, true, out)
            }
            (false, SagaMsg::Compensate { tx, step }) if from == COORDINATOR && step == self.id => {
                self.on_request(cx, tx, false, out)
            }
            _ => {}
        }
        self.sync_timers(cx, out);
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: SagaTimer, out: &mut Out<Self>) {
        match timer {
            SagaTimer::Retry => {
                let due = self.retry.fired(cx.now);
                self.resend(cx, due, out);
            }
            SagaTimer::Work => {
                for tx in self.work_due.fired(cx.now) {
                    self.finish(tx, out);
                }
            }
        }
        self.sync_timers(cx, out);
    }

    fn on_client_request(&mut self, cx: &mut Ctx, tx: Value, out: &mut Out<Self>) -> ClientReply {
        if !self.is_orchestrator() {
            return ClientReply::Redirect(Some(COORDINATOR));
        }
        if self.log.get(&tx).is_some() {
            out.note(|| format!("already knows {tx}; the repeated request changes nothing"));
        } else {
            self.log.write(&tx, SagaRecord::Begin);
            out.milestone(|| format!("begins saga {tx}"));
            self.advance(cx, &tx, out);
        }
        self.sync_timers(cx, out);
        ClientReply::Accepted
    }

    /// The orchestrator resends every unanswered request now; a participant
    /// finishes its work now.
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        let fired = if self.is_orchestrator() {
            let due = self.retry.take_all();
            let any = !due.is_empty();
            self.resend(cx, due, out);
            any
        } else {
            let due = self.work_due.take_all();
            let any = !due.is_empty();
            for tx in due {
                self.finish(tx, out);
            }
            any
        };
        self.sync_timers(cx, out);
        fired
    }

    fn view(&self) -> SagaView {
        Self::build_view(self.id, self.n, &self.log, Some(&self.jobs))
    }

    fn view_down(id: NodeId, stable: &SagaLog) -> SagaView {
        Self::build_view(id, stable.nodes.max(2), stable, None)
    }
}
