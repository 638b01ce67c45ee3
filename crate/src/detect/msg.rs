//! Failure detectors on the wire: the one heartbeat message, the two
//! timers, and the `params` of `heartbeat` and `phi-accrual` (see
//! docs/protocols/heartbeat.md and docs/protocols/phi-accrual.md).

use serde::Serialize;

use crate::params::ParamReader;
use crate::protocol::{Message, Params, Time, TimerName};
use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum DetectMsg {
    /// "I am alive": the sender's `seq`-th heartbeat since it (re)started.
    Heartbeat { seq: u64 },
}

impl Message for DetectMsg {
    fn kind(&self) -> &'static str {
        "Heartbeat"
    }
    fn label(&self) -> String {
        let DetectMsg::Heartbeat { seq } = self;
        format!("♥{seq}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum DetectTimer {
    /// Send a heartbeat to every peer (every `interval_ms`).
    Beat,
    /// Look at every peer again and update the suspicions (every `check_ms`).
    Check,
}

impl TimerName for DetectTimer {
    fn name(&self) -> &'static str {
        match self {
            DetectTimer::Beat => "beat",
            DetectTimer::Check => "check",
        }
    }
}

/// The longest time any detect-family param may be.
pub(super) const MAX_MS: Time = 600_000;

/// Checks that millisecond param `name` lies in `lo..=MAX_MS`.
pub(super) fn ms_in(name: &str, v: Time, lo: Time) -> Result<(), String> {
    if (lo..=MAX_MS).contains(&v) {
        Ok(())
    } else {
        Err(format!("{name} must be between {lo} and {MAX_MS} (got {v})"))
    }
}

/// `params` for `heartbeat`: a fixed timeout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeartbeatParams {
    pub interval_ms: Time,
    pub timeout_ms: Time,
    pub check_ms: Time,
}

impl Default for HeartbeatParams {
    fn default() -> Self {
        HeartbeatParams { interval_ms: 1000, timeout_ms: 3000, check_ms: 100 }
    }
}

impl Params for HeartbeatParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("interval_ms", "How often every node sends a heartbeat to every other node.", &mut self.interval_ms)?;
        r.field("timeout_ms", "A peer not heard from for longer than this is suspected (the fixed timeout).", &mut self.timeout_ms)?;
        r.field("check_ms", "How often a node looks at its peers again (the resolution of detection times).", &mut self.check_ms)?;
        Ok(())
    }

    fn validate(&self, _nodes: usize) -> Result<(), String> {
        ms_in("interval_ms", self.interval_ms, 10)?;
        ms_in("timeout_ms", self.timeout_ms, 1)?;
        ms_in("check_ms", self.check_ms, 1)
    }
}

/// The distribution φ is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// The normal CDF (Hayashibara et al. §4), through libm's `erfc`.
    Normal,
    /// Akka's logistic approximation of the normal CDF.
    Logistic,
    /// Cassandra's exponential inter-arrivals: φ = gap / (mean · ln 10).
    Exponential,
}

pub const MODELS: [(&str, Model); 3] =
    [("normal", Model::Normal), ("logistic", Model::Logistic), ("exponential", Model::Exponential)];

/// `params` for `phi-accrual`; defaults as in Akka / Pekko.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhiParams {
    pub interval_ms: Time,
    pub threshold: f64,
    pub max_samples: u64,
    pub min_std_dev_ms: Time,
    pub acceptable_pause_ms: Time,
    pub first_estimate_ms: Time,
    pub model: String,
    pub check_ms: Time,
}

impl Default for PhiParams {
    fn default() -> Self {
        PhiParams {
            interval_ms: 1000,
            threshold: 8.0,
            max_samples: 1000,
            min_std_dev_ms: 100,
            acceptable_pause_ms: 3000,
            first_estimate_ms: 1000,
            model: "normal".into(),
            check_ms: 100,
        }
    }
}

impl PhiParams {
    pub fn model(&self) -> Model {
        MODELS.iter().find(|(n, _)| *n == self.model).map_or(Model::Normal, |(_, m)| *m)
    }
}

impl Params for PhiParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("interval_ms", "How often every node sends a heartbeat to every other node.", &mut self.interval_ms)?;
        r.field("threshold", "A peer whose φ exceeds this is suspected (φ = 8: a wrong suspicion about once in 10^8).", &mut self.threshold)?;
        r.field("max_samples", "How many recent inter-arrival times the sliding window keeps.", &mut self.max_samples)?;
        r.field("min_std_dev_ms", "The smallest standard deviation used, so that very regular heartbeats do not make φ jump.", &mut self.min_std_dev_ms)?;
        r.field("acceptable_pause_ms", "Added to the mean inter-arrival time (Akka): pauses this long are expected.", &mut self.acceptable_pause_ms)?;
        r.field("first_estimate_ms", "The mean assumed before any heartbeat arrived (the window starts with mean ± mean/4).", &mut self.first_estimate_ms)?;
        r.choice("model", "\"normal\" (the paper's normal CDF, via libm), \"logistic\" (Akka's approximation) or \"exponential\" (Cassandra: φ = gap / (mean · ln 10)).", &["normal", "logistic", "exponential"], &mut self.model)?;
        r.field("check_ms", "How often a node computes φ for every peer (the resolution of detection times).", &mut self.check_ms)?;
        Ok(())
    }

    fn validate(&self, _nodes: usize) -> Result<(), String> {
        ms_in("interval_ms", self.interval_ms, 10)?;
        ms_in("check_ms", self.check_ms, 1)?;
        ms_in("min_std_dev_ms", self.min_std_dev_ms, 1)?;
        ms_in("first_estimate_ms", self.first_estimate_ms, 1)?;
        if self.acceptable_pause_ms > MAX_MS {
            return Err(format!("acceptable_pause_ms must be at most {MAX_MS} (got {})", self.acceptable_pause_ms));
        }
        if !(self.threshold.is_finite() && self.threshold > 0.0 && self.threshold <= 50.0) {
            return Err(format!("threshold must be above 0 and at most 50 (got {})", self.threshold));
        }
        if !(2..=10_000).contains(&self.max_samples) {
            return Err(format!("max_samples must be between 2 and 10000 (got {})", self.max_samples));
        }
        if !MODELS.iter().any(|(n, _)| *n == self.model) {
            return Err(format!("model must be \"normal\", \"logistic\" or \"exponential\" (got \"{}\")", self.model));
        }
        Ok(())
    }
}
