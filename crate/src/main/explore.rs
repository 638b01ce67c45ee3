//! `consensus-lab explore`: a seeded fault campaign over every core, as
//! docs/EXPLORE.md describes. Run `i` of a campaign with `--seed S` uses seed
//! `S + i`, so any run it reports can be generated again alone; the first
//! failing run is the one with the lowest seed, whatever order the cores
//! finish in, and it is shrunk to a small scenario with its link.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use consensus_lab::explore::{self, Outcome};
use consensus_lab::link::{self, Extras};
use consensus_lab::registry;
use rayon::prelude::*;
use serde_json::json;

use super::{fail, say};

struct Args {
    protocol: String,
    variant: Option<String>,
    runs: u64,
    seed: u64,
    faults: String,
}

fn parse(args: &[&str]) -> Result<Args, String> {
    let mut a = Args { protocol: String::new(), variant: None, runs: 1000, seed: 1, faults: "all".into() };
    let mut it = args.iter();
    while let Some(&flag) = it.next() {
        let mut value = || it.next().copied().ok_or_else(|| format!("{flag} needs a value"));
        match flag {
            "--protocol" => a.protocol = value()?.to_string(),
            "--variant" => a.variant = Some(value()?.to_string()),
            "--faults" => a.faults = value()?.to_string(),
            "--runs" => {
                let v = value()?;
                a.runs = v.parse().ok().filter(|&n| (1..=10_000_000).contains(&n)).ok_or_else(|| {
                    format!(
                        "--runs must be a whole number from 1 to 10,000,000, not \"{}\"",
                        v.chars().take(20).collect::<String>()
                    )
                })?;
            }
            "--seed" => {
                let v = value()?;
                a.seed = v.parse().map_err(|_| {
                    format!(
                        "--seed must be a whole number below 2^64, not \"{}\"",
                        v.chars().take(30).collect::<String>()
                    )
                })?;
            }
            other => {
                return Err(format!("unknown option \"{}\" for explore", other.chars().take(30).collect::<String>()));
            }
        }
    }
    if a.protocol.is_empty() {
        return Err(format!("explore needs --protocol NAME (one of: {})", registry::names().join(", ")));
    }
    Ok(a)
}

// The wall clock only times the progress line on standard error (runs per
// second); nothing a run does reads it.
#[allow(clippy::disallowed_types)]
pub fn main(args: &[&str]) -> ExitCode {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let Some(entry) = registry::find(&a.protocol) else {
        let shown: String = a.protocol.chars().take(40).collect();
        return fail(&format!("unknown protocol \"{shown}\" (this lab runs: {})", registry::names().join(", ")));
    };
    let profile = match explore::profile(&a.faults) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let variant = a.variant.as_deref();
    // A bad variant is reported before any run.
    if let Err(e) = explore::generate(&entry, variant, &profile, a.seed) {
        return fail(&e);
    }
    let done = AtomicU64::new(0);
    let started = std::time::Instant::now();
    let report = |n: u64| {
        if n.is_multiple_of(500) || n == a.runs {
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\r{n}/{} runs, {:.0} runs/s   ", a.runs, n as f64 / secs);
            let _ = std::io::stderr().flush();
        }
    };
    // Only the failing runs (and errors) are kept: a campaign of 100,000
    // runs need not hold 100,000 scenarios.
    let outcomes: Vec<Result<Outcome, String>> = (0..a.runs)
        .into_par_iter()
        // Each worker looks the protocol up once for itself (registry entries
        // are not shared between threads).
        .map_init(
            || registry::find(&a.protocol),
            |entry, i| {
                let Some(entry) = entry.as_ref() else { return Err("the protocol left the registry".to_string()) };
                let out = explore::run_one(entry, variant, &profile, a.seed.wrapping_add(i));
                report(done.fetch_add(1, Ordering::Relaxed) + 1);
                out
            },
        )
        .filter(|o| !matches!(o, Ok(o) if o.found.is_none()))
        .collect();
    eprintln!();
    let mut violations = 0u64;
    let mut first: Option<&Outcome> = None;
    for o in &outcomes {
        match o {
            Err(e) => return fail(&format!("internal error in the explorer: {e}")),
            Ok(o) if o.found.is_some() => {
                violations += 1;
                first = first.or(Some(o));
            }
            Ok(_) => {}
        }
    }
    let (first_json, shrunk_json) = match first {
        None => (serde_json::Value::Null, serde_json::Value::Null),
        Some(o) => {
            let Some(found) = o.found.as_ref() else { return fail("internal error in the explorer") };
            eprintln!("seed {} broke {} at {} ms; shrinking…", o.seed, found.invariant, found.at_ms);
            let (small, small_found) = explore::shrink(&o.plan, found);
            let text = small.to_json_string();
            let link = match link::encode(&text, &Extras::default()) {
                Ok(l) => l,
                Err(e) => return fail(&e.to_string()),
            };
            (
                json!({ "seed": o.seed, "invariant": found.invariant, "at_ms": found.at_ms, "detail": found.detail, "events": o.plan.scenario.events.len() }),
                json!({ "events": small.events.len(), "invariant": small_found.invariant, "at_ms": small_found.at_ms, "detail": small_found.detail, "scenario": small.to_value(), "link": link }),
            )
        }
    };
    let out = json!({
        "protocol": entry.name(),
        "variant": variant,
        "faults": profile.name,
        "runs": a.runs,
        "violations": violations,
        "first": first_json,
        "shrunk": shrunk_json,
    });
    match serde_json::to_string_pretty(&out) {
        Ok(text) => say(&text),
        Err(e) => return fail(&format!("cannot write the result: {e}")),
    }
    if violations > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
