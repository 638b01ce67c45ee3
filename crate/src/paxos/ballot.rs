//! Ballots (Lamport's "proposal numbers"): a pair `(round, node)` ordered by
//! round, then by node id. Each node only ever issues ballots with its own id,
//! so two proposers never issue the same ballot. Shown and serialized as
//! `[round, node]`, the form the scenario format uses.

use serde::ser::SerializeTuple;
use serde::{Serialize, Serializer};

use crate::protocol::NodeId;

/// A proposal number: compared by `round`, ties broken by `node`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    pub round: u64,
    pub node: NodeId,
}

impl Ballot {
    pub fn new(round: u64, node: NodeId) -> Ballot {
        Ballot { round, node }
    }

    /// The smallest ballot of `node` that is above every ballot in `seen`.
    pub fn next_above(node: NodeId, seen: impl IntoIterator<Item = u64>) -> Ballot {
        let top = seen.into_iter().max().unwrap_or(0);
        Ballot { round: top.saturating_add(1), node }
    }
}

impl std::fmt::Display for Ballot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({},{})", self.round, self.node)
    }
}

impl Serialize for Ballot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.round)?;
        t.serialize_element(&self.node)?;
        t.end()
    }
}

/// A value shortened for a message label: at most `max` characters.
pub(crate) use crate::base::text::clip as short;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_order_by_round_then_node() {
        assert!(Ballot::new(1, 4) < Ballot::new(2, 0));
        assert!(Ballot::new(2, 0) < Ballot::new(2, 1));
        assert_eq!(Ballot::next_above(3, [4, 2, 7]), Ballot::new(8, 3));
        assert_eq!(Ballot::next_above(0, []), Ballot::new(1, 0));
        assert_eq!(serde_json::to_string(&Ballot::new(3, 1)).unwrap(), "[3,1]");
        assert_eq!(Ballot::new(3, 1).to_string(), "(3,1)");
    }

    #[test]
    fn labels_shorten_long_values() {
        assert_eq!(short("x=1", 8), "x=1");
        assert_eq!(short("abcdefghij", 5), "abcd…");
    }
}
