//! Every gossip story in www/stories/ runs headless to its `run_until_ms`
//! and shows what its caption promises. The directory is read, so a new
//! story file is covered as soon as it exists, and a story without an
//! outcome check here fails until one is written.

use crate::stories_support;

use consensus_lab::epidemic::{Broadcast, Gossip, State, Swim};
use consensus_lab::sim::Simulator;
use stories_support::{ordered, play, stories};

fn knowing(s: &Simulator<Gossip>, v: &str) -> usize {
    (0..s.nodes()).filter(|&i| s.stable(i).knows(v)).count()
}

fn metric(s: &Simulator<Gossip>, name: &str) -> f64 {
    s.metrics().get(name).unwrap_or(f64::NAN)
}

fn sent(s: &Simulator<Gossip>, kind: &str) -> u64 {
    s.stats().by_kind.get(kind).sent
}

// Reference: Demers et al. 1987, §1.3–1.5 (each caption names what it shows).
#[test]
fn gossip_stories_show_what_their_captions_promise() {
    let all = stories("gossip");
    ordered("gossip", &all);
    stories_support::vs_have_stories("gossip", &all);
    for (slug, sc) in &all {
        let end = sc.run_until_ms.unwrap_or(0);
        let s: Simulator<Gossip> = play(slug, sc, end);
        match slug.as_str() {
            "push-rumor" => {
                assert_eq!(knowing(&s, "x"), 16, "{slug}");
                assert_eq!(metric(&s, "rounds_to_full_spread"), 6.0, "{slug}");
                assert_eq!(metric(&s, "residue"), 0.0, "{slug}: the rumor died out with everyone informed");
                assert!(sent(&s, "Push") > 0 && sent(&s, "AntiEntropy") == 0, "{slug}");
            }
            "residue-and-backstop" => {
                let early: Simulator<Gossip> = play(slug, sc, 1_900);
                assert_eq!(metric(&early, "spreading"), 0.0, "{slug}: mongering is over before the first backstop");
                assert_eq!(knowing(&early, "x"), 48, "{slug}: 12 of 60 never heard it");
                assert!((metric(&early, "residue") - 0.2).abs() < 1e-9, "{slug}");
                assert_eq!(sent(&early, "AntiEntropy"), 0, "{slug}");
                assert_eq!(knowing(&s, "x"), 60, "{slug}: the backstop reached the residue");
            }
            "crash-and-anti-entropy" => {
                let early: Simulator<Gossip> = play(slug, sc, 1_999);
                assert!(early.stable(5).known.is_empty(), "{slug}: n5 was down throughout");
                assert_eq!((knowing(&early, "a"), knowing(&early, "b")), (15, 15), "{slug}: every live node has both");
                let k: Vec<&str> = s.stable(5).known.iter().map(|v| &**v).collect();
                assert_eq!(k.len(), 2, "{slug}: n5 caught up: {k:?}");
                assert_eq!(sent(&s, "Push"), 0, "{slug}: no rumors, only anti-entropy");
            }
            // Demers et al. 1987 §1.3 and Karp et al. 2000: pull and
            // push-pull finish faster than push once most nodes know. The
            // second run of each is the story's vs/ file.
            "push-vs-pull" | "push-vs-push-pull" => {
                assert_eq!(metric(&s, "rounds_to_full_spread"), 15.0, "{slug}: push");
                let b = stories_support::vs("gossip", slug, sc).expect("a second run");
                assert_eq!((&b.events, b.seed, b.nodes), (&sc.events, sc.seed, sc.nodes), "{slug}: the same rumor");
                let other: Simulator<Gossip> = play(slug, &b, end);
                assert_eq!(knowing(&other, "x"), 200, "{slug}");
                let (rounds, ratio) = (
                    metric(&other, "rounds_to_full_spread"),
                    metric(&other, "messages_per_node") / metric(&s, "messages_per_node"),
                );
                if slug == "push-vs-pull" {
                    assert_eq!(b.params.get("mode").and_then(|m| m.as_str()), Some("pull"));
                    assert_eq!(rounds, 12.0, "{slug}: pull");
                    assert!((2.0..3.0).contains(&ratio), "{slug}: more than twice the messages: {ratio}");
                    assert_eq!(metric(&other, "spreading"), 1.0, "{slug}: pull keeps asking");
                } else {
                    assert_eq!(b.params.get("mode").and_then(|m| m.as_str()), Some("push-pull"));
                    assert_eq!(rounds, 6.0, "{slug}: push-pull");
                }
            }
            other => panic!("story gossip/{other} has no outcome check in stories_epidemic.rs"),
        }
    }
}

// Reference: Maelstrom's broadcast workload and Gossip Glomers 3c.
#[test]
fn broadcast_stories_show_what_their_captions_promise() {
    let all = stories("broadcast");
    ordered("broadcast", &all);
    stories_support::vs_have_stories("broadcast", &all);
    let has = |s: &Simulator<Broadcast>, i: usize| -> Vec<String> {
        s.stable(i).known.iter().map(|v| v.to_string()).collect()
    };
    for (slug, sc) in &all {
        let s: Simulator<Broadcast> = play(slug, sc, sc.run_until_ms.unwrap_or(0));
        match slug.as_str() {
            "partition-heals" => {
                let early: Simulator<Broadcast> = play(slug, sc, 1_900);
                for i in 0..9 {
                    assert_eq!(has(&early, i), [if i < 3 { "a" } else { "b" }], "{slug}: n{i} while split");
                    assert_eq!(has(&s, i).len(), 2, "{slug}: n{i} after the heal");
                }
                assert!(s.stats().by_kind.get("Broadcast").dropped > 0, "{slug}: batches were lost to the cut");
            }
            // Two topologies side by side (the second run is the story's
            // vs/ file): messages per value against how long values take.
            "line-vs-tree" | "tree-vs-total" => {
                let b = stories_support::vs("broadcast", slug, sc).expect("a second run");
                assert_eq!(
                    (&b.events, b.seed, &b.network),
                    (&sc.events, sc.seed, &sc.network),
                    "{slug}: the same broadcasts"
                );
                let other: Simulator<Broadcast> = play(slug, &b, sc.run_until_ms.unwrap_or(0));
                let m = |s: &Simulator<Broadcast>, name: &str| s.metrics().get(name).unwrap_or(f64::NAN);
                for run in [&s, &other] {
                    assert_eq!((m(run, "ops"), m(run, "unspread")), (10.0, 0.0), "{slug}: every value everywhere");
                }
                let figures = |s: &Simulator<Broadcast>| (m(s, "messages_per_op"), m(s, "latency_p50_ms"));
                if slug == "line-vs-tree" {
                    assert_eq!((figures(&s), figures(&other)), ((48.0, 1800.0), (48.0, 500.0)), "{slug}");
                } else {
                    assert_eq!((figures(&s), figures(&other)), ((48.0, 500.0), (1152.0, 100.0)), "{slug}");
                }
            }
            other => panic!("story broadcast/{other} has no outcome check in stories_epidemic.rs"),
        }
    }
}

// Reference: Das, Gupta, Motivala 2002, §3.1 (probes), §4.2 (suspicion, incarnations).
#[test]
fn swim_stories_show_what_their_captions_promise() {
    let all = stories("swim");
    ordered("swim", &all);
    stories_support::vs_have_stories("swim", &all);
    let m = |s: &Simulator<Swim>, name: &str| s.metrics().get(name).unwrap_or(f64::NAN);
    let held = |s: &Simulator<Swim>, of: usize| -> Vec<(State, u64)> {
        (0..s.nodes())
            .filter(|&i| i != of)
            .filter_map(|i| s.node(i))
            .filter_map(|p| p.member(of))
            .map(|v| (v.state, v.incarnation))
            .collect()
    };
    for (slug, sc) in &all {
        let s: Simulator<Swim> = play(slug, sc, sc.run_until_ms.unwrap_or(0));
        match slug.as_str() {
            "crash-detected" => {
                assert!(m(&s, "first_detection_periods") <= 2.5, "{slug}: {}", m(&s, "first_detection_periods"));
                assert!(
                    m(&s, "all_suspect_ms") - m(&s, "first_detection_ms") <= 1000.0,
                    "{slug}: the suspicion spread within a period"
                );
                let h = held(&s, 5);
                assert_eq!(h.len(), 15, "{slug}");
                assert!(h.iter().all(|&(st, _)| st == State::Dead), "{slug}: {h:?}");
                assert_eq!((m(&s, "false_suspicions"), m(&s, "false_positives")), (0.0, 0.0), "{slug}");
            }
            "suspicion-refuted" => {
                assert!(m(&s, "false_suspicions") >= 1.0, "{slug}: n3 was suspected");
                assert_eq!(m(&s, "false_positives"), 0.0, "{slug}: nobody declared it dead");
                assert_eq!(s.node(3).map(|p| p.incarnation()), Some(1), "{slug}: n3 refuted once");
                let h = held(&s, 3);
                assert!(h.len() == 11 && h.iter().all(|&v| v == (State::Alive, 1)), "{slug}: {h:?}");
            }
            // §3.1: a missed direct ping is retried through k others; the
            // second run (vs/) has k = 0.
            "indirect-probe" => {
                assert!(s.stats().by_kind.get("PingReq").sent >= 3, "{slug}: n2 asked others to ping n5");
                assert_eq!((m(&s, "false_suspicions"), m(&s, "false_positives")), (0.0, 0.0), "{slug}");
                let b = stories_support::vs("swim", slug, sc).expect("a second run");
                assert_eq!((&b.events, b.seed), (&sc.events, sc.seed), "{slug}: the same broken link");
                let none: Simulator<Swim> = play(slug, &b, sc.run_until_ms.unwrap_or(0));
                assert_eq!(none.stats().by_kind.get("PingReq").sent, 0, "{slug}: k = 0");
                assert_eq!(m(&none, "false_positives"), 1.0, "{slug}: n5 declared dead while up");
                let h = held(&none, 5);
                assert!(h.len() == 7 && h.iter().all(|&(st, _)| st == State::Dead), "{slug}: {h:?}");
                let early: Simulator<Swim> = play(slug, &b, 5_500);
                assert!(
                    held(&early, 5).iter().all(|&(st, _)| st == State::Suspect),
                    "{slug}: suspected, not yet dead, at 5.5 s"
                );
            }
            // §4.2 against §3: the second run (vs/) has suspicion off.
            "suspicion-vs-none" => {
                assert_eq!(
                    (m(&s, "false_suspicions"), m(&s, "false_positives")),
                    (1.0, 0.0),
                    "{slug}: suspected, never dead"
                );
                assert!(held(&s, 3).iter().all(|&(st, _)| st == State::Alive), "{slug}: {:?}", held(&s, 3));
                let b = stories_support::vs("swim", slug, sc).expect("a second run");
                assert_eq!((&b.events, b.seed), (&sc.events, sc.seed), "{slug}: the same pause");
                assert_eq!(b.params.get("suspicion"), Some(&serde_json::Value::Bool(false)));
                let basic: Simulator<Swim> = play(slug, &b, sc.run_until_ms.unwrap_or(0));
                assert_eq!(m(&basic, "false_positives"), 1.0, "{slug}: basic SWIM declares the paused n3 dead");
                assert!(
                    held(&basic, 3).iter().all(|&(st, _)| st == State::Dead),
                    "{slug}: and it stays dead: {:?}",
                    held(&basic, 3)
                );
                let fewer = 1.0 - m(&basic, "messages_per_node_per_period") / m(&s, "messages_per_node_per_period");
                assert!((0.2..0.3).contains(&fewer), "{slug}: about a quarter fewer messages: {fewer}");
            }
            other => panic!("story swim/{other} has no outcome check in stories_epidemic.rs"),
        }
    }
}
