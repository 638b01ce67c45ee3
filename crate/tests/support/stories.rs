//! The stories the page offers (www/stories/<protocol>/*.json), loaded for
//! the tests that check each one does what its caption promises. Every
//! story must carry a short title, a one-sentence caption and an end within
//! ten simulated seconds, and live in its protocol's directory.

#![allow(dead_code)]

use std::path::PathBuf;

use consensus_lab::protocol::Protocol;
use consensus_lab::scenario::Scenario;
use consensus_lab::sim::Simulator;

/// Stories should make their point in the first few simulated seconds.
pub const MAX_STORY_MS: u64 = 10_000;

/// Every story of `protocol`, by slug (file name without `.json`), in file
/// name order.
pub fn stories(protocol: &str) -> Vec<(String, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www/stories").join(protocol);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "order.json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no stories in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let s = Scenario::from_json_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let slug = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            assert_eq!(s.protocol, protocol, "{slug}: a story lives in its protocol's directory");
            let title = s.title.clone().unwrap_or_default();
            assert!(!title.trim().is_empty() && title.len() <= 60, "{slug}: needs a short title");
            let caption = s.caption.clone().unwrap_or_default();
            assert!(caption.len() > 40 && caption.ends_with('.'), "{slug}: the caption should be one full sentence");
            let until = s.run_until_ms.unwrap_or(0);
            assert!((1..=MAX_STORY_MS).contains(&until), "{slug}: run_until_ms within the first ten seconds");
            (slug, s)
        })
        .collect()
}

/// Runs a story to `until`; no story may break an invariant.
pub fn play<P: Protocol>(slug: &str, s: &Scenario, until: u64) -> Simulator<P> {
    let mut sim = Simulator::<P>::new(s.clone()).unwrap_or_else(|e| panic!("{slug}: {e}"));
    sim.run_until(until).unwrap_or_else(|e| panic!("{slug}: {e}"));
    assert!(sim.violations().is_empty(), "{slug}: {:?}\nreplay: {}", sim.violations(), s.to_json_string());
    sim
}

/// Checks that `protocol`'s `order.json` lists every story in `all` once.
pub fn ordered(protocol: &str, all: &[(String, Scenario)]) {
    let path = format!("{}/../www/stories/{protocol}/order.json", env!("CARGO_MANIFEST_DIR"));
    let order: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("order.json")).expect("order.json is a list");
    let mut slugs: Vec<&str> = all.iter().map(|(s, _)| s.as_str()).collect();
    let mut listed: Vec<&str> = order.iter().map(String::as_str).collect();
    slugs.sort();
    listed.sort();
    assert_eq!(slugs, listed, "{protocol}: order.json lists every story once");
}

/// The second run of a story told in compare mode
/// (www/stories/<protocol>/vs/<slug>.json), if it has one. It must parse,
/// carry a title and a caption, have the story's nodes (the page compares
/// only runs of one size) and end when the story does.
pub fn vs(protocol: &str, slug: &str, story: &Scenario) -> Option<Scenario> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../www/stories")
        .join(protocol)
        .join("vs")
        .join(format!("{slug}.json"));
    let text = std::fs::read_to_string(&p).ok()?;
    let s = Scenario::from_json_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(s.title.as_deref().is_some_and(|t| !t.trim().is_empty()), "{slug} (vs): needs a title");
    assert!(s.caption.as_deref().is_some_and(|c| c.ends_with('.')), "{slug} (vs): needs a caption");
    assert_eq!(s.nodes, story.nodes, "{slug} (vs): the compared runs have the same nodes");
    assert_eq!(s.run_until_ms, story.run_until_ms, "{slug} (vs): both runs end together");
    Some(s)
}

/// Checks that every second run in `protocol`'s vs/ folder belongs to a story in `all`.
pub fn vs_have_stories(protocol: &str, all: &[(String, Scenario)]) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www/stories").join(protocol).join("vs");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let slug = name.trim_end_matches(".json");
        assert!(all.iter().any(|(s, _)| s == slug), "{protocol}/vs/{name} has no story beside it");
    }
}
