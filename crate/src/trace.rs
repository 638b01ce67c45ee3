//! The event trace: a running digest of everything that happens in a run, and
//! optionally a bounded record of recent events for the page's event log.
//!
//! The digest (`trace_hash`) is XXH64 over a fixed encoding of each event:
//! its time, kind and ids, then its payload
//! (a message, a timer, a partition…) serialized with bincode, integers at
//! fixed width. Serde widens `usize` to `u64`, so the encoding, and the
//! digest, is the same on 64-bit native builds and 32-bit wasm. (Rust's `Hash` would not be: it writes
//! slices of `usize` as raw native-width bytes.)

use serde::Serialize;
use std::collections::VecDeque;
use xxhash_rust::xxh64::Xxh64;

use crate::protocol::{NodeId, Time};
use crate::sim::erased::encode;

/// What kind of thing happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    Start,
    Send,
    Deliver,
    Drop,
    Timer,
    Crash,
    Restart,
    Pause,
    Resume,
    Partition,
    Heal,
    Link,
    Network,
    Timeout,
    Client,
    Note,
    Milestone,
    Violation,
    Ignored,
    Join,
    Leave,
    Command,
    /// A client operation: called, handed to a node, answered or timed out.
    Op,
}

/// How many encoded bytes wait before the hasher takes them.
const FLUSH_AT: usize = 4096;

impl TraceKind {
    /// The steady traffic the page's event log hides unless asked: starts,
    /// sends, deliveries, drops and timers.
    pub fn is_traffic(self) -> bool {
        matches!(self, TraceKind::Start | TraceKind::Send | TraceKind::Deliver | TraceKind::Drop | TraceKind::Timer)
    }

    /// Whether the timeline shows a marker for this kind of event.
    pub fn is_marker(self) -> bool {
        matches!(
            self,
            TraceKind::Milestone
                | TraceKind::Crash
                | TraceKind::Restart
                | TraceKind::Partition
                | TraceKind::Heal
                | TraceKind::Pause
                | TraceKind::Violation
                | TraceKind::Join
                | TraceKind::Leave
        )
    }
}

/// One recorded event, for the page and for trace export.
#[derive(Clone, Debug, Serialize)]
pub struct TraceRecord {
    pub seq: u64,
    pub time_ms: Time,
    pub kind: TraceKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<NodeId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg: Option<u64>,
    pub text: String,
}

/// The trace of one run.
#[derive(Clone)]
pub struct Trace {
    hasher: Xxh64,
    count: u64,
    ring: VecDeque<TraceRecord>,
    capacity: usize,
    /// Encoded events not yet fed to the hasher.
    pending: Vec<u8>,
    /// Whether events are encoded and digested at all (see [`Trace::set_digest`]).
    digest: bool,
    /// The notable records (leader changes, crashes, partitions, violations…),
    /// all of them, for the timeline's markers. Kept when recording.
    markers: Vec<TraceRecord>,
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new(0)
    }
}

impl Trace {
    /// A trace that keeps the latest `capacity` records (0 keeps none: only
    /// the digest, which is all the headless runner and the benchmark need).
    pub fn new(capacity: usize) -> Trace {
        Trace {
            hasher: Xxh64::new(0),
            count: 0,
            ring: VecDeque::new(),
            capacity,
            pending: Vec::with_capacity(FLUSH_AT + 256),
            digest: true,
            markers: Vec::new(),
        }
    }

    /// Turns the digest off (or on again) for a run nobody will compare:
    /// the explorer judges thousands of runs by their violations alone, and
    /// encoding every event for the digest was about a sixth of its time.
    /// Without it, [`Trace::hash_hex`] says `"off"`.
    pub fn set_digest(&mut self, on: bool) {
        self.digest = on;
    }

    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        while self.ring.len() > capacity {
            self.ring.pop_front();
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn recording(&self) -> bool {
        self.capacity > 0
    }

    /// Adds one event. `payload` is part of the digest; `text` is only built
    /// when records are kept, so the hot path never formats strings.
    #[allow(clippy::too_many_arguments)]
    pub fn push<T: Serialize + ?Sized>(
        &mut self,
        time_ms: Time,
        kind: TraceKind,
        node: Option<NodeId>,
        peer: Option<NodeId>,
        msg: Option<u64>,
        payload: Option<&T>,
        text: impl FnOnce() -> String,
    ) {
        self.push_with(
            time_ms,
            kind,
            node,
            peer,
            msg,
            |buf| {
                if let Some(v) = payload {
                    encode(v, buf);
                }
            },
            text,
        );
    }

    /// Like [`Trace::push`], with the payload written by `write` (already
    /// encoded, as messages are).
    #[allow(clippy::too_many_arguments)]
    pub fn push_with(
        &mut self,
        time_ms: Time,
        kind: TraceKind,
        node: Option<NodeId>,
        peer: Option<NodeId>,
        msg: Option<u64>,
        write: impl FnOnce(&mut Vec<u8>),
        text: impl FnOnce() -> String,
    ) {
        // Events are appended to a buffer that the hasher takes in large
        // pieces: one call per few hundred events instead of one per event.
        if self.digest {
            let buf = &mut self.pending;
            for word in [
                time_ms,
                kind as u64,
                node.map_or(u64::MAX, |n| n as u64),
                peer.map_or(u64::MAX, |n| n as u64),
                msg.unwrap_or(u64::MAX),
            ] {
                buf.extend_from_slice(&word.to_le_bytes());
            }
            let start = buf.len();
            write(buf);
            let payload = (buf.len() - start) as u64;
            buf.extend_from_slice(&payload.to_le_bytes());
            if buf.len() >= FLUSH_AT {
                self.hasher.update(buf);
                buf.clear();
            }
        }
        let seq = self.count;
        self.count += 1;
        if self.capacity > 0 {
            self.keep(TraceRecord { seq, time_ms, kind, node, peer, msg, text: text() });
        }
    }

    fn keep(&mut self, record: TraceRecord) {
        if self.ring.len() == self.capacity {
            self.ring.pop_front();
        }
        if record.kind.is_marker() {
            self.markers.push(record.clone());
        }
        self.ring.push_back(record);
    }

    /// Notable records with `seq >= from`, oldest first.
    pub fn markers_since(&self, from: u64) -> &[TraceRecord] {
        let start = self.markers.partition_point(|r| r.seq < from);
        &self.markers[start..]
    }

    /// Takes the kept records out (a checkpoint need not carry them).
    pub fn take_records(&mut self) -> VecDeque<TraceRecord> {
        std::mem::take(&mut self.ring)
    }

    pub fn restore_records(&mut self, records: VecDeque<TraceRecord>) {
        self.ring = records;
    }

    /// Keeps a note (commentary, not part of the digest) when recording.
    pub fn note(&mut self, time_ms: Time, kind: TraceKind, node: NodeId, text: String) {
        if self.capacity > 0 {
            let seq = self.count;
            self.count += 1;
            self.keep(TraceRecord { seq, time_ms, kind, node: Some(node), peer: None, msg: None, text });
        }
    }

    /// How many events so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The digest of every event so far, as 16 hex digits.
    pub fn hash_hex(&self) -> String {
        if !self.digest {
            return "off".into();
        }
        let mut h = self.hasher.clone();
        h.update(&self.pending);
        format!("{:016x}", h.digest())
    }

    /// The latest `limit` kept records with `seq >= from`, oldest first,
    /// leaving out traffic when `traffic` is false (what the page's event
    /// log shows: however fast a large cluster runs, a frame reads no more
    /// than the log can hold).
    pub fn recent(&self, from: u64, limit: usize, traffic: bool) -> Vec<&TraceRecord> {
        let mut out: Vec<&TraceRecord> = self
            .ring
            .iter()
            .rev()
            .take_while(|r| r.seq >= from)
            .filter(|r| traffic || !r.kind.is_traffic())
            .take(limit)
            .collect();
        out.reverse();
        out
    }

    /// Kept records with `seq >= from`, oldest first.
    pub fn since(&self, from: u64) -> impl Iterator<Item = &TraceRecord> {
        let skip = match self.ring.front() {
            Some(first) if from > first.seq => (from - first.seq) as usize,
            _ => 0,
        };
        self.ring.iter().skip(skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_every_field_and_order() {
        let run = |events: &[(Time, TraceKind, Option<NodeId>)]| {
            let mut t = Trace::new(0);
            for &(time, kind, node) in events {
                t.push::<u8>(time, kind, node, None, None, None, String::new);
            }
            t.hash_hex()
        };
        let a = run(&[(1, TraceKind::Send, Some(1)), (2, TraceKind::Deliver, Some(2))]);
        assert_eq!(a, run(&[(1, TraceKind::Send, Some(1)), (2, TraceKind::Deliver, Some(2))]));
        assert_ne!(a, run(&[(2, TraceKind::Deliver, Some(2)), (1, TraceKind::Send, Some(1))]));
        assert_ne!(a, run(&[(1, TraceKind::Send, Some(1)), (3, TraceKind::Deliver, Some(2))]));
        assert_ne!(a, run(&[(1, TraceKind::Send, Some(0)), (2, TraceKind::Deliver, Some(2))]));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn recent_records_are_the_latest_few_and_may_leave_out_traffic() {
        let mut t = Trace::new(100);
        for i in 0..40 {
            let kind = if i % 4 == 0 { TraceKind::Note } else { TraceKind::Send };
            t.push::<u8>(i, kind, Some(0), None, None, None, String::new);
        }
        let seqs = |rs: Vec<&TraceRecord>| rs.iter().map(|r| r.seq).collect::<Vec<_>>();
        assert_eq!(seqs(t.recent(0, 3, true)), [37, 38, 39]);
        assert_eq!(seqs(t.recent(0, 3, false)), [28, 32, 36]);
        assert_eq!(seqs(t.recent(30, 10, false)), [32, 36]);
        assert_eq!(seqs(t.recent(40, 10, true)), Vec::<u64>::new());
        assert_eq!(t.len(), 40, "the next record's seq");
    }

    #[test]
    fn payloads_hash_by_value_whatever_the_word_size() {
        // A list of usize hashes as u64s: the same bytes a 32-bit build makes.
        let digest = |groups: &dyn erased::Payload| {
            let mut t = Trace::new(0);
            groups.push_into(&mut t);
            t.hash_hex()
        };
        let wide: Vec<Vec<u64>> = vec![vec![0, 1], vec![2, 3, 4]];
        let native: Vec<Vec<usize>> = vec![vec![0, 1], vec![2, 3, 4]];
        assert_eq!(digest(&wide), digest(&native));
        assert_ne!(digest(&native), digest(&vec![vec![0usize, 1], vec![2, 4, 3]]));
    }

    mod erased {
        use super::*;
        pub trait Payload {
            fn push_into(&self, t: &mut Trace);
        }
        impl<T: Serialize> Payload for T {
            fn push_into(&self, t: &mut Trace) {
                t.push(0, TraceKind::Partition, None, None, None, Some(self), String::new);
            }
        }
    }

    #[test]
    fn ring_keeps_the_latest_records_and_since_skips_seen_ones() {
        let mut t = Trace::new(3);
        for i in 0..5u64 {
            t.push::<u8>(i, TraceKind::Note, None, None, None, None, || format!("e{i}"));
        }
        let seqs: Vec<u64> = t.since(0).map(|r| r.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
        let seqs: Vec<u64> = t.since(4).map(|r| r.seq).collect();
        assert_eq!(seqs, vec![4]);
        assert_eq!(t.since(9).count(), 0);
    }
}
