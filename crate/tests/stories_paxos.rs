//! Every Paxos and Multi-Paxos story in www/stories/ runs headless to its
//! `run_until_ms` and shows what its caption promises. The directories are
//! read, so a new story file is covered as soon as it exists, and a story
//! without an outcome check here fails until one is written.

use crate::paxos_support;
use crate::stories_support;

use std::collections::BTreeMap;

use consensus_lab::paxos::{Cmd, MultiPaxos, Paxos, Role};
use consensus_lab::protocol::Protocol;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;
use paxos_support::count_kinds;
use stories_support::stories;

/// Runs a story to its end, counting messages by kind; no story here may
/// break an invariant.
fn play<P: Protocol>(slug: &str, s: &Scenario) -> (Simulator<P>, BTreeMap<&'static str, usize>) {
    let mut sim = Simulator::<P>::new(s.clone()).unwrap_or_else(|e| panic!("{slug}: {e}"));
    let counts = count_kinds(&mut sim, s.run_until_ms.unwrap_or(0));
    assert!(sim.violations().is_empty(), "{slug}: {:?}\nreplay: {}", sim.violations(), s.to_json_string());
    (sim, counts)
}

fn learned(s: &Simulator<Paxos>) -> Vec<Option<String>> {
    (0..s.nodes()).map(|i| s.stable(i).learned.as_deref().map(str::to_string)).collect()
}

/// Every node learned the same value, one of `options`; returns it.
fn one_value_everywhere(slug: &str, s: &Simulator<Paxos>, options: &[&str]) -> String {
    let l = learned(s);
    let v = l[0].clone().unwrap_or_else(|| panic!("{slug}: node 0 learned nothing: {l:?}"));
    assert!(options.contains(&v.as_str()), "{slug}: learned {v}");
    assert!(l.iter().all(|x| x.as_deref() == Some(v.as_str())), "{slug}: {l:?}");
    v
}

// Reference: Paxos Made Simple §2 (each story's caption names what it shows).
#[test]
fn paxos_stories_show_what_their_captions_promise() {
    for (slug, sc) in stories("paxos") {
        let (s, counts) = play::<Paxos>(&slug, &sc);
        let kind = |k: &str| counts.get(k).copied().unwrap_or(0);
        match slug.as_str() {
            "one-proposer" => {
                one_value_everywhere(&slug, &s, &["x=1"]);
                assert_eq!(kind("Prepare"), 4, "{slug}: one round");
                assert_eq!(kind("Nack"), 0);
            }
            "competing-proposers" => {
                one_value_everywhere(&slug, &s, &["red", "green", "blue"]);
                assert!(kind("Nack") > 0, "{slug}: some ballot was pre-empted: {counts:?}");
            }
            "prior-accepted-value-wins" => {
                let l = learned(&s);
                for i in [1, 2, 4] {
                    assert_eq!(l[i].as_deref(), Some("A"), "{slug}: node {i}: {l:?}");
                }
                assert!(!l.contains(&Some("B".into())), "{slug}: B is never chosen");
                assert!(s.node(4).is_some_and(|p| p.client_value().map(|v| &**v) == Some("B")));
            }
            "partition-no-majority" => {
                one_value_everywhere(&slug, &s, &["b"]);
                let mut early = Simulator::<Paxos>::new(sc.clone()).expect("valid");
                early.run_until(1_499).expect("runs");
                assert!(learned(&early).iter().all(Option::is_none), "{slug}: nothing decided while split");
                early.run_until(2_999).expect("runs");
                let l = learned(&early);
                assert!(l[1].is_some() && l[0].is_none() && l[4].is_none(), "{slug}: only 1, 2, 3 know: {l:?}");
            }
            "dueling-livelock" => {
                assert!(learned(&s).iter().all(Option::is_none), "{slug}: {:?}", learned(&s));
                let top = (0..5).filter_map(|i| s.stable(i).promised).max().unwrap_or_default();
                assert!(top.round > 20, "{slug}: ballots climb: {top}");
            }
            "dueling-backoff" => {
                one_value_everywhere(&slug, &s, &["from-0", "from-1"]);
                assert!(kind("Nack") > 0, "{slug}: they duel first: {counts:?}");
            }
            "dueling-distinguished" => {
                one_value_everywhere(&slug, &s, &["from-0"]);
                assert_eq!(kind("Nack"), 0, "{slug}: nobody competes");
                assert_eq!(kind("Prepare"), 4, "{slug}: one ballot");
            }
            other => panic!("story paxos/{other} has no outcome check in stories_paxos.rs"),
        }
    }
}

fn chosen(s: &Simulator<MultiPaxos>, i: usize) -> Vec<String> {
    s.stable(i).chosen.iter().map(|c| c.as_ref().map_or("?", Cmd::text).to_string()).collect()
}

// Reference: Paxos Made Simple §3 and Paxos Made Moderately Complex §3.
#[test]
fn multi_paxos_stories_show_what_their_captions_promise() {
    for (slug, sc) in stories("multi-paxos") {
        let (s, counts) = play::<MultiPaxos>(&slug, &sc);
        let kind = |k: &str| counts.get(k).copied().unwrap_or(0);
        let leaders: Vec<usize> =
            (0..s.nodes()).filter(|&i| s.node(i).is_some_and(|p| p.role() == Role::Leader)).collect();
        match slug.as_str() {
            "stable-leader" => {
                assert_eq!(leaders, [0], "{slug}");
                assert_eq!(kind("Prepare"), 4, "{slug}: phase 1 once: {counts:?}");
                assert_eq!(kind("Accept"), 16, "{slug}: one accept per slot per acceptor: {counts:?}");
                assert_eq!(kind("Accepted"), 16, "{slug}: {counts:?}");
                for i in 0..5 {
                    assert_eq!(chosen(&s, i), ["x=1", "y=2", "x=3", "z=4"], "{slug}: node {i}");
                    assert_eq!(s.node(i).map(|p| p.executed()), Some(4));
                }
            }
            "leader-crash-noops" => {
                assert_eq!(leaders.len(), 1, "{slug}: one new leader");
                assert_ne!(leaders[0], 0);
                for i in 0..5 {
                    assert_eq!(chosen(&s, i), ["a", "no-op", "c", "d"], "{slug}: node {i}");
                }
            }
            other => panic!("story multi-paxos/{other} has no outcome check in stories_paxos.rs"),
        }
    }
}
