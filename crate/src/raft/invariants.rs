//! Raft's five safety properties (Figure 3 of the paper), checked after every
//! step that changed a server.
//!
//! - Election Safety: at most one leader can be elected in a given term.
//! - Leader Append-Only: a leader never overwrites or deletes entries in its
//!   log; it only appends.
//! - Log Matching: if two logs contain an entry with the same index and term,
//!   the logs are identical in all entries up through that index.
//! - Leader Completeness: if an entry is committed in a term, it is present in
//!   the logs of the leaders of all higher terms.
//! - State Machine Safety: if a server has applied an entry at an index, no
//!   other server ever applies a different entry at that index.
//!
//! Each check only looks at what the step could have changed, using the logs'
//! prefix digests, so it costs about O(nodes) per step.

use std::collections::{BTreeMap, BTreeSet};

use super::log::{Index, Log, Term};
use super::{Raft, Role};
use crate::invariant::{Checker, Nodes, Violation};
use crate::base::Value;
use crate::protocol::{NodeId, Time};
use crate::scenario::Event;
use crate::pvec::PVec;

#[derive(Clone, Debug, Default)]
struct Seen {
    /// The log's length and deletion count at the last check.
    len: Index,
    deletions: u64,
    /// Leader Append-Only: (term, deletion count) when it became leader.
    leading: Option<(Term, u64)>,
    commit_index: Index,
    last_applied: Index,
}

#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    seen: Vec<Seen>,
    /// Election Safety: the leader of each term seen so far.
    leaders: BTreeMap<Term, NodeId>,
    /// Leader Completeness: per term, the highest index known committed in
    /// that term and the digest of the log through it.
    committed: BTreeMap<Term, (Index, u64)>,
    /// State Machine Safety: the digest of the log through each applied index.
    applied: PVec<u64>,
    /// Each violation is reported once.
    reported: BTreeSet<(&'static str, u64, u64)>,
    /// The latest client request submitted, and when (for liveness).
    last_request: Option<(Time, Value)>,
}

fn violation(invariant: &'static str, now: Time, detail: String) -> Violation {
    Violation { invariant, at_ms: now, detail }
}

impl RaftChecker {
    fn report(&mut self, out: &mut Vec<Violation>, key: (&'static str, u64, u64), v: impl FnOnce() -> Violation) {
        if self.reported.insert(key) {
            out.push(v());
        }
    }

    /// Log Matching for node `x` against every other log, at indices `from..`.
    fn check_log_matching(
        &mut self,
        now: Time,
        x: NodeId,
        from: Index,
        nodes: &dyn Nodes<Raft>,
        out: &mut Vec<Violation>,
    ) {
        let lx = &nodes.node(x).stable().log;
        for i in from.max(1)..=lx.last_index() {
            let (tx, dx) = (lx.term_at(i), lx.digest_at(i));
            for y in 0..nodes.len() {
                if y == x {
                    continue;
                }
                let ly: &Log = &nodes.node(y).stable().log;
                if ly.term_at(i) == tx && ly.digest_at(i) != dx {
                    let (a, b) = (x.min(y) as u64, x.max(y) as u64);
                    self.report(out, ("log_matching", (a << 32) | b, i), || {
                        violation(
                            "log_matching",
                            now,
                            format!(
                                "nodes {x} and {y} both hold an entry of term {} at index {i}, but their logs differ before it",
                                tx.unwrap_or(0)
                            ),
                        )
                    });
                    return;
                }
            }
        }
    }

    /// Leader Completeness for leader `x`: every entry committed in an
    /// earlier term is in its log.
    fn check_leader_has_commits(&mut self, now: Time, x: &Raft, id: NodeId, out: &mut Vec<Violation>) {
        let term = x.term();
        let missing: Vec<(Term, Index)> = self
            .committed
            .range(..term)
            .filter(|(_, (index, digest))| x.log().digest_at(*index) != Some(*digest))
            .map(|(t, (i, _))| (*t, *i))
            .collect();
        for (t, index) in missing {
            self.report(out, ("leader_completeness", term, index), || {
                violation(
                    "leader_completeness",
                    now,
                    format!("node {id} leads term {term} without the entry committed at index {index} in term {t}"),
                )
            });
        }
    }
}

impl Checker<Raft> for RaftChecker {
    fn on_event(&mut self, now: Time, event: &Event) {
        if let Event::ClientRequest { value, .. } = event {
            self.last_request = Some((now, Value::from(value.as_str())));
        }
    }

    /// After the faults stop: a leader (the running one of the highest term)
    /// and the request submitted since then committed in its log.
    fn liveness(&self, since: Time, now: Time, nodes: &dyn Nodes<Raft>) -> Option<String> {
        let leader = (0..nodes.len())
            .filter_map(|i| nodes.node(i).up())
            .filter(|r| r.role() == Role::Leader)
            .max_by_key(|r| r.term());
        let Some(l) = leader else {
            return Some(format!("no leader at {now} ms, {} ms after the faults stopped", now.saturating_sub(since)));
        };
        let (at, value) = self.last_request.as_ref().filter(|(at, _)| *at >= since)?;
        let committed = (1..=l.commit_index()).any(|i| l.log().entry(i).is_some_and(|e| e.value == *value));
        (!committed).then(|| format!("the request \"{value}\" submitted at {at} ms is not committed by {now} ms"))
    }

    fn check(&mut self, now: Time, x: NodeId, nodes: &dyn Nodes<Raft>, out: &mut Vec<Violation>) {
        if self.seen.len() < nodes.len() {
            self.seen.resize(nodes.len(), Seen::default());
        }
        // Log Matching: only the indices this step could have changed.
        let log = &nodes.node(x).stable().log;
        let (deletions, last_cut) = log.deletions();
        let seen = &self.seen[x];
        let from = if deletions == seen.deletions {
            seen.len + 1
        } else if deletions == seen.deletions + 1 {
            last_cut.min(seen.len + 1)
        } else {
            1
        };
        let len = log.last_index();
        self.check_log_matching(now, x, from, nodes, out);
        self.seen[x].len = len;
        self.seen[x].deletions = deletions;

        let Some(raft) = nodes.node(x).up() else {
            // Volatile state is gone; a restart starts over.
            let s = &mut self.seen[x];
            (s.leading, s.commit_index, s.last_applied) = (None, 0, 0);
            return;
        };
        let term = raft.term();

        if raft.role() == Role::Leader {
            // Election Safety.
            match self.leaders.get(&term) {
                Some(&other) if other != x => {
                    self.report(out, ("election_safety", term, 0), || {
                        violation("election_safety", now, format!("nodes {other} and {x} both lead term {term}"))
                    });
                }
                Some(_) => {}
                None => {
                    self.leaders.insert(term, x);
                }
            }
            // Leader Append-Only.
            match self.seen[x].leading {
                Some((t, d)) if t == term => {
                    if deletions != d {
                        self.report(out, ("leader_append_only", term, x as u64), || {
                            violation(
                                "leader_append_only",
                                now,
                                format!("leader {x} deleted entries from its own log in term {term}"),
                            )
                        });
                    }
                }
                _ => {
                    self.seen[x].leading = Some((term, deletions));
                    // Leader Completeness, on taking office.
                    self.check_leader_has_commits(now, raft, x, out);
                }
            }
        } else {
            self.seen[x].leading = None;
        }

        // Commit knowledge, for Leader Completeness.
        let commit = raft.commit_index();
        if commit > self.seen[x].commit_index {
            let digest = raft.log().digest_at(commit).unwrap_or(0);
            let slot = self.committed.entry(term).or_insert((0, 0));
            if commit > slot.0 {
                *slot = (commit, digest);
                // Leaders of later terms must hold it.
                for l in 0..nodes.len() {
                    if let Some(r) = nodes.node(l).up()
                        && r.role() == Role::Leader
                        && r.term() > term
                    {
                        self.check_leader_has_commits(now, r, l, out);
                    }
                }
            }
        }
        self.seen[x].commit_index = commit;

        // State Machine Safety.
        let applied = raft.last_applied();
        let from = self.seen[x].last_applied.min(applied);
        for i in from + 1..=applied {
            let digest = raft.log().digest_at(i).unwrap_or(0);
            match self.applied.get(i as usize - 1) {
                Some(&d) if d != digest => {
                    self.report(out, ("state_machine_safety", i, 0), || {
                        violation(
                            "state_machine_safety",
                            now,
                            format!("node {x} applied a different entry at index {i} than another node did"),
                        )
                    });
                }
                Some(_) => {}
                None => self.applied.push(digest),
            }
        }
        self.seen[x].last_applied = applied;
    }
}
