//! Quorum arithmetic: majorities, and who answered.

use super::NodeId;

/// How many of `n` make a majority.
pub fn majority(n: usize) -> usize {
    n / 2 + 1
}

/// The ids whose flag is set, in order (who voted, who promised…).
pub fn members(flags: &[bool]) -> Vec<NodeId> {
    flags.iter().enumerate().filter(|(_, f)| **f).map(|(i, _)| i).collect()
}

/// How many flags are set.
pub fn count(flags: &[bool]) -> usize {
    flags.iter().filter(|f| **f).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majorities_of_small_clusters() {
        // Reference: Raft §5.2 — a candidate needs votes from a majority.
        let table = [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4), (25, 13)];
        for (n, m) in table {
            assert_eq!(majority(n), m, "majority of {n}");
        }
        assert_eq!(members(&[true, false, true]), vec![0, 2]);
        assert_eq!(count(&[true, false, true]), 2);
    }
}
