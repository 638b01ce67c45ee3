//! The saga's wire messages, timers, parameters and durable log.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{COORDINATOR, Tx, check_ms, short};
use crate::params::ParamReader;
use crate::protocol::{Message, NodeId, Params, Time, TimerName};
use crate::scenario::ScenarioError;

/// A step's number: step `i` runs on participant `i` (T1 on n1, T2 on n2…).
pub type Step = NodeId;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum SagaMsg {
    /// Orchestrator → participant `step`: run step T`step` of `tx`.
    Do { tx: Tx, step: Step },
    /// Participant → orchestrator: T`step` ran; `ok` false means it failed
    /// (a business failure: nothing of it is left applied).
    Done { tx: Tx, step: Step, ok: bool },
    /// Orchestrator → participant: run compensation C`step`.
    Compensate { tx: Tx, step: Step },
    /// Participant → orchestrator: C`step` ran.
    Compensated { tx: Tx, step: Step },
}

impl SagaMsg {
    pub fn tx(&self) -> &Tx {
        match self {
            SagaMsg::Do { tx, .. }
            | SagaMsg::Done { tx, .. }
            | SagaMsg::Compensate { tx, .. }
            | SagaMsg::Compensated { tx, .. } => tx,
        }
    }
}

impl Message for SagaMsg {
    fn kind(&self) -> &'static str {
        match self {
            SagaMsg::Do { .. } => "Do",
            SagaMsg::Done { ok: true, .. } => "Done",
            SagaMsg::Done { ok: false, .. } => "Failed",
            SagaMsg::Compensate { .. } => "Compensate",
            SagaMsg::Compensated { .. } => "Compensated",
        }
    }

    fn label(&self) -> String {
        let word = match self {
            SagaMsg::Do { step, .. } => format!("T{step}"),
            SagaMsg::Done { step, ok: true, .. } => format!("T{step} done"),
            SagaMsg::Done { step, ok: false, .. } => format!("T{step} failed"),
            SagaMsg::Compensate { step, .. } => format!("C{step}"),
            SagaMsg::Compensated { step, .. } => format!("C{step} done"),
        };
        format!("{word} {}", short(self.tx()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SagaTimer {
    /// Orchestrator: resend the step or compensation not yet answered.
    Retry,
    /// Participant: a step or compensation has finished its work.
    Work,
}

impl TimerName for SagaTimer {
    fn name(&self) -> &'static str {
        match self {
            SagaTimer::Retry => "retry",
            SagaTimer::Work => "work",
        }
    }
}

/// `params` for `saga`; see docs/protocols/saga.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SagaParams {
    /// Participants whose step fails.
    pub fail_steps: Vec<NodeId>,
    /// The transactions whose steps fail at `fail_steps` (empty: every one).
    pub fail_txs: Vec<String>,
    /// How long a participant works on a step or a compensation.
    pub step_ms: Time,
    /// How often the orchestrator resends a step or compensation not yet answered.
    pub retry_ms: Time,
    /// Deliberately wrong: compensate the completed steps first to last.
    pub compensate_forward: bool,
    /// The orchestrator forces its progress to a log that survives a crash.
    pub durable_log: bool,
}

impl Default for SagaParams {
    fn default() -> Self {
        SagaParams {
            fail_steps: Vec::new(),
            fail_txs: Vec::new(),
            step_ms: 50,
            retry_ms: 400,
            compensate_forward: false,
            durable_log: true,
        }
    }
}

impl Params for SagaParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("fail_steps", "Participants whose step fails (a business failure: the saga must compensate).", &mut self.fail_steps)?;
        r.field("fail_txs", "The transactions whose steps fail at fail_steps (empty: every transaction).", &mut self.fail_txs)?;
        r.field("step_ms", "How long a participant works on a step or a compensation before it answers.", &mut self.step_ms)?;
        r.field("retry_ms", "How often the orchestrator resends a step or compensation not yet answered.", &mut self.retry_ms)?;
        r.field("compensate_forward", "Deliberately wrong: compensate the completed steps first to last instead of in reverse.", &mut self.compensate_forward)?;
        r.field("durable_log", "The orchestrator forces its progress to a log that survives its crash (false: it forgets every saga).", &mut self.durable_log)?;
        Ok(())
    }
    fn validate(&self, nodes: usize) -> Result<(), String> {
        for &p in &self.fail_steps {
            if p == COORDINATOR {
                return Err("fail_steps: node 0 is the orchestrator and runs no step".into());
            }
            if p >= nodes {
                return Err(format!("fail_steps: node {p} does not exist (this scenario has nodes 0..{})", nodes - 1));
            }
        }
        check_ms("step_ms", self.step_ms, 0)?;
        check_ms("retry_ms", self.retry_ms, 1)
    }
}

impl SagaParams {
    /// Whether participant `id`'s step of `tx` fails.
    pub fn fails(&self, id: NodeId, tx: &str) -> bool {
        self.fail_steps.contains(&id) && (self.fail_txs.is_empty() || self.fail_txs.iter().any(|t| t == tx))
    }
}

/// One fact in a saga node's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SagaRecord {
    /// Orchestrator: the saga began.
    Begin,
    /// T`step` ran (`ok`) or failed. A participant's record carries the
    /// sagas whose steps were applied there when it ran: what it read.
    Ran { step: Step, ok: bool, saw: Vec<Tx> },
    /// C`step` ran.
    Undone { step: Step },
    /// Orchestrator: every step ran; the saga is committed.
    Committed,
    /// Orchestrator: every completed step is compensated.
    Compensated,
}

/// What the log says about one saga.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SagaTx {
    pub began: bool,
    /// Steps that ran to completion, and the one that failed.
    pub done: Vec<Step>,
    pub failed: Option<Step>,
    /// Compensations that ran, in order.
    pub undone: Vec<Step>,
    /// Participant: the sagas it saw applied when its step ran.
    pub saw: Vec<Tx>,
    /// Orchestrator: "committed" or "compensated" once the saga ended.
    pub outcome: Option<&'static str>,
}

impl SagaTx {
    /// Steps done and not compensated.
    pub fn applied(&self) -> impl Iterator<Item = Step> + '_ {
        self.done.iter().copied().filter(|s| !self.undone.contains(s))
    }
}

/// A saga node's stable storage: the records in writing order, and an index.
#[derive(Clone, Debug, Default)]
pub struct SagaLog {
    /// The cluster size, so a crashed orchestrator's view still lists every step.
    pub nodes: usize,
    records: Vec<(Tx, SagaRecord)>,
    txs: BTreeMap<Tx, SagaTx>,
}

impl SagaLog {
    /// A log with nothing in it, for a cluster of `nodes`.
    pub fn empty(nodes: usize) -> SagaLog {
        SagaLog { nodes, ..SagaLog::default() }
    }
    pub fn records(&self) -> &[(Tx, SagaRecord)] {
        &self.records
    }
    pub fn get(&self, tx: &str) -> Option<&SagaTx> {
        self.txs.get(tx)
    }
    pub fn txs(&self) -> impl Iterator<Item = (&Tx, &SagaTx)> {
        self.txs.iter()
    }

    /// Forces a record; a fact already there is not written again.
    pub fn write(&mut self, tx: &Tx, rec: SagaRecord) -> bool {
        let t = self.txs.entry(tx.clone()).or_default();
        let new = match &rec {
            SagaRecord::Begin => !std::mem::replace(&mut t.began, true),
            SagaRecord::Ran { step, ok, saw } => {
                let known = t.done.contains(step) || t.failed == Some(*step);
                if !known {
                    if *ok { t.done.push(*step) } else { t.failed = Some(*step) }
                    t.saw.clone_from(saw);
                }
                !known
            }
            SagaRecord::Undone { step } if !t.undone.contains(step) => {
                t.undone.push(*step);
                true
            }
            SagaRecord::Undone { .. } => false,
            SagaRecord::Committed | SagaRecord::Compensated if t.outcome.is_none() => {
                t.outcome = Some(if rec == SagaRecord::Committed { "committed" } else { "compensated" });
                true
            }
            SagaRecord::Committed | SagaRecord::Compensated => false,
        };
        if new {
            self.records.push((tx.clone(), rec));
        }
        new
    }

    /// The log as short lines, oldest first ("T2 failed t1").
    pub fn lines(&self) -> Vec<String> {
        self.records
            .iter()
            .map(|(tx, r)| match r {
                SagaRecord::Begin => format!("begin {tx}"),
                SagaRecord::Ran { step, ok: true, .. } => format!("T{step} done {tx}"),
                SagaRecord::Ran { step, ok: false, .. } => format!("T{step} failed {tx}"),
                SagaRecord::Undone { step } => format!("C{step} done {tx}"),
                SagaRecord::Committed => format!("committed {tx}"),
                SagaRecord::Compensated => format!("compensated {tx}"),
            })
            .collect()
    }
}
