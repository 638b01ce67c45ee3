//! The inject vocabulary (crash, restart, partition, pause, drop a message…)
//! and the client's rounds, applied to a [`World`].

use super::client;
use super::erased::Slot;
use super::flight::Loss;
use super::network::LinkRule;
use super::queue::Item;
use super::world::{Payload, World};
use crate::scenario::{Event, MAX_TIME_MS};
use crate::trace::TraceKind;

use rand::RngExt;

impl World {
    pub(super) fn apply(&mut self, event: Event) -> Result<(), String> {
        let now = self.now;
        match event {
            Event::ClientRequest { value, node } => {
                self.stats.client_requests += 1;
                let req = self.client.submit(value.into(), node);
                self.client_attempt(req);
            }
            Event::Crash { node } => {
                if !self.is_up(node) {
                    self.note_ignored(Some(node), &format!("crash: node {node} is already down"));
                    return Ok(());
                }
                // `()` stands in for an instant; it allocates nothing.
                if let Slot::Up(engine) = std::mem::replace(&mut self.slots[node], Slot::Down(Box::new(()))) {
                    self.slots[node] = Slot::Down(engine.crash());
                }
                self.meta[node].timers.clear();
                self.meta[node].paused_until = None;
                self.trace
                    .push::<u8>(now, TraceKind::Crash, Some(node), None, None, None, || format!("n{node} crashes"));
                for id in self.flight.ids_to(node) {
                    if let Some(f) = self.flight.remove(id) {
                        self.mail.remove(id);
                        self.stats.messages_dropped += 1;
                        self.trace.push(
                            now,
                            TraceKind::Drop,
                            Some(node),
                            Some(f.from),
                            Some(id),
                            Some(&Loss::Crash),
                            || format!("#{id} n{} → n{node} lost: the receiver crashed", f.from),
                        );
                    }
                }
                self.check(node);
            }
            Event::Restart { node } => {
                if self.is_up(node) {
                    self.note_ignored(Some(node), &format!("restart: node {node} is already up"));
                    return Ok(());
                }
                if let Slot::Down(stable) = std::mem::replace(&mut self.slots[node], Slot::Down(Box::new(()))) {
                    self.slots[node] = Slot::Up(self.proto.boot(node, self.n, &*self.params, Some(stable)));
                }
                self.trace.push::<u8>(now, TraceKind::Restart, Some(node), None, None, None, || {
                    format!("n{node} restarts from its stable state")
                });
                self.with_node(node, |p, cx, rec, out, _| p.on_start(cx, rec, out));
            }
            Event::Pause { node, for_ms } => {
                if !self.is_up(node) {
                    self.note_ignored(Some(node), &format!("pause: node {node} is down"));
                    return Ok(());
                }
                let until = now.saturating_add(for_ms).min(MAX_TIME_MS);
                let until = self.meta[node].paused_until.map_or(until, |u| u.max(until));
                self.meta[node].paused_until = Some(until);
                self.push(until, Item::Resume { node, until });
                self.trace.push(now, TraceKind::Pause, Some(node), None, None, Some(&until), || {
                    format!("n{node} pauses until {until} ms")
                });
            }
            Event::Timeout { node } => {
                if !self.is_up(node) {
                    self.note_ignored(Some(node), &format!("timeout: node {node} is down"));
                    return Ok(());
                }
                if self.meta[node].paused_until.is_some() {
                    self.note_ignored(Some(node), &format!("timeout: node {node} is paused"));
                    return Ok(());
                }
                self.trace.push::<u8>(now, TraceKind::Timeout, Some(node), None, None, None, || {
                    format!("n{node} times out now")
                });
                let fired = self.with_node(node, |p, cx, rec, out, _| p.on_timeout_now(cx, rec, out));
                if fired != Some(true) {
                    self.note_ignored(Some(node), &format!("timeout: node {node} has no timer to fire"));
                }
            }
            Event::Partition { groups } => {
                self.net.partition(self.n, &groups);
                let text = format!("partition {}", partition_text(&self.net.view().groups));
                self.trace.push(now, TraceKind::Partition, None, None, None, Some(&groups), || text);
            }
            Event::Heal => {
                self.net.heal();
                self.trace.push::<u8>(now, TraceKind::Heal, None, None, None, None, || "the network heals".to_string());
            }
            Event::Link { from, to, drop_rate, latency_ms } => {
                self.net.set_link(LinkRule { from, to, drop_rate, latency_ms });
                let key = (from, to, drop_rate.map(f64::to_bits), latency_ms);
                self.trace.push(now, TraceKind::Link, Some(from), Some(to), None, Some(&key), || {
                    let drop = drop_rate.map_or("unchanged".to_string(), percent);
                    let latency = latency_ms.map_or("unchanged".to_string(), |(lo, hi)| format!("{lo}–{hi} ms"));
                    format!("link n{from} → n{to}: drop {drop}, latency {latency}")
                });
            }
            Event::SetNetwork(spec) => {
                self.net.set_defaults(&spec);
                let v = self.net.view();
                let key = (v.latency_ms, v.drop_rate.to_bits(), v.duplicate_rate.to_bits());
                self.trace.push(now, TraceKind::Network, None, None, None, Some(&key), || {
                    let (lo, hi) = v.latency_ms;
                    format!(
                        "network: latency {lo}–{hi} ms, drop {}, duplicate {}",
                        percent(v.drop_rate),
                        percent(v.duplicate_rate)
                    )
                });
            }
            Event::DropMessage { id } => {
                let Some(f) = self.flight.remove(id) else {
                    return Err(format!("message {id} is not in flight at {now} ms"));
                };
                self.mail.remove(id);
                self.stats.messages_dropped += 1;
                self.trace.push(
                    now,
                    TraceKind::Drop,
                    Some(f.to),
                    Some(f.from),
                    Some(id),
                    Some(&Loss::Injected),
                    || format!("#{id} n{} → n{} dropped by hand", f.from, f.to),
                );
            }
            Event::DuplicateMessage { id } => {
                let Some(f) = self.flight.get(id) else {
                    return Err(format!("message {id} is not in flight at {now} ms"));
                };
                let (from, to) = (f.from, f.to);
                let s = self.net.settings(from, to);
                let latency = self.net_rng.random_range(s.latency_ms.0..=s.latency_ms.1);
                self.stats.messages_duplicated += 1;
                self.put_in_flight(from, to, Payload::CopyOf(id), latency, None);
            }
        }
        Ok(())
    }

    // ---- the client ---------------------------------------------------

    /// One round of a client trying to hand its request to the cluster:
    /// contact the node it believes leads, follow redirects, and if nobody
    /// takes the request, try again later.
    pub(super) fn client_attempt(&mut self, req: u64) -> bool {
        let Some(mut target) = self.client.first_target(req, self.n) else { return false };
        let value = self.client.value(req);
        for _hop in 0..2 * self.n {
            let reachable = self.is_up(target) && self.meta[target].paused_until.is_none();
            let reply = if reachable {
                let v = value.clone();
                self.with_node(target, |p, cx, rec, out, _| p.on_client_request(cx, v, rec, out))
            } else {
                None
            };
            let outcome = self.client.outcome(req, target, reply, self.n);
            self.trace.push(self.now, TraceKind::Client, Some(target), None, None, Some(&(&*value, &outcome)), || {
                outcome.describe(&value, target)
            });
            match outcome.next() {
                client::Next::Done => return true,
                client::Next::Try(next) => target = next,
            }
        }
        match self.client.retry_at(req, self.now) {
            Some(at) => self.push(at, Item::ClientRetry(req)),
            None => self.note_ignored(None, &format!("the client gives up on \"{value}\"")),
        }
        true
    }
}

/// Partition groups as the page writes them: `{0,1} | {2,3,4}`.
fn partition_text(groups: &[Vec<crate::protocol::NodeId>]) -> String {
    let group = |g: &Vec<crate::protocol::NodeId>| {
        format!("{{{}}}", g.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(","))
    };
    groups.iter().map(group).collect::<Vec<_>>().join(" | ")
}

/// A rate as a percentage with one decimal, without float formatting (which
/// would pull a large formatter into the wasm module).
fn percent(rate: f64) -> String {
    let tenths = (rate * 1000.0).round() as u64;
    format!("{}.{}%", tenths / 10, tenths % 10)
}
