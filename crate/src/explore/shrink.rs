//! Shrinking a failing run to a small one that fails the same way.
//!
//! First delta debugging (Zeller and Hildebrandt's ddmin) over the
//! scenario's events: drop chunks of events, then single events, while the
//! same invariant still fails. For a liveness failure the events from the
//! moment the faults stop on (the heal, the restarts, the last request) are
//! kept as they are: without them "no progress" would only mean "still
//! partitioned". Then simpler runs, each kept only if it still fails: an end
//! just after a safety violation, a reliable network, fewer nodes (when no
//! event names the ones dropped), no client workload or fewer clients. Then
//! ddmin once more, since a simpler run may need fewer events.
//!
//! A candidate that cannot run (a restart of a node whose crash was
//! removed, say) is not a failure, so it is never kept.

use super::{Found, Plan, judge};
use crate::scenario::{Scenario, Timed};

/// The most candidate runs one shrink makes.
const BUDGET: usize = 4_000;

struct Shrinker {
    invariant: String,
    faults_until: Option<u64>,
    runs: usize,
}

impl Shrinker {
    /// Whether `s` still fails as the original did (and what it found).
    fn fails(&mut self, s: &Scenario) -> Option<Found> {
        if self.runs >= BUDGET {
            return None;
        }
        self.runs += 1;
        let since = if self.invariant == "liveness" { self.faults_until } else { None };
        match judge(s, since) {
            Ok(Some(f)) if f.invariant == self.invariant => Some(f),
            _ => None,
        }
    }

    /// ddmin over the events that may go (`free`), keeping `fixed` as is.
    fn ddmin(&mut self, base: &Scenario, free: Vec<Timed>, fixed: &[Timed]) -> Vec<Timed> {
        let with = |events: &[Timed]| {
            let mut s = base.clone();
            let mut all: Vec<Timed> = events.iter().chain(fixed).cloned().collect();
            all.sort_by_key(|e| e.at_ms);
            s.events = all;
            s
        };
        let mut events = free;
        let mut n = 2usize;
        while events.len() >= 2 && self.runs < BUDGET {
            let chunk = events.len().div_ceil(n);
            let mut reduced = false;
            // Try each complement (the events without one chunk).
            for start in (0..events.len()).step_by(chunk) {
                let rest: Vec<Timed> = events
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < start || *i >= start + chunk)
                    .map(|(_, e)| e.clone())
                    .collect();
                if self.fails(&with(&rest)).is_some() {
                    events = rest;
                    n = (n - 1).max(2);
                    reduced = true;
                    break;
                }
            }
            if !reduced {
                if n >= events.len() {
                    break;
                }
                n = (2 * n).min(events.len());
            }
        }
        if events.len() == 1 && self.fails(&with(&[])).is_some() {
            events.clear();
        }
        events
    }
}

/// Splits events into those shrinking may remove and those it keeps.
fn split(s: &Scenario, keep_from: Option<u64>) -> (Vec<Timed>, Vec<Timed>) {
    s.events.iter().cloned().partition(|e| keep_from.is_none_or(|t| e.at_ms < t))
}

/// Shrinks the failing run of `plan` (which found `found`) to a smaller
/// scenario that fails the same way, with what that scenario finds.
pub fn shrink(plan: &Plan, found: &Found) -> (Scenario, Found) {
    let liveness = found.invariant == "liveness";
    let mut sh = Shrinker { invariant: found.invariant.clone(), faults_until: Some(plan.faults_until), runs: 0 };
    let keep_from = liveness.then_some(plan.faults_until);
    let mut best = plan.scenario.clone();
    let mut best_found = found.clone();
    // An end just after a safety violation: the rest of the run is noise.
    if !liveness && found.invariant != "linearizable" {
        let mut s = best.clone();
        s.run_until_ms = Some(found.at_ms + 1);
        s.events.retain(|e| e.at_ms <= found.at_ms);
        if let Some(f) = sh.fails(&s) {
            best = s;
            best_found = f;
        }
    }
    for round in 0..2 {
        let (free, fixed) = split(&best, keep_from);
        let events = sh.ddmin(&best, free, &fixed);
        let mut s = best.clone();
        s.events = events.into_iter().chain(fixed).collect();
        s.events.sort_by_key(|e| e.at_ms);
        if let Some(f) = sh.fails(&s) {
            best = s;
            best_found = f;
        }
        if round == 1 {
            break;
        }
        // Simpler runs.
        let mut candidates: Vec<Scenario> = Vec::new();
        let mut quiet = best.clone();
        quiet.network.drop_rate = Some(0.0);
        quiet.network.duplicate_rate = Some(0.0);
        candidates.push(quiet);
        if let Some(w) = &best.clients {
            let mut none = best.clone();
            none.clients = None;
            candidates.push(none);
            for count in 1..w.count {
                let mut fewer = best.clone();
                if let Some(c) = fewer.clients.as_mut() {
                    c.count = count;
                }
                candidates.push(fewer);
            }
        }
        for c in candidates {
            if let Some(f) = sh.fails(&c) {
                best = c;
                best_found = f;
            }
        }
        // Fewer nodes: the highest ids go while no event names them.
        while best.nodes > 1 {
            let mut s = best.clone();
            s.nodes -= 1;
            let Ok(text) = serde_json::to_string(&s.to_value()) else { break };
            // Re-reading checks every node reference against the new size.
            let Ok(s) = Scenario::from_json_str(&text) else { break };
            match sh.fails(&s) {
                Some(f) => {
                    best = s;
                    best_found = f;
                }
                None => break,
            }
        }
    }
    (best, best_found)
}
