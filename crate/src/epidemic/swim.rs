//! SWIM, after Das, Gupta, Motivala, "SWIM: Scalable Weakly-consistent
//! Infection-style Process Group Membership Protocol" (DSN 2002), with
//! hashicorp/memberlist's LAN defaults.
//!
//! - **Failure detection** (§3.1): every protocol period
//!   (`probe_interval_ms`) a member pings the next member of its probe list,
//!   a random permutation walked round-robin and reshuffled at the end
//!   (§4.3); new members go in at a random place. Without an ack within
//!   `probe_timeout_ms` it asks `indirect_checks` (k) random members to
//!   probe the target for it (`PingReq`); a relay pings the target and
//!   forwards its ack. No ack by the end of the period: the probe failed.
//! - **Suspicion** (§4.2): a failed probe makes the target *suspect* (not
//!   dead) at the incarnation known for it. A suspect that is still suspect
//!   after the suspicion timeout (`suspicion_mult · max(1, log10 n)`
//!   periods, memberlist's formula) is *confirmed dead*. A member that hears
//!   it is suspected refutes with an *alive* at a higher incarnation, which
//!   overrides the suspicion everywhere. Within one incarnation alive <
//!   suspect < dead; a higher incarnation's alive overrides all of them.
//! - **Dissemination** (§4.1): every update is piggybacked on the pings,
//!   ping-reqs and acks a member sends, each one `retransmit_mult ·
//!   ⌈log10(n + 1)⌉` times (λ log n), the least-sent first; memberlist also
//!   gossips pending updates to `gossip_nodes` random members every
//!   `gossip_interval_ms`.
//! - **Join and leave**: a joiner sends `Join` to its contacts, who add it,
//!   spread its alive and answer with their whole member list (`Sync`,
//!   memberlist's push-pull). A leaver sends a *left* update about itself
//!   to a few members, who spread it like any other.
//!
//! What survives a crash is the incarnation number, so that a restarted
//! member comes back above whatever was said about it; its member list is
//! lost and rebuilt from the configuration and a `Sync`.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::swim_msg::{Due, State, SwimMsg, SwimParams, SwimTimer, Update};
use crate::base::agenda::Agenda;
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Value};
use crate::spec::{Doc, Layout, Spec, Variant};

/// What a member keeps on disk: its own incarnation number.
#[derive(Clone, Debug, Default)]
pub struct SwimStable {
    pub incarnation: u64,
}

/// What a member knows of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemberView {
    pub state: State,
    pub incarnation: u64,
}

/// A pending update and how often it has been piggybacked.
#[derive(Clone, Debug)]
struct Pending {
    update: Update,
    sent: u64,
}

/// The probe of the current period.
#[derive(Clone, Copy, Debug)]
struct Probe {
    seq: u64,
    target: NodeId,
    acked: bool,
}

/// How many updates one message carries at most (memberlist fills a UDP
/// packet; this is the lab's stand-in).
pub const MAX_PIGGYBACK: usize = 8;

/// One SWIM member.
#[derive(Clone, Debug)]
pub struct Swim {
    id: NodeId,
    params: SwimParams,
    st: SwimStable,
    members: BTreeMap<NodeId, MemberView>,
    /// How many of `members` are not dead or left (kept with every change,
    /// since the group size is asked for on every message sent).
    live: usize,
    /// Bumped by every change to `members`: the checker skips a member
    /// whose list has not changed since it last looked.
    changes: u64,
    /// The probe list (§4.3) and the next place in it.
    order: Vec<NodeId>,
    next: usize,
    probe: Option<Probe>,
    seq: u64,
    /// Probes relayed for others: own seq → (asker, asker's seq).
    relays: BTreeMap<u64, (NodeId, u64)>,
    agenda: Agenda<Due>,
    queue: Vec<Pending>,
    restarted: bool,
    left: bool,
    sent: u64,
}

/// The node fields of the scenario format (`incarnation`, `members`).
#[derive(Serialize)]
pub struct SwimView {
    pub incarnation: u64,
    /// Every other member this node has heard of: id → state and incarnation.
    pub members: BTreeMap<NodeId, MemberView>,
    /// The member probed this period, while no ack has come.
    pub probing: Option<NodeId>,
    /// Updates waiting to be piggybacked.
    pub pending: usize,
    /// Messages sent since it (re)started.
    pub sent: u64,
}

impl Swim {
    pub fn incarnation(&self) -> u64 {
        self.st.incarnation
    }
    /// What this member thinks of `j` (`None`: never heard of it).
    pub fn member(&self, j: NodeId) -> Option<MemberView> {
        self.members.get(&j).copied()
    }
    pub fn members(&self) -> &BTreeMap<NodeId, MemberView> {
        &self.members
    }
    /// A count that changes whenever the member list does.
    pub fn membership_changes(&self) -> u64 {
        self.changes
    }
    pub fn sent(&self) -> u64 {
        self.sent
    }
    pub fn params(&self) -> &SwimParams {
        &self.params
    }

    /// The group size this member believes in (itself and every member not
    /// dead or left), for the timeouts and the retransmit limit.
    fn group(&self) -> usize {
        1 + self.live
    }

    /// Records what this member now knows of `j`.
    fn put_member(&mut self, j: NodeId, m: MemberView) {
        let before = self.members.insert(j, m);
        let was_live = before.is_some_and(|b| !b.state.gone());
        match (was_live, !m.state.gone()) {
            (false, true) => self.live += 1,
            (true, false) => self.live -= 1,
            _ => {}
        }
        if before != Some(m) {
            self.changes += 1;
        }
    }

    fn send(&mut self, to: NodeId, msg: SwimMsg, out: &mut Out<Self>) {
        self.sent += 1;
        out.send(to, msg);
    }

    /// Arms the simulator timer for the agenda's earliest deadline.
    fn arm(&self, cx: &Ctx, out: &mut Out<Self>) {
        match self.agenda.next_at() {
            Some(at) => out.set_timer(SwimTimer::Deadline, at.saturating_sub(cx.now)),
            None => out.cancel_timer(SwimTimer::Deadline),
        }
    }

    /// Queues `u` for dissemination (replacing an older update about the same node).
    fn broadcast(&mut self, u: Update) {
        self.queue.retain(|p| p.update.node != u.node);
        self.queue.push(Pending { update: u, sent: 0 });
    }

    /// The updates to piggyback on one message, least-sent first (§4.1);
    /// each counts as sent once, and one sent λ log n times is dropped.
    fn piggyback(&mut self) -> Vec<Update> {
        let limit = self.params.retransmits(self.group());
        self.queue.sort_by_key(|p| p.sent);
        let take = self.queue.len().min(MAX_PIGGYBACK);
        let ups: Vec<Update> = self.queue[..take].iter().map(|p| p.update).collect();
        for p in &mut self.queue[..take] {
            p.sent += 1;
        }
        self.queue.retain(|p| p.sent < limit);
        ups
    }

    /// `count` distinct random members that are not dead or left, other than `not`.
    fn random_members(&self, cx: &mut Ctx, count: usize, not: Option<NodeId>) -> Vec<NodeId> {
        let mut pool: Vec<NodeId> =
            self.members.iter().filter(|(j, m)| !m.state.gone() && Some(**j) != not).map(|(&j, _)| j).collect();
        let want = count.min(pool.len());
        for i in 0..want {
            let k = cx.random_range(i as u64, pool.len() as u64 - 1) as usize;
            pool.swap(i, k);
        }
        pool.truncate(want);
        pool
    }

    /// Puts `j` into the probe list at a random place (§4.3).
    fn insert_in_order(&mut self, cx: &mut Ctx, j: NodeId) {
        if self.order.contains(&j) {
            return;
        }
        let at = cx.random_range(0, self.order.len() as u64) as usize;
        self.order.insert(at, j);
        if at < self.next {
            self.next += 1;
        }
    }

    /// The next member to probe: round-robin through a random permutation,
    /// reshuffled after each pass (§4.3).
    fn next_target(&mut self, cx: &mut Ctx) -> Option<NodeId> {
        for _ in 0..2 {
            while self.next < self.order.len() {
                let j = self.order[self.next];
                self.next += 1;
                if self.members.get(&j).is_some_and(|m| !m.state.gone()) {
                    return Some(j);
                }
            }
            let mut live: Vec<NodeId> = self.members.iter().filter(|(_, m)| !m.state.gone()).map(|(&j, _)| j).collect();
            for i in (1..live.len()).rev() {
                let k = cx.random_range(0, i as u64) as usize;
                live.swap(i, k);
            }
            self.order = live;
            self.next = 0;
        }
        None
    }

    /// Applies one update (the rules of §4.2); `spread` queues an accepted
    /// update for dissemination. Returns whether it changed anything.
    fn apply(&mut self, cx: &mut Ctx, u: Update, spread: bool, out: &mut Out<Self>) -> bool {
        if u.node == self.id {
            if u.state != State::Alive && u.incarnation >= self.st.incarnation && !self.left {
                self.st.incarnation = u.incarnation + 1;
                let inc = self.st.incarnation;
                self.broadcast(Update { node: self.id, state: State::Alive, incarnation: inc });
                out.milestone(|| format!("refutes \"{}\" with incarnation {inc}", u.state.name()));
            }
            return false;
        }
        let cur = self.members.get(&u.node).copied();
        let accept = match (u.state, cur) {
            (State::Alive, None) => true,
            (State::Alive, Some(c)) => u.incarnation > c.incarnation,
            (_, None) => false,
            (_, Some(c)) if c.state.gone() => false,
            (State::Suspect, Some(c)) => {
                u.incarnation > c.incarnation || (u.incarnation == c.incarnation && c.state == State::Alive)
            }
            (_, Some(c)) => u.incarnation >= c.incarnation,
        };
        if !accept {
            return false;
        }
        self.put_member(u.node, MemberView { state: u.state, incarnation: u.incarnation });
        match u.state {
            State::Suspect => {
                let at = cx.now + self.params.suspicion_ms(self.group());
                self.agenda.set(Due::Suspicion(u.node), at);
                out.note(|| format!("suspects n{} (incarnation {})", u.node, u.incarnation));
            }
            State::Alive => {
                self.agenda.cancel(&Due::Suspicion(u.node));
                if cur.is_none_or(|c| c.state.gone()) {
                    self.insert_in_order(cx, u.node);
                }
                out.note(|| format!("n{} is alive (incarnation {})", u.node, u.incarnation));
            }
            State::Dead | State::Left => {
                self.agenda.cancel(&Due::Suspicion(u.node));
                out.note(|| format!("learns n{} is {}", u.node, u.state.name()));
            }
        }
        if spread {
            self.broadcast(u);
        }
        true
    }

    fn apply_all(&mut self, cx: &mut Ctx, ups: &[Update], out: &mut Out<Self>) {
        for &u in ups {
            self.apply(cx, u, true, out);
        }
    }

    /// A probe failed (§3.1, §4.2): suspect the target, or, without the
    /// suspicion mechanism, declare it dead at once.
    fn failed(&mut self, cx: &mut Ctx, target: NodeId, out: &mut Out<Self>) {
        let Some(m) = self.members.get(&target).copied() else { return };
        if m.state.gone() {
            return;
        }
        let state = if self.params.suspicion { State::Suspect } else { State::Dead };
        if m.state == state {
            return;
        }
        if state == State::Dead {
            out.milestone(|| format!("declares n{target} dead (no ack)"));
        }
        self.apply(cx, Update { node: target, state, incarnation: m.incarnation }, true, out);
    }

    /// A new protocol period: close the last probe, start the next.
    fn period(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if let Some(p) = self.probe.take() {
            self.agenda.cancel(&Due::ProbeTimeout(p.seq));
            if !p.acked {
                self.failed(cx, p.target, out);
            }
        }
        if let Some(target) = self.next_target(cx) {
            self.seq += 1;
            let seq = self.seq;
            self.probe = Some(Probe { seq, target, acked: false });
            self.agenda.set(Due::ProbeTimeout(seq), cx.now + self.params.probe_timeout_ms);
            let updates = self.piggyback();
            self.send(target, SwimMsg::Ping { seq, updates }, out);
        }
    }

    fn on_due(&mut self, cx: &mut Ctx, due: Due, out: &mut Out<Self>) {
        match due {
            Due::ProbeTimeout(seq) => {
                let Some(p) = self.probe.filter(|p| p.seq == seq && !p.acked) else { return };
                let k = self.params.indirect_checks as usize;
                let relays = self.random_members(cx, k, Some(p.target));
                for r in relays {
                    let updates = self.piggyback();
                    self.send(r, SwimMsg::PingReq { seq, target: p.target, updates }, out);
                }
            }
            Due::Relay(seq) => {
                self.relays.remove(&seq);
            }
            Due::Suspicion(j) => {
                let Some(m) = self.members.get(&j).copied().filter(|m| m.state == State::Suspect) else { return };
                out.milestone(|| format!("confirms n{j} dead (suspected too long)"));
                self.apply(cx, Update { node: j, state: State::Dead, incarnation: m.incarnation }, true, out);
            }
        }
    }

    /// Starts the timers, at a random phase so that members do not probe in step.
    fn start_timers(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let p = self.params.probe_interval_ms;
        out.set_timer(SwimTimer::Period, cx.random_range(1, p));
        let g = self.params.gossip_interval_ms;
        if g > 0 {
            out.set_timer(SwimTimer::Gossip, cx.random_range(1, g));
        }
    }

    /// Announces this member to `contacts`, who answer with their member list.
    fn announce(&mut self, contacts: &[NodeId], out: &mut Out<Self>) {
        let incarnation = self.st.incarnation;
        for &c in contacts {
            self.send(c, SwimMsg::Join { incarnation }, out);
        }
    }

    /// The whole member list, this member included, for a `Sync`.
    fn all_members(&self) -> Vec<Update> {
        let me = Update { node: self.id, state: State::Alive, incarnation: self.st.incarnation };
        let others = self.members.iter().map(|(&node, m)| Update { node, state: m.state, incarnation: m.incarnation });
        std::iter::once(me).chain(others).collect()
    }
}

impl Protocol for Swim {
    const NAME: &'static str = "swim";
    // At 1,000 a run took minutes and most of a gigabyte (every view holds
    // every member); 500 is the size the tests measure.
    const NODES: std::ops::RangeInclusive<usize> = 1..=500;
    const DEFAULT_NODES: usize = 16;

    type Params = SwimParams;
    type Msg = SwimMsg;
    type Timer = SwimTimer;
    type Stable = SwimStable;
    type View = SwimView;

    fn spec() -> Spec {
        Spec {
            summary: "Every member learns who is up without a central monitor: each period it pings one random member, asks k others to try when the ack is late, and spreads suspicions and confirmations piggybacked on its pings.",
            reference: "Das, Gupta, Motivala, SWIM (DSN 2002), §3–4, with hashicorp/memberlist's LAN defaults",
            kinds: &[
                Doc { name: "Ping", doc: "a direct probe of one member, carrying piggybacked membership updates" },
                Doc { name: "PingReq", doc: "an indirect probe: the late prober asks a member to ping the target for it" },
                Doc { name: "Ack", doc: "the answer to a ping (a relay forwards it to the asker)" },
                Doc { name: "Gossip", doc: "memberlist's gossip: pending updates sent to a few random members" },
                Doc { name: "Join", doc: "a joining or restarted member announces itself to a contact" },
                Doc { name: "Sync", doc: "the contact's whole member list, answering a join" },
            ],
            variants: &[
                Variant { name: "no-suspicion", doc: "§3's basic SWIM: a failed probe declares the member dead at once (more false positives)", params: r#"{"suspicion": false}"# },
                Variant { name: "no-indirect", doc: "no ping-req: a single lost ping or ack makes the target suspect", params: r#"{"indirect_checks": 0}"# },
                Variant { name: "piggyback-only", doc: "the paper's dissemination alone: updates ride only on pings, ping-reqs and acks", params: r#"{"gossip_interval_ms": 0}"# },
            ],
            fields: &["incarnation", "members"],
            membership: true,
            layout: Layout::Dots,
            metrics: super::swim_check::METRICS,
            series: &[
                Doc { name: "suspect:<id>", doc: "for each crashed member, the share of live members that hold it suspect" },
                Doc { name: "dead:<id>", doc: "for each crashed member, the share of live members that hold it dead" },
            ],
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, _n: usize, params: &SwimParams, stable: Option<SwimStable>) -> Self {
        Swim {
            id,
            params: params.clone(),
            restarted: stable.is_some(),
            st: stable.unwrap_or_default(),
            members: BTreeMap::new(),
            live: 0,
            changes: 0,
            order: Vec::new(),
            next: 0,
            probe: None,
            seq: 0,
            relays: BTreeMap::new(),
            agenda: Agenda::new(),
            queue: Vec::new(),
            left: false,
            sent: 0,
        }
    }

    fn crash(self) -> SwimStable {
        self.st
    }

    fn stable(&self) -> &SwimStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        for p in cx.peers() {
            self.put_member(p, MemberView { state: State::Alive, incarnation: 0 });
        }
        if self.restarted {
            // Back above anything said about it while it was down.
            self.st.incarnation += 1;
            let inc = self.st.incarnation;
            self.broadcast(Update { node: self.id, state: State::Alive, incarnation: inc });
            let contacts = self.random_members(cx, 3, None);
            self.announce(&contacts, out);
            out.milestone(|| format!("restarts at incarnation {inc}"));
        }
        self.start_timers(cx, out);
    }

    fn on_join(&mut self, cx: &mut Ctx, contact: &[NodeId], out: &mut Out<Self>) {
        let me = self.id;
        for &c in contact.iter().filter(|&&c| c != me) {
            self.put_member(c, MemberView { state: State::Alive, incarnation: 0 });
        }
        let contacts: Vec<NodeId> = self.members.keys().copied().collect();
        self.announce(&contacts, out);
        out.milestone(|| format!("joins through {}", crate::base::text::node_set(contacts.iter().copied())));
        self.start_timers(cx, out);
    }

    fn on_leave(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.left = true;
        let me = Update { node: self.id, state: State::Left, incarnation: self.st.incarnation };
        self.broadcast(me);
        let to = self.random_members(cx, self.params.retransmits(self.group()) as usize, None);
        for t in to {
            let mut updates = self.piggyback();
            if !updates.contains(&me) {
                updates.insert(0, me);
            }
            self.send(t, SwimMsg::Gossip { updates }, out);
        }
        out.milestone(|| "leaves the group".to_string());
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: SwimMsg, out: &mut Out<Self>) {
        match msg {
            SwimMsg::Ping { seq, updates } => {
                self.apply_all(cx, &updates, out);
                let updates = self.piggyback();
                self.send(from, SwimMsg::Ack { seq, updates }, out);
            }
            SwimMsg::PingReq { seq, target, updates } => {
                self.apply_all(cx, &updates, out);
                self.seq += 1;
                let mine = self.seq;
                self.relays.insert(mine, (from, seq));
                self.agenda.set(Due::Relay(mine), cx.now + self.params.probe_interval_ms);
                let updates = self.piggyback();
                self.send(target, SwimMsg::Ping { seq: mine, updates }, out);
            }
            SwimMsg::Ack { seq, updates } => {
                self.apply_all(cx, &updates, out);
                if let Some((asker, their)) = self.relays.remove(&seq) {
                    self.agenda.cancel(&Due::Relay(seq));
                    let updates = self.piggyback();
                    self.send(asker, SwimMsg::Ack { seq: their, updates }, out);
                } else if let Some(p) = self.probe.as_mut().filter(|p| p.seq == seq) {
                    p.acked = true;
                    let p = *p;
                    self.agenda.cancel(&Due::ProbeTimeout(p.seq));
                    if from != p.target {
                        out.note(|| format!("n{} answered through n{from}", p.target));
                    }
                }
            }
            SwimMsg::Gossip { updates } => self.apply_all(cx, &updates, out),
            SwimMsg::Join { incarnation } => {
                self.apply(cx, Update { node: from, state: State::Alive, incarnation }, true, out);
                let members = self.all_members();
                self.send(from, SwimMsg::Sync { members }, out);
            }
            SwimMsg::Sync { members } => {
                for u in members {
                    // Only what concerns this member itself is spread (its refutation).
                    self.apply(cx, u, false, out);
                }
            }
        }
        self.arm(cx, out);
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: SwimTimer, out: &mut Out<Self>) {
        match timer {
            SwimTimer::Period => {
                self.period(cx, out);
                out.set_timer(SwimTimer::Period, self.params.probe_interval_ms);
            }
            SwimTimer::Deadline => {
                while let Some((_, due)) = self.agenda.pop_due(cx.now) {
                    self.on_due(cx, due, out);
                }
            }
            SwimTimer::Gossip => {
                if !self.queue.is_empty() {
                    for t in self.random_members(cx, self.params.gossip_nodes as usize, None) {
                        let updates = self.piggyback();
                        if updates.is_empty() {
                            break;
                        }
                        self.send(t, SwimMsg::Gossip { updates }, out);
                    }
                }
                out.set_timer(SwimTimer::Gossip, self.params.gossip_interval_ms);
            }
        }
        self.arm(cx, out);
    }

    fn on_client_request(&mut self, _cx: &mut Ctx, _value: Value, out: &mut Out<Self>) -> ClientReply {
        out.note(|| "SWIM serves no client requests".to_string());
        ClientReply::Accepted
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        self.period(cx, out);
        out.set_timer(SwimTimer::Period, self.params.probe_interval_ms);
        self.arm(cx, out);
        true
    }

    fn view(&self) -> SwimView {
        SwimView {
            incarnation: self.st.incarnation,
            members: self.members.clone(),
            probing: self.probe.filter(|p| !p.acked).map(|p| p.target),
            pending: self.queue.len(),
            sent: self.sent,
        }
    }

    fn view_down(_id: NodeId, s: &SwimStable) -> SwimView {
        SwimView { incarnation: s.incarnation, members: BTreeMap::new(), probing: None, pending: 0, sent: 0 }
    }
}
