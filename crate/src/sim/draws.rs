//! The network's randomness, made shrink-stable.
//!
//! Every message's draws (is it dropped, how long does it take, is it
//! duplicated) come from a counter-based generator keyed by the run's seed,
//! the link (sender and receiver) and how many messages the sender had sent
//! before it — not from one stream shared by the whole network. So removing
//! one event from a scenario (as the explorer's shrinker does) changes the
//! draws only of the messages whose senders' histories it changed; every
//! other message keeps its fate. A key is turned into words by SplitMix64's
//! finalizer, in plain 64-bit integer arithmetic: the same on every platform.

use crate::protocol::{NodeId, Time};

/// SplitMix64's output function: a good 64-bit mix of `z`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The words drawn for one message, in order.
pub struct Draws {
    key: u64,
    i: u64,
}

impl Draws {
    fn new(seed: u64, purpose: u64, a: u64, b: u64, c: u64) -> Draws {
        let key = mix(mix(seed ^ purpose.wrapping_mul(GOLDEN)) ^ mix(a.wrapping_add(GOLDEN)) ^ mix(b ^ (c << 1)));
        let key = mix(key ^ c.wrapping_mul(0xd6e8_feb8_6659_fd93));
        Draws { key, i: 0 }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.i += 1;
        mix(self.key.wrapping_add(self.i.wrapping_mul(GOLDEN)))
    }

    /// A float in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A whole number in `lo..=hi`, without modulo bias worth the name
    /// (multiply-high of a 64-bit word).
    pub fn range(&mut self, lo: Time, hi: Time) -> Time {
        if lo >= hi {
            return lo;
        }
        let span = (hi - lo) as u128 + 1;
        lo + ((u128::from(self.next_u64()) * span) >> 64) as Time
    }
}

/// Per-sender send counts: the state the network's draws depend on.
#[derive(Clone, Debug)]
pub struct NetDraws {
    seed: u64,
    sent: Vec<u64>,
}

impl NetDraws {
    pub fn new(seed: u64, nodes: usize) -> NetDraws {
        NetDraws { seed, sent: vec![0; nodes] }
    }

    /// The draws for the next message `from` sends to `to`.
    pub fn send(&mut self, from: NodeId, to: NodeId) -> Draws {
        let k = self.sent.get(from).copied().unwrap_or(0);
        if let Some(c) = self.sent.get_mut(from) {
            *c += 1;
        }
        Draws::new(self.seed, 1, from as u64, to as u64, k)
    }

    /// The draws for a `duplicate_message` inject of message `id`.
    pub fn duplicate(&self, id: u64) -> Draws {
        Draws::new(self.seed, 2, id, 0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_depend_on_the_link_and_the_count_only() {
        let mut a = NetDraws::new(7, 3);
        let mut b = NetDraws::new(7, 3);
        // Node 1's sends do not move node 0's draws.
        let x = a.send(0, 2).next_u64();
        b.send(1, 2);
        b.send(1, 0);
        let y = b.send(0, 2).next_u64();
        assert_eq!(x, y);
        // Another receiver, another count or another seed: other draws.
        assert_ne!(a.send(0, 2).next_u64(), x);
        assert_ne!(NetDraws::new(7, 3).send(0, 1).next_u64(), x);
        assert_ne!(NetDraws::new(8, 3).send(0, 2).next_u64(), x);
    }

    #[test]
    fn ranges_and_units_stay_in_bounds_and_spread() {
        let mut d = NetDraws::new(1, 1).send(0, 0);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            let v = d.range(10, 14);
            assert!((10..=14).contains(&v));
            seen[(v - 10) as usize] += 1;
            let u = d.unit();
            assert!((0.0..1.0).contains(&u));
        }
        // Each of the five values about a fifth of the time.
        assert!(seen.iter().all(|&c| (1_800..2_200).contains(&c)), "{seen:?}");
        assert_eq!(d.range(5, 5), 5);
    }
}
