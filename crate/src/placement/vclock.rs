//! Vector-clock versions and siblings (Dynamo §4.4 "Data Versioning"): a
//! replica keeps, per key, every version no other version it holds
//! descends from. A version that descends from another replaces it;
//! concurrent versions are kept side by side as siblings.
//!
//! Reads need one value, so versions are also ranked by a total order that
//! extends "descends from": first the sum of the clock's counters (a
//! descendant always has a larger sum), then the clock's entries, then the
//! value. A write whose clock merges every clock it read and adds one gets a
//! rank above all of them: this rank is the timestamp ABD needs.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use crate::base::NodeId;

/// A vector clock: coordinator → counter.
pub type Clock = BTreeMap<NodeId, u64>;

/// One version of a key's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub value: Rc<str>,
    pub clock: Clock,
}

/// Whether clock `a` descends from (is at or after) clock `b`.
pub fn descends(a: &Clock, b: &Clock) -> bool {
    b.iter().all(|(n, c)| a.get(n).copied().unwrap_or(0) >= *c)
}

/// The entry-wise maximum of two clocks.
pub fn merge_clock(into: &mut Clock, other: &Clock) {
    for (&n, &c) in other {
        let e = into.entry(n).or_insert(0);
        *e = (*e).max(c);
    }
}

impl Version {
    /// The total order that extends "descends from" (see the module doc).
    pub fn rank(&self) -> (u64, &Clock, &str) {
        (self.clock.values().sum(), &self.clock, &self.value)
    }
}

/// Adds `v` to a sibling set: dropped if a version there descends from it,
/// and replacing every version it descends from. True if the set changed.
pub fn add_version(set: &mut Vec<Version>, v: &Version) -> bool {
    if set.iter().any(|s| descends(&s.clock, &v.clock) && (s.clock != v.clock || s.value >= v.value)) {
        return false;
    }
    set.retain(|s| !descends(&v.clock, &s.clock));
    set.push(v.clone());
    set.sort_by(|a, b| a.rank().cmp(&b.rank()));
    true
}

/// Merges sibling set `from` into `into`; true if `into` changed.
pub fn merge_set(into: &mut Vec<Version>, from: &[Version]) -> bool {
    let mut changed = false;
    for v in from {
        changed |= add_version(into, v);
    }
    changed
}

/// The highest-ranked version of a set.
pub fn latest(set: &[Version]) -> Option<&Version> {
    set.iter().max_by(|a, b| a.rank().cmp(&b.rank()))
}

/// A clock as text: `{0:2,3:1}`.
pub fn clock_text(c: &Clock) -> String {
    let parts: Vec<String> = c.iter().map(|(n, k)| format!("{n}:{k}")).collect();
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: &str, clock: &[(NodeId, u64)]) -> Version {
        Version { value: Rc::from(value), clock: clock.iter().copied().collect() }
    }

    #[test]
    fn descendants_replace_and_concurrent_versions_stay_siblings() {
        // Dynamo §4.4, Figure 3: D1 → D2 by Sx, then D3 (Sy) and D4 (Sz)
        // concurrent, reconciled by D5 (Sx) that descends from both.
        let mut set = Vec::new();
        assert!(add_version(&mut set, &v("d1", &[(0, 1)])));
        assert!(add_version(&mut set, &v("d2", &[(0, 2)])));
        assert_eq!(set.len(), 1);
        assert!(!add_version(&mut set, &v("d1", &[(0, 1)])), "an ancestor adds nothing");
        assert!(add_version(&mut set, &v("d3", &[(0, 2), (1, 1)])));
        assert!(add_version(&mut set, &v("d4", &[(0, 2), (2, 1)])));
        assert_eq!(set.len(), 2, "concurrent siblings: {set:?}");
        assert!(add_version(&mut set, &v("d5", &[(0, 3), (1, 1), (2, 1)])));
        assert_eq!(set, vec![v("d5", &[(0, 3), (1, 1), (2, 1)])]);
        assert!(latest(&set).is_some_and(|l| &*l.value == "d5"));
    }
}
