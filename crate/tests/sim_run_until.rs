//! The simulator's `run_until(t)` runs exactly the events due at or before
//! `t` — never one after it — even when cancelled timers (stale queue items)
//! sit at the head of the queue. Live injects rely on it: the page and the
//! tests apply an inject right after `run_until(now)`.

use crate::common;

use common::*;
use consensus_lab::scenario::Event;

// A Raft follower re-arms its election timer at every heartbeat, so the
// queue fills with cancelled timer items; stepping the clock 1 ms at a time
// must land exactly on each millisecond.
#[test]
fn run_until_never_runs_past_its_bound() {
    let mut s = sim(raft(5, 11));
    for t in 1..=3_000 {
        run(&mut s, t);
        assert_eq!(s.now(), t, "run_until({t}) ran to {}", s.now());
        assert!(s.next_event_at().is_none_or(|at| at > t), "an event due at {t} was left");
    }
}

// What that bound buys: a message seen in flight after `run_until(t)` can be
// dropped by hand at `t`.
#[test]
fn a_message_in_flight_after_run_until_can_be_dropped() {
    let mut s = sim(raft(5, 11));
    let mut dropped = 0;
    for t in (7..3_000).step_by(7) {
        run(&mut s, t);
        if let Some(id) = s.in_flight().map(|f| f.id).last() {
            s.inject(Event::DropMessage { id }).unwrap_or_else(|e| panic!("at {t}: {e}"));
            dropped += 1;
        }
    }
    assert!(dropped > 100);
}
