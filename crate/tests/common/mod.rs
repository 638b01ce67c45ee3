//! Shared helpers for the Raft integration tests: building scenarios and
//! simulators, reading the cluster's state, driving one server's handlers by
//! hand, and failing with the scenario JSON so any failing run can be replayed
//! in the page or with `consensus-lab run`.

#![allow(dead_code)]

use consensus_lab::protocol::{ClientReply, Ctx, Effect, NodeId, Out, Protocol, Time};
use consensus_lab::raft::{Entry, Log, Persistent, Raft, RaftMsg, RaftParams, Role, Term};
use consensus_lab::scenario::{Event, NetworkSpec, Scenario, Timed};
use consensus_lab::sim::Simulator;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// Election timeouts long enough that no election starts by itself while a
/// test scripts elections with `timeout` injects.
pub const QUIET: (Time, Time) = (100_000, 100_001);

/// A Raft scenario with a fixed 10 ms latency, so message timing is exact.
pub fn raft(nodes: usize, seed: u64) -> Scenario {
    let mut s = Scenario::new("raft", nodes, seed);
    s.network = NetworkSpec { latency_ms: Some((10, 10)), drop_rate: None, duplicate_rate: None };
    s
}

/// Sets one `params` key.
pub fn param(s: &mut Scenario, key: &str, value: Value) {
    s.params.insert(key.to_string(), value);
}

/// Election timeouts that never fire on their own during a test.
pub fn quiet(s: &mut Scenario) {
    param(s, "election_timeout_ms", json!([QUIET.0, QUIET.1]));
}

/// Adds a timeline event (the list stays in time order, equal times in the
/// order they were added).
pub fn at(s: &mut Scenario, at_ms: Time, event: Event) {
    let pos = s.events.partition_point(|e| e.at_ms <= at_ms);
    s.events.insert(pos, Timed { at_ms, event });
}

pub fn timeout(node: NodeId) -> Event {
    Event::Timeout { node }
}
pub fn crash(node: NodeId) -> Event {
    Event::Crash { node }
}
pub fn restart(node: NodeId) -> Event {
    Event::Restart { node }
}
pub fn request(value: &str, node: Option<NodeId>) -> Event {
    Event::ClientRequest { value: value.to_string(), node }
}
pub fn partition(groups: &[&[NodeId]]) -> Event {
    Event::Partition { groups: groups.iter().map(|g| g.to_vec()).collect() }
}

pub fn sim(s: Scenario) -> Simulator<Raft> {
    Simulator::new(s).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

/// A simulator whose node `i` starts from `stable[i]` when given.
pub fn sim_with(s: Scenario, stable: Vec<Option<Persistent>>) -> Simulator<Raft> {
    Simulator::with_stable(s, stable).unwrap_or_else(|e| panic!("bad scenario: {e}"))
}

/// Runs to `t`; any error fails the test with the scenario to replay.
pub fn run(sim: &mut Simulator<Raft>, t: Time) {
    if let Err(e) = sim.run_until(t) {
        panic!("run failed: {e}\nreplay: {}", sim.scenario().to_json_string());
    }
}

/// The scenario so far, for failure messages.
pub fn replay(sim: &Simulator<Raft>) -> String {
    format!("replay: {}", sim.scenario().to_json_string())
}

/// Fails with every violation and the scenario if the checker found any.
pub fn assert_safe(sim: &Simulator<Raft>) {
    assert!(sim.violations().is_empty(), "violations: {:?}\n{}", sim.violations(), replay(sim));
}

/// The running server `id` (panics with the replay if it is down).
pub fn node(sim: &Simulator<Raft>, id: NodeId) -> &Raft {
    sim.node(id).unwrap_or_else(|| panic!("node {id} is down\n{}", replay(sim)))
}

/// Every running leader as `(id, term)`.
pub fn leaders(sim: &Simulator<Raft>) -> Vec<(NodeId, Term)> {
    (0..sim.nodes()).filter_map(|i| sim.node(i).filter(|r| r.role() == Role::Leader).map(|r| (i, r.term()))).collect()
}

/// The one leader among running servers that no other server's term has
/// overtaken, as `(id, term)`.
pub fn current_leader(sim: &Simulator<Raft>) -> Option<(NodeId, Term)> {
    let top = (0..sim.nodes()).filter_map(|i| sim.node(i)).map(Raft::term).max()?;
    let found: Vec<_> = leaders(sim).into_iter().filter(|&(_, t)| t == top).collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Runs in 10 ms steps until `cond` holds, up to `until`; returns when it
/// first held.
pub fn run_until_cond(sim: &mut Simulator<Raft>, until: Time, mut cond: impl FnMut(&Simulator<Raft>) -> bool) -> Time {
    let mut t = sim.now();
    loop {
        if cond(sim) {
            return t;
        }
        assert!(t < until, "condition never held by {until} ms\n{}", replay(sim));
        t += 10;
        run(sim, t);
    }
}

/// The terms along a log.
pub fn terms(log: &Log) -> Vec<Term> {
    log.iter().map(|e| e.term).collect()
}

/// The values along a log.
pub fn values(log: &Log) -> Vec<String> {
    log.iter().map(|e| e.value.to_string()).collect()
}

/// A log with these terms; each value names its index and term.
pub fn log_of(log_terms: &[Term]) -> Log {
    Log::from_entries(log_terms.iter().enumerate().map(|(i, &t)| Entry::new(t, format!("i{}t{t}", i + 1))))
}

pub fn persistent(current_term: Term, voted_for: Option<NodeId>, log_terms: &[Term]) -> Persistent {
    Persistent { current_term, voted_for, log: log_of(log_terms) }
}

/// Two logs hold the same entries (terms and values).
pub fn same_log(a: &Log, b: &Log) -> bool {
    a.iter().eq(b.iter())
}

// ---- driving one server by hand ------------------------------------------

/// One Raft server outside any simulator: feed it inputs, read what it emits.
pub struct Hand {
    pub raft: Raft,
    pub id: NodeId,
    pub n: usize,
    pub now: Time,
    params: RaftParams,
    rng: ChaCha8Rng,
}

impl Hand {
    pub fn new(id: NodeId, n: usize, stable: Option<Persistent>) -> Hand {
        Hand::with_params(id, n, RaftParams::default(), stable)
    }

    pub fn with_params(id: NodeId, n: usize, params: RaftParams, stable: Option<Persistent>) -> Hand {
        let raft = Raft::boot(id, n, &params, stable);
        let mut h = Hand { raft, id, n, now: 0, params, rng: ChaCha8Rng::seed_from_u64(7) };
        h.drive(|r, cx, out| r.on_start(cx, out));
        h
    }

    fn drive<T>(&mut self, f: impl FnOnce(&mut Raft, &mut Ctx, &mut Out<Raft>) -> T) -> (T, Vec<Effect<Raft>>) {
        let mut out = Out::new();
        let mut cx = Ctx::new(self.now, self.id, self.n, &mut self.rng);
        let r = f(&mut self.raft, &mut cx, &mut out);
        (r, out.effects().to_vec())
    }

    /// Delivers `msg` from `from`; returns the effects.
    pub fn recv(&mut self, from: NodeId, msg: RaftMsg) -> Vec<Effect<Raft>> {
        self.drive(|r, cx, out| r.on_message(cx, from, msg, out)).1
    }

    /// The `timeout` inject.
    pub fn timeout(&mut self) -> Vec<Effect<Raft>> {
        self.drive(|r, cx, out| r.on_timeout_now(cx, out)).1
    }

    pub fn client(&mut self, value: &str) -> (ClientReply, Vec<Effect<Raft>>) {
        self.drive(|r, cx, out| r.on_client_request(cx, value.into(), out))
    }

    /// Times out and collects a granted vote from every peer until it leads.
    pub fn elect(&mut self) {
        self.timeout();
        let term = self.raft.term();
        let me = self.id;
        for p in (0..self.n).filter(|&p| p != me) {
            if self.raft.role() == Role::Leader {
                break;
            }
            self.recv(p, RaftMsg::Vote { term, granted: true });
        }
        assert_eq!(self.raft.role(), Role::Leader, "node {} did not win term {term}", self.id);
    }

    /// Crash and restart: only the persistent state survives.
    pub fn crash_restart(&mut self) {
        let stable = self.raft.clone().crash();
        self.raft = Raft::boot(self.id, self.n, &self.params, Some(stable));
        self.drive(|r, cx, out| r.on_start(cx, out));
    }
}

/// The messages among some effects, as `(to, msg)`.
pub fn sent(effects: &[Effect<Raft>]) -> Vec<(NodeId, RaftMsg)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg } => Some((*to, msg.clone())),
            _ => None,
        })
        .collect()
}

/// Whether the effects (re)arm the election timer.
pub fn resets_election_timer(effects: &[Effect<Raft>]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::SetTimer { timer: consensus_lab::raft::RaftTimer::Election, .. }))
}

/// An AppendEntries from `leader` carrying entries `(term, value)`.
pub fn append(leader: NodeId, term: Term, prev: (u64, Term), entries: &[(Term, &str)], leader_commit: u64) -> RaftMsg {
    RaftMsg::AppendEntries {
        term,
        leader,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries: entries.iter().map(|&(t, v)| Entry::new(t, v)).collect(),
        leader_commit,
    }
}
