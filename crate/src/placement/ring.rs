//! Placement schemes, as pure functions of a key and the member set: the
//! consistent-hashing ring with virtual nodes (Karger et al. 1997; Dynamo,
//! DeCandia et al. 2007 §4.2–4.3), `hash mod N`, jump consistent hash
//! (Lamping & Veach 2014) and rendezvous (highest-random-weight) hashing.
//!
//! Every hash is xxh64 with a fixed seed, so a key lands in the same place
//! natively, in wasm and in every run. Ring positions are 32 bits (they
//! travel to the page as JSON numbers, which hold 53 bits exactly); two
//! tokens at the same position are ordered by node id.

use xxhash_rust::xxh64::xxh64;

use crate::base::NodeId;

/// A key's 64-bit hash (the schemes other than the ring use all of it).
pub fn key_hash(key: &str) -> u64 {
    xxh64(key.as_bytes(), 0)
}

/// A key's position on the ring: the top 32 bits of its hash.
pub fn key_position(key: &str) -> u32 {
    (key_hash(key) >> 32) as u32
}

/// The position of node `node`'s `j`-th token (virtual node).
pub fn token_position(node: NodeId, j: u64) -> u32 {
    let mut buf = [0u8; 16];
    buf[..8].copy_from_slice(&(node as u64).to_le_bytes());
    buf[8..].copy_from_slice(&j.to_le_bytes());
    (xxh64(&buf, 1) >> 32) as u32
}

/// The tokens of one node, ascending.
pub fn tokens_of(node: NodeId, tokens: u64) -> Vec<u32> {
    let mut t: Vec<u32> = (0..tokens).map(|j| token_position(node, j)).collect();
    t.sort_unstable();
    t
}

/// The ring of a member set: every member's tokens, in ring order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    tokens: Vec<(u32, NodeId)>,
}

impl Ring {
    /// The ring of `members`, each with `tokens` virtual nodes.
    pub fn new(members: impl IntoIterator<Item = NodeId>, tokens: u64) -> Ring {
        let mut t: Vec<(u32, NodeId)> =
            members.into_iter().flat_map(|m| (0..tokens).map(move |j| (token_position(m, j), m))).collect();
        t.sort_unstable();
        t.dedup();
        Ring { tokens: t }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Every token in ring order, with its node.
    pub fn tokens(&self) -> &[(u32, NodeId)] {
        &self.tokens
    }

    /// The index of the first token at or after `pos`, wrapping around.
    fn successor(&self, pos: u32) -> usize {
        let i = self.tokens.partition_point(|&(t, _)| t < pos);
        if i == self.tokens.len() { 0 } else { i }
    }

    /// The key's coordinator: the node of the first token clockwise from
    /// the key's position (Karger's "successor").
    pub fn owner_at(&self, pos: u32) -> Option<NodeId> {
        self.tokens.get(self.successor(pos)).map(|&(_, n)| n)
    }

    pub fn owner(&self, key: &str) -> Option<NodeId> {
        self.owner_at(key_position(key))
    }

    /// The preference list of a position: walking clockwise, the first `n`
    /// distinct physical nodes, skipping further tokens of a node already
    /// listed (Dynamo §4.3). Shorter when fewer nodes are on the ring.
    pub fn preference_at(&self, pos: u32, n: usize) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = Vec::with_capacity(n);
        if self.tokens.is_empty() {
            return out;
        }
        let start = self.successor(pos);
        for k in 0..self.tokens.len() {
            if out.len() >= n {
                break;
            }
            let node = self.tokens[(start + k) % self.tokens.len()].1;
            if !out.contains(&node) {
                out.push(node);
            }
        }
        out
    }

    pub fn preference(&self, key: &str, n: usize) -> Vec<NodeId> {
        self.preference_at(key_position(key), n)
    }

    /// The share of the ring (of the key space) each member owns as
    /// coordinator, by the arcs ending at its tokens: `(node, share)`.
    pub fn arc_shares(&self) -> Vec<(NodeId, f64)> {
        let mut shares: Vec<(NodeId, f64)> = Vec::new();
        let len = self.tokens.len();
        for (i, &(t, node)) in self.tokens.iter().enumerate() {
            let prev = if i == 0 { self.tokens[len - 1].0 } else { self.tokens[i - 1].0 };
            // The arc (prev, t]; with one token it is the whole ring.
            let arc = if len == 1 { 1u64 << 32 } else { u64::from(t.wrapping_sub(prev)) };
            match shares.iter_mut().find(|(n, _)| *n == node) {
                Some(s) => s.1 += arc as f64,
                None => shares.push((node, arc as f64)),
            }
        }
        let total = (1u64 << 32) as f64;
        for s in &mut shares {
            s.1 /= total;
        }
        shares.sort_by_key(|s| s.0);
        shares
    }
}

/// The placement schemes the metrics compare on the same keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Ring,
    ModN,
    Jump,
    Rendezvous,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [Scheme::Ring, Scheme::ModN, Scheme::Jump, Scheme::Rendezvous];

    /// The name used in metric names: `moved_ring`, `load_cv_mod_n`…
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ring => "ring",
            Scheme::ModN => "mod_n",
            Scheme::Jump => "jump",
            Scheme::Rendezvous => "rendezvous",
        }
    }
}

/// `hash mod N` over the members in id order: what consistent hashing is not.
pub fn mod_n(hash: u64, members: &[NodeId]) -> Option<NodeId> {
    (!members.is_empty()).then(|| members[(hash % members.len() as u64) as usize])
}

/// Jump consistent hash (Lamping & Veach 2014, Figure 1): a bucket in
/// `0..buckets` for a 64-bit key, moving only 1/(n+1) of keys when a bucket
/// is added at the end. Only the basic arithmetic of IEEE 754 is used.
pub fn jump_bucket(mut key: u64, buckets: u64) -> u64 {
    let (mut b, mut j): (i64, i64) = (-1, 0);
    while (j as u64) < buckets {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b.max(0) as u64
}

/// Jump hash over the members in id order (bucket `i` is the `i`-th member):
/// a join of a node with a higher id than every member appends a bucket.
pub fn jump(hash: u64, members: &[NodeId]) -> Option<NodeId> {
    (!members.is_empty()).then(|| members[jump_bucket(hash, members.len() as u64) as usize])
}

/// Rendezvous hashing (Thaler & Ravishankar 1998): the member with the
/// highest weight hash(key, member) wins; ties go to the lower id.
pub fn rendezvous(hash: u64, members: &[NodeId]) -> Option<NodeId> {
    let weight = |m: NodeId| {
        let mut buf = [0u8; 16];
        buf[..8].copy_from_slice(&hash.to_le_bytes());
        buf[8..].copy_from_slice(&(m as u64).to_le_bytes());
        xxh64(&buf, 2)
    };
    members.iter().copied().max_by_key(|&m| (weight(m), std::cmp::Reverse(m)))
}

/// The owner of a key with hash `hash` under `scheme`.
pub fn place(scheme: Scheme, ring: &Ring, hash: u64, members: &[NodeId]) -> Option<NodeId> {
    match scheme {
        Scheme::Ring => ring.owner_at((hash >> 32) as u32),
        Scheme::ModN => mod_n(hash, members),
        Scheme::Jump => jump(hash, members),
        Scheme::Rendezvous => rendezvous(hash, members),
    }
}

/// The spread of a load over the members: (standard deviation / mean,
/// max / mean). Population standard deviation; (0, 0) with no load.
pub fn spread(loads: &[f64]) -> (f64, f64) {
    if loads.is_empty() {
        return (0.0, 0.0);
    }
    let n = loads.len() as f64;
    let mean = loads.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return (0.0, 0.0);
    }
    let var = loads.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / n;
    let max = loads.iter().copied().fold(0.0, f64::max);
    (var.sqrt() / mean, max / mean)
}

/// The synthetic keys the metrics compare schemes on: `key0`, `key1`…,
/// as their hashes.
pub fn sample_hashes(count: u64) -> Vec<u64> {
    (0..count).map(|i| key_hash(&format!("key{i}"))).collect()
}

/// The share of `hashes` whose owner under `scheme` differs between two
/// member sets.
pub fn moved_share(scheme: Scheme, hashes: &[u64], before: &[NodeId], after: &[NodeId], tokens: u64) -> f64 {
    if hashes.is_empty() {
        return 0.0;
    }
    let (rb, ra) = (Ring::new(before.iter().copied(), tokens), Ring::new(after.iter().copied(), tokens));
    let moved = hashes.iter().filter(|&&h| place(scheme, &rb, h, before) != place(scheme, &ra, h, after)).count();
    moved as f64 / hashes.len() as f64
}

/// The load spread of `hashes` over `members` under `scheme`: keys per
/// member, as (std-dev / mean, max / mean).
pub fn load_spread(scheme: Scheme, hashes: &[u64], members: &[NodeId], tokens: u64) -> (f64, f64) {
    let ring = Ring::new(members.iter().copied(), tokens);
    let mut loads = vec![0.0; members.len()];
    for &h in hashes {
        if let Some(owner) = place(scheme, &ring, h, members)
            && let Ok(i) = members.binary_search(&owner)
        {
            loads[i] += 1.0;
        }
    }
    spread(&loads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_hash_matches_the_papers_reference_values() {
        // Values from the reference implementation (Lamping & Veach 2014).
        assert_eq!(jump_bucket(0, 1), 0);
        assert_eq!(jump_bucket(0, 100), 0);
        for k in 0..1000u64 {
            let b = jump_bucket(k.wrapping_mul(0x9E37_79B9_7F4A_7C15), 10);
            assert!(b < 10);
        }
    }

    #[test]
    fn preference_lists_skip_a_nodes_other_tokens() {
        let ring = Ring::new([0, 1, 2, 3], 16);
        for p in (0..u32::MAX).step_by(1 << 24) {
            let list = ring.preference_at(p, 3);
            assert_eq!(list.len(), 3);
            assert!(list[0] != list[1] && list[1] != list[2] && list[0] != list[2]);
            assert_eq!(Some(list[0]), ring.owner_at(p));
        }
        assert_eq!(ring.preference_at(7, 9).len(), 4);
    }
}
