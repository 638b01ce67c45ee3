//! Raft, as in Ongaro & Ousterhout, "In Search of an Understandable Consensus
//! Algorithm (Extended Version)", Figure 2 and §5.
//!
//! Each server is a follower, candidate or leader. Followers that hear nothing
//! from a leader for a randomized election timeout become candidates, increment
//! the term, vote for themselves and ask for votes (§5.2); a server grants at
//! most one vote per term, and only to a candidate whose log is at least as
//! up-to-date as its own (§5.4.1). A candidate with votes from a majority leads
//! the term: it sends AppendEntries to every follower, carrying new entries or
//! nothing (a heartbeat). A follower accepts entries only if its log holds the
//! leader's previous entry (the consistency check); on a refusal the leader
//! backs nextIndex off and retries (§5.3). A leader commits an entry once it is
//! stored on a majority, but it only counts replicas of entries from its own
//! term (§5.4.2, the lesson of Figure 8); committing an entry commits all before
//! it. Committed entries are applied in order to a small key-value store.
//!
//! currentTerm, votedFor and the log are persistent ([`Persistent`]); the rest
//! is volatile and lost in a crash.

pub mod invariants;
pub mod log;
pub mod msg;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use crate::kv::{F, Store};
pub use crate::protocol::Role;
use crate::protocol::{ClientOp, ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::registry::Entry as RegistryEntry;
use crate::spec::{Doc, Layout, Spec, Variant};
pub use invariants::RaftChecker;
pub use log::{Entry, Index, Log, Term};
pub use msg::{RaftMsg, RaftParams, RaftTimer};

/// The family's protocols for the registry.
pub fn registry() -> Vec<RegistryEntry> {
    vec![RegistryEntry::of::<Raft>("raft").checker::<RaftChecker>().done()]
}

/// What a server keeps on stable storage (Figure 2, "Persistent state").
#[derive(Clone, Debug, Default)]
pub struct Persistent {
    pub current_term: Term,
    pub voted_for: Option<NodeId>,
    pub log: Log,
}

/// One Raft server.
#[derive(Clone, Debug)]
pub struct Raft {
    id: NodeId,
    n: usize,
    params: RaftParams,
    ps: Persistent,
    role: Role,
    commit_index: Index,
    last_applied: Index,
    kv: Store,
    /// The leader of the current term, once heard from (for redirects).
    leader: Option<NodeId>,
    /// Candidate: who granted a vote this term.
    votes: Vec<bool>,
    /// Leader: Figure 2's nextIndex and matchIndex.
    next_index: Vec<Index>,
    match_index: Vec<Index>,
}

/// The node fields of the scenario format, and more.
#[derive(Serialize)]
pub struct RaftView {
    pub role: &'static str,
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub log: Log,
    pub commit_index: Index,
    pub last_applied: Index,
    /// The leader this node follows, when known.
    pub leader: Option<NodeId>,
    /// The key-value state machine built from applied entries.
    pub kv: Store,
    /// Candidate: the nodes that voted for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Vec<NodeId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_index: Option<Vec<Index>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_index: Option<Vec<Index>>,
}

impl Raft {
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn term(&self) -> Term {
        self.ps.current_term
    }
    pub fn voted_for(&self) -> Option<NodeId> {
        self.ps.voted_for
    }
    pub fn log(&self) -> &Log {
        &self.ps.log
    }
    pub fn commit_index(&self) -> Index {
        self.commit_index
    }
    pub fn last_applied(&self) -> Index {
        self.last_applied
    }
    pub fn kv(&self) -> &BTreeMap<String, String> {
        &self.kv.0
    }
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    pub fn match_index(&self) -> &[Index] {
        &self.match_index
    }
    pub fn next_index(&self) -> &[Index] {
        &self.next_index
    }

    fn majority(&self) -> usize {
        crate::base::quorum::majority(self.n)
    }

    fn reset_election_timer(&self, cx: &mut Ctx, out: &mut Out<Self>) {
        let (lo, hi) = self.params.election_timeout_ms;
        out.set_timer(RaftTimer::Election, cx.random_range(lo, hi));
    }

    /// "If RPC request or response contains term T > currentTerm: set
    /// currentTerm = T, convert to follower" (Figure 2, all servers).
    fn observe_term(&mut self, term: Term, cx: &mut Ctx, out: &mut Out<Self>) {
        if term > self.ps.current_term {
            self.ps.current_term = term;
            self.ps.voted_for = None;
            self.leader = None;
            if self.role != Role::Follower {
                out.note(|| format!("sees term {term} and steps down to follower"));
                self.become_follower(cx, out);
            }
        }
    }

    fn become_follower(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.role == Role::Leader {
            out.cancel_timer(RaftTimer::Heartbeat);
        }
        self.role = Role::Follower;
        self.votes.clear();
        self.next_index.clear();
        self.match_index.clear();
        self.reset_election_timer(cx, out);
    }

    /// §5.2: a follower that times out starts an election.
    fn start_election(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        // Terms are 64-bit; only a forged message can bring a server to the
        // last one, and there it cannot stand again without a second vote in
        // that term. It waits instead.
        let Some(term) = self.ps.current_term.checked_add(1) else {
            self.reset_election_timer(cx, out);
            return;
        };
        self.role = Role::Candidate;
        self.ps.current_term = term;
        self.ps.voted_for = Some(self.id);
        self.leader = None;
        self.votes = vec![false; self.n];
        self.votes[self.id] = true;
        out.note(|| format!("times out and stands for term {}", self.ps.current_term));
        self.reset_election_timer(cx, out);
        if self.majority() == 1 {
            self.become_leader(cx, out);
            return;
        }
        let (last_log_index, last_log_term) = (self.ps.log.last_index(), self.ps.log.last_term());
        for peer in cx.peers() {
            out.send(
                peer,
                RaftMsg::RequestVote { term: self.ps.current_term, candidate: self.id, last_log_index, last_log_term },
            );
        }
    }

    fn become_leader(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.votes.clear();
        let last = self.ps.log.last_index();
        self.next_index = vec![last + 1; self.n];
        self.match_index = vec![0; self.n];
        self.match_index[self.id] = last;
        out.cancel_timer(RaftTimer::Election);
        out.milestone(|| format!("becomes leader for term {}", self.ps.current_term));
        if self.params.leader_noop {
            self.append_local(Entry::new(self.ps.current_term, ""));
        }
        self.broadcast_append(cx, out);
        self.advance_commit(out);
    }

    fn append_local(&mut self, entry: Entry) {
        self.ps.log.append(entry);
        let last = self.ps.log.last_index();
        self.match_index[self.id] = last;
        self.next_index[self.id] = last + 1;
    }

    /// A new entry goes out to every follower at once.
    fn replicate_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        for peer in cx.peers() {
            self.send_append(peer, out);
        }
        self.advance_commit(out);
    }

    /// Upon election and every heartbeat interval: AppendEntries to every peer.
    fn broadcast_append(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        for peer in cx.peers() {
            self.send_append(peer, out);
        }
        out.set_timer(RaftTimer::Heartbeat, self.params.heartbeat_ms);
    }

    fn send_append(&self, peer: NodeId, out: &mut Out<Self>) {
        let next = self.next_index[peer];
        let prev_log_index = next - 1;
        let prev_log_term = self.ps.log.term_at(prev_log_index).unwrap_or(0);
        let max = usize::try_from(self.params.max_entries_per_message).unwrap_or(usize::MAX);
        let entries = self.ps.log.entries_from(next, max);
        out.send(
            peer,
            RaftMsg::AppendEntries {
                term: self.ps.current_term,
                leader: self.id,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit: self.commit_index,
            },
        );
    }

    /// §5.3/§5.4.2: commitIndex = the highest N stored on a majority, provided
    /// log[N].term == currentTerm. Terms never decrease along a log, so the
    /// majority's highest index N decides it.
    fn advance_commit(&mut self, out: &mut Out<Self>) {
        // The highest index that a majority has matched (clusters are small:
        // counting beats sorting a copy).
        let majority = self.majority();
        let matched = &self.match_index;
        let n = matched
            .iter()
            .copied()
            .filter(|&m| matched.iter().filter(|&&x| x >= m).count() >= majority)
            .max()
            .unwrap_or(0);
        if n <= self.commit_index {
            return;
        }
        let current = self.ps.log.term_at(n) == Some(self.ps.current_term);
        if current || self.params.unsafe_commit_previous_terms {
            out.note(|| format!("commits through index {n}"));
            self.commit_index = n;
            self.apply_committed(out);
        }
    }

    /// "If commitIndex > lastApplied: increment lastApplied, apply
    /// log[lastApplied] to state machine." The leader answers the client
    /// operations it applies (§8: once committed, the result is durable).
    fn apply_committed(&mut self, out: &mut Out<Self>) {
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let Some(e) = self.ps.log.entry(self.last_applied) else { continue };
            match &e.op {
                Some(op) => {
                    let result = self.kv.apply(&op.op);
                    if self.role == Role::Leader {
                        out.reply(op.id, result);
                    }
                }
                None => self.kv.apply_assignment(&e.value),
            }
        }
    }

    fn handle_request_vote(&mut self, cx: &mut Ctx, req: (Term, NodeId, Index, Term), out: &mut Out<Self>) {
        let (term, candidate, last_log_index, last_log_term) = req;
        self.observe_term(term, cx, out);
        // §5.4.1: the candidate's log must be at least as up-to-date as ours.
        let (my_term, my_index) = (self.ps.log.last_term(), self.ps.log.last_index());
        let up_to_date = last_log_term > my_term || (last_log_term == my_term && last_log_index >= my_index);
        let up_to_date = up_to_date || self.params.unsafe_skip_up_to_date_check;
        // §5.2: at most one vote per term, first come first served.
        let free = self.ps.voted_for.is_none_or(|v| v == candidate) || self.params.unsafe_double_vote;
        let granted = term == self.ps.current_term && free && up_to_date;
        if granted {
            self.ps.voted_for = Some(candidate);
            out.note(|| format!("votes for n{candidate} in term {term}"));
            self.reset_election_timer(cx, out);
        }
        out.send(candidate, RaftMsg::Vote { term: self.ps.current_term, granted });
    }

    fn handle_vote(&mut self, cx: &mut Ctx, from: NodeId, term: Term, granted: bool, out: &mut Out<Self>) {
        self.observe_term(term, cx, out);
        if self.role != Role::Candidate || term != self.ps.current_term || !granted {
            return;
        }
        self.votes[from] = true;
        if self.votes.iter().filter(|&&v| v).count() >= self.majority() {
            self.become_leader(cx, out);
        }
    }

    fn handle_append(&mut self, cx: &mut Ctx, from: NodeId, msg: RaftMsg, out: &mut Out<Self>) {
        let RaftMsg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit, .. } = msg else {
            return;
        };
        self.observe_term(term, cx, out);
        let reply = |current_term, success, match_index| RaftMsg::AppendReply {
            term: current_term,
            success,
            prev_log_index,
            match_index,
        };
        // 1. Reply false if term < currentTerm.
        if term < self.ps.current_term {
            out.send(from, reply(self.ps.current_term, false, 0));
            return;
        }
        // Two leaders in one term cannot happen (Election Safety); should it
        // ever, a leader still never lets another rewrite its log.
        if self.role == Role::Leader {
            return;
        }
        // A current leader exists: candidates return to follower; everyone
        // restarts the election timer.
        let leader = from;
        if self.role == Role::Candidate {
            out.note(|| format!("hears from leader n{leader} and returns to follower"));
            self.role = Role::Follower;
            self.votes.clear();
        }
        self.leader = Some(leader);
        self.reset_election_timer(cx, out);
        // 2. Reply false if the log has no entry at prevLogIndex whose term
        //    matches prevLogTerm.
        if self.ps.log.term_at(prev_log_index) != Some(prev_log_term) {
            out.send(from, reply(self.ps.current_term, false, 0));
            return;
        }
        // 3. If an existing entry conflicts with a new one (same index,
        //    different terms), delete it and all that follow. 4. Append any
        //    new entries not already in the log.
        let last_new = prev_log_index + entries.len() as Index;
        for (k, entry) in entries.into_iter().enumerate() {
            let index = prev_log_index + 1 + k as Index;
            match self.ps.log.term_at(index) {
                Some(t) if t == entry.term => continue,
                Some(_) => {
                    out.note(|| format!("deletes conflicting entries from index {index}"));
                    self.ps.log.truncate_from(index);
                    self.ps.log.append(entry);
                }
                None => self.ps.log.append(entry),
            }
        }
        // 5. If leaderCommit > commitIndex, set commitIndex =
        //    min(leaderCommit, index of last new entry). (A late message must
        //    not move it backwards.)
        if leader_commit > self.commit_index {
            self.commit_index = self.commit_index.max(leader_commit.min(last_new));
            self.apply_committed(out);
        }
        out.send(from, reply(self.ps.current_term, true, last_new));
    }

    fn handle_append_reply(&mut self, cx: &mut Ctx, from: NodeId, r: (Term, bool, Index, Index), out: &mut Out<Self>) {
        let (term, success, prev_log_index, match_index) = r;
        self.observe_term(term, cx, out);
        if self.role != Role::Leader || term != self.ps.current_term {
            return;
        }
        if success {
            // A follower can only have verified entries this leader sent.
            let match_index = match_index.min(self.ps.log.last_index());
            let advanced = match_index + 1 > self.next_index[from];
            self.match_index[from] = self.match_index[from].max(match_index);
            self.next_index[from] = self.next_index[from].max(match_index + 1);
            self.advance_commit(out);
            // "If last log index >= nextIndex for a follower: send
            // AppendEntries with log entries starting at nextIndex." After a
            // full batch more are likely waiting: send them now rather than at
            // the next heartbeat, so a follower catching up streams.
            let full_batch = match_index.saturating_sub(prev_log_index) >= self.params.max_entries_per_message;
            if advanced && full_batch && self.next_index[from] <= self.ps.log.last_index() {
                self.send_append(from, out);
            }
        } else {
            // "If AppendEntries fails because of log inconsistency: decrement
            // nextIndex and retry." The failed request probed prevLogIndex, so
            // nextIndex goes to at most that; never below what is known to match.
            let next = self.next_index[from].min(prev_log_index).max(self.match_index[from] + 1).max(1);
            if next < self.next_index[from] {
                self.next_index[from] = next;
                self.send_append(from, out);
            }
        }
    }
}

impl Protocol for Raft {
    const NAME: &'static str = "raft";
    const NODES: std::ops::RangeInclusive<usize> = 1..=25;
    const DEFAULT_NODES: usize = 5;

    type Params = RaftParams;
    type Msg = RaftMsg;
    type Timer = RaftTimer;
    type Stable = Persistent;
    type View = RaftView;

    fn spec() -> Spec {
        Spec {
            summary: "A replicated log that a majority agrees on, with one elected leader per term.",
            reference: "Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm (Extended Version), Figure 2 and §5",
            kinds: &[
                Doc {
                    name: "RequestVote",
                    doc: "a candidate asks for a vote in its term, with its last log index and term",
                },
                Doc { name: "Vote", doc: "the answer to RequestVote: granted or not, with the voter's term" },
                Doc {
                    name: "Heartbeat",
                    doc: "AppendEntries with no entries: the leader is alive; carries its commit index",
                },
                Doc {
                    name: "AppendEntries",
                    doc: "the leader sends entries after prevIndex/prevTerm, with its commit index",
                },
                Doc {
                    name: "AppendReply",
                    doc: "the answer to AppendEntries: \"ok, have N\" (the follower's log matches through index N) or \"no match at I\" (its log lacks the leader's entry at I)",
                },
            ],
            variants: &[
                Variant {
                    name: "commit-previous-terms",
                    doc: "a leader commits earlier terms' entries by counting replicas (§5.4.2 forbids it): Figure 8 goes wrong",
                    params: r#"{"unsafe_commit_previous_terms": true}"#,
                },
                Variant {
                    name: "stale-reads",
                    doc: "a leader answers reads from its own state without checking it still leads: stale reads under a partition",
                    params: r#"{"unsafe_local_reads": true}"#,
                },
                Variant {
                    name: "double-vote",
                    doc: "a server votes for every candidate of a term, not only the first (§5.2): two leaders in one term",
                    params: r#"{"unsafe_double_vote": true}"#,
                },
                Variant {
                    name: "skip-up-to-date-check",
                    doc: "a server votes without the §5.4.1 up-to-date log check: a leader lacking a committed entry erases it",
                    params: r#"{"unsafe_skip_up_to_date_check": true}"#,
                },
            ],
            fields: &["role", "term", "voted_for", "commit_index"],
            clients: true,
            layout: Layout::Ring,
            liveness: "after the network heals, a leader is elected and a client request is committed",
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &RaftParams, stable: Option<Persistent>) -> Self {
        Raft {
            id,
            n,
            params: params.clone(),
            ps: stable.unwrap_or_default(),
            role: Role::Follower,
            commit_index: 0,
            last_applied: 0,
            kv: Store::new(),
            leader: None,
            votes: Vec::new(),
            next_index: Vec::new(),
            match_index: Vec::new(),
        }
    }

    fn crash(self) -> Persistent {
        self.ps
    }

    fn stable(&self) -> &Persistent {
        &self.ps
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.reset_election_timer(cx, out);
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: RaftMsg, out: &mut Out<Self>) {
        // Only peers send Raft messages. The sender is the network's word;
        // a message claiming another identity is malformed and ignored.
        if from >= self.n || from == self.id {
            return;
        }
        match msg {
            RaftMsg::RequestVote { term, candidate, last_log_index, last_log_term } if candidate == from => {
                self.handle_request_vote(cx, (term, candidate, last_log_index, last_log_term), out)
            }
            RaftMsg::RequestVote { .. } => {}
            RaftMsg::Vote { term, granted } => self.handle_vote(cx, from, term, granted, out),
            RaftMsg::AppendEntries { leader, .. } if leader != from => {}
            m @ RaftMsg::AppendEntries { .. } => self.handle_append(cx, from, m, out),
            RaftMsg::AppendReply { term, success, prev_log_index, match_index } => {
                self.handle_append_reply(cx, from, (term, success, prev_log_index, match_index), out)
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: RaftTimer, out: &mut Out<Self>) {
        match (timer, self.role) {
            (RaftTimer::Election, Role::Follower | Role::Candidate) => self.start_election(cx, out),
            (RaftTimer::Heartbeat, Role::Leader) => self.broadcast_append(cx, out),
            _ => {}
        }
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        if self.role != Role::Leader {
            // Followers redirect clients to the leader they know (§8).
            return ClientReply::Redirect(self.leader.filter(|&l| l != self.id));
        }
        self.append_local(Entry::new(self.ps.current_term, value));
        out.note(|| format!("appends entry {} (term {})", self.ps.log.last_index(), self.ps.current_term));
        self.replicate_now(cx, out);
        ClientReply::Accepted
    }

    /// §8: the leader puts a client operation in its log and answers once
    /// the entry is committed and applied — reads too, so a read sees every
    /// write committed before it (linearizable). The `unsafe_local_reads`
    /// variant answers reads from the leader's own state at once.
    fn on_client_op(&mut self, cx: &mut Ctx, op: Rc<ClientOp>, out: &mut Out<Self>) -> ClientReply {
        if self.role != Role::Leader {
            return ClientReply::Redirect(self.leader.filter(|&l| l != self.id));
        }
        if op.op.f == F::Read && self.params.unsafe_local_reads {
            let value = self.kv.get(&op.op.key).map(Value::from);
            out.note(|| format!("answers {} from its own state (unsafe)", op.op.describe()));
            out.reply(op.id, crate::kv::KvResult { ok: true, value });
            return ClientReply::Accepted;
        }
        let text = format!("op {}: {}", op.id, op.op.describe());
        self.append_local(Entry { term: self.ps.current_term, value: Value::from(text), op: Some(op) });
        out.note(|| format!("appends entry {} (term {})", self.ps.log.last_index(), self.ps.current_term));
        self.replicate_now(cx, out);
        ClientReply::Accepted
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.kv)
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        match self.role {
            Role::Leader => self.broadcast_append(cx, out),
            Role::Follower | Role::Candidate => self.start_election(cx, out),
        }
        true
    }

    fn view(&self) -> RaftView {
        let leader = self.role == Role::Leader;
        RaftView {
            role: self.role.name(),
            term: self.ps.current_term,
            voted_for: self.ps.voted_for,
            log: self.ps.log.clone(),
            commit_index: self.commit_index,
            last_applied: self.last_applied,
            leader: self.leader,
            kv: self.kv.clone(),
            votes: (self.role == Role::Candidate)
                .then(|| self.votes.iter().enumerate().filter(|(_, v)| **v).map(|(i, _)| i).collect()),
            next_index: leader.then(|| self.next_index.clone()),
            match_index: leader.then(|| self.match_index.clone()),
        }
    }

    fn view_down(_id: NodeId, s: &Persistent) -> RaftView {
        RaftView {
            role: Role::Follower.name(),
            term: s.current_term,
            voted_for: s.voted_for,
            log: s.log.clone(),
            commit_index: 0,
            last_applied: 0,
            leader: None,
            kv: Store::new(),
            votes: None,
            next_index: None,
            match_index: None,
        }
    }
}
