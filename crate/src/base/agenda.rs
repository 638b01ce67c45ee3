//! A timer agenda for protocols with many deadlines (a probe timeout per
//! member, a suspicion timer per suspect…). The protocol keeps its deadlines
//! here, keyed by what they are for, and arms one simulator timer for the
//! earliest; when it fires, it takes every deadline that is due. Setting a
//! key again moves its deadline; deadlines at equal times come out in the
//! order they were set, so runs stay deterministic.

use std::collections::BTreeMap;

use super::Time;

#[derive(Clone, Debug)]
pub struct Agenda<K: Ord + Clone> {
    by_time: BTreeMap<(Time, u64), K>,
    by_key: BTreeMap<K, (Time, u64)>,
    seq: u64,
}

impl<K: Ord + Clone> Default for Agenda<K> {
    fn default() -> Self {
        Agenda { by_time: BTreeMap::new(), by_key: BTreeMap::new(), seq: 0 }
    }
}

impl<K: Ord + Clone> Agenda<K> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or moves) the deadline of `key` to `at`.
    pub fn set(&mut self, key: K, at: Time) {
        self.cancel(&key);
        self.seq += 1;
        self.by_time.insert((at, self.seq), key.clone());
        self.by_key.insert(key, (at, self.seq));
    }

    /// Removes the deadline of `key`; true if it had one.
    pub fn cancel(&mut self, key: &K) -> bool {
        match self.by_key.remove(key) {
            Some(slot) => {
                self.by_time.remove(&slot);
                true
            }
            None => false,
        }
    }

    /// When `key` is due, if it is set.
    pub fn when(&self, key: &K) -> Option<Time> {
        self.by_key.get(key).map(|&(t, _)| t)
    }

    /// The earliest deadline.
    pub fn next_at(&self) -> Option<Time> {
        self.by_time.keys().next().map(|&(t, _)| t)
    }

    /// Takes the earliest deadline if it is due at or before `now`.
    pub fn pop_due(&mut self, now: Time) -> Option<(Time, K)> {
        let (&(at, seq), _) = self.by_time.iter().next()?;
        if at > now {
            return None;
        }
        let key = self.by_time.remove(&(at, seq))?;
        self.by_key.remove(&key);
        Some((at, key))
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Every deadline, earliest first.
    pub fn iter(&self) -> impl Iterator<Item = (Time, &K)> {
        self.by_time.iter().map(|(&(t, _), k)| (t, k))
    }

    pub fn clear(&mut self) {
        self.by_time.clear();
        self.by_key.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_come_out_in_time_then_setting_order() {
        let mut a = Agenda::new();
        a.set("probe 3", 500);
        a.set("suspect 2", 200);
        a.set("probe 1", 500);
        a.set("suspect 2", 700); // moved
        assert_eq!(a.next_at(), Some(500));
        assert_eq!(a.pop_due(499), None);
        assert_eq!(a.pop_due(600), Some((500, "probe 3")));
        assert_eq!(a.pop_due(600), Some((500, "probe 1")));
        assert_eq!(a.pop_due(600), None);
        assert!(a.cancel(&"suspect 2"));
        assert!(a.is_empty());
        assert_eq!(a.next_at(), None);
    }
}
