//! The event queue: deliveries, timers, client retries, resumes and client
//! operations' rounds and timeouts, ordered
//! by `(time, insertion order)` so that equal times keep a fixed order.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::erased::TimerId;
use crate::protocol::{NodeId, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Deliver(u64),
    Timer {
        node: NodeId,
        timer: TimerId,
        generation: u64,
    },
    ClientRetry(u64),
    Resume {
        node: NodeId,
        until: Time,
    },
    /// A client operation nobody took yet: try again.
    OpRetry(u64),
    /// A client operation's timeout.
    OpTimeout(u64),
    /// A workload client has thought: it issues its next operation.
    ClientThink(u64),
}

#[derive(Clone, Copy, Debug)]
pub struct Queued {
    pub at: Time,
    seq: u64,
    pub item: Item,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Clone, Debug, Default)]
pub struct Queue {
    heap: BinaryHeap<Reverse<Queued>>,
    seq: u64,
}

impl Queue {
    pub fn push(&mut self, at: Time, item: Item) {
        self.seq += 1;
        self.heap.push(Reverse(Queued { at, seq: self.seq, item }));
    }

    pub fn peek_at(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse(q)| q.at)
    }

    pub fn pop(&mut self) -> Option<Queued> {
        self.heap.pop().map(|Reverse(q)| q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = Queue::default();
        q.push(5, Item::Deliver(1));
        q.push(3, Item::Deliver(2));
        q.push(5, Item::Deliver(3));
        q.push(3, Item::ClientRetry(4));
        let order: Vec<Item> = std::iter::from_fn(|| q.pop().map(|x| x.item)).collect();
        assert_eq!(order, vec![Item::Deliver(2), Item::ClientRetry(4), Item::Deliver(1), Item::Deliver(3)]);
    }
}
