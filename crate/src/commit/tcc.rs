//! Try / Confirm / Cancel (TCC): a transaction as reservations that are
//! confirmed or cancelled, after Pat Helland, "Life beyond Distributed
//! Transactions" (CIDR 2007) and the TCC pattern of Atomikos and Seata,
//! whose manuals list the three pitfalls this engine handles.
//!
//! Node 0 coordinates; every other node is a participant holding seats (or
//! any balance). A client request names a transaction. The coordinator
//! forces `begin` and sends Try to every participant; a try reserves
//! `amount` seats if that many are free, and says Reserved, else Refused.
//! When every participant reserved, the coordinator forces *confirm* and
//! sends Confirm (each reservation becomes a sale); on a refusal, or when
//! the reservations are overdue (`try_timeout_ms`), it forces *cancel* and
//! sends Cancel (each reservation is released). It resends its decision
//! until every participant acknowledged, then forces `end`: the transaction
//! has *ended*. A restarted coordinator cancels what it never decided and
//! resends what it decided.
//!
//! The coordinator's timeout is what makes TCC practical and what makes its
//! participants hard to write. Three rules, each with a broken variant:
//! - **idempotence**: a confirm or cancel may arrive twice (a resend after a
//!   lost acknowledgement, a duplicated message); the second changes nothing.
//! - **the empty rollback**: a cancel may arrive for a try that never ran
//!   here (the try was lost or is late). The participant must accept it,
//!   release nothing, and record that the transaction is cancelled.
//! - **the hanging try**: a try that arrives *after* its cancel must be
//!   refused, fenced off by that record. Reserved now, its seats would be
//!   held forever: no confirm or cancel will ever come again.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::log::{Decision, DurableLog, RecordKind};
use super::tcc_msg::{Hold, Seats, TccMsg, TccParams, TccStable, TccTimer};
use super::{Agenda, COORDINATOR, Tx};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Spec, Variant};

/// One node of a TCC cluster.
#[derive(Clone, Debug)]
pub struct Tcc {
    id: NodeId,
    n: usize,
    params: TccParams,
    stable: TccStable,
    /// Coordinator: who reserved, and who acknowledged the decision.
    reserved: BTreeMap<Tx, BTreeSet<NodeId>>,
    acked: BTreeMap<Tx, BTreeSet<NodeId>>,
    tries_due: Agenda,
    retry: Agenda,
}

/// A node's fields for the page and the CLI.
#[derive(Clone, Debug, Serialize)]
pub struct TccView {
    /// "coordinator" or "participant".
    pub role: &'static str,
    pub transactions: BTreeMap<Tx, TccTxView>,
    /// Participant: its seats (`capacity`, `amount`, `free`, `held`, `sold`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<Seats>,
    /// The node's records, oldest first, such as `"confirm t1"` or `"reserved t1"`.
    pub log: Vec<String>,
}

/// One transaction as one node sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TccTxView {
    /// Coordinator: "trying", "confirming", "cancelling", "confirmed", "cancelled".
    /// Participant: "reserved", "refused", "confirmed", "cancelled", "empty-cancel".
    pub state: &'static str,
    /// Coordinator: "confirm" or "cancel" once decided, else null.
    pub decision: Option<&'static str>,
    /// Coordinator: the participants that reserved (while trying) or
    /// acknowledged the decision (afterwards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acks: Option<Vec<NodeId>>,
    /// Coordinator: every participant acknowledged; `end` is written.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
}

fn word(d: Decision) -> &'static str {
    match d {
        Decision::Commit => "confirm",
        Decision::Abort => "cancel",
    }
}

impl Tcc {
    pub fn is_coordinator(&self) -> bool {
        self.id == COORDINATOR
    }
    fn participants(&self) -> usize {
        self.n - 1
    }
    fn sync_timers(&mut self, cx: &Ctx, out: &mut Out<Self>) {
        self.tries_due.sync(TccTimer::Tries, cx.now, out);
        self.retry.sync(TccTimer::Retry, cx.now, out);
    }

    // ---- coordinator ------------------------------------------------------

    fn begin(&mut self, cx: &Ctx, tx: Tx, out: &mut Out<Self>) {
        self.stable.log.write(&tx, RecordKind::Begin);
        self.reserved.insert(tx.clone(), BTreeSet::new());
        out.milestone(|| format!("begins {tx}: asks every participant to reserve"));
        for p in cx.peers() {
            out.send(p, TccMsg::Try { tx: tx.clone() });
        }
        self.tries_due.set(&tx, cx.now + self.params.try_timeout_ms);
    }

    /// Forces the decision, then sends it; a decision already made stands.
    fn decide(&mut self, cx: &Ctx, tx: &Tx, d: Decision, out: &mut Out<Self>) {
        if !self.stable.log.write(tx, d.into()) {
            return;
        }
        self.tries_due.clear(tx);
        self.acked.insert(tx.clone(), BTreeSet::new());
        out.milestone(|| format!("decides {} for {tx}", word(d)));
        self.resend(cx, tx, out);
    }

    fn resend(&mut self, cx: &Ctx, tx: &Tx, out: &mut Out<Self>) {
        let Some(r) = self.stable.log.get(tx) else { return };
        let (Some(d), false) = (r.decision, r.ended) else { return };
        let acked = self.acked.get(tx).cloned().unwrap_or_default();
        for p in cx.peers().filter(|p| !acked.contains(p)) {
            let msg = if d == Decision::Commit { TccMsg::Confirm { tx: tx.clone() } } else { TccMsg::Cancel { tx: tx.clone() } };
            out.send(p, msg);
        }
        self.retry.set(tx, cx.now + self.params.retry_ms);
    }

    fn on_try_answer(&mut self, cx: &Ctx, from: NodeId, tx: Tx, ok: bool, out: &mut Out<Self>) {
        if self.stable.log.decision(&tx).is_some() {
            return;
        }
        let all = self.participants();
        let Some(set) = self.reserved.get_mut(&tx) else { return };
        if !ok {
            out.note(|| format!("n{from} refused {tx}"));
            self.decide(cx, &tx, Decision::Abort, out);
        } else if set.insert(from) && set.len() == all {
            self.decide(cx, &tx, Decision::Commit, out);
        }
    }

    fn on_ack(&mut self, from: NodeId, tx: Tx, d: Decision, out: &mut Out<Self>) {
        let Some(r) = self.stable.log.get(&tx) else { return };
        if r.decision != Some(d) || r.ended {
            return;
        }
        let all = self.participants();
        let set = self.acked.entry(tx.clone()).or_default();
        set.insert(from);
        if set.len() == all {
            self.stable.log.write(&tx, RecordKind::End);
            self.retry.clear(&tx);
            let done = if d == Decision::Commit { "confirmed" } else { "cancelled" };
            out.milestone(|| format!("every participant has {done} {tx}: it ends"));
        }
    }

    // ---- participant ------------------------------------------------------

    fn on_try(&mut self, tx: Tx, out: &mut Out<Self>) {
        let a = self.stable.seats.amount;
        let late = |h| matches!(h, Hold::Cancelled | Hold::EmptyCancel);
        match self.stable.seats.hold(&tx) {
            Some(Hold::Reserved | Hold::Confirmed) => return out.send(COORDINATOR, TccMsg::Reserved { tx }),
            Some(Hold::Refused) => return out.send(COORDINATOR, TccMsg::Refused { tx }),
            Some(h) if late(h) && self.params.refuse_late_try => {
                out.milestone(|| format!("refuses the try of {tx}: it arrives after its cancel (hanging try fenced off)"));
                return out.send(COORDINATOR, TccMsg::Refused { tx });
            }
            Some(_) => out.milestone(|| format!("reserves for {tx} after its cancel: a hanging try, held forever")),
            None => {}
        }
        if self.stable.seats.free >= a {
            self.stable.seats.apply(&tx, Hold::Reserved, [-a, a, 0]);
            out.note(|| format!("reserves {a} for {tx}"));
            out.send(COORDINATOR, TccMsg::Reserved { tx });
        } else {
            self.stable.seats.apply(&tx, Hold::Refused, [0, 0, 0]);
            out.note(|| format!("has too few seats for {tx}: refuses"));
            out.send(COORDINATOR, TccMsg::Refused { tx });
        }
    }

    fn on_confirm(&mut self, tx: Tx, out: &mut Out<Self>) {
        let a = self.stable.seats.amount;
        match self.stable.seats.hold(&tx) {
            Some(Hold::Reserved) => {
                self.stable.seats.apply(&tx, Hold::Confirmed, [0, -a, a]);
                out.note(|| format!("confirms {tx}"));
            }
            Some(Hold::Confirmed) if !self.params.idempotent => {
                self.stable.seats.apply(&tx, Hold::Confirmed, [0, -a, a]);
                out.milestone(|| format!("confirms {tx} again: not idempotent"));
            }
            Some(Hold::Confirmed) => out.note(|| format!("already confirmed {tx}: the repeat changes nothing")),
            other => {
                let h = other.map_or("nothing", Hold::name);
                out.note(|| format!("refuses to confirm {tx}: it holds {h} for it"));
                return;
            }
        }
        out.send(COORDINATOR, TccMsg::Confirmed { tx });
    }

    fn on_cancel(&mut self, tx: Tx, out: &mut Out<Self>) {
        let a = self.stable.seats.amount;
        match self.stable.seats.hold(&tx) {
            Some(Hold::Reserved) => {
                self.stable.seats.apply(&tx, Hold::Cancelled, [a, -a, 0]);
                out.note(|| format!("cancels {tx}: releases {a}"));
            }
            Some(Hold::Cancelled) if !self.params.idempotent => {
                self.stable.seats.apply(&tx, Hold::Cancelled, [a, -a, 0]);
                out.milestone(|| format!("cancels {tx} again: not idempotent, releases {a} more"));
            }
            Some(Hold::Cancelled | Hold::EmptyCancel) => {
                out.note(|| format!("already cancelled {tx}: the repeat changes nothing"))
            }
            // Refused: nothing was reserved, nothing to release.
            Some(Hold::Refused) => {}
            None if self.params.empty_rollback => {
                self.stable.seats.apply(&tx, Hold::EmptyCancel, [0, 0, 0]);
                out.milestone(|| format!("empty rollback: cancel of {tx} before any try; records it, releases nothing"));
            }
            None => {
                self.stable.seats.apply(&tx, Hold::Cancelled, [a, -a, 0]);
                out.milestone(|| format!("cancel of {tx} before any try: releases {a} never reserved"));
            }
            Some(Hold::Confirmed) => {
                out.note(|| format!("refuses to cancel {tx}: already confirmed"));
                return;
            }
        }
        out.send(COORDINATOR, TccMsg::Cancelled { tx });
    }

    fn build_view(id: NodeId, stable: &TccStable, live: Option<&Tcc>) -> TccView {
        let mut transactions = BTreeMap::new();
        if id == COORDINATOR {
            for (tx, r) in stable.log.txs() {
                let state = match (r.decision, r.ended) {
                    (None, _) => "trying",
                    (Some(Decision::Commit), false) => "confirming",
                    (Some(Decision::Abort), false) => "cancelling",
                    (Some(Decision::Commit), true) => "confirmed",
                    (Some(Decision::Abort), true) => "cancelled",
                };
                let set = live.and_then(|me| if r.decision.is_some() { me.acked.get(tx) } else { me.reserved.get(tx) });
                let acks = Some(set.map(|s| s.iter().copied().collect()).unwrap_or_default());
                transactions.insert(tx.clone(), TccTxView { state, decision: r.decision.map(word), acks, ended: r.ended });
            }
            let log = stable.log.records().iter().map(|r| format!("{} {}", kind_word(r.kind), r.tx)).collect();
            return TccView { role: "coordinator", transactions, seats: None, log };
        }
        for (tx, h) in &stable.seats.holds {
            transactions.insert(tx.clone(), TccTxView { state: h.name(), ..TccTxView::default() });
        }
        let log = stable.seats.records.iter().map(|(tx, h)| format!("{} {tx}", h.name())).collect();
        TccView { role: "participant", transactions, seats: Some(stable.seats.clone()), log }
    }
}

/// The coordinator's log records in TCC's words.
fn kind_word(k: RecordKind) -> &'static str {
    match k {
        RecordKind::Commit => "confirm",
        RecordKind::Abort => "cancel",
        other => other.name(),
    }
}

impl Protocol for Tcc {
    const NAME: &'static str = "tcc";
    const NODES: std::ops::RangeInclusive<usize> = 2..=12;
    const DEFAULT_NODES: usize = 3;

    type Params = TccParams;
    type Msg = TccMsg;
    type Timer = TccTimer;
    type Stable = TccStable;
    type View = TccView;

    fn spec() -> Spec {
        Spec {
            summary: "Reserve at every participant, then confirm every reservation or cancel every one, surviving lost, repeated and late messages.",
            reference: "Helland, Life beyond Distributed Transactions (CIDR 2007); the TCC pattern (Atomikos, Seata)",
            kinds: &[
                Doc { name: "Try", doc: "the coordinator asks a participant to reserve seats for a transaction" },
                Doc { name: "Reserved", doc: "the seats are reserved (held, not yet sold)" },
                Doc { name: "Refused", doc: "nothing reserved: too few seats, or the transaction was already cancelled here" },
                Doc { name: "Confirm", doc: "the decision: every reservation becomes a sale" },
                Doc { name: "Cancel", doc: "the decision: every reservation is released (also where no try ever ran)" },
                Doc { name: "Confirmed", doc: "a participant applied the confirm" },
                Doc { name: "Cancelled", doc: "a participant applied the cancel" },
            ],
            variants: &[
                Variant {
                    name: "non-idempotent",
                    doc: "a repeated confirm or cancel (a resend, a duplicate) is applied again: seats are sold or released twice",
                    params: r#"{"idempotent":false}"#,
                },
                Variant {
                    name: "no-empty-rollback",
                    doc: "a cancel for a try that never ran releases seats anyway: the participant frees seats it never reserved",
                    params: r#"{"empty_rollback":false}"#,
                },
                Variant {
                    name: "hanging-try",
                    doc: "a try that arrives after its cancel reserves anyway: the seats stay held after the transaction ended",
                    params: r#"{"refuse_late_try":false}"#,
                },
            ],
            fields: &["role", "transactions", "seats"],
            liveness: "after the network heals and every node is up, every transaction has ended: confirmed or cancelled at every participant, every acknowledgement collected",
            metrics: &[
                Doc { name: "confirmed", doc: "transactions that ended confirmed" },
                Doc { name: "cancelled", doc: "transactions that ended cancelled" },
                Doc { name: "empty_rollbacks", doc: "cancels that found no try at a participant (and released nothing)" },
                Doc { name: "held", doc: "seats held by reservations now, over every participant" },
            ],
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &TccParams, stable: Option<TccStable>) -> Self {
        let stable = stable.unwrap_or_else(|| TccStable {
            log: DurableLog::default(),
            seats: if id == COORDINATOR { Seats::default() } else { Seats::new(params.capacity, params.amount) },
        });
        Tcc {
            id,
            n,
            params: params.clone(),
            stable,
            reserved: BTreeMap::new(),
            acked: BTreeMap::new(),
            tries_due: Agenda::default(),
            retry: Agenda::default(),
        }
    }

    fn crash(self) -> TccStable {
        self.stable
    }

    fn stable(&self) -> &TccStable {
        &self.stable
    }

    /// A restarted coordinator cancels what it never decided (the tries'
    /// answers are lost with its memory) and resends what it decided.
    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.is_coordinator() {
            let txs: Vec<(Tx, bool)> = self
                .stable
                .log
                .txs()
                .filter(|(_, r)| !r.ended)
                .map(|(tx, r)| (tx.clone(), r.decision.is_some()))
                .collect();
            for (tx, decided) in txs {
                if decided {
                    out.milestone(|| format!("reads its log: resends the decision on {tx}"));
                    self.acked.entry(tx.clone()).or_default();
                    self.resend(cx, &tx, out);
                } else {
                    out.milestone(|| format!("reads its log: {tx} was never decided, so it cancels it"));
                    self.decide(cx, &tx, Decision::Abort, out);
                }
            }
        }
        self.sync_timers(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: TccMsg, out: &mut Out<Self>) {
        match (self.is_coordinator(), from == COORDINATOR, msg) {
            (true, false, TccMsg::Reserved { tx }) => self.on_try_answer(cx, from, tx, true, out),
            (true, false, TccMsg::Refused { tx }) => self.on_try_answer(cx, from, tx, false, out),
            (true, false, TccMsg::Confirmed { tx }) => self.on_ack(from, tx, Decision::Commit, out),
            (true, false, TccMsg::Cancelled { tx }) => self.on_ack(from, tx, Decision::Abort, out),
            (false, true, TccMsg::Try { tx }) => self.on_try(tx, out),
            (false, true, TccMsg::Confirm { tx }) => self.on_confirm(tx, out),
            (false, true, TccMsg::Cancel { tx }) => self.on_cancel(tx, out),
            _ => {}
        }
        self.sync_timers(cx, out);
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: TccTimer, out: &mut Out<Self>) {
        match timer {
            TccTimer::Tries => {
                for tx in self.tries_due.fired(cx.now) {
                    out.note(|| format!("times out waiting for the reservations of {tx}"));
                    self.decide(cx, &tx, Decision::Abort, out);
                }
            }
            TccTimer::Retry => {
                for tx in self.retry.fired(cx.now) {
                    self.resend(cx, &tx, out);
                }
            }
        }
        self.sync_timers(cx, out);
    }

    fn on_client_request(&mut self, cx: &mut Ctx, tx: Value, out: &mut Out<Self>) -> ClientReply {
        if !self.is_coordinator() {
            return ClientReply::Redirect(Some(COORDINATOR));
        }
        if self.stable.log.get(&tx).is_some() {
            out.note(|| format!("already knows {tx}; the repeated request changes nothing"));
        } else {
            self.begin(cx, tx, out);
        }
        self.sync_timers(cx, out);
        ClientReply::Accepted
    }

    /// The coordinator's try deadlines pass now (else it resends its decisions).
    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        if !self.is_coordinator() {
            return false;
        }
        let tries = self.tries_due.take_all();
        let fired = if tries.is_empty() {
            let due = self.retry.take_all();
            let any = !due.is_empty();
            for tx in due {
                self.resend(cx, &tx, out);
            }
            any
        } else {
            for tx in tries {
                self.decide(cx, &tx, Decision::Abort, out);
            }
            true
        };
        self.sync_timers(cx, out);
        fired
    }

    fn view(&self) -> TccView {
        Self::build_view(self.id, &self.stable, Some(self))
    }

    fn view_down(id: NodeId, stable: &TccStable) -> TccView {
        Self::build_view(id, stable, None)
    }
}
