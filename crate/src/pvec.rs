//! A growable vector whose clones share storage: elements live in full,
//! immutable, reference-counted chunks plus a short owned tail. Cloning costs
//! one pointer per chunk, so the time-travel checkpoints of a long run share
//! its logs instead of copying them. Appending and reading are O(1);
//! truncating copies at most one chunk.
//!
//! (A general persistent vector such as an RRB tree would do too, but would
//! cost the page's wasm module far more code than these few lines.)

use std::rc::Rc;

const CHUNK: usize = 64;

#[derive(Debug)]
pub struct PVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    tail: Vec<T>,
}

impl<T> Default for PVec<T> {
    fn default() -> Self {
        PVec { chunks: Vec::new(), tail: Vec::new() }
    }
}

impl<T: Clone> Clone for PVec<T> {
    fn clone(&self) -> Self {
        PVec { chunks: self.chunks.clone(), tail: self.tail.clone() }
    }
}

impl<T: Clone> PVec<T> {
    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.tail.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        let (c, o) = (i / CHUNK, i % CHUNK);
        match self.chunks.get(c) {
            Some(chunk) => chunk.get(o),
            None if c == self.chunks.len() => self.tail.get(o),
            None => None,
        }
    }

    pub fn last(&self) -> Option<&T> {
        self.tail.last().or_else(|| self.chunks.last().and_then(|c| c.last()))
    }

    pub fn push(&mut self, v: T) {
        self.tail.push(v);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push(Rc::new(full));
        }
    }

    /// Keeps the first `len` elements.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let (c, o) = (len / CHUNK, len % CHUNK);
        if c < self.chunks.len() {
            let keep: Vec<T> = self.chunks[c][..o].to_vec();
            self.chunks.truncate(c);
            self.tail = keep;
        } else {
            self.tail.truncate(o);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter()).chain(self.tail.iter())
    }

    /// Elements from index `from` on.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> {
        let c = from / CHUNK;
        let skip = from % CHUNK;
        self.chunks.iter().skip(c).flat_map(|ch| ch.iter()).chain(self.tail.iter()).skip(skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunk_boundaries() {
        let mut p = PVec::default();
        let mut v = Vec::new();
        for i in 0..300u32 {
            p.push(i);
            v.push(i);
        }
        assert_eq!(p.len(), 300);
        assert_eq!(p.iter().copied().collect::<Vec<_>>(), v);
        assert_eq!(p.iter_from(130).copied().collect::<Vec<_>>(), v[130..]);
        assert_eq!(p.get(64), Some(&64));
        assert_eq!(p.get(299), Some(&299));
        assert_eq!(p.get(300), None);
        assert_eq!(p.last(), Some(&299));
        for cut in [299, 256, 200, 64, 63, 0] {
            p.truncate(cut);
            v.truncate(cut);
            assert_eq!(p.iter().copied().collect::<Vec<_>>(), v, "after truncate({cut})");
            assert_eq!(p.len(), cut);
        }
        assert!(p.is_empty());
    }

    #[test]
    fn clones_share_full_chunks_and_diverge_safely() {
        let mut a = PVec::default();
        for i in 0..200u32 {
            a.push(i);
        }
        let b = a.clone();
        assert!(Rc::ptr_eq(&a.chunks[0], &b.chunks[0]));
        a.truncate(10);
        a.push(999);
        assert_eq!(b.len(), 200);
        assert_eq!(b.get(10), Some(&10));
        assert_eq!(a.get(10), Some(&999));
    }
}
