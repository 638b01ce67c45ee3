//! Engine throughput, natively: runs a scenario file to its `run_until_ms`
//! several times and prints one JSON line per run with the wall time, for
//! `npm run bench` to tabulate. Usage: `cargo bench --bench engine -- FILE [RUNS]`.

#![allow(clippy::disallowed_types)] // timing the engine is the point of a benchmark

use std::time::Instant;

use consensus_lab::engine::{Engine, default_run_until};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(file) = args.first() else {
        eprintln!("usage: cargo bench --bench engine -- FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("cannot read {file}: {e}");
        std::process::exit(2)
    });
    for _ in 0..runs {
        let mut engine = Engine::from_json(&text).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
        let until = default_run_until(engine.scenario());
        let start = Instant::now();
        if let Err(e) = engine.run_until(until) {
            eprintln!("{e}");
            std::process::exit(2);
        }
        let wall = start.elapsed().as_secs_f64();
        println!(
            "{{\"sim_ms\":{until},\"wall_s\":{wall},\"steps\":{},\"violations\":{},\"trace_hash\":\"{}\"}}",
            engine.stats().events,
            engine.violation_count(),
            engine.trace_hash()
        );
    }
}
