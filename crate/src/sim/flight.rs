//! Messages on the wire: their metadata, and the id-keyed window that holds
//! them (and, in each protocol's mailbox, their payloads).

use std::collections::VecDeque;

use serde::Serialize;

use crate::protocol::{NodeId, Time};

/// Why a message will not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// The network's (or the link's) drop rate chose it.
    Random,
    /// Sender and receiver were in different partition groups.
    Partition,
    /// The receiver crashed while it was in flight, or was down on arrival.
    Crash,
    /// A `drop_message` inject removed it.
    Injected,
    /// The receiver is not a member (it never joined, or it left).
    Absent,
    /// A newer message of the same kind to the same receiver took its place
    /// in the sender's queue ([`crate::protocol::Message::latest_only`]).
    Superseded,
}

impl Loss {
    pub fn describe(self) -> &'static str {
        match self {
            Loss::Random => "lost by the network",
            Loss::Partition => "cut off by the partition",
            Loss::Crash => "the receiver is down",
            Loss::Injected => "dropped by hand",
            Loss::Absent => "nobody is there",
            Loss::Superseded => "a newer one to the same node took its place",
        }
    }
}

/// A message on the wire, without its payload (which its protocol's
/// mailbox keeps under the same id).
#[derive(Clone, Copy, Debug)]
pub struct Flight {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub deliver_at: Time,
    /// Decided when it was sent: `None` arrives, `Some` is lost on arrival.
    pub lost: Option<Loss>,
}

/// Values keyed by message id. Ids are handed out in send order, and values
/// leave when their message is delivered or lost, so this is a sliding
/// window over recent ids: O(1) to add, find and remove.
#[derive(Clone, Debug)]
pub struct Window<T> {
    base: u64,
    slots: VecDeque<Option<T>>,
    live: usize,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window { base: 0, slots: VecDeque::new(), live: 0 }
    }
}

impl<T> Window<T> {
    /// The id the next value will get.
    pub fn next_id(&self) -> u64 {
        self.base + self.slots.len() as u64
    }

    /// Adds a value under [`Window::next_id`].
    pub fn push(&mut self, value: T) {
        self.slots.push_back(Some(value));
        self.live += 1;
    }

    pub fn get(&self, id: u64) -> Option<&T> {
        let i = id.checked_sub(self.base)?;
        self.slots.get(usize::try_from(i).ok()?)?.as_ref()
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let i = id.checked_sub(self.base)?;
        self.slots.get_mut(usize::try_from(i).ok()?)?.as_mut()
    }

    pub fn remove(&mut self, id: u64) -> Option<T> {
        let i = usize::try_from(id.checked_sub(self.base)?).ok()?;
        let taken = self.slots.get_mut(i)?.take()?;
        self.live -= 1;
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(taken)
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// In id order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten()
    }
}

impl Window<Flight> {
    /// Ids of the messages headed to `to`, in id order.
    pub fn ids_to(&self, to: NodeId) -> Vec<u64> {
        self.iter().filter(|f| f.to == to).map(|f| f.id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flight(id: u64, to: NodeId) -> Flight {
        Flight { id, from: 0, to, sent_at: 0, deliver_at: 1, lost: None }
    }

    #[test]
    fn window_slides_as_the_oldest_leave() {
        let mut t = Window::default();
        for id in 0..4 {
            t.push(flight(id, (id % 2) as usize));
        }
        assert_eq!(t.ids_to(1), vec![1, 3]);
        assert!(t.remove(1).is_some());
        assert!(t.remove(1).is_none());
        assert_eq!(t.len(), 3);
        assert!(t.remove(0).is_some());
        // 0 and 1 are gone: the window starts at 2 now.
        assert_eq!(t.base, 2);
        assert_eq!(t.next_id(), 4);
        assert!(t.get(0).is_none());
        assert_eq!(t.get(3).map(|f| f.id), Some(3));
        assert_eq!(t.iter().map(|f| f.id).collect::<Vec<_>>(), vec![2, 3]);
        assert!(t.get(u64::MAX).is_none());
    }
}
