//! The steps two-phase and three-phase commit take alike, written once.
//!
//! A [`Core`] holds what every commit node keeps: the durable log, the
//! coordinator's votes and receipts per transaction, the participant's work
//! in progress, and the deadlines behind each timer. Its steps are generic
//! over the protocol: [`Rules`] says how the protocol words its messages
//! (Prepare or CanCommit, Commit or DoCommit, Ack or Done), which of its
//! timers stands for which deadlines, and when its coordinator is collecting
//! votes. Where the protocols part ways, the engine takes over: a unanimous
//! yes comes back to it as [`Tally::AllYes`] (2PC commits, 3PC sends
//! PreCommit), a restarted coordinator decides by the rule the engine passes
//! in, and what a participant does when the coordinator falls silent stays
//! in each engine.

use std::collections::{BTreeMap, BTreeSet};

use super::log::{Decision, DurableLog, RecordKind, TxRecord};
use super::{Agenda, COORDINATOR, CommitView, NodeVote, Tx, TxView};
use crate::protocol::{ClientReply, Ctx, NodeId, Out, Protocol, Time};

/// What each protocol tells the shared steps: how it words its messages,
/// which timer stands for which deadlines, and when its coordinator is
/// collecting votes.
pub(crate) trait Rules: Protocol {
    /// The timer behind each of [`Core`]'s agendas.
    const TIMERS: Timers<Self::Timer>;
    /// How the coordinator's opening milestone ends ("begins t1 and asks
    /// every participant …").
    const ASKS: &'static str;
    /// Phase one's question: Prepare (2PC) or CanCommit (3PC).
    fn ask_msg(tx: Tx) -> Self::Msg;
    /// A participant's vote.
    fn vote_msg(tx: Tx, yes: bool) -> Self::Msg;
    /// The decision: Commit (2PC) or DoCommit (3PC), or Abort.
    fn decision_msg(tx: Tx, d: Decision) -> Self::Msg;
    /// A participant's receipt for the decision: Ack (2PC) or Done (3PC).
    fn receipt_msg(tx: Tx) -> Self::Msg;
    /// Whether the coordinator is still collecting votes on `tx`.
    fn voting(core: &Core, tx: &str) -> bool;
}

/// A protocol's timer for each of [`Core`]'s agendas, in the order they are
/// armed.
pub(crate) struct Timers<T> {
    pub votes: T,
    /// 3PC only: PreCommit acknowledgements.
    pub acks: Option<T>,
    pub retry: T,
    pub work: T,
    pub wait: T,
}

/// What became of a vote the coordinator received.
pub(crate) enum Tally {
    /// No vote is being collected for that transaction: the protocol answers.
    NotVoting,
    /// Counted; a no has already decided abort.
    Counted,
    /// Every participant has now voted yes: the protocol moves on.
    AllYes,
}

/// The coordinator's volatile view of one transaction.
#[derive(Clone, Debug, Default)]
pub(crate) struct CoordTx {
    pub votes: BTreeMap<NodeId, bool>,
    /// 3PC: participants that acknowledged PreCommit.
    pub precommitted: BTreeSet<NodeId>,
    /// Participants that confirmed the decision (2PC Ack, 3PC Done).
    pub confirmed: BTreeSet<NodeId>,
}

/// The durations the shared steps wait, taken from a protocol's params.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    /// How long a participant works before it votes.
    pub vote_delay_ms: Time,
    /// How long the coordinator waits for all votes before it aborts.
    pub vote_timeout_ms: Time,
    /// How long a participant that voted yes waits for the coordinator's
    /// next word (2PC `decision_timeout_ms`, 3PC `participant_timeout_ms`).
    pub wait_ms: Time,
    /// How often an unconfirmed decision is resent (and, in 2PC, how often an
    /// uncertain participant asks again).
    pub retry_ms: Time,
}

/// What every commit node keeps, whichever protocol it runs.
#[derive(Clone, Debug)]
pub(crate) struct Core {
    pub id: NodeId,
    pub n: usize,
    pub log: DurableLog,
    pub timing: Timing,
    /// This participant votes yes (it is not among `no_voters`).
    pub votes_yes: bool,
    // Coordinator, volatile.
    pub coord: BTreeMap<Tx, CoordTx>,
    pub votes_due: Agenda,
    /// 3PC: PreCommit acknowledgements are overdue.
    pub acks_due: Agenda,
    /// Coordinator: decision resends. 2PC participant: queries.
    pub retry: Agenda,
    // Participant, volatile.
    pub working: BTreeSet<Tx>,
    pub work_due: Agenda,
    /// The coordinator's next word on a transaction voted yes on is overdue.
    pub wait_due: Agenda,
}

impl Core {
    pub fn new(id: NodeId, n: usize, stable: Option<DurableLog>, timing: Timing, no_voters: &[NodeId]) -> Core {
        Core {
            id,
            n,
            log: stable.unwrap_or_default(),
            timing,
            votes_yes: !no_voters.contains(&id),
            coord: BTreeMap::new(),
            votes_due: Agenda::default(),
            acks_due: Agenda::default(),
            retry: Agenda::default(),
            working: BTreeSet::new(),
            work_due: Agenda::default(),
            wait_due: Agenda::default(),
        }
    }

    pub fn is_coordinator(&self) -> bool {
        self.id == COORDINATOR
    }

    pub fn participants(&self) -> usize {
        self.n.saturating_sub(1)
    }

    /// Arms each timer for its agenda's earliest deadline (or cancels it);
    /// every handler ends with this.
    pub fn sync_timers<P: Rules>(&mut self, cx: &Ctx, out: &mut Out<P>) {
        let t = P::TIMERS;
        self.votes_due.sync(t.votes, cx.now, out);
        if let Some(acks) = t.acks {
            self.acks_due.sync(acks, cx.now, out);
        }
        self.retry.sync(t.retry, cx.now, out);
        self.work_due.sync(t.work, cx.now, out);
        self.wait_due.sync(t.wait, cx.now, out);
    }

    /// The node's view from its log and, while it is up, its volatile
    /// state. The shared fields are filled here; `detail` adds the
    /// protocol's state word and its own fields.
    pub fn view(
        id: NodeId,
        log: &DurableLog,
        live: Option<&Core>,
        detail: impl Fn(&Tx, &TxRecord, Option<&CoordTx>, &mut TxView),
    ) -> CommitView {
        let mut transactions = BTreeMap::new();
        for (tx, r) in log.txs() {
            let mut v = TxView { decision: r.decision, ..TxView::default() };
            let c = live.and_then(|me| me.coord.get(tx));
            if id == COORDINATOR {
                v.ended = r.ended;
                v.votes = Some(c.map(|c| vote_list(&c.votes)).unwrap_or_default());
            } else {
                v.vote = r.vote.map(vote_name);
            }
            detail(tx, r, c, &mut v);
            transactions.insert(tx.clone(), v);
        }
        for tx in live.map(|me| &me.working).into_iter().flatten() {
            transactions.entry(tx.clone()).or_insert(TxView { state: "working", ..TxView::default() });
        }
        CommitView { role: role_name(id), transactions, log: log_lines(log) }
    }
}

// ---- coordinator ----------------------------------------------------------

impl Core {
    /// A client request names a transaction; only the coordinator takes
    /// one. A new name begins a transaction; a known name is a client retry
    /// and changes nothing.
    pub fn client_request<P: Rules>(&mut self, cx: &mut Ctx, tx: Tx, out: &mut Out<P>) -> ClientReply {
        if !self.is_coordinator() {
            return ClientReply::Redirect(Some(COORDINATOR));
        }
        if self.log.get(&tx).is_some() {
            out.note(|| format!("already knows {tx}; the repeated request changes nothing"));
        } else {
            self.begin(cx, tx, out);
        }
        self.sync_timers(cx, out);
        ClientReply::Accepted
    }

    /// Forces `begin` and asks every participant phase one's question.
    fn begin<P: Rules>(&mut self, cx: &mut Ctx, tx: Tx, out: &mut Out<P>) {
        self.log.write(&tx, RecordKind::Begin);
        self.coord.insert(tx.clone(), CoordTx::default());
        out.milestone(|| format!("begins {tx} and asks every participant {}", P::ASKS));
        for p in cx.peers() {
            out.send(p, P::ask_msg(tx.clone()));
        }
        self.votes_due.set(&tx, cx.now + self.timing.vote_timeout_ms);
    }

    /// Counts a vote: each participant's first vote counts, and a no aborts
    /// at once.
    pub fn on_vote<P: Rules>(&mut self, cx: &mut Ctx, from: NodeId, tx: &Tx, yes: bool, out: &mut Out<P>) -> Tally {
        if !P::voting(self, tx) {
            return Tally::NotVoting;
        }
        let participants = self.participants();
        let Some(c) = self.coord.get_mut(tx) else { return Tally::Counted };
        if c.votes.contains_key(&from) {
            return Tally::Counted;
        }
        c.votes.insert(from, yes);
        let all_yes = c.votes.len() == participants && c.votes.values().all(|&v| v);
        if !yes {
            out.note(|| format!("hears no from n{from} on {tx}"));
            self.decide(cx, tx, Decision::Abort, out);
        } else if all_yes {
            return Tally::AllYes;
        }
        Tally::Counted
    }

    /// Forces the decision, then tells every participant (Gray & Lamport
    /// §3: the decision is on stable storage before any message carrying it
    /// leaves). A transaction already decided keeps its decision.
    pub fn decide<P: Rules>(&mut self, cx: &mut Ctx, tx: &Tx, d: Decision, out: &mut Out<P>) {
        if !self.log.write(tx, d.into()) {
            return;
        }
        self.votes_due.clear(tx);
        self.acks_due.clear(tx);
        self.coord.entry(tx.clone()).or_default().confirmed.clear();
        out.milestone(|| format!("decides {} for {tx}", d.name()));
        for p in cx.peers() {
            out.send(p, P::decision_msg(tx.clone(), d));
        }
        self.retry.set(tx, cx.now + self.timing.retry_ms);
    }

    /// A participant confirmed the decision. Once every one has, the
    /// coordinator writes `end` (`says` words the note) and stops resending.
    pub fn on_receipt<P: Rules>(&mut self, from: NodeId, tx: Tx, out: &mut Out<P>, says: impl FnOnce(&Tx) -> String) {
        let Some(r) = self.log.get(&tx) else { return };
        if r.decision.is_none() || r.ended {
            return;
        }
        let participants = self.participants();
        let c = self.coord.entry(tx.clone()).or_default();
        c.confirmed.insert(from);
        if c.confirmed.len() == participants {
            self.log.write(&tx, RecordKind::End);
            self.retry.clear(&tx);
            out.note(|| says(&tx));
        }
    }

    /// Resends a decision not yet ended to the participants that have not
    /// confirmed it.
    pub fn resend_decision<P: Rules>(&mut self, cx: &mut Ctx, tx: &Tx, out: &mut Out<P>) {
        let Some(r) = self.log.get(tx) else { return };
        let (Some(d), false) = (r.decision, r.ended) else { return };
        let confirmed = self.coord.get(tx).map(|c| c.confirmed.clone()).unwrap_or_default();
        for p in cx.peers().filter(|p| !confirmed.contains(p)) {
            out.send(p, P::decision_msg(tx.clone(), d));
        }
        self.retry.set(tx, cx.now + self.timing.retry_ms);
    }

    /// The vote timeout: every transaction still being voted on aborts.
    pub fn votes_overdue<P: Rules>(&mut self, cx: &mut Ctx, txs: Vec<Tx>, out: &mut Out<P>) {
        for tx in txs {
            if P::voting(self, &tx) {
                out.note(|| format!("times out waiting for votes on {tx}"));
                self.decide(cx, &tx, Decision::Abort, out);
            }
        }
    }

    /// A restarted coordinator reads its log. It decides every transaction
    /// not yet decided as the protocol's `rule` says (the rule also says why,
    /// as a milestone), and resends every decision not yet ended.
    pub fn recover_coordinator<P: Rules>(
        &mut self,
        cx: &mut Ctx,
        out: &mut Out<P>,
        rule: impl Fn(&Tx, &TxRecord, &mut Out<P>) -> Decision,
    ) {
        let txs: Vec<(Tx, TxRecord)> = self.log.txs().map(|(tx, r)| (tx.clone(), r.clone())).collect();
        for (tx, r) in txs {
            self.coord.entry(tx.clone()).or_default();
            match r.decision {
                None => {
                    let d = rule(&tx, &r, out);
                    self.decide(cx, &tx, d, out);
                }
                Some(d) if !r.ended => {
                    out.milestone(|| format!("reads its log: {tx} was decided {}; resends it", d.name()));
                    self.resend_decision(cx, &tx, out);
                }
                Some(_) => {}
            }
        }
    }
}

// ---- participant ----------------------------------------------------------

impl Core {
    /// Phase one reaches a participant (Prepare in 2PC, CanCommit in 3PC):
    /// it works on the transaction, then votes. Asked again (a duplicate, or
    /// after a restart), the answer stands; aborted without a vote counts as
    /// no.
    pub fn on_ask<P: Rules>(&mut self, cx: &mut Ctx, tx: Tx, out: &mut Out<P>) {
        if let Some(r) = self.log.get(&tx) {
            if r.vote.is_some() || r.decision.is_some() {
                out.send(COORDINATOR, P::vote_msg(tx, r.vote.unwrap_or(false)));
            }
            return;
        }
        if !self.working.insert(tx.clone()) {
            return;
        }
        out.note(|| format!("works on {tx}"));
        if self.timing.vote_delay_ms == 0 {
            self.vote(cx, tx, out);
        } else {
            self.work_due.set(&tx, cx.now + self.timing.vote_delay_ms);
        }
    }

    /// The work timer fired: every transaction whose work is done is voted on.
    pub fn work_done<P: Rules>(&mut self, cx: &mut Ctx, out: &mut Out<P>) {
        for tx in self.work_due.fired(cx.now) {
            self.vote(cx, tx, out);
        }
    }

    /// A yes vote forces a `yes` record and makes the participant prepared:
    /// from then on it waits for the coordinator. A no vote forces `no` and
    /// aborts at once.
    fn vote<P: Rules>(&mut self, cx: &mut Ctx, tx: Tx, out: &mut Out<P>) {
        if !self.working.remove(&tx) || self.log.decision(&tx).is_some() {
            return;
        }
        let yes = self.votes_yes;
        if yes {
            self.log.write(&tx, RecordKind::Yes);
            self.wait_due.set(&tx, cx.now + self.timing.wait_ms);
            out.note(|| format!("is prepared: votes yes on {tx}"));
        } else {
            self.log.write(&tx, RecordKind::No);
            self.log.write(&tx, RecordKind::Abort);
            out.milestone(|| format!("votes no on {tx} and aborts"));
        }
        out.send(COORDINATOR, P::vote_msg(tx, yes));
    }

    /// The decision reaches a participant: it forces it (a decision it
    /// already holds stands) and confirms.
    pub fn on_decision<P: Rules>(&mut self, tx: Tx, d: Decision, out: &mut Out<P>) {
        self.working.remove(&tx);
        self.work_due.clear(&tx);
        self.wait_due.clear(&tx);
        self.retry.clear(&tx);
        if self.log.write(&tx, d.into()) {
            out.milestone(|| format!("{} {tx}", if d == Decision::Commit { "commits" } else { "aborts" }));
        } else if self.log.decision(&tx) != Some(d) {
            out.note(|| format!("is told {} for {tx} but already decided otherwise", d.name()));
        }
        out.send(COORDINATOR, P::receipt_msg(tx));
    }

    /// A restarted participant reads its log: every transaction it voted yes
    /// on and holds no decision for waits for the coordinator again.
    pub fn recover_participant<P: Rules>(&mut self, cx: &Ctx, out: &mut Out<P>, says: impl Fn(&Tx) -> String) {
        let waiting: Vec<Tx> = self
            .log
            .txs()
            .filter(|(_, r)| r.vote == Some(true) && r.decision.is_none())
            .map(|(tx, _)| tx.clone())
            .collect();
        for tx in waiting {
            out.note(|| says(&tx));
            self.wait_due.set(&tx, cx.now + self.timing.wait_ms);
        }
    }
}

/// The coordinator's received votes for the view.
fn vote_list(votes: &BTreeMap<NodeId, bool>) -> Vec<NodeVote> {
    votes.iter().map(|(&node, &yes)| NodeVote { node, vote: vote_name(yes) }).collect()
}

fn role_name(id: NodeId) -> &'static str {
    if id == COORDINATOR { "coordinator" } else { "participant" }
}

fn vote_name(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}

/// The log as short lines for the view.
fn log_lines(log: &DurableLog) -> Vec<String> {
    log.records().iter().map(|r| format!("{} {}", r.kind.name(), r.tx)).collect()
}
