//! Gossip on the wire: the rumor-mongering exchanges (push, pull,
//! push-pull and their feedback), the anti-entropy exchange of whole
//! states, the two timers, and the `params` of the `gossip` engine. The
//! names follow Demers et al. 1987, §1.3 (anti-entropy) and §1.4 (complex
//! epidemics: rumor mongering).

use serde::Serialize;

use crate::params::ParamReader;
use crate::protocol::{Message, Params, Time, TimerName, Value};
use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum GossipMsg {
    /// Push (§1.4): the sender's hot rumors.
    Push { rumors: Vec<Value> },
    /// The feedback of §1.4, the answer to a push: of the pushed `rumors`,
    /// those in `known` were already known here (an unnecessary contact);
    /// the others were news.
    Feedback { rumors: Vec<Value>, known: Vec<Value> },
    /// Pull (§1.4): "what hot rumors do you have that I lack?", with the
    /// values the asker already has.
    Pull { have: Vec<Value> },
    /// Push-pull (§1.4): the initiator's hot rumors and what it has.
    PushPull { rumors: Vec<Value>, have: Vec<Value> },
    /// The answer to a pull or a push-pull: the responder's hot rumors the
    /// asker lacked and, push-pull with feedback, which of the asker's
    /// `pushed` rumors it already `known`.
    Reply { rumors: Vec<Value>, pushed: Vec<Value>, known: Vec<Value> },
    /// Anti-entropy (§1.3), push-pull: the initiator's whole database.
    AntiEntropy { values: Vec<Value> },
    /// The responder's values the initiator lacked.
    AntiEntropyReply { values: Vec<Value> },
}

fn list(vs: &[Value]) -> String {
    match vs {
        [] => "∅".to_string(),
        [one] => crate::base::text::clip(one, 10),
        [first, rest @ ..] => format!("{}+{}", crate::base::text::clip(first, 8), rest.len()),
    }
}

impl Message for GossipMsg {
    fn kind(&self) -> &'static str {
        match self {
            GossipMsg::Push { .. } => "Push",
            GossipMsg::Feedback { .. } => "Feedback",
            GossipMsg::Pull { .. } => "Pull",
            GossipMsg::PushPull { .. } => "PushPull",
            GossipMsg::Reply { .. } => "Reply",
            GossipMsg::AntiEntropy { .. } => "AntiEntropy",
            GossipMsg::AntiEntropyReply { .. } => "AntiEntropyReply",
        }
    }

    fn label(&self) -> String {
        match self {
            GossipMsg::Push { rumors } => format!("push {}", list(rumors)),
            GossipMsg::Feedback { known, .. } => format!("knew {}", list(known)),
            GossipMsg::Pull { have } => format!("pull (has {})", have.len()),
            GossipMsg::PushPull { rumors, .. } => format!("push-pull {}", list(rumors)),
            GossipMsg::Reply { rumors, .. } => format!("reply {}", list(rumors)),
            GossipMsg::AntiEntropy { values } => format!("state ({})", values.len()),
            GossipMsg::AntiEntropyReply { values } => format!("missing {}", list(values)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum GossipTimer {
    /// A round of rumor mongering (or, in `anti-entropy` mode, of
    /// anti-entropy): every `interval_ms`, on the same beat at every node.
    Round,
    /// The anti-entropy backstop: one whole-state exchange every
    /// `anti_entropy_ms`.
    AntiEntropy,
}

impl TimerName for GossipTimer {
    fn name(&self) -> &'static str {
        match self {
            GossipTimer::Round => "round",
            GossipTimer::AntiEntropy => "anti-entropy",
        }
    }
}

/// Who starts an exchange and which way the rumors go (§1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Push,
    Pull,
    PushPull,
    /// No rumors: every round each node runs anti-entropy with one partner.
    AntiEntropy,
}

/// The modes' names, as the `mode` param takes them (in [`MODES`]'s order).
pub const MODE_NAMES: [&str; 4] = ["push", "pull", "push-pull", "anti-entropy"];

pub const MODES: [(&str, Mode); 4] =
    [("push", Mode::Push), ("pull", Mode::Pull), ("push-pull", Mode::PushPull), ("anti-entropy", Mode::AntiEntropy)];

/// `params` for `gossip`; see docs/protocols/gossip.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GossipParams {
    pub interval_ms: Time,
    pub mode: String,
    pub fanout: u64,
    pub loss: String,
    pub stop: String,
    pub k: u64,
    pub anti_entropy_ms: Time,
}

impl Default for GossipParams {
    fn default() -> Self {
        GossipParams {
            interval_ms: 100,
            mode: "push".into(),
            fanout: 1,
            loss: "feedback".into(),
            stop: "counter".into(),
            k: 2,
            anti_entropy_ms: 0,
        }
    }
}

impl GossipParams {
    pub fn mode(&self) -> Mode {
        MODES.iter().find(|(n, _)| *n == self.mode).map_or(Mode::Push, |(_, m)| *m)
    }
    /// Feedback (the recipient says it already knew) rather than blind.
    pub fn feedback(&self) -> bool {
        self.loss != "blind"
    }
    /// A coin (lose interest with probability 1/k) rather than a counter.
    pub fn coin(&self) -> bool {
        self.stop == "coin"
    }
    /// Whether anti-entropy runs at all, as the mode or as a backstop.
    pub fn anti_entropy(&self) -> bool {
        self.mode() == Mode::AntiEntropy || self.anti_entropy_ms > 0
    }
}

const MAX_MS: Time = 600_000;

impl Params for GossipParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("interval_ms", "The length of a round: every node acts once per round, all on the same beat (§1.2's cycle).", &mut self.interval_ms)?;
        r.choice("mode", "\"push\", \"pull\" or \"push-pull\" rumor mongering (§1.4), or \"anti-entropy\" alone (§1.3): each round every node exchanges whole states with one partner.", &MODE_NAMES, &mut self.mode)?;
        r.field("fanout", "How many random partners a node contacts per round.", &mut self.fanout)?;
        r.choice("loss", "How a node loses interest in a rumor (§1.4): \"feedback\" counts only contacts that found the rumor already known; \"blind\" counts every contact.", &["feedback", "blind"], &mut self.loss)?;
        r.choice("stop", "\"counter\": lose interest after k counted contacts; \"coin\": lose interest with probability 1/k at each counted contact (§1.4).", &["counter", "coin"], &mut self.stop)?;
        r.field("k", "The k of the loss of interest (counter limit, or 1/k coin).", &mut self.k)?;
        r.field("anti_entropy_ms", "The anti-entropy backstop (§1.5): each node exchanges whole states with one random partner this often; 0 turns it off.", &mut self.anti_entropy_ms)?;
        Ok(())
    }

    fn validate(&self, _nodes: usize) -> Result<(), String> {
        if !(10..=MAX_MS).contains(&self.interval_ms) {
            return Err(format!("interval_ms must be between 10 and {MAX_MS} (got {})", self.interval_ms));
        }
        if !MODES.iter().any(|(n, _)| *n == self.mode) {
            let names: Vec<&str> = MODES.iter().map(|(n, _)| *n).collect();
            return Err(format!("mode must be one of {} (got \"{}\")", names.join(", "), self.mode));
        }
        if !(1..=1000).contains(&self.fanout) {
            return Err(format!("fanout must be between 1 and 1000 (got {})", self.fanout));
        }
        if self.loss != "feedback" && self.loss != "blind" {
            return Err(format!("loss must be \"feedback\" or \"blind\" (got \"{}\")", self.loss));
        }
        if self.stop != "counter" && self.stop != "coin" {
            return Err(format!("stop must be \"counter\" or \"coin\" (got \"{}\")", self.stop));
        }
        if !(1..=100).contains(&self.k) {
            return Err(format!("k must be between 1 and 100 (got {})", self.k));
        }
        if self.anti_entropy_ms != 0 && !(10..=MAX_MS).contains(&self.anti_entropy_ms) {
            return Err(format!("anti_entropy_ms must be 0 (off) or between 10 and {MAX_MS} (got {})", self.anti_entropy_ms));
        }
        Ok(())
    }
}
