//! Every consistent-hashing and quorum-kv story in www/stories/ runs
//! headless to its `run_until_ms` and shows what its caption promises. The
//! directories are read, so a new story file is covered as soon as it
//! exists, and a story without an outcome check here fails until one is
//! written.
// Reference: Karger et al. 1997; Dynamo (DeCandia et al. 2007) §4.2–4.7;
// Attiya, Bar-Noy & Dolev 1995.

use crate::stories_support;

use consensus_lab::engine::Engine;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::World;
use serde_json::Value;
use stories_support::stories;

/// Runs a story to its end; no story here may break an invariant.
fn play(slug: &str, s: &Scenario) -> World {
    let mut w = Engine::build(s.clone()).unwrap_or_else(|e| panic!("{slug}: {e}"));
    w.run_until(s.run_until_ms.unwrap_or(0)).unwrap_or_else(|e| panic!("{slug}: {e}"));
    assert!(w.violations().is_empty(), "{slug}: {:?}", w.violations());
    w
}

fn metric(w: &World, name: &str) -> f64 {
    w.metrics().get(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn sent(w: &World, kind: &str) -> u64 {
    w.stats().by_kind.get(kind).sent
}

fn nodes(w: &World) -> Vec<Value> {
    let v: Value = serde_json::from_str(&w.snapshot_json()).unwrap();
    v["nodes"].as_array().unwrap().clone()
}

#[test]
fn consistent_hashing_stories_show_what_their_captions_promise() {
    for (slug, sc) in stories("consistent-hashing") {
        let w = play(&slug, &sc);
        assert_eq!(metric(&w, "keys_stored"), 20.0, "{slug}: no key lost");
        assert_eq!(metric(&w, "keys_misplaced"), 0.0, "{slug}: every key on its preference list");
        assert!(sent(&w, "Transfer") > 0, "{slug}: keys moved by message");
        match slug.as_str() {
            "join-moves-few-keys" => {
                let ring = metric(&w, "moved_ring");
                assert!((0.1..0.25).contains(&ring), "{slug}: about one in six: {ring}");
                assert!(metric(&w, "moved_mod_n") > 0.75, "{slug}: mod N moves most keys");
                assert!(!nodes(&w)[5]["keys"].as_array().unwrap().is_empty(), "{slug}: n5 holds keys");
            }
            "leave-hands-keys-on" => {
                assert!(nodes(&w)[2]["keys"].as_array().unwrap().is_empty(), "{slug}: n2 is gone");
                assert_eq!(sent(&w, "Leave"), 4, "{slug}: a goodbye to each other member");
            }
            other => panic!("story {other} has no check in stories_placement.rs"),
        }
    }
}

#[test]
fn quorum_kv_stories_show_what_their_captions_promise() {
    for (slug, sc) in stories("quorum-kv") {
        let w = play(&slug, &sc);
        let h = w.history();
        let lin = consensus_lab::history::consistency(h).linearizable;
        assert_eq!(metric(&w, "divergent_keys"), 0.0, "{slug}: the replicas agree at the end");
        match slug.as_str() {
            "new-then-old" => {
                assert_eq!(h[2].value.as_deref(), Some("2"), "{slug}: {h:?}");
                assert_eq!(h[3].value.as_deref(), Some("1"), "{slug}: {h:?}");
                assert_eq!(lin, Some(false), "{slug}");
            }
            "sloppy-quorum-partition" => {
                assert_eq!(h[1].ok, Some(true), "{slug}: the larger side wrote: {h:?}");
                assert_eq!(h[2].value.as_deref(), Some("1"), "{slug}: a stale read: {h:?}");
                assert_eq!(lin, Some(false), "{slug}");
                assert!(sent(&w, "HintedPut") >= 1 && sent(&w, "Handoff") >= 1, "{slug}: hints kept and handed over");
                assert_eq!(metric(&w, "hints_pending"), 0.0, "{slug}");
            }
            "read-repair" => {
                assert_eq!(h[2].value.as_deref(), Some("2"), "{slug}: {h:?}");
                assert!(sent(&w, "Repair") >= 1, "{slug}: n2 repaired");
                assert_eq!(nodes(&w)[2]["store"]["x"][0]["value"], "2", "{slug}");
            }
            // The walk from strong to eventual consistency: one schedule,
            // each step weaker than the one before, each losing checks.
            "ladder-1-abd" | "ladder-2-strict" | "ladder-3-eventual" => {
                let c = w.consistency();
                let verdicts =
                    [c.linearizable, c.sequential, Some(c.read_your_writes), Some(c.monotonic_reads), c.converged];
                let (t, f) = (Some(true), Some(false));
                let want = match slug.as_str() {
                    "ladder-1-abd" => [t, t, t, t, t],
                    "ladder-2-strict" => [f, t, t, t, t],
                    _ => [f, f, f, f, t],
                };
                assert_eq!(verdicts, want, "{slug}: {}", c.detail);
                let answered = h.iter().filter(|op| op.return_ms.is_some()).count();
                let cut_off_write =
                    h.iter().find(|op| op.value.as_deref() == Some("3") && op.f == consensus_lab::kv::F::Write);
                if slug == "ladder-3-eventual" {
                    assert_eq!(answered, h.len(), "{slug}: R = W = 1 answers everything: {h:?}");
                    assert!(
                        nodes(&w)[..3].iter().all(|n| n["store"]["x"][0]["value"] == "3"),
                        "{slug}: every replica holds 3"
                    );
                } else {
                    assert_eq!(
                        cut_off_write.and_then(|op| op.return_ms),
                        None,
                        "{slug}: the cut-off write has no quorum: {h:?}"
                    );
                }
                // Every step has the first one's schedule; only R, W and write-back change.
                let first =
                    stories("quorum-kv").into_iter().find(|(s, _)| s == "ladder-1-abd").map(|(_, s)| s).unwrap();
                assert_eq!(
                    (&sc.events, sc.seed, &sc.network, sc.nodes),
                    (&first.events, first.seed, &first.network, first.nodes),
                    "{slug}"
                );
            }
            other => panic!("story {other} has no check in stories_placement.rs"),
        }
    }
}
