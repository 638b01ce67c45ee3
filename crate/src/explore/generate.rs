//! The campaign generator: (protocol, variant, fault profile, seed) → an
//! ordinary scenario, so every run the explorer finds is a run anyone can
//! open in the page or the CLI.
//!
//! A generated run has two phases, as TigerBeetle's VOPR runs do. In the
//! *safety* phase (`0..faults_until`) faults arrive at random: crashes with
//! their restarts, partitions (halves, one node cut off, a minority and a
//! majority, one-way cuts) and their heals, bad links, bursts of loss and
//! duplication, pauses, and client requests (or a client workload for a
//! protocol that serves client operations). At `faults_until` every fault
//! stops: the network heals, the links and the loss go back to the
//! protocol's defaults, crashed nodes restart, and a second later one client
//! request is submitted. In the *liveness* phase that follows, the protocol must make
//! the progress its registry entry promises.
//!
//! The generator keeps track of which nodes are down and cut off, so every
//! event it writes is one the world can apply (no restart of a running node,
//! no pause of a crashed one).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::protocol::Time;
use crate::registry::Entry;
use crate::scenario::Scenario;

/// Which faults a campaign throws, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: &'static str,
    pub doc: &'static str,
    pub crashes: bool,
    pub partitions: bool,
    pub network: bool,
    pub pauses: bool,
}

/// The fault profiles, the first one the default.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "all",
        doc: "crashes and restarts, partitions, bad links, loss and duplication bursts, pauses",
        crashes: true,
        partitions: true,
        network: true,
        pauses: true,
    },
    Profile {
        name: "crashes",
        doc: "crashes and restarts only, on a reliable network",
        crashes: true,
        partitions: false,
        network: false,
        pauses: false,
    },
    Profile {
        name: "partitions",
        doc: "partitions and their heals only (halves, one node cut off, minority and majority, one-way)",
        crashes: false,
        partitions: true,
        network: false,
        pauses: false,
    },
    Profile {
        name: "network",
        doc: "bad links, loss and duplication bursts, pauses: every node stays up",
        crashes: false,
        partitions: false,
        network: true,
        pauses: true,
    },
];

/// The profile named `name`, or an error that lists them.
pub fn profile(name: &str) -> Result<Profile, String> {
    PROFILES.iter().copied().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        let shown: String = name.chars().take(40).collect();
        format!("unknown fault profile \"{shown}\" (the profiles are: {})", names.join(", "))
    })
}

/// How long the safety phase lasts, and the liveness phase after it.
pub const FAULTS_MS: Time = 10_000;
pub const SETTLE_MS: Time = 10_000;
/// When, after the faults stop, the liveness phase's client request comes.
pub const REQUEST_AFTER_MS: Time = 1_000;

/// A generated run: its scenario and the moment its faults stop.
#[derive(Clone, Debug)]
pub struct Plan {
    pub scenario: Scenario,
    pub faults_until: Time,
}

/// What the generator knows of the world it is writing events for.
struct Tracker {
    n: usize,
    down: Vec<bool>,
    /// Until when each node is paused.
    paused_until: Vec<Time>,
    partitioned: bool,
    links: Vec<(usize, usize)>,
    lossy: bool,
}

impl Tracker {
    fn up(&self, at: Time) -> Vec<usize> {
        (0..self.n).filter(|&i| !self.down[i] && self.paused_until[i] <= at).collect()
    }
}

/// A value for a client request: a key-value write for the protocols that
/// keep a store, a transaction name for the ones that run transactions (the
/// commit family: 2pc, 3pc, saga, tcc).
fn request_value(entry: &Entry, i: usize) -> String {
    if entry.family == "commit" { format!("t{i}") } else { format!("k{}={i}", i % 3) }
}

/// Groups for a partition of `n` nodes: halves, one node alone, or a
/// minority and a majority (chosen at random).
fn partition_groups(rng: &mut ChaCha8Rng, n: usize) -> Vec<Vec<usize>> {
    let mut ids: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        ids.swap(i, rng.random_range(0..=i));
    }
    let cut = match rng.random_range(0..3u8) {
        0 => n / 2,
        1 => 1,
        _ => (n - 1) / 2,
    }
    .max(1);
    let (a, b) = ids.split_at(cut);
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    vec![a, b]
}

/// Turns (protocol, variant, profile, seed) into a run.
pub fn generate(entry: &Entry, variant: Option<&str>, profile: &Profile, seed: u64) -> Result<Plan, String> {
    let spec = entry.proto.spec();
    let params = match variant {
        None => serde_json::Map::new(),
        Some(name) => spec.variant(name).map(|v| v.params_map()).ok_or_else(|| {
            let names: Vec<&str> = spec.variants.iter().map(|v| v.name).collect();
            let shown: String = name.chars().take(40).collect();
            if names.is_empty() {
                format!("{} has no variants (asked for \"{shown}\")", entry.name())
            } else {
                format!("{} has no variant \"{shown}\" (its variants are: {})", entry.name(), names.join(", "))
            }
        })?,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = entry.proto.default_nodes().max(*entry.proto.nodes().start());
    let defaults = entry.proto.network_defaults();
    let mut t = Tracker {
        n,
        down: vec![false; n],
        paused_until: vec![0; n],
        partitioned: false,
        links: Vec::new(),
        lossy: false,
    };
    let mut events: Vec<Value> = Vec::new();
    let mut requests = 0usize;
    // Requests through the safety phase, so there is work to get wrong.
    let count = rng.random_range(4..=12usize);
    for _ in 0..count {
        let at = rng.random_range(100..FAULTS_MS - 500);
        events.push(json!({ "at_ms": at, "type": "client_request", "value": request_value(entry, requests) }));
        requests += 1;
    }
    let mut kinds: Vec<u8> = Vec::new();
    if profile.crashes {
        kinds.push(0);
    }
    if profile.partitions {
        kinds.extend([1, 2]);
    }
    if profile.network {
        kinds.extend([3, 4]);
    }
    if profile.pauses {
        kinds.push(5);
    }
    // Faults in time order, so the tracker sees them as the world will.
    let faults = if kinds.is_empty() { 0 } else { rng.random_range(3..=12usize) };
    let mut times: Vec<Time> = (0..faults).map(|_| rng.random_range(200..FAULTS_MS - 300)).collect();
    times.sort_unstable();
    // The repairs each fault schedules (restart, heal…), applied in order.
    let mut repairs: Vec<(Time, Value)> = Vec::new();
    for at in times {
        // Repairs due before this fault happen first.
        repairs.sort_by_key(|(when, _)| *when);
        while repairs.first().is_some_and(|(when, _)| *when <= at) {
            let (when, ev) = repairs.remove(0);
            apply_repair(&mut t, &ev);
            let mut ev = ev;
            ev["at_ms"] = json!(when);
            events.push(ev);
        }
        let fix = at + rng.random_range(200..2_000);
        match kinds[rng.random_range(0..kinds.len())] {
            0 => {
                let up = t.up(at);
                // Keep at least one node running.
                if up.len() < 2 {
                    continue;
                }
                let node = up[rng.random_range(0..up.len())];
                t.down[node] = true;
                events.push(json!({ "at_ms": at, "type": "crash", "node": node }));
                if fix < FAULTS_MS {
                    repairs.push((fix, json!({ "type": "restart", "node": node })));
                }
            }
            1 if !t.partitioned => {
                t.partitioned = true;
                events.push(json!({ "at_ms": at, "type": "partition", "groups": partition_groups(&mut rng, n) }));
                if fix < FAULTS_MS {
                    repairs.push((fix, json!({ "type": "heal" })));
                }
            }
            2 => {
                // A one-way cut: every message from one node to another lost.
                let from = rng.random_range(0..n);
                let to = (from + rng.random_range(1..n)) % n;
                t.links.push((from, to));
                events.push(json!({ "at_ms": at, "type": "link", "from": from, "to": to, "drop_rate": 1.0 }));
            }
            3 => {
                let from = rng.random_range(0..n);
                let to = (from + rng.random_range(1..n)) % n;
                let lo = rng.random_range(20..200u64);
                t.links.push((from, to));
                let drop = f64::from(rng.random_range(1..=6u32)) / 10.0;
                events.push(json!({ "at_ms": at, "type": "link", "from": from, "to": to, "drop_rate": drop, "latency_ms": [lo, lo * 3] }));
            }
            4 => {
                t.lossy = true;
                let drop = f64::from(rng.random_range(1..=3u32)) / 10.0;
                let dup = f64::from(rng.random_range(0..=2u32)) / 10.0;
                events.push(json!({ "at_ms": at, "type": "set_network", "drop_rate": drop, "duplicate_rate": dup }));
            }
            5 => {
                let up = t.up(at);
                if up.is_empty() {
                    continue;
                }
                let node = up[rng.random_range(0..up.len())];
                let for_ms = rng.random_range(200..2_000).min(FAULTS_MS - at);
                t.paused_until[node] = at + for_ms;
                events.push(json!({ "at_ms": at, "type": "pause", "node": node, "for_ms": for_ms }));
            }
            _ => {}
        }
    }
    repairs.sort_by_key(|(when, _)| *when);
    for (when, ev) in repairs {
        apply_repair(&mut t, &ev);
        let mut ev = ev;
        ev["at_ms"] = json!(when);
        events.push(ev);
    }
    // Faults stop: everything back to normal, then one request to serve.
    let end = FAULTS_MS;
    if t.partitioned {
        events.push(json!({ "at_ms": end, "type": "heal" }));
    }
    t.links.sort_unstable();
    t.links.dedup();
    let (lo, hi) = defaults.latency_ms;
    for &(from, to) in &t.links {
        events.push(json!({ "at_ms": end, "type": "link", "from": from, "to": to, "drop_rate": defaults.drop_rate, "latency_ms": [lo, hi] }));
    }
    if t.lossy {
        events.push(json!({ "at_ms": end, "type": "set_network", "drop_rate": defaults.drop_rate, "duplicate_rate": defaults.duplicate_rate }));
    }
    for node in 0..n {
        if t.down[node] {
            events.push(json!({ "at_ms": end, "type": "restart", "node": node }));
        }
    }
    // The request the liveness phase must serve comes a second after the
    // heal: a request handed at the very moment of the heal to a leader that
    // is about to learn it was deposed may be lost, as the client model says.
    events.push(
        json!({ "at_ms": end + REQUEST_AFTER_MS, "type": "client_request", "value": request_value(entry, requests) }),
    );
    events.sort_by_key(|e| e["at_ms"].as_u64().unwrap_or(0));
    let mut doc = json!({
        "version": 1,
        "protocol": entry.name(),
        "nodes": n,
        "seed": rng.random::<u32>(),
        "params": params,
        "events": events,
        "run_until_ms": FAULTS_MS + SETTLE_MS,
        "title": format!("explore {} seed {seed}", entry.name()),
    });
    if spec.clients {
        doc["clients"] = json!({ "count": 3, "ops": ["read", "write", "cas"], "keys": ["x", "y"], "think_ms": [0, 200], "timeout_ms": 1000, "from_ms": 0, "until_ms": FAULTS_MS });
    }
    let scenario =
        Scenario::from_value(&doc).map_err(|e| format!("the generator wrote a bad scenario ({e}): {doc}"))?;
    Ok(Plan { scenario, faults_until: end })
}

fn apply_repair(t: &mut Tracker, ev: &Value) {
    match ev["type"].as_str() {
        Some("restart") => {
            if let Some(node) = ev["node"].as_u64() {
                t.down[node as usize] = false;
            }
        }
        Some("heal") => t.partitioned = false,
        _ => {}
    }
}
