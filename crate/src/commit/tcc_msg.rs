//! Try / confirm / cancel: wire messages, timers, parameters, and the
//! participant's durable seats.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Tx, check_ms, short};
use crate::params::ParamReader;
use crate::protocol::{Message, Params, Time, TimerName};
use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum TccMsg {
    /// Coordinator → participant: reserve `amount` seats for `tx`.
    Try { tx: Tx },
    /// Participant → coordinator: reserved.
    Reserved { tx: Tx },
    /// Participant → coordinator: not reserved (no seats left, or `tx` was already cancelled here).
    Refused { tx: Tx },
    /// Coordinator → participant: the reservation becomes a sale.
    Confirm { tx: Tx },
    /// Coordinator → participant: release the reservation, if there is one.
    Cancel { tx: Tx },
    /// Participant → coordinator: confirmed.
    Confirmed { tx: Tx },
    /// Participant → coordinator: cancelled.
    Cancelled { tx: Tx },
}

impl TccMsg {
    pub fn tx(&self) -> &Tx {
        match self {
            TccMsg::Try { tx }
            | TccMsg::Reserved { tx }
            | TccMsg::Refused { tx }
            | TccMsg::Confirm { tx }
            | TccMsg::Cancel { tx }
            | TccMsg::Confirmed { tx }
            | TccMsg::Cancelled { tx } => tx,
        }
    }
}

impl Message for TccMsg {
    fn kind(&self) -> &'static str {
        match self {
            TccMsg::Try { .. } => "Try",
            TccMsg::Reserved { .. } => "Reserved",
            TccMsg::Refused { .. } => "Refused",
            TccMsg::Confirm { .. } => "Confirm",
            TccMsg::Cancel { .. } => "Cancel",
            TccMsg::Confirmed { .. } => "Confirmed",
            TccMsg::Cancelled { .. } => "Cancelled",
        }
    }

    fn label(&self) -> String {
        let word = match self {
            TccMsg::Try { .. } => "try",
            TccMsg::Reserved { .. } => "reserved",
            TccMsg::Refused { .. } => "refused",
            TccMsg::Confirm { .. } => "confirm",
            TccMsg::Cancel { .. } => "cancel",
            TccMsg::Confirmed { .. } => "confirmed",
            TccMsg::Cancelled { .. } => "cancelled",
        };
        format!("{word} {}", short(self.tx()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TccTimer {
    /// Coordinator: a transaction's reservations are overdue; it cancels.
    Tries,
    /// Coordinator: resend a confirm or cancel not yet acknowledged.
    Retry,
}

impl TimerName for TccTimer {
    fn name(&self) -> &'static str {
        match self {
            TccTimer::Tries => "tries",
            TccTimer::Retry => "retry",
        }
    }
}

/// `params` for `tcc`; see docs/protocols/tcc.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TccParams {
    /// Seats each participant holds at the start.
    pub capacity: u64,
    /// Seats each transaction reserves at every participant.
    pub amount: u64,
    /// How long the coordinator waits for every reservation before it cancels.
    pub try_timeout_ms: Time,
    /// How often the coordinator resends a confirm or cancel not yet acknowledged.
    pub retry_ms: Time,
    /// A repeated confirm or cancel changes nothing (false: it is applied again).
    pub idempotent: bool,
    /// A cancel for a try that never ran is recorded and releases nothing
    /// (false: it releases seats that were never reserved).
    pub empty_rollback: bool,
    /// A try that arrives after its cancel is refused (false: it reserves, forever).
    pub refuse_late_try: bool,
}

impl Default for TccParams {
    fn default() -> Self {
        TccParams {
            capacity: 6,
            amount: 1,
            try_timeout_ms: 300,
            retry_ms: 300,
            idempotent: true,
            empty_rollback: true,
            refuse_late_try: true,
        }
    }
}

impl Params for TccParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("capacity", "Seats each participant holds at the start.", &mut self.capacity)?;
        r.field("amount", "Seats each transaction reserves at every participant.", &mut self.amount)?;
        r.field("try_timeout_ms", "How long the coordinator waits for every reservation before it cancels the transaction.", &mut self.try_timeout_ms)?;
        r.field("retry_ms", "How often the coordinator resends a confirm or cancel not yet acknowledged.", &mut self.retry_ms)?;
        r.field("idempotent", "A repeated confirm or cancel changes nothing (false: it is applied again).", &mut self.idempotent)?;
        r.field("empty_rollback", "A cancel for a try that never ran is recorded and releases nothing (false: it releases seats never reserved).", &mut self.empty_rollback)?;
        r.field("refuse_late_try", "A try that arrives after its cancel is refused (false: it reserves, and the seats hang forever).", &mut self.refuse_late_try)?;
        Ok(())
    }
    fn validate(&self, _nodes: usize) -> Result<(), String> {
        if self.capacity > 1_000_000 {
            return Err(format!("capacity must be at most 1000000 (got {})", self.capacity));
        }
        if self.amount == 0 || self.amount > 1_000 {
            return Err(format!("amount must be between 1 and 1000 (got {})", self.amount));
        }
        check_ms("try_timeout_ms", self.try_timeout_ms, 1)?;
        check_ms("retry_ms", self.retry_ms, 1)
    }
}

/// What a participant holds for one transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hold {
    /// The try reserved `amount` seats.
    Reserved,
    /// The try found too few seats: nothing reserved.
    Refused,
    /// The reservation became a sale.
    Confirmed,
    /// The reservation was released.
    Cancelled,
    /// Cancelled before any try ran here (the empty rollback): nothing was
    /// reserved, and the record fences off a try that arrives late.
    EmptyCancel,
}

impl Hold {
    pub fn name(self) -> &'static str {
        match self {
            Hold::Reserved => "reserved",
            Hold::Refused => "refused",
            Hold::Confirmed => "confirmed",
            Hold::Cancelled => "cancelled",
            Hold::EmptyCancel => "empty-cancel",
        }
    }
}

/// A participant's durable seats: the counters and, per transaction, what
/// it holds, with every change in order. (The counters are kept, not
/// derived, because a broken variant can make them disagree with the holds:
/// that is what `conservation` checks.)
#[derive(Clone, Debug, Default, Serialize)]
pub struct Seats {
    pub capacity: i64,
    pub amount: i64,
    pub free: i64,
    pub held: i64,
    pub sold: i64,
    #[serde(skip)]
    pub holds: BTreeMap<Tx, Hold>,
    #[serde(skip)]
    pub records: Vec<(Tx, Hold)>,
}

impl Seats {
    pub fn new(capacity: u64, amount: u64) -> Seats {
        let capacity = i64::try_from(capacity).unwrap_or(i64::MAX);
        let amount = i64::try_from(amount).unwrap_or(1);
        Seats { capacity, amount, free: capacity, ..Seats::default() }
    }

    pub fn hold(&self, tx: &str) -> Option<Hold> {
        self.holds.get(tx).copied()
    }

    /// Forces a change: the counters move by `free`, `held`, `sold` seats
    /// and the transaction's hold becomes `h`.
    pub fn apply(&mut self, tx: &Tx, h: Hold, moves: [i64; 3]) {
        self.free += moves[0];
        self.held += moves[1];
        self.sold += moves[2];
        self.holds.insert(tx.clone(), h);
        self.records.push((tx.clone(), h));
    }
}

/// What a TCC node keeps across a crash: the coordinator's log of begins,
/// decisions and ends; a participant's seats.
#[derive(Clone, Debug, Default)]
pub struct TccStable {
    pub log: super::DurableLog,
    pub seats: Seats,
}
