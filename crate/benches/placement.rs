//! Consistent hashing's arithmetic, natively: one million keys hashed and
//! placed on the ring of ten nodes with 100 tokens each, and one join (an
//! eleventh node) computed, that is the keys whose coordinator changes,
//! found by placing every key on the old and the new ring. Prints one JSON
//! line per run with the wall times, for `npm run bench` to tabulate.
//! Usage: `cargo bench --bench placement -- [RUNS]`.

#![allow(clippy::disallowed_types)] // timing the placement is the point of a benchmark

use std::hint::black_box;
use std::time::Instant;

use consensus_lab::placement::ring::{Ring, Scheme, place, sample_hashes};

const KEYS: u64 = 1_000_000;
const NODES: usize = 10;
const TOKENS: u64 = 100;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let runs: u64 = args.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    let before: Vec<usize> = (0..NODES).collect();
    let after: Vec<usize> = (0..=NODES).collect();
    for _ in 0..runs {
        // Placing: hash every key, build the ring, find each key's coordinator.
        let start = Instant::now();
        let hashes = sample_hashes(KEYS);
        let ring = Ring::new(before.iter().copied(), TOKENS);
        let mut load = vec![0u64; NODES];
        for &h in &hashes {
            if let Some(owner) = place(Scheme::Ring, &ring, h, &before) {
                load[owner] += 1;
            }
        }
        let place_s = start.elapsed().as_secs_f64();
        black_box(&load);

        // One join: the new ring, and every key whose coordinator changes.
        let start = Instant::now();
        let joined = Ring::new(after.iter().copied(), TOKENS);
        let moved = hashes
            .iter()
            .filter(|&&h| place(Scheme::Ring, &ring, h, &before) != place(Scheme::Ring, &joined, h, &after))
            .count();
        let join_s = start.elapsed().as_secs_f64();
        println!(
            "{{\"keys\":{KEYS},\"nodes\":{NODES},\"tokens\":{TOKENS},\"place_s\":{place_s},\"join_s\":{join_s},\"moved\":{moved}}}"
        );
    }
}
