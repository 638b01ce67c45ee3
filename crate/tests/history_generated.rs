//! The checker on histories as large as the lab's runs make, from a
//! simulated correct store (tests/history_support): correct ones are
//! linearizable, sequentially consistent and keep both session guarantees;
//! with a lagging replica's stale reads mixed in, the checker finds them
//! among ten thousand operations and shrinks the proof to a handful.

use crate::history_support;

use consensus_lab::history::{Limits, consistency, linearizability, parse_history};
use history_support::{Workload, correct_history, document};

#[test]
fn histories_of_a_correct_store_pass_every_check() {
    for (seed, clients, keys) in [(1, 10, 10), (2, 20, 1), (3, 5, 2), (4, 50, 10)] {
        let ops = correct_history(Workload::new(2_000, clients, keys, seed));
        let c = consistency(&ops);
        assert_eq!(c.linearizable, Some(true), "seed {seed}: {}", c.detail);
        assert_eq!(c.sequential, Some(true));
        assert!(c.read_your_writes && c.monotonic_reads, "seed {seed}: {}", c.detail);
        assert!(c.counterexample.is_none());
    }
}

#[test]
fn ten_thousand_operations_check_within_the_default_limits() {
    let ops = correct_history(Workload::new(10_000, 10, 10, 7));
    let lin = linearizability(&ops, &Limits::default());
    assert_eq!(lin.linearizable, Some(true), "{}", lin.detail);
    assert_eq!(lin.keys, 10);
    // The document round-trips through the parser unchanged.
    assert_eq!(parse_history(&document(&ops)).as_deref(), Ok(&ops[..]));
}

#[test]
fn stale_reads_among_ten_thousand_operations_shrink_to_a_handful() {
    let mut found = 0;
    for seed in 1..=4 {
        let mut w = Workload::new(10_000, 10, 10, seed);
        w.stale_one_in = 1_000;
        let ops = correct_history(w);
        let c = consistency(&ops);
        if c.linearizable == Some(true) {
            continue;
        }
        found += 1;
        assert_eq!(c.linearizable, Some(false), "seed {seed}: {}", c.detail);
        let cx = c.counterexample.expect("a counterexample");
        assert!(cx.ops.len() <= 6, "seed {seed}: {} operations: {}", cx.ops.len(), cx.detail);
        assert_eq!(linearizability(&cx.ops, &Limits::default()).linearizable, Some(false));
        assert!(!cx.detail.starts_with("these"), "seed {seed}: a plain sentence: {}", cx.detail);
    }
    assert!(found >= 3, "only {found} of 4 histories had a stale read the checker could prove");
}
