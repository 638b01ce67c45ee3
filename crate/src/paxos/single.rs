//! Single-decree Paxos, as in Lamport, "Paxos Made Simple" §2.
//!
//! Every node is an acceptor and a learner, and a proposer unless the params
//! restrict who proposes. A proposer that a client handed a value picks a
//! ballot `(round, node)` above every round it has seen and runs two phases:
//!
//! 1. It sends *prepare(b)* to every acceptor. An acceptor that has not
//!    promised a higher ballot promises `b` and answers with the
//!    highest-ballot proposal it has accepted, if any (P1a).
//! 2. With promises from a majority, the proposer sends *accept(b, v)* where
//!    `v` is the value of the highest-ballot proposal among the promises, or
//!    its own value if none reported one: the value-adoption rule that keeps
//!    a chosen value chosen. An acceptor accepts unless it has promised a
//!    higher ballot.
//!
//! A value is chosen once a majority of acceptors accepted the same ballot.
//! The proposer is the distinguished learner for its ballot (§2.4): it counts
//! the *accepted* replies and, at a majority, learns the value and tells every
//! other learner with *decide*. An acceptor that refuses a ballot says so with
//! *nack* (the optimisation of §2.3), and the refused proposer abandons the
//! round, backs off for a random delay and tries again with a higher ballot;
//! without back-off two proposers can pre-empt each other forever (§2.4).
//! A node that has already learned answers prepare and accept with *decide*.
//!
//! A proposer talks to its own acceptor without the network: the promise and
//! the acceptance of its own ballot happen inside the same step. The acceptor
//! state (promised, accepted), the learned value and the highest round the
//! proposer used are persistent ([`PaxosStable`]); the rest is lost in a crash.

use serde::Serialize;

use super::ballot::Ballot;
pub use super::single_msg::{PaxosMsg, PaxosParams, PaxosTimer, Proposal};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Spec, Variant};

/// What a node keeps on stable storage.
#[derive(Clone, Debug, Default)]
pub struct PaxosStable {
    /// Acceptor: the highest ballot promised.
    pub promised: Option<Ballot>,
    /// Acceptor: the highest-ballot proposal accepted.
    pub accepted: Option<Proposal>,
    /// Learner: the value learned as chosen.
    pub learned: Option<Value>,
    /// Proposer: the highest round it ever used, so that a restarted
    /// proposer never issues the same ballot twice (§2.3).
    pub last_round: u64,
}

/// Where a proposer is in its current attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Preparing,
    Accepting,
    BackingOff,
    Done,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Preparing => "preparing",
            Phase::Accepting => "accepting",
            Phase::BackingOff => "backing_off",
            Phase::Done => "done",
        }
    }
}

/// One Paxos node: proposer, acceptor and learner.
#[derive(Clone, Debug)]
pub struct Paxos {
    id: NodeId,
    n: usize,
    params: PaxosParams,
    st: PaxosStable,
    phase: Phase,
    /// The value a client handed this proposer.
    own: Option<Value>,
    /// The ballot of the current (or last) attempt.
    ballot: Option<Ballot>,
    /// The value the proposer is pushing in phase 2.
    value: Option<Value>,
    promises: Vec<bool>,
    /// The highest-ballot proposal reported by the promises so far.
    highest: Option<Proposal>,
    accepts: Vec<bool>,
    /// The highest round seen in any message.
    top_round: u64,
    /// Failed rounds in a row (for the back-off) and rounds started.
    failures: u32,
    rounds: u32,
}

/// The node fields of the scenario format, and what the page draws.
#[derive(Serialize)]
pub struct PaxosView {
    pub promised: Option<Ballot>,
    pub accepted: Option<Proposal>,
    pub learned: Option<Value>,
    /// Whether this node may propose.
    pub proposer: bool,
    /// "idle", "preparing", "accepting", "backing_off" or "done".
    pub phase: &'static str,
    /// The ballot of the current attempt.
    pub ballot: Option<Ballot>,
    /// The value the client handed this proposer.
    pub own_value: Option<Value>,
    /// The value pushed in phase 2 (maybe adopted from a promise).
    pub value: Option<Value>,
    /// Whether that value was adopted from a promise rather than its own.
    pub adopted: bool,
    /// Nodes whose promise (phase 1) or acceptance (phase 2) is counted.
    pub promises: Vec<NodeId>,
    pub accepts: Vec<NodeId>,
    /// Rounds started since the node (re)started.
    pub rounds: u32,
}

use crate::base::quorum::members;

impl Paxos {
    pub fn phase(&self) -> Phase {
        self.phase
    }
    pub fn learned(&self) -> Option<&Value> {
        self.st.learned.as_ref()
    }
    pub fn promised(&self) -> Option<Ballot> {
        self.st.promised
    }
    pub fn accepted(&self) -> Option<&Proposal> {
        self.st.accepted.as_ref()
    }
    /// The value a client handed this node, if it proposes one.
    pub fn client_value(&self) -> Option<&Value> {
        self.own.as_ref()
    }
    pub fn ballot(&self) -> Option<Ballot> {
        self.ballot
    }
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    fn majority(&self) -> usize {
        crate::base::quorum::majority(self.n)
    }

    fn observe(&mut self, b: Ballot) {
        self.top_round = self.top_round.max(b.round);
    }

    /// P1a: promise `b` unless a higher ballot was promised. A repeated
    /// prepare for the ballot already promised gets the same answer again.
    fn acceptor_prepare(&mut self, b: Ballot) -> Result<Option<Proposal>, Ballot> {
        match self.st.promised {
            Some(p) if p > b => Err(p),
            _ => {
                self.st.promised = Some(b);
                Ok(self.st.accepted.clone())
            }
        }
    }

    /// P2b: accept `(b, v)` unless a higher ballot was promised.
    fn acceptor_accept(&mut self, b: Ballot, v: Value) -> Result<(), Ballot> {
        match self.st.promised {
            Some(p) if p > b => Err(p),
            _ => {
                self.st.promised = Some(b);
                self.st.accepted = Some(Proposal { ballot: b, value: v });
                Ok(())
            }
        }
    }

    fn active(&self) -> bool {
        matches!(self.phase, Phase::Preparing | Phase::Accepting)
    }

    /// Phase 1 with a fresh ballot above every round seen.
    fn start_round(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.st.learned.is_some() || self.own.is_none() {
            return;
        }
        let seen = [self.st.last_round, self.top_round, self.st.promised.map_or(0, |p| p.round)];
        let b = Ballot::next_above(self.id, seen);
        self.st.last_round = b.round;
        self.ballot = Some(b);
        self.phase = Phase::Preparing;
        self.rounds += 1;
        self.value = None;
        self.highest = None;
        self.promises = vec![false; self.n];
        self.accepts = vec![false; self.n];
        out.note(|| format!("starts phase 1 with ballot {b}"));
        out.set_timer(PaxosTimer::Retry, self.params.round_timeout_ms);
        for peer in cx.peers() {
            out.send(peer, PaxosMsg::Prepare { ballot: b });
        }
        // The proposer's own acceptor, without the network.
        match self.acceptor_prepare(b) {
            Ok(accepted) => self.count_promise(cx, self.id, accepted, out),
            Err(higher) => self.abandon(cx, higher, out),
        }
    }

    fn count_promise(&mut self, cx: &mut Ctx, from: NodeId, accepted: Option<Proposal>, out: &mut Out<Self>) {
        let Some(flag) = self.promises.get_mut(from) else { return };
        *flag = true;
        if let Some(p) = accepted
            && self.highest.as_ref().is_none_or(|h| p.ballot > h.ballot)
        {
            self.highest = Some(p);
        }
        if self.promises.iter().filter(|&&f| f).count() >= self.majority() {
            self.begin_accept(cx, out);
        }
    }

    /// Phase 2: adopt the highest-ballot accepted value reported, else
    /// propose our own.
    fn begin_accept(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let (Some(b), Some(own)) = (self.ballot, self.own.clone()) else { return };
        let value = match &self.highest {
            Some(h) if !self.params.unsafe_ignore_promised_values => {
                if h.value != own {
                    out.note(|| format!("adopts \"{}\" accepted in ballot {}", h.value, h.ballot));
                }
                h.value.clone()
            }
            _ => own,
        };
        self.phase = Phase::Accepting;
        self.value = Some(value.clone());
        out.note(|| format!("has a majority of promises for {b}; asks to accept \"{value}\""));
        for peer in cx.peers() {
            out.send(peer, PaxosMsg::Accept { ballot: b, value: value.clone() });
        }
        match self.acceptor_accept(b, value) {
            Ok(()) => self.count_accept(cx, self.id, out),
            Err(higher) => self.abandon(cx, higher, out),
        }
    }

    fn count_accept(&mut self, cx: &mut Ctx, from: NodeId, out: &mut Out<Self>) {
        let Some(flag) = self.accepts.get_mut(from) else { return };
        *flag = true;
        if self.accepts.iter().filter(|&&f| f).count() >= self.majority()
            && let Some(v) = self.value.clone()
        {
            self.learn(v.clone(), out);
            for peer in cx.peers() {
                out.send(peer, PaxosMsg::Decide { value: v.clone() });
            }
        }
    }

    fn learn(&mut self, v: Value, out: &mut Out<Self>) {
        match &self.st.learned {
            None => {
                out.milestone(|| format!("learns \"{v}\""));
                self.st.learned = Some(v);
            }
            Some(l) if *l != v => out.note(|| format!("hears \"{v}\" was chosen but learned \"{l}\"")),
            Some(_) => {}
        }
        if self.phase != Phase::Idle {
            self.phase = Phase::Done;
        }
        out.cancel_timer(PaxosTimer::Retry);
    }

    /// A higher ballot exists: give up this round and try again later
    /// (or at once, without back-off).
    fn abandon(&mut self, cx: &mut Ctx, higher: Ballot, out: &mut Out<Self>) {
        self.observe(higher);
        self.failures = self.failures.saturating_add(1);
        let b = self.ballot;
        if !self.params.backoff {
            out.note(|| match b {
                Some(b) => format!("ballot {b} is pre-empted by {higher}; retries at once"),
                None => format!("is pre-empted by {higher}; retries at once"),
            });
            self.start_round(cx, out);
            return;
        }
        let (lo, hi) = self.params.backoff_ms;
        let hi = hi.saturating_mul(1 << (self.failures - 1).min(3)).clamp(lo, 600_000);
        let delay = cx.random_range(lo, hi);
        self.phase = Phase::BackingOff;
        out.note(|| match b {
            Some(b) => format!("ballot {b} is pre-empted by {higher}; backs off {delay} ms"),
            None => format!("is pre-empted by {higher}; backs off {delay} ms"),
        });
        out.set_timer(PaxosTimer::Retry, delay);
    }

    /// A proposer hears of a higher ballot from another proposer.
    fn preempted_by(&mut self, cx: &mut Ctx, b: Ballot, out: &mut Out<Self>) {
        if self.active() && self.ballot.is_some_and(|mine| b > mine) {
            self.abandon(cx, b, out);
        }
    }

    fn on_prepare(&mut self, cx: &mut Ctx, from: NodeId, b: Ballot, out: &mut Out<Self>) {
        self.observe(b);
        if let Some(v) = self.st.learned.clone() {
            out.send(from, PaxosMsg::Decide { value: v });
            return;
        }
        match self.acceptor_prepare(b) {
            Ok(accepted) => {
                out.note(|| format!("promises {b}"));
                out.send(from, PaxosMsg::Promise { ballot: b, accepted });
            }
            Err(promised) => out.send(from, PaxosMsg::Nack { ballot: b, promised }),
        }
        self.preempted_by(cx, b, out);
    }

    fn on_accept(&mut self, cx: &mut Ctx, from: NodeId, b: Ballot, v: Value, out: &mut Out<Self>) {
        self.observe(b);
        if let Some(l) = self.st.learned.clone() {
            out.send(from, PaxosMsg::Decide { value: l });
            return;
        }
        match self.acceptor_accept(b, v) {
            Ok(()) => {
                out.note(|| format!("accepts ballot {b}"));
                out.send(from, PaxosMsg::Accepted { ballot: b });
            }
            Err(promised) => out.send(from, PaxosMsg::Nack { ballot: b, promised }),
        }
        self.preempted_by(cx, b, out);
    }
}

impl Protocol for Paxos {
    const NAME: &'static str = "paxos";
    const NODES: std::ops::RangeInclusive<usize> = 1..=25;
    const DEFAULT_NODES: usize = 5;

    type Params = PaxosParams;
    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type Stable = PaxosStable;
    type View = PaxosView;

    fn spec() -> Spec {
        Spec {
            summary: "A set of nodes choose exactly one value, even when proposers compete and messages are lost.",
            reference: "Lamport, Paxos Made Simple, §2",
            kinds: &[
                Doc { name: "Prepare", doc: "phase 1a: a proposer asks acceptors to promise ballot (r, n)" },
                Doc {
                    name: "Promise",
                    doc: "phase 1b: the acceptor promises the ballot and reports the highest proposal it accepted",
                },
                Doc { name: "Accept", doc: "phase 2a: the proposer asks acceptors to accept a value under its ballot" },
                Doc { name: "Accepted", doc: "phase 2b: the acceptor accepted the value under that ballot" },
                Doc { name: "Nack", doc: "the acceptor refuses: it promised a higher ballot, which it names" },
                Doc { name: "Decide", doc: "the value is chosen: learners learn it" },
            ],
            variants: &[
                Variant {
                    name: "ignore-promised-values",
                    doc: "a proposer ignores the values reported in promises and proposes its own: two values get chosen",
                    params: r#"{"unsafe_ignore_promised_values": true}"#,
                },
                Variant {
                    name: "amnesia",
                    doc: "an acceptor keeps nothing on disk: restarted, it has forgotten what it promised, accepted and learned, and no one tells it the chosen value again",
                    params: r#"{"unsafe_amnesia": true}"#,
                },
            ],
            fields: &["promised", "accepted", "learned"],
            liveness: "after the network heals, a value is chosen and every node learns it",
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &PaxosParams, stable: Option<PaxosStable>) -> Self {
        let st = stable.unwrap_or_default();
        Paxos {
            id,
            n,
            params: params.clone(),
            top_round: st.last_round,
            st,
            phase: Phase::Idle,
            own: None,
            ballot: None,
            value: None,
            promises: Vec::new(),
            highest: None,
            accepts: Vec::new(),
            failures: 0,
            rounds: 0,
        }
    }

    /// The `unsafe_amnesia` variant keeps only the proposer's round counter.
    fn crash(self) -> PaxosStable {
        if self.params.unsafe_amnesia {
            return PaxosStable { last_round: self.st.last_round, ..PaxosStable::default() };
        }
        self.st
    }

    fn stable(&self) -> &PaxosStable {
        &self.st
    }

    fn on_start(&mut self, _cx: &mut Ctx, _out: &mut Out<Self>) {}

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: PaxosMsg, out: &mut Out<Self>) {
        match msg {
            PaxosMsg::Prepare { ballot } => self.on_prepare(cx, from, ballot, out),
            PaxosMsg::Accept { ballot, value } => self.on_accept(cx, from, ballot, value, out),
            PaxosMsg::Promise { ballot, accepted } => {
                self.observe(ballot);
                if self.phase == Phase::Preparing && self.ballot == Some(ballot) {
                    self.count_promise(cx, from, accepted, out);
                }
            }
            PaxosMsg::Accepted { ballot } => {
                if self.phase == Phase::Accepting && self.ballot == Some(ballot) {
                    self.count_accept(cx, from, out);
                }
            }
            PaxosMsg::Nack { ballot, promised } => {
                self.observe(promised);
                if self.active() && self.ballot == Some(ballot) {
                    self.abandon(cx, promised, out);
                }
            }
            PaxosMsg::Decide { value } => self.learn(value, out),
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: PaxosTimer, out: &mut Out<Self>) {
        match timer {
            PaxosTimer::Retry => {
                if self.active() {
                    out.note(|| "the round timed out".to_string());
                    self.failures = self.failures.saturating_add(1);
                }
                self.start_round(cx, out);
            }
        }
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        if let Some(l) = self.st.learned.clone() {
            out.note(|| format!("already learned \"{l}\"; \"{value}\" cannot be chosen"));
            // Tell everyone again: a learner that missed the decision (its
            // Decide was lost) learns it now rather than never.
            for peer in cx.peers() {
                out.send(peer, PaxosMsg::Decide { value: l.clone() });
            }
            return ClientReply::Accepted;
        }
        if !self.params.may_propose(self.id) {
            return ClientReply::Redirect(self.params.redirect_target().filter(|&t| t != self.id));
        }
        match &self.own {
            Some(own) => out.note(|| format!("already proposes \"{own}\"; keeps it over \"{value}\"")),
            None => {
                out.note(|| format!("a client hands it \"{value}\""));
                self.own = Some(value);
                self.start_round(cx, out);
            }
        }
        ClientReply::Accepted
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        if self.own.is_none() || self.st.learned.is_some() {
            return false;
        }
        self.start_round(cx, out);
        true
    }

    fn view(&self) -> PaxosView {
        let adopted = match (&self.value, &self.own) {
            (Some(v), Some(o)) => v != o,
            _ => false,
        };
        PaxosView {
            promised: self.st.promised,
            accepted: self.st.accepted.clone(),
            learned: self.st.learned.clone(),
            proposer: self.params.may_propose(self.id),
            phase: self.phase.name(),
            ballot: self.ballot,
            own_value: self.own.clone(),
            value: self.value.clone(),
            adopted,
            promises: if self.phase == Phase::Preparing { members(&self.promises) } else { Vec::new() },
            accepts: if self.phase == Phase::Accepting { members(&self.accepts) } else { Vec::new() },
            rounds: self.rounds,
        }
    }

    fn view_down(_id: NodeId, s: &PaxosStable) -> PaxosView {
        PaxosView {
            promised: s.promised,
            accepted: s.accepted.clone(),
            learned: s.learned.clone(),
            proposer: false,
            phase: Phase::Idle.name(),
            ballot: None,
            own_value: None,
            value: None,
            adopted: false,
            promises: Vec::new(),
            accepts: Vec::new(),
            rounds: 0,
        }
    }
}
