//! The durable part of a commit node: an append-only log of forced records
//! (the forced writes Gray & Lamport §3 counts), with an index by transaction.
//!
//! Each record states one fact about one transaction: it began (coordinator),
//! this node voted yes or no, it pre-committed (3PC), it was decided, it ended
//! (coordinator: every participant acknowledged). A fact is written once; a
//! decision, once written, never changes (the stability requirement of §2).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Tx;

/// The outcome of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Commit,
    Abort,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Commit => "commit",
            Decision::Abort => "abort",
        }
    }
    /// The state word of a node that holds this decision.
    pub fn state(self) -> &'static str {
        match self {
            Decision::Commit => "committed",
            Decision::Abort => "aborted",
        }
    }
}

/// What one log record says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Begin,
    Yes,
    No,
    PreCommit,
    Commit,
    Abort,
    End,
}

impl RecordKind {
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Begin => "begin",
            RecordKind::Yes => "yes",
            RecordKind::No => "no",
            RecordKind::PreCommit => "precommit",
            RecordKind::Commit => "commit",
            RecordKind::Abort => "abort",
            RecordKind::End => "end",
        }
    }
    pub fn decision(self) -> Option<Decision> {
        match self {
            RecordKind::Commit => Some(Decision::Commit),
            RecordKind::Abort => Some(Decision::Abort),
            _ => None,
        }
    }
}

impl From<Decision> for RecordKind {
    fn from(d: Decision) -> RecordKind {
        match d {
            Decision::Commit => RecordKind::Commit,
            Decision::Abort => RecordKind::Abort,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub tx: Tx,
    pub kind: RecordKind,
}

/// Everything the log says about one transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxRecord {
    pub began: bool,
    /// This node's vote: `Some(true)` for yes.
    pub vote: Option<bool>,
    pub precommitted: bool,
    pub decision: Option<Decision>,
    pub ended: bool,
}

/// A node's stable storage.
#[derive(Clone, Debug, Default)]
pub struct DurableLog {
    records: Vec<Record>,
    txs: BTreeMap<Tx, TxRecord>,
}

impl DurableLog {
    /// Every record, in writing order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn get(&self, tx: &str) -> Option<&TxRecord> {
        self.txs.get(tx)
    }

    pub fn decision(&self, tx: &str) -> Option<Decision> {
        self.txs.get(tx).and_then(|r| r.decision)
    }

    pub fn vote(&self, tx: &str) -> Option<bool> {
        self.txs.get(tx).and_then(|r| r.vote)
    }

    /// Every transaction the log mentions, by name.
    pub fn txs(&self) -> impl Iterator<Item = (&Tx, &TxRecord)> {
        self.txs.iter()
    }

    /// Forces a record to the log. Writes nothing and returns false when the
    /// fact is already there or would contradict what is: the first vote and
    /// the first decision stand.
    pub fn write(&mut self, tx: &Tx, kind: RecordKind) -> bool {
        let r = self.txs.entry(tx.clone()).or_default();
        let new = match kind {
            RecordKind::Begin => !std::mem::replace(&mut r.began, true),
            RecordKind::Yes | RecordKind::No if r.vote.is_none() => {
                r.vote = Some(kind == RecordKind::Yes);
                true
            }
            RecordKind::Yes | RecordKind::No => false,
            RecordKind::PreCommit => !std::mem::replace(&mut r.precommitted, true),
            RecordKind::Commit | RecordKind::Abort if r.decision.is_none() => {
                r.decision = kind.decision();
                true
            }
            RecordKind::Commit | RecordKind::Abort => false,
            RecordKind::End => !std::mem::replace(&mut r.ended, true),
        };
        if new {
            self.records.push(Record { tx: tx.clone(), kind });
        }
        new
    }

    /// What a log that never forced its decisions keeps after a crash: the
    /// decision and `end` records are gone (for the deliberately unsafe
    /// `unsafe_no_durable_log` of 2PC; a correct node never calls this).
    pub fn forget_decisions(&mut self) {
        let kept = |k: RecordKind| !matches!(k, RecordKind::Commit | RecordKind::Abort | RecordKind::End);
        self.records.retain(|r| kept(r.kind));
        for r in self.txs.values_mut() {
            r.decision = None;
            r.ended = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_written_once_and_decisions_never_change() {
        // Reference: Gray & Lamport §2, the stability requirement.
        let mut log = DurableLog::default();
        let t: Tx = "t1".into();
        assert!(log.write(&t, RecordKind::Yes));
        assert!(!log.write(&t, RecordKind::No));
        assert!(log.write(&t, RecordKind::Commit));
        assert!(!log.write(&t, RecordKind::Abort));
        assert!(!log.write(&t, RecordKind::Commit));
        assert_eq!(log.decision("t1"), Some(Decision::Commit));
        assert_eq!(log.vote("t1"), Some(true));
        assert_eq!(log.records().len(), 2);
    }

    #[test]
    fn a_log_that_forgets_its_decisions_keeps_only_the_other_facts() {
        let mut log = DurableLog::default();
        let t: Tx = "t1".into();
        log.write(&t, RecordKind::Begin);
        log.write(&t, RecordKind::Commit);
        log.write(&t, RecordKind::End);
        log.forget_decisions();
        assert_eq!(log.records().len(), 1);
        assert_eq!(log.decision("t1"), None);
        assert!(log.get("t1").is_some_and(|r| r.began && !r.ended));
        // Undecided again, it may now be decided the other way.
        assert!(log.write(&t, RecordKind::Abort));
    }
}
