//! The inject vocabulary (crash, restart, partition, pause, drop a message…)
//! and the client's rounds, applied to a [`World`].

use std::rc::Rc;

use super::client::{self, Request};
use super::erased::Slot;
use super::flight::Loss;
use super::network::LinkRule;
use super::queue::Item;
use super::world::{Payload, World};
use crate::protocol::ClientReply;
use crate::scenario::{Event, MAX_TIME_MS};
use crate::spec::Command;
use crate::trace::TraceKind;

impl World {
    pub(super) fn apply(&mut self, event: Event) -> Result<(), String> {
        let now = self.now;
        for c in &mut self.checkers {
            c.on_event(now, &event);
        }
        match event {
            Event::ClientRequest { value, node } => {
                self.stats.client_requests += 1;
                let req = self.client.submit(Request::Value(value.into()), node);
                self.client_attempt(req);
            }
            Event::Crash { node } => {
                if self.is_absent(node) {
                    self.note_ignored(Some(node), &format!("crash: node {node} is not a member"));
                    return Ok(());
                }
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
                self.lose_messages_to(node, Loss::Crash);
                self.check(node);
            }
            Event::Restart { node } => {
                if self.is_absent(node) {
                    self.note_ignored(Some(node), &format!("restart: node {node} is not a member (it can join)"));
                    return Ok(());
                }
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
                self.stats.dropped(self.mail.kind(id));
                self.mail.remove(id);
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
                let latency = self.net_draws.duplicate(id).range(s.latency_ms.0, s.latency_ms.1);
                self.stats.messages_duplicated += 1;
                self.put_in_flight(from, to, Payload::CopyOf(id), latency, None);
            }
            Event::Join { node, contact } => {
                if !self.is_absent(node) {
                    self.note_ignored(Some(node), &format!("join: node {node} is already a member"));
                    return Ok(());
                }
                let contact = contact.unwrap_or_else(|| (0..self.n).filter(|&p| p != node && self.is_up(p)).collect());
                self.slots[node] = Slot::Up(self.proto.boot(node, self.n, &*self.params, None));
                self.meta[node].timers.clear();
                self.meta[node].paused_until = None;
                self.trace.push(now, TraceKind::Join, Some(node), None, None, Some(&contact), || {
                    format!("n{node} joins, contacting {}", crate::base::text::node_set(contact.iter().copied()))
                });
                self.with_node(node, |p, cx, rec, out, _| p.on_join(cx, &contact, rec, out));
            }
            Event::Leave { node } => {
                if !self.is_up(node) {
                    let why = if self.is_absent(node) { "is not a member" } else { "is down" };
                    self.note_ignored(Some(node), &format!("leave: node {node} {why}"));
                    return Ok(());
                }
                self.trace
                    .push::<u8>(now, TraceKind::Leave, Some(node), None, None, None, || format!("n{node} leaves"));
                // Goodbyes are sent while the node is still there.
                self.with_node(node, |p, cx, rec, out, _| p.on_leave(cx, rec, out));
                self.slots[node] = Slot::Absent(self.proto.empty_stable());
                self.meta[node].timers.clear();
                self.meta[node].paused_until = None;
                self.lose_messages_to(node, Loss::Absent);
                self.check(node);
            }
            Event::Command { name, args, node } => {
                // Checked when the event was admitted; a failure here is a bug
                // that must not panic the run.
                let cmd = Command::parse(self.proto.name(), &self.spec, &name, &args, self.n, "command")
                    .map_err(|e| e.to_string())?;
                let payload = (cmd.name, node, crate::scenario::event_json(&Event::Command { name, args, node }));
                self.trace.push(now, TraceKind::Command, node, None, None, Some(&payload), || {
                    format!("command {}", payload.0)
                });
                let req = self.client.submit(Request::Command(Rc::new(cmd)), node);
                self.client_attempt(req);
            }
            Event::ClientOp(spec) => self.op_event(spec),
        }
        Ok(())
    }

    /// Messages on their way to `node` are lost (it crashed or left).
    fn lose_messages_to(&mut self, node: usize, why: Loss) {
        let now = self.now;
        for id in self.flight.ids_to(node) {
            if let Some(f) = self.flight.remove(id) {
                self.stats.dropped(self.mail.kind(id));
                self.mail.remove(id);
                self.trace.push(now, TraceKind::Drop, Some(node), Some(f.from), Some(id), Some(&why), || {
                    format!("#{id} n{} → n{node} lost: {}", f.from, why.describe())
                });
            }
        }
    }

    // ---- the client ---------------------------------------------------

    /// One round of a client trying to hand its request to the cluster:
    /// contact the node it believes leads, follow redirects, and if nobody
    /// takes the request, try again later.
    pub(super) fn client_attempt(&mut self, req: u64) -> bool {
        let Some(mut target) = self.client.first_target(req, self.n) else { return false };
        let Some(request) = self.client.request(req) else { return false };
        for _hop in 0..2 * self.n {
            let reachable = self.is_up(target) && self.meta[target].paused_until.is_none();
            let reply = match (&request, reachable) {
                (_, false) => None,
                (Request::Value(value), true) => {
                    let v = value.clone();
                    self.with_node(target, |p, cx, rec, out, _| p.on_client_request(cx, v, rec, out))
                }
                (Request::Command(cmd), true) => {
                    match self.with_node(target, |p, cx, rec, out, _| p.on_command(cx, cmd, rec, out)) {
                        Some(Err(why)) => {
                            self.client.drop_request(req);
                            self.note_ignored(Some(target), &format!("command {}: {why}", cmd.name));
                            return true;
                        }
                        other => other.map(|r| r.unwrap_or(ClientReply::Redirect(None))),
                    }
                }
            };
            let outcome = self.client.outcome(req, target, reply, self.n);
            let label = request.label();
            match &request {
                Request::Value(value) => self.trace.push(
                    self.now,
                    TraceKind::Client,
                    Some(target),
                    None,
                    None,
                    Some(&(&**value, &outcome)),
                    || outcome.describe(&label, target),
                ),
                Request::Command(cmd) => self.trace.push(
                    self.now,
                    TraceKind::Client,
                    Some(target),
                    None,
                    None,
                    Some(&(cmd.name, &outcome)),
                    || outcome.describe(&label, target),
                ),
            }
            match outcome.next() {
                client::Next::Done => return true,
                client::Next::Try(next) => target = next,
            }
        }
        match self.client.retry_at(req, self.now) {
            Some(at) => self.push(at, Item::ClientRetry(req)),
            None => self.note_ignored(None, &format!("the client gives up on {}", request.label())),
        }
        true
    }
}

/// Partition groups as the page writes them: `{0,1} | {2,3,4}`.
fn partition_text(groups: &[Vec<crate::protocol::NodeId>]) -> String {
    groups.iter().map(|g| crate::base::text::node_set(g.iter().copied())).collect::<Vec<_>>().join(" | ")
}

/// A rate as a percentage with one decimal, without float formatting (which
/// would pull a large formatter into the wasm module).
fn percent(rate: f64) -> String {
    let tenths = (rate * 1000.0).round() as u64;
    format!("{}.{}%", tenths / 10, tenths % 10)
}
