//! The explorer in the page: a `Campaign` class that runs and shrinks seeded
//! fault campaigns exactly as `consensus-lab explore` does.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::to_js;

/// The most runs one `Campaign.run` call makes (the CLI's `--runs` limit);
/// the page's worker asks for far fewer at a time.
const MAX_CAMPAIGN_RUNS: u64 = 10_000_000;

/// A seed from JavaScript: a whole number from 0 below 2^53 (what a JS
/// number holds exactly).
fn seed_arg(what: &str, v: f64) -> Result<u64, JsError> {
    if !v.is_finite() || v < 0.0 || v.fract() != 0.0 || v >= 9_007_199_254_740_992.0 {
        return Err(JsError::new(&format!("{what} must be a whole number from 0 below 2^53, not {v}")));
    }
    Ok(v as u64)
}

/// A text argument from JavaScript; `None` for null, undefined or "" when
/// it may be left out.
fn text_arg(what: &str, v: &JsValue, optional: bool) -> Result<Option<String>, JsError> {
    if optional && (v.is_undefined() || v.is_null() || v.as_string().is_some_and(|s| s.is_empty())) {
        return Ok(None);
    }
    match v.as_string() {
        Some(s) if !s.is_empty() => Ok(Some(s)),
        _ => Err(JsError::new(&format!(
            "{what} must be a name (text), not {}",
            v.js_typeof().as_string().unwrap_or_default()
        ))),
    }
}

/// A failing run as the explorer found it.
#[derive(Serialize)]
struct FoundRun<'a> {
    seed: u64,
    invariant: &'a str,
    at_ms: u64,
    detail: &'a str,
    /// How many events the generated scenario has.
    events: usize,
}

impl<'a> FoundRun<'a> {
    fn of(o: &'a crate::explore::Outcome) -> Option<Self> {
        let f = o.found.as_ref()?;
        Some(FoundRun {
            seed: o.seed,
            invariant: &f.invariant,
            at_ms: f.at_ms,
            detail: &f.detail,
            events: o.plan.scenario.events.len(),
        })
    }
}

/// An explorer campaign (`consensus-lab explore`) over one protocol of this
/// module, one of its variants (or its own rules) and one fault profile: run
/// `i` of a campaign from seed S is the run of seed S + i, exactly as the CLI
/// generates and judges it, so the page and the CLI find the same runs.
#[wasm_bindgen]
pub struct Campaign {
    entry: crate::registry::Entry,
    variant: Option<String>,
    profile: crate::explore::Profile,
}

#[wasm_bindgen]
impl Campaign {
    /// A campaign of `protocol` with `variant` (null or "" for the
    /// protocol's own rules) under the fault profile named `profile` (null
    /// or "" for the default, `all`). Throws, naming what is wrong, for a
    /// protocol this module does not run, an unknown variant or profile.
    #[wasm_bindgen(constructor)]
    pub fn new(protocol: JsValue, variant: JsValue, profile: JsValue) -> Result<Campaign, JsError> {
        let name = text_arg("protocol", &protocol, false)?.unwrap_or_default();
        let entry = crate::registry::find(&name).ok_or_else(|| {
            let shown: String = name.chars().take(40).collect();
            JsError::new(&format!(
                "protocol: this module does not run \"{shown}\" (it runs: {})",
                crate::registry::names().join(", ")
            ))
        })?;
        let variant = text_arg("variant", &variant, true)?;
        let profile = match text_arg("fault profile", &profile, true)? {
            None => crate::explore::PROFILES[0],
            Some(p) => crate::explore::profile(&p).map_err(|e| JsError::new(&e))?,
        };
        // A bad variant is reported now, before any run.
        crate::explore::generate(&entry, variant.as_deref(), &profile, 0).map_err(|e| JsError::new(&e))?;
        Ok(Campaign { entry, variant, profile })
    }

    /// The fault profiles, `[{ name, doc }]`, the default first.
    pub fn profiles() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct P {
            name: &'static str,
            doc: &'static str,
        }
        let list: Vec<P> = crate::explore::PROFILES.iter().map(|p| P { name: p.name, doc: p.doc }).collect();
        to_js(&list)
    }

    /// Runs the seeds `from` up to (not including) `to`: `{ runs,
    /// violations, first }`, `first` being the lowest failing seed's
    /// `{ seed, invariant, at_ms, detail, events }`, or null.
    pub fn run(&self, from: f64, to: f64) -> Result<JsValue, JsError> {
        let from = seed_arg("run: the first seed", from)?;
        let to = seed_arg("run: the end seed", to)?;
        if to < from || to - from > MAX_CAMPAIGN_RUNS {
            return Err(JsError::new(&format!(
                "run: the seeds must go from the first up to the end, at most {MAX_CAMPAIGN_RUNS} at a time (asked for {from} to {to})"
            )));
        }
        #[derive(Serialize)]
        struct Batch<'a> {
            runs: u64,
            violations: u64,
            first: Option<FoundRun<'a>>,
        }
        let mut violations = 0;
        let mut first = None;
        for seed in from..to {
            let o = self.outcome(seed)?;
            if o.found.is_some() {
                violations += 1;
                first = first.or(Some(o));
            }
        }
        to_js(&Batch { runs: to - from, violations, first: first.as_ref().and_then(FoundRun::of) })
    }

    /// Shrinks the run of seed `seed` to a small scenario that fails the
    /// same way, as the CLI does: `{ seed, invariant, at_ms, detail, events,
    /// shrunk: { events, invariant, at_ms, detail, scenario } }` with the
    /// shrunk scenario as canonical JSON text; null when that run does not
    /// fail.
    pub fn shrink(&self, seed: f64) -> Result<JsValue, JsError> {
        let o = self.outcome(seed_arg("shrink: the seed", seed)?)?;
        let (Some(found), Some(run)) = (o.found.as_ref(), FoundRun::of(&o)) else { return Ok(JsValue::NULL) };
        let (small, small_found) = crate::explore::shrink(&o.plan, found);
        #[derive(Serialize)]
        struct Shrunk<'a> {
            events: usize,
            invariant: &'a str,
            at_ms: u64,
            detail: &'a str,
            scenario: String,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            run: FoundRun<'a>,
            shrunk: Shrunk<'a>,
        }
        let shrunk = Shrunk {
            events: small.events.len(),
            invariant: &small_found.invariant,
            at_ms: small_found.at_ms,
            detail: &small_found.detail,
            scenario: small.to_json_string(),
        };
        to_js(&Out { run, shrunk })
    }

    fn outcome(&self, seed: u64) -> Result<crate::explore::Outcome, JsError> {
        crate::explore::run_one(&self.entry, self.variant.as_deref(), &self.profile, seed)
            .map_err(|e| JsError::new(&format!("internal error in the explorer (seed {seed}): {e}")))
    }
}
