//! The linearizability search's memory: which operations are linearized
//! (a bitset), and the configurations — linearized set and model state —
//! already explored, so that no configuration is explored twice (Lowe,
//! "Testing for linearizability", 2017, §3; Porcupine's cache).
//!
//! A configuration is stored compactly: the search linearizes operations
//! roughly in call order, so a set is nearly always "every operation up to
//! some point, and a few beyond". It is kept as the number of leading words
//! that are all ones, plus the words from there to the highest operation in
//! the set, which keeps a 100,000-operation history's cache small. The
//! table is our own open-addressing hash table with a fixed hash: lookups
//! only, its order never shows.

use super::model::mix;

/// A set of operations by number, with an incrementally kept hash
/// (Zobrist: the XOR of one fixed random word per member).
#[derive(Clone, Debug)]
pub(crate) struct Bits {
    words: Vec<u64>,
    /// The number of leading words with every bit set.
    full: usize,
    hash: u64,
}

impl Bits {
    pub fn new(n: usize) -> Bits {
        Bits { words: vec![0; n.div_ceil(64)], full: 0, hash: 0 }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn insert(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] |= 1 << (i % 64);
        self.hash ^= mix(i as u64);
        while self.full < self.words.len() && self.words[self.full] == u64::MAX {
            self.full += 1;
        }
    }

    pub fn remove(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] &= !(1 << (i % 64));
        self.hash ^= mix(i as u64);
        self.full = self.full.min(w);
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The words that tell this set from any other whose highest member
    /// is `hi`: after the leading full words, up to `hi`'s word.
    fn tail(&self, hi: usize) -> &[u64] {
        let end = (hi / 64 + 1).min(self.words.len());
        &self.words[self.full.min(end)..end]
    }
}

struct Stored<S> {
    hash: u64,
    full: usize,
    start: usize,
    len: usize,
    state: S,
}

/// Configurations already explored: (linearized set, state) pairs.
pub(crate) struct Seen<S> {
    /// Open addressing, linear probing: 0 empty, else an entry's index + 1.
    slots: Vec<u32>,
    entries: Vec<Stored<S>>,
    words: Vec<u64>,
}

impl<S: Clone + Eq> Seen<S> {
    pub fn new() -> Seen<S> {
        Seen { slots: vec![0; 1024], entries: Vec::new(), words: Vec::new() }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Records the configuration (`bits`, whose highest member is `hi`,
    /// and `state` with hash `state_hash`); false if it was already there.
    pub fn insert(&mut self, bits: &Bits, hi: usize, state: &S, state_hash: u64) -> bool {
        let hash = mix(bits.hash() ^ state_hash.rotate_left(17));
        let tail = bits.tail(hi);
        let mask = self.slots.len() - 1;
        let mut at = (hash as usize) & mask;
        loop {
            match self.slots[at] {
                0 => break,
                k => {
                    let e = &self.entries[k as usize - 1];
                    if e.hash == hash
                        && e.full == bits.full
                        && self.words[e.start..e.start + e.len] == *tail
                        && e.state == *state
                    {
                        return false;
                    }
                }
            }
            at = (at + 1) & mask;
        }
        let start = self.words.len();
        self.words.extend_from_slice(tail);
        self.entries.push(Stored { hash, full: bits.full, start, len: tail.len(), state: state.clone() });
        self.slots[at] = self.entries.len() as u32;
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        }
        true
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        for (k, e) in self.entries.iter().enumerate() {
            let mut at = (e.hash as usize) & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = k as u32 + 1;
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_told_apart_by_members_not_by_history() {
        let mut a = Bits::new(200);
        let mut b = Bits::new(200);
        for i in 0..130 {
            a.insert(i);
        }
        a.insert(150);
        // The same set reached another way.
        b.insert(150);
        for i in (0..130).rev() {
            b.insert(i);
        }
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.full, 2);
        let mut seen = Seen::new();
        assert!(seen.insert(&a, 150, &7u32, 7));
        assert!(!seen.insert(&b, 150, &7u32, 7));
        assert!(seen.insert(&b, 150, &8u32, 8), "another state is another configuration");
        b.remove(3);
        assert_eq!(b.full, 0);
        assert!(!b.contains(3) && b.contains(4));
        assert!(seen.insert(&b, 150, &7u32, 7));
        b.insert(3);
        assert!(!seen.insert(&b, 150, &7u32, 7));
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn the_table_grows_and_still_finds_everything() {
        let mut seen = Seen::new();
        let mut bits = Bits::new(5_000);
        for i in 0..5_000 {
            bits.insert(i);
            assert!(seen.insert(&bits, i, &(i as u32 % 3), u64::from(i as u32 % 3)));
        }
        let mut again = Bits::new(5_000);
        for i in 0..5_000 {
            again.insert(i);
            assert!(!seen.insert(&again, i, &(i as u32 % 3), u64::from(i as u32 % 3)));
        }
    }
}
