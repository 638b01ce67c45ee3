//! A run's counters: messages sent, delivered and dropped (in all and per
//! kind), message latency, steps, timers and client requests. The CLI
//! prints them as `stats`; the page's metrics panel shows them.

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::protocol::Time;

/// How many messages of one kind were sent, delivered and dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub sent: u64,
    pub delivered: u64,
    pub dropped: u64,
}

/// Per message kind, in the order kinds were first sent.
#[derive(Clone, Debug, Default)]
pub struct ByKind(pub Vec<(&'static str, KindCount)>);

impl ByKind {
    fn entry(&mut self, kind: &'static str) -> &mut KindCount {
        // Kinds are a handful of static names: comparing addresses first
        // keeps this cheap on the hot path.
        let i = match self.0.iter().position(|(k, _)| std::ptr::eq(*k, kind) || *k == kind) {
            Some(i) => i,
            None => {
                self.0.push((kind, KindCount::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    pub fn get(&self, kind: &str) -> KindCount {
        self.0.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c).unwrap_or_default()
    }
}

impl Serialize for ByKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, c) in &self.0 {
            m.serialize_entry(k, c)?;
        }
        m.end()
    }
}

/// A histogram of whole milliseconds, for quantiles.
#[derive(Clone, Debug, Default)]
pub struct Histogram {
    /// `counts[ms]` for small values; larger ones in `wide`, kept sorted.
    counts: Vec<u64>,
    wide: Vec<(Time, u64)>,
    total: u64,
}

/// Values below this are counted in a flat array.
const FLAT: Time = 4_096;

impl Histogram {
    pub fn add(&mut self, v: Time) {
        self.total += 1;
        if v < FLAT {
            let i = v as usize;
            if self.counts.len() <= i {
                self.counts.resize(i + 1, 0);
            }
            self.counts[i] += 1;
        } else {
            match self.wide.binary_search_by_key(&v, |&(x, _)| x) {
                Ok(i) => self.wide[i].1 += 1,
                Err(i) => self.wide.insert(i, (v, 1)),
            }
        }
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The smallest value with at least `q` of all values at or below it
    /// (nearest rank); `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<Time> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (v, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(v as Time);
            }
        }
        for &(v, c) in &self.wide {
            seen += c;
            if seen >= rank {
                return Some(v);
            }
        }
        None
    }

    pub fn max(&self) -> Option<Time> {
        if let Some(&(v, _)) = self.wide.last() {
            return Some(v);
        }
        self.counts.iter().rposition(|&c| c > 0).map(|i| i as Time)
    }
}

/// `{ "count", "p50", "p95", "max" }` (quantiles null when empty).
impl Serialize for Histogram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("count", &self.total)?;
        m.serialize_entry("p50", &self.quantile(0.5))?;
        m.serialize_entry("p95", &self.quantile(0.95))?;
        m.serialize_entry("max", &self.max())?;
        m.end()
    }
}

/// Counters for the CLI, the page and the benchmark.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub messages_duplicated: u64,
    /// Simulation steps taken (deliveries, timers, injects, client retries…).
    pub events: u64,
    pub timers_fired: u64,
    pub client_requests: u64,
    /// Sent, delivered and dropped per message kind.
    pub by_kind: ByKind,
    /// Time from send to delivery of the messages delivered.
    pub latency_ms: Histogram,
}

impl Stats {
    pub(super) fn sent(&mut self, kind: &'static str) {
        self.by_kind.entry(kind).sent += 1;
    }
    pub(super) fn delivered(&mut self, kind: &'static str, latency: Time) {
        self.messages_delivered += 1;
        self.by_kind.entry(kind).delivered += 1;
        self.latency_ms.add(latency);
    }
    pub(super) fn dropped(&mut self, kind: &'static str) {
        self.messages_dropped += 1;
        self.by_kind.entry(kind).dropped += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let mut h = Histogram::default();
        assert_eq!(h.quantile(0.5), None);
        for v in 1..=100 {
            h.add(v);
        }
        h.add(10_000);
        assert_eq!(h.quantile(0.5), Some(51));
        assert_eq!(h.quantile(0.95), Some(96));
        assert_eq!(h.max(), Some(10_000));
        assert_eq!(h.count(), 101);
        let mut one = Histogram::default();
        one.add(7);
        assert_eq!((one.quantile(0.5), one.quantile(0.95), one.max()), (Some(7), Some(7), Some(7)));
    }

    #[test]
    fn kinds_are_counted_apart() {
        let mut s = Stats::default();
        s.sent("Vote");
        s.sent("Vote");
        s.delivered("Vote", 12);
        s.dropped("AppendEntries");
        assert_eq!(s.by_kind.get("Vote"), KindCount { sent: 2, delivered: 1, dropped: 0 });
        assert_eq!(s.by_kind.get("AppendEntries").dropped, 1);
        assert_eq!(s.messages_dropped, 1);
        let json = serde_json::to_string(&s.by_kind).unwrap();
        assert_eq!(
            json,
            r#"{"Vote":{"sent":2,"delivered":1,"dropped":0},"AppendEntries":{"sent":0,"delivered":0,"dropped":1}}"#
        );
    }
}
