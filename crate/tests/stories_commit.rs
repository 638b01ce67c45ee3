//! Every story in www/stories/2pc, 3pc, saga and tcc runs headless to its
//! `run_until_ms` and shows what its caption promises. The directories are
//! read, so new files are covered: a story without an expectation below
//! fails until one is written.

use crate::commit_common;
use crate::stories_support;

use commit_common::{run, states, tx, view, violated};
use consensus_lab::commit::{Saga, SagaView, Tcc, TccView, ThreePc, TwoPc};
use consensus_lab::protocol::{NodeId, Protocol};
use consensus_lab::sim::Simulator;
use stories_support::{MAX_STORY_MS, ordered, stories as stories_in};

type Expect<P> = fn(&mut Simulator<P>, u64);

fn check_all<P: Protocol>(expect: fn(&str) -> Option<Expect<P>>) -> usize {
    let stories = stories_in(P::NAME);
    for (slug, s) in &stories {
        let what = format!("{}/{slug}", P::NAME);
        assert_eq!(s.protocol, P::NAME, "{what}");
        assert!(s.title.as_ref().is_some_and(|t| !t.trim().is_empty()), "{what}: needs a title");
        assert!(s.caption.as_ref().is_some_and(|c| !c.trim().is_empty()), "{what}: needs a caption");
        let until = s.run_until_ms.unwrap_or_else(|| panic!("{what}: needs run_until_ms"));
        assert!(until <= MAX_STORY_MS, "{what}: runs {until} ms; stories should make their point sooner");
        let check = expect(slug).unwrap_or_else(|| panic!("{what}: no expectation in stories_commit.rs"));
        let mut sim = Simulator::<P>::new(s.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
        check(&mut sim, until);
        assert_eq!(sim.now(), until, "{what}: the expectation must run the story to its end");
    }
    ordered(P::NAME, &stories);
    stories.len()
}

fn twopc(slug: &str) -> Option<Expect<TwoPc>> {
    Some(match slug {
        "all-yes-commit" => |s, end| {
            run(s, end);
            assert_eq!(states(s, "t1"), ["committed"; 4]);
            assert!(tx(s, 0, "t1").ended, "every acknowledgement collected");
            assert!(s.violations().is_empty());
        },
        "one-no-abort" => |s, end| {
            run(s, end);
            assert_eq!(states(s, "t1"), ["aborted"; 4]);
            assert_eq!(tx(s, 2, "t1").vote, Some("no"));
            assert!(s.violations().is_empty());
        },
        "coordinator-crash-blocks" => |s, end| {
            run(s, 4_999);
            assert!(!s.is_up(0));
            for p in 1..4 {
                let v = tx(s, p, "t1");
                assert_eq!((v.state, v.blocked, v.vote), ("uncertain", true, Some("yes")), "node {p}");
            }
            run(s, end);
            assert_eq!(states(s, "t1"), ["aborted"; 4]);
            assert_eq!(view(s, 0).log[..2], ["begin t1", "abort t1"]);
            assert!(s.violations().is_empty());
        },
        "participant-crash-abort" => |s, end| {
            run(s, 1_999);
            assert!(!s.is_up(2));
            assert_eq!(states(s, "t1"), ["aborted", "aborted", "", "aborted"]);
            run(s, end);
            assert_eq!(states(s, "t1"), ["aborted"; 4]);
            assert_eq!(tx(s, 2, "t1").vote, None, "node 2 never voted");
            assert!(s.violations().is_empty());
        },
        _ => return None,
    })
}

fn threepc(slug: &str) -> Option<Expect<ThreePc>> {
    Some(match slug {
        "all-yes-commit" => |s, end| {
            run(s, end);
            assert_eq!(states(s, "t1"), ["committed"; 4]);
            assert_eq!(view(s, 0).log, ["begin t1", "precommit t1", "commit t1", "end t1"]);
            assert!((1..4).all(|p| !tx(s, p, "t1").by_timeout));
            assert!(s.violations().is_empty());
        },
        "coordinator-crash-no-block" => |s, end| {
            run(s, 2_999);
            assert!(!s.is_up(0));
            for p in 1..4 {
                let v = tx(s, p, "t1");
                assert_eq!((v.state, v.by_timeout, v.blocked), ("aborted", true, false), "node {p}");
            }
            run(s, end);
            assert_eq!(states(s, "t1"), ["aborted"; 4]);
            assert!(s.violations().is_empty());
        },
        "crash-after-precommit-commits" => |s, end| {
            run(s, 2_999);
            assert!(!s.is_up(0));
            for p in 1..4 {
                let v = tx(s, p, "t1");
                assert_eq!((v.state, v.by_timeout), ("committed", true), "node {p}");
            }
            run(s, end);
            assert_eq!(states(s, "t1"), ["committed"; 4]);
            assert!(s.violations().is_empty());
        },
        "partition-splits-decision" => |s, end| {
            run(s, end);
            assert_eq!(states(s, "t1"), ["committed", "committed", "committed", "aborted", "aborted"]);
            assert!(tx(s, 3, "t1").by_timeout && tx(s, 4, "t1").by_timeout);
            assert_eq!(violated(s), ["atomicity"], "the known flaw, on screen");
            assert!(s.violations()[0].at_ms < 2_000, "early enough to watch");
        },
        _ => return None,
    })
}

#[test]
fn every_2pc_story_shows_what_its_caption_promises() {
    // Reference: Gray & Lamport §3, the stories of docs/protocols/commit.md.
    assert!(check_all::<TwoPc>(twopc) >= 4);
}

#[test]
fn every_3pc_story_shows_what_its_caption_promises() {
    // Reference: Skeen 1981, the stories of docs/protocols/commit.md.
    assert!(check_all::<ThreePc>(threepc) >= 2);
}

fn saga_view(s: &Simulator<Saga>, id: NodeId) -> SagaView {
    s.node(id).map_or_else(|| Saga::view_down(id, s.stable(id)), Protocol::view)
}

/// The orchestrator's log lines that are steps or compensations, in order.
fn saga_steps(s: &Simulator<Saga>, tx: &str) -> Vec<String> {
    let end = format!(" {tx}");
    let log = saga_view(s, 0).log;
    log.iter().filter(|l| l.ends_with(&end) && l.starts_with(['T', 'C'])).map(|l| l.replace(&end, "")).collect()
}

fn saga(slug: &str) -> Option<Expect<Saga>> {
    Some(match slug {
        "all-steps-commit" => |s, end| {
            run(s, end);
            assert_eq!(saga_steps(s, "t1"), ["T1 done", "T2 done", "T3 done"]);
            assert_eq!(saga_view(s, 0).transactions["t1"].outcome, Some("committed"));
            assert!(s.violations().is_empty());
        },
        "compensate-in-reverse" => |s, end| {
            run(s, 1_499);
            assert_eq!(saga_view(s, 0).transactions["t1"].state, "compensating");
            run(s, end);
            assert_eq!(saga_steps(s, "t1"), ["T1 done", "T2 done", "T3 failed", "C2 done", "C1 done"]);
            assert_eq!(saga_view(s, 0).transactions["t1"].outcome, Some("compensated"));
            for p in 1..3 {
                assert_eq!(saga_view(s, p).transactions["t1"].state, "compensated", "n{p}");
            }
            assert!(s.violations().is_empty());
        },
        "orchestrator-crash-resumes" => |s, end| {
            run(s, 1_999);
            assert!(!s.is_up(0));
            assert_eq!(saga_steps(s, "t1"), ["T1 done"]);
            assert_eq!(saga_view(s, 2).transactions["t1"].state, "done", "T2 ran while n0 was down");
            run(s, end);
            assert_eq!(saga_steps(s, "t1"), ["T1 done", "T2 done", "T3 done"]);
            assert_eq!(saga_view(s, 2).log, ["T2 done t1"], "T2 ran once");
            assert!(s.violations().is_empty());
        },
        "isolation-anomaly" => |s, end| {
            run(s, end);
            assert_eq!(saga_view(s, 0).transactions["t1"].outcome, Some("compensated"));
            assert_eq!(saga_view(s, 0).transactions["t2"].outcome, Some("committed"));
            assert_eq!(saga_view(s, 1).transactions["t2"].saw, Some(vec!["t1".into()]));
            assert_eq!(s.metrics().get("dirty_reads"), Some(1.0));
            assert!(s.violations().is_empty());
        },
        _ => return None,
    })
}

fn tcc_view(s: &Simulator<Tcc>, id: NodeId) -> TccView {
    s.node(id).map_or_else(|| Tcc::view_down(id, s.stable(id)), Protocol::view)
}

fn tcc_state(s: &Simulator<Tcc>, id: NodeId, tx: &str) -> &'static str {
    tcc_view(s, id).transactions.get(tx).map_or("", |t| t.state)
}

fn held(s: &Simulator<Tcc>, id: NodeId) -> i64 {
    s.stable(id).seats.held
}

fn tcc(slug: &str) -> Option<Expect<Tcc>> {
    Some(match slug {
        "all-reserve-confirm" => |s, end| {
            run(s, 450);
            assert_eq!((tcc_state(s, 1, "t1"), held(s, 1)), ("reserved", 1));
            run(s, end);
            assert_eq!(
                (tcc_state(s, 0, "t1"), tcc_state(s, 1, "t1"), tcc_state(s, 2, "t1")),
                ("confirmed", "confirmed", "confirmed")
            );
            assert_eq!((held(s, 1), held(s, 2)), (0, 0));
            assert!(s.violations().is_empty());
        },
        "empty-rollback" => |s, end| {
            run(s, end);
            assert_eq!(tcc_state(s, 0, "t1"), "cancelled");
            assert_eq!((tcc_state(s, 1, "t1"), tcc_state(s, 2, "t1")), ("cancelled", "empty-cancel"));
            assert_eq!(s.stable(2).seats.free, s.stable(2).seats.capacity, "nothing released that was never reserved");
            assert!(s.violations().is_empty());
        },
        "hanging-try" => |s, end| {
            run(s, 1_600);
            assert_eq!((tcc_state(s, 0, "t1"), tcc_state(s, 2, "t1")), ("cancelled", "empty-cancel"));
            run(s, end);
            assert_eq!(tcc_state(s, 2, "t1"), "empty-cancel", "the late try is refused");
            assert_eq!(held(s, 2), 0);
            assert!(s.violations().is_empty());
        },
        "hanging-try-held-forever" => |s, end| {
            run(s, 1_600);
            assert!(s.violations().is_empty());
            run(s, end);
            assert_eq!((tcc_state(s, 2, "t1"), held(s, 2)), ("reserved", 1));
            assert_eq!(violated(s), ["nothing_reserved_after_end"], "the broken variant, flagged");
        },
        _ => return None,
    })
}

#[test]
fn every_saga_story_shows_what_its_caption_promises() {
    // Reference: Garcia-Molina & Salem 1987, the stories of docs/protocols/saga.md.
    assert!(check_all::<Saga>(saga) >= 4);
}

#[test]
fn every_tcc_story_shows_what_its_caption_promises() {
    // Reference: the TCC pitfalls of docs/protocols/tcc.md.
    assert!(check_all::<Tcc>(tcc) >= 4);
}
