//! A Raft log: 1-based entries, each with a digest of the whole log up to it.
//!
//! The digest lets the Log Matching check compare two logs' prefixes in O(1):
//! equal digests at index i mean equal logs through i. The log counts every
//! deletion, so the Leader Append-Only check can tell if a leader ever removed
//! or overwrote an entry. Indices follow the paper: `term_at(0)` is 0, the
//! first entry is index 1. Entries live in a [`PVec`], so the time-travel
//! checkpoints of a long run share them.

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use xxhash_rust::xxh64::Xxh64;

use std::rc::Rc;

use crate::protocol::{ClientOp, Value};
use crate::pvec::PVec;

pub type Term = u64;
pub type Index = u64;

/// One log entry as it travels in AppendEntries and shows on the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub term: Term,
    /// A client request's value, or a client operation's description.
    pub value: Value,
    /// The client operation this entry carries, answered once applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<Rc<ClientOp>>,
}

impl Entry {
    /// An entry holding a plain value (a `client_request`).
    pub fn new(term: Term, value: impl Into<Value>) -> Entry {
        Entry { term, value: value.into(), op: None }
    }
}

#[derive(Clone, Debug)]
struct Stored {
    entry: Entry,
    digest: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Log {
    entries: PVec<Stored>,
    deletions: u64,
    last_cut: Index,
}

impl Log {
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Log {
        let mut log = Log::default();
        for e in entries {
            log.append(e);
        }
        log
    }

    /// The index of the last entry (0 when empty).
    pub fn last_index(&self) -> Index {
        self.entries.len() as Index
    }

    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(0, |s| s.entry.term)
    }

    /// The stored entry at 1-based `i`. The conversion is checked, so a huge
    /// index from a message is "past the end" on 32-bit targets (wasm) too,
    /// never a wrapped-around position.
    fn stored(&self, i: Index) -> Option<&Stored> {
        let pos = usize::try_from(i.checked_sub(1)?).ok()?;
        self.entries.get(pos)
    }

    /// The term at `i`: `Some(0)` at index 0, `None` past the end.
    pub fn term_at(&self, i: Index) -> Option<Term> {
        if i == 0 {
            return Some(0);
        }
        self.stored(i).map(|s| s.entry.term)
    }

    pub fn entry(&self, i: Index) -> Option<&Entry> {
        self.stored(i).map(|s| &s.entry)
    }

    /// The digest of the log through `i` (0 for the empty prefix).
    pub fn digest_at(&self, i: Index) -> Option<u64> {
        if i == 0 {
            return Some(0);
        }
        self.stored(i).map(|s| s.digest)
    }

    pub fn append(&mut self, entry: Entry) {
        let prev = self.entries.last().map_or(0, |s| s.digest);
        let mut h = Xxh64::new(prev);
        h.update(&entry.term.to_le_bytes());
        h.update(entry.value.as_bytes());
        if let Some(op) = &entry.op {
            h.update(&op.id.to_le_bytes());
        }
        let digest = h.digest();
        self.entries.push(Stored { entry, digest });
    }

    /// Deletes the entry at `i` and every entry after it.
    pub fn truncate_from(&mut self, i: Index) {
        let keep = usize::try_from(i.saturating_sub(1)).unwrap_or(usize::MAX);
        if keep < self.entries.len() {
            self.entries.truncate(keep);
            self.deletions += 1;
            self.last_cut = i;
        }
    }

    /// Up to `max` entries from index `from` on.
    pub fn entries_from(&self, from: Index, max: usize) -> Vec<Entry> {
        let start = usize::try_from(from.max(1) - 1).unwrap_or(usize::MAX);
        self.entries.iter_from(start).take(max).map(|s| s.entry.clone()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().map(|s| &s.entry)
    }

    /// How many times entries were deleted, and where the latest cut was.
    pub fn deletions(&self) -> (u64, Index) {
        (self.deletions, self.last_cut)
    }
}

impl Serialize for Log {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.entries.len()))?;
        for e in self.entries.iter() {
            seq.serialize_element(&e.entry)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(terms: &[Term]) -> Log {
        Log::from_entries(terms.iter().map(|&t| Entry::new(t, format!("v{t}"))))
    }

    #[test]
    fn indices_are_one_based() {
        let l = log(&[1, 1, 2]);
        assert_eq!(l.last_index(), 3);
        assert_eq!(l.term_at(0), Some(0));
        assert_eq!(l.term_at(3), Some(2));
        assert_eq!(l.term_at(4), None);
        assert_eq!(l.entries_from(2, 10).len(), 2);
        assert_eq!(l.entries_from(2, 1).len(), 1);
        assert!(l.entries_from(4, 10).is_empty());
    }

    #[test]
    fn digests_match_exactly_when_prefixes_do() {
        let a = log(&[1, 1, 2, 3]);
        let b = log(&[1, 1, 2, 4]);
        assert_eq!(a.digest_at(3), b.digest_at(3));
        assert_ne!(a.digest_at(4), b.digest_at(4));
        let mut c = log(&[1, 1, 2]);
        c.append(Entry::new(3, "other"));
        assert_ne!(a.digest_at(4), c.digest_at(4));
    }

    #[test]
    fn truncation_is_counted_only_when_it_deletes() {
        let mut l = log(&[1, 2, 3]);
        l.truncate_from(4);
        assert_eq!(l.deletions(), (0, 0));
        l.truncate_from(2);
        assert_eq!(l.last_index(), 1);
        assert_eq!(l.deletions(), (1, 2));
    }
}
