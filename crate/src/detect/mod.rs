//! Failure detection: a fixed-timeout heartbeat detector ([`Heartbeat`],
//! `"heartbeat"`) and the φ accrual detector of Hayashibara, Défago, Yared
//! & Katayama, "The φ Accrual Failure Detector" (SRDS 2004) ([`PhiAccrual`],
//! `"phi-accrual"`), one engine with two rules ([`detector`]); and, since
//! electing a coordinator is failure detection acted upon, Garcia-Molina's
//! bully election ([`Bully`], `"bully"`). See docs/protocols/heartbeat.md,
//! docs/protocols/phi-accrual.md and docs/protocols/bully.md.

pub mod bully;
pub mod bully_check;
pub mod bully_msg;
pub mod checker;
pub mod detector;
pub mod msg;
pub mod phi;

pub use bully::{Bully, BullyView};
pub use bully_check::BullyChecker;
pub use bully_msg::{BullyMsg, BullyParams, BullyTimer, Phase};
pub use checker::DetectChecker;
pub use detector::{DetectView, Detector, Fixed, Heartbeat, Nothing, Phi, PhiAccrual, Rule};
pub use msg::{DetectMsg, DetectTimer, HeartbeatParams, Model, PhiParams};

use crate::registry::Entry;
use crate::spec::{Doc, Layout, Spec, Variant};

/// The family's protocols for the registry.
pub fn registry() -> Vec<Entry> {
    vec![
        Entry::of::<Heartbeat>("detect").checker::<DetectChecker<Fixed>>().done(),
        Entry::of::<PhiAccrual>("detect").checker::<DetectChecker<Phi>>().done(),
        Entry::of::<Bully>("detect").checker::<BullyChecker>().done(),
    ]
}

const KINDS: &[Doc] = &[Doc { name: "Heartbeat", doc: "\"I am alive\": sent to every other node every interval" }];

const METRICS: &[Doc] = &[
    Doc { name: "crashes", doc: "crash events so far" },
    Doc { name: "detection_ms", doc: "from a crash until every live node suspects the crashed node (mean over detected crashes; null while none is)" },
    Doc { name: "detection_max_ms", doc: "the slowest such detection" },
    Doc { name: "first_detection_ms", doc: "from a crash until the first live node suspects it (mean)" },
    Doc { name: "detection_mean_ms", doc: "from a crash until a live node suspects it, the mean over crashes and observers" },
    Doc { name: "undetected", doc: "crashed nodes not yet suspected by every live node" },
    Doc { name: "false_suspicions", doc: "times a node began to suspect a peer that was up (slow, paused or cut off, not crashed)" },
    Doc { name: "false_suspicion_ms", doc: "how long such wrong suspicions lasted, summed over node pairs" },
    Doc { name: "messages", doc: "heartbeats sent" },
];

const LIVENESS: &str = "once faults stop and heartbeats flow again, no live node suspects a live node";

fn spec_heartbeat() -> Spec {
    Spec {
        summary: "Every node heartbeats every other; a peer silent for longer than a fixed timeout is suspected — quick to detect a crash, or wrong under delay, jitter and pauses, depending on the timeout.",
        reference: "Chandra & Toueg, Unreliable Failure Detectors for Reliable Distributed Systems (JACM 1996); the fixed-timeout detector Hayashibara et al. 2004 §2 compare with",
        kinds: KINDS,
        variants: &[
            Variant { name: "tight", doc: "a timeout just above the interval: fast detection, false suspicions under jitter", params: r#"{"timeout_ms": 1200}"# },
            Variant { name: "loose", doc: "a long timeout: no false suspicions, slow detection", params: r#"{"timeout_ms": 8000}"# },
        ],
        fields: &["suspects", "since_ms", "threshold"],
        layout: Layout::Ring,
        liveness: LIVENESS,
        metrics: METRICS,
        series: &[
            Doc { name: "level:<peer>", doc: "milliseconds since node 0 last heard from each peer (node 1's view of node 0)" },
            Doc { name: "threshold", doc: "the timeout those are compared with" },
        ],
        ..Spec::DEFAULT
    }
}

fn spec_phi() -> Spec {
    Spec {
        summary: "Every node heartbeats every other and, instead of a yes/no timeout, computes φ from the recent inter-arrival times: how unlikely it is that the silence so far is only a late heartbeat; a peer whose φ passes the threshold is suspected.",
        reference: "Hayashibara, Défago, Yared & Katayama, The φ Accrual Failure Detector (SRDS 2004), §3–4; defaults of Akka / Pekko",
        kinds: KINDS,
        variants: &[
            Variant { name: "logistic", doc: "Akka's logistic approximation of the normal CDF", params: r#"{"model": "logistic"}"# },
            Variant { name: "cassandra", doc: "Cassandra's exponential model: φ = gap / (mean · ln 10)", params: r#"{"model": "exponential", "acceptable_pause_ms": 0}"# },
            Variant { name: "low-threshold", doc: "threshold 1: about one suspicion in ten is wrong", params: r#"{"threshold": 1}"# },
        ],
        fields: &["suspects", "phi", "since_ms", "threshold"],
        layout: Layout::Ring,
        liveness: LIVENESS,
        metrics: METRICS,
        series: &[
            Doc { name: "level:<peer>", doc: "φ of each peer as node 0 sees it (node 1's view of node 0)" },
            Doc { name: "threshold", doc: "the φ threshold" },
        ],
        ..Spec::DEFAULT
    }
}

fn spec_bully() -> Spec {
    Spec {
        summary: "When the coordinator fails, a node asks every higher id to take over; the highest live id wins and bullies the rest into following it, and a recovering higher id takes over again.",
        reference: "Garcia-Molina, Elections in a Distributed Computing System (IEEE Trans. Computers, 1982), the bully algorithm; ELECTION / OK / COORDINATOR as Tanenbaum and Coulouris teach it",
        kinds: &[
            Doc { name: "ELECTION", doc: "“election”: I am holding an election — sent to every higher id" },
            Doc { name: "OK", doc: "“ok”: a live higher id answers an ELECTION and takes over" },
            Doc { name: "COORDINATOR", doc: "“coord”: the winner (or a coordinator asked again) tells the lower ids it coordinates" },
            Doc { name: "ALIVE", doc: "“♥3”: the coordinator’s 3rd heartbeat, to every other node every heartbeat_ms" },
        ],
        variants: &[Variant {
            name: "impatient",
            doc: "answer_timeout_ms below a round trip: lower ids crown themselves before the OKs arrive and are bullied at once — more COORDINATOR messages, the same winner",
            params: r#"{"answer_timeout_ms": 15}"#,
        }],
        fields: &["coordinator", "electing", "state", "elections"],
        layout: Layout::Ring,
        liveness: "once faults stop, every live node names the highest live id as coordinator and none is electing",
        metrics: bully_check::METRICS,
        series: &[
            Doc { name: "electing", doc: "live nodes holding or waiting in an election" },
            Doc { name: "coordinators", doc: "live nodes that name themselves coordinator" },
        ],
        ..Spec::DEFAULT
    }
}
