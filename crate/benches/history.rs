//! The history checker's speed, natively: checks histories from a simulated
//! correct store (tests/history_support: closed-loop clients, operations
//! taking effect at hidden moments inside their intervals, 1 in 100 timing
//! out) and prints one JSON line per check with the wall time, for
//! `npm run bench` to tabulate. Workloads: one history of 10,000 operations
//! by 10 clients on 10 keys (checked RUNS times), ten of 1,000 operations by
//! 50 clients on 10 keys, and ten of 1,000 by 20 clients on one key (the
//! hard case: every operation on the same key).
//! Usage: `cargo bench --bench history -- [RUNS]`.

#![allow(clippy::disallowed_types)] // timing the checker is the point of a benchmark

#[path = "../tests/history_support/mod.rs"]
mod history_support;

use std::time::Instant;

use consensus_lab::history::{Limits, consistency, linearizability};
use history_support::{Workload, correct_history};

fn row(workload: &str, w: Workload) {
    let ops = correct_history(w);
    let start = Instant::now();
    let c = consistency(&ops);
    let wall = start.elapsed().as_secs_f64();
    let steps = linearizability(&ops, &Limits::default()).steps;
    let verdict = |v: Option<bool>| v.map_or("null".to_string(), |b| b.to_string());
    println!(
        "{{\"workload\":\"{workload}\",\"ops\":{},\"clients\":{},\"keys\":{},\"seed\":{},\"wall_s\":{wall},\
         \"steps\":{steps},\"linearizable\":{},\"sequential\":{}}}",
        w.ops,
        w.clients,
        w.keys,
        w.seed,
        verdict(c.linearizable),
        verdict(c.sequential)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let runs: u64 = args.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    for _ in 0..runs {
        row("10k", Workload::new(10_000, 10, 10, 1));
    }
    for seed in 1..=10 {
        row("1k-50c", Workload::new(1_000, 50, 10, seed));
    }
    for seed in 1..=10 {
        row("1k-20c-1key", Workload::new(1_000, 20, 1, seed));
    }
}
