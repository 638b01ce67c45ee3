//! Messages on the wire, from the world's side: a node's send (the network's
//! draws for delay, loss and duplication, and the send queue of
//! [`crate::protocol::Message::latest_only`] kinds), putting a message in
//! flight under the next id with its trace record, and its delivery.

use super::erased::{Slot, encode};
use super::flight::{Flight, Loss};
use super::queue::Item;
use super::world::{Payload, World};
use crate::protocol::{NodeId, Time};
use crate::trace::TraceKind;

impl World {
    /// A node sends a message (from its outbox `slot`): the network decides
    /// its delay, whether it is lost and whether it is duplicated.
    pub(super) fn send(&mut self, from: NodeId, to: NodeId, slot: usize) {
        self.stats.messages_sent += 1;
        if to >= self.n {
            // A protocol addressed a node that does not exist: nothing to deliver.
            self.stats.messages_dropped += 1;
            return;
        }
        let s = self.net.settings(from, to);
        // Always the same draws in the same order, so changing one rate does
        // not reshuffle the rest.
        let mut d = self.net_draws.send(from, to);
        let drop_roll = d.unit();
        let latency = d.range(s.latency_ms.0, s.latency_ms.1);
        let dup_roll = d.unit();
        let lost = if !self.net.connected(from, to) {
            Some(Loss::Partition)
        } else if drop_roll < s.drop_rate {
            Some(Loss::Random)
        } else {
            None
        };
        let Some(id) = self.put_in_flight(from, to, Payload::Outbox(slot), latency, lost) else { return };
        if lost.is_none() && self.mail.latest_only(id) {
            self.supersede(id);
        }
        if lost.is_none() && dup_roll < s.duplicate_rate {
            let latency = d.range(s.latency_ms.0, s.latency_ms.1);
            self.stats.messages_duplicated += 1;
            self.put_in_flight(from, to, Payload::CopyOf(id), latency, None);
        }
    }

    /// Message `id` waits in its sender's queue for the link, which holds one
    /// message of its kind behind the one already on the wire (ZooKeeper's
    /// send queue of one per peer): a message queued there before it is lost
    /// as superseded, the one on the wire is not, and `id` arrives after it.
    fn supersede(&mut self, id: u64) {
        let Some(&new) = self.flight.get(id) else { return };
        let kind = self.mail.kind(id);
        let mut on_link: Vec<(Time, u64)> = (self.flight.iter())
            .filter(|f| f.id != id && f.from == new.from && f.to == new.to && f.lost.is_none())
            .filter(|f| self.mail.kind(f.id) == kind)
            .map(|f| (f.deliver_at, f.id))
            .collect();
        on_link.sort_unstable();
        let Some(&(wire_at, _)) = on_link.first() else { return };
        for &(_, queued) in &on_link[1..] {
            if let Some(f) = self.flight.get_mut(queued) {
                f.lost = Some(Loss::Superseded);
            }
        }
        if wire_at > new.deliver_at {
            if let Some(f) = self.flight.get_mut(id) {
                f.deliver_at = wire_at;
            }
            // The item already queued for the earlier time finds it moved.
            self.push(wire_at, Item::Deliver(id));
        }
    }

    /// Puts a message on the wire under the next id, and returns the id.
    pub(super) fn put_in_flight(
        &mut self,
        from: NodeId,
        to: NodeId,
        payload: Payload,
        latency: Time,
        lost: Option<Loss>,
    ) -> Option<u64> {
        let id = self.flight.next_id();
        match payload {
            Payload::Outbox(slot) => match &mut self.slots[from] {
                Slot::Up(engine) => engine.post(slot, &mut *self.mail),
                Slot::Down(_) | Slot::Absent(_) => return None,
            },
            Payload::CopyOf(original) => self.mail.duplicate(original),
        }
        let deliver_at = self.now + latency;
        let mail = &*self.mail;
        self.trace.push_with(
            self.now,
            TraceKind::Send,
            Some(from),
            Some(to),
            Some(id),
            |buf| {
                mail.encode(id, buf);
                encode(&(latency, lost), buf);
            },
            || {
                let mut text = format!("#{id} {} n{from} → n{to}", mail.label(id));
                if let Payload::CopyOf(o) = payload {
                    text.push_str(&format!(" (duplicate of #{o})"));
                }
                text
            },
        );
        self.stats.sent(self.mail.kind(id));
        self.flight.push(Flight { id, from, to, sent_at: self.now, deliver_at, lost });
        self.push(deliver_at, Item::Deliver(id));
        Some(id)
    }

    /// Message `f` arrives now: to its receiver, or lost, as the world is.
    pub(super) fn deliver(&mut self, f: Flight) {
        let lost = f.lost.or_else(|| {
            if self.is_absent(f.to) {
                Some(Loss::Absent)
            } else if !self.is_up(f.to) {
                Some(Loss::Crash)
            } else if !self.net.connected(f.from, f.to) {
                Some(Loss::Partition)
            } else {
                None
            }
        });
        if let Some(why) = lost {
            self.stats.dropped(self.mail.kind(f.id));
            let mail = &*self.mail;
            self.trace.push(self.now, TraceKind::Drop, Some(f.to), Some(f.from), Some(f.id), Some(&why), || {
                format!("#{} {} n{} → n{} lost: {}", f.id, mail.label(f.id), f.from, f.to, why.describe())
            });
            self.mail.remove(f.id);
            return;
        }
        self.stats.delivered(self.mail.kind(f.id), self.now - f.sent_at);
        let (from, to, id) = (f.from, f.to, f.id);
        let mail = &*self.mail;
        self.trace.push::<u8>(self.now, TraceKind::Deliver, Some(to), Some(from), Some(id), None, || {
            format!("#{id} {} n{from} → n{to} arrives", mail.label(id))
        });
        self.with_node(to, |p, cx, rec, out, mail| p.on_message(cx, from, mail, id, rec, out));
    }
}
