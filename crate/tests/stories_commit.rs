//! Every story in www/stories/2pc and www/stories/3pc runs headless to its
//! `run_until_ms` and shows what its caption promises. The directories are
//! read, so new files are covered: a story without an expectation below
//! fails until one is written.

mod commit_common;
#[path = "support/stories.rs"]
mod stories_support;

use commit_common::{run, states, tx, view, violated};
use consensus_lab::commit::{ThreePc, TwoPc};
use consensus_lab::protocol::Protocol;
use consensus_lab::sim::Simulator;
use stories_support::{MAX_STORY_MS, stories as stories_in};

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
