//! The engine both failure detectors share: every node sends a heartbeat
//! to every other node every `interval_ms`, notes when each arrives, and
//! every `check_ms` asks its [`Rule`] whether each peer is to be suspected.
//! The rule is a fixed timeout ([`Fixed`], `heartbeat`) or the φ accrual
//! level of Hayashibara et al. 2004 ([`Phi`], `phi-accrual`). A heartbeat
//! from a suspected peer ends the suspicion at once (the detector is
//! unreliable in Chandra & Toueg's sense: it may be wrong, and corrects
//! itself).
//!
//! Nothing is durable: a restarted node knows no history and takes its boot
//! time as the last time it heard each peer.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::rc::Rc;

use serde::Serialize;

use super::msg::{DetectMsg, DetectTimer, HeartbeatParams, PhiParams};
use super::phi::{Window, phi};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Params, Protocol, Time};
use crate::spec::Spec;

/// How a detector decides (the part `heartbeat` and `phi-accrual` differ in).
pub trait Rule: Clone + Debug + 'static {
    const NAME: &'static str;
    type Params: Params;
    fn spec() -> Spec;
    fn interval_ms(p: &Self::Params) -> Time;
    fn check_ms(p: &Self::Params) -> Time;
    /// A fresh window of arrivals for one peer.
    fn window(p: &Self::Params) -> Window;
    /// The suspicion level of a peer last heard `gap_ms` ago (ms for a
    /// fixed timeout, φ for accrual), and the level above which it is suspected.
    fn level(p: &Self::Params, w: &Window, gap_ms: Time) -> f64;
    fn threshold(p: &Self::Params) -> f64;
}

/// `heartbeat`: suspect a peer not heard from for more than `timeout_ms`.
#[derive(Clone, Debug)]
pub struct Fixed;

/// `phi-accrual`: suspect a peer whose φ exceeds `threshold`.
#[derive(Clone, Debug)]
pub struct Phi;

impl Rule for Fixed {
    const NAME: &'static str = "heartbeat";
    type Params = HeartbeatParams;
    fn spec() -> Spec {
        super::spec_heartbeat()
    }
    fn interval_ms(p: &HeartbeatParams) -> Time {
        p.interval_ms
    }
    fn check_ms(p: &HeartbeatParams) -> Time {
        p.check_ms
    }
    fn window(_p: &HeartbeatParams) -> Window {
        Window::default()
    }
    fn level(_p: &HeartbeatParams, _w: &Window, gap_ms: Time) -> f64 {
        gap_ms as f64
    }
    fn threshold(p: &HeartbeatParams) -> f64 {
        p.timeout_ms as f64
    }
}

impl Rule for Phi {
    const NAME: &'static str = "phi-accrual";
    type Params = PhiParams;
    fn spec() -> Spec {
        super::spec_phi()
    }
    fn interval_ms(p: &PhiParams) -> Time {
        p.interval_ms
    }
    fn check_ms(p: &PhiParams) -> Time {
        p.check_ms
    }
    fn window(p: &PhiParams) -> Window {
        Window::seeded(p)
    }
    fn level(p: &PhiParams, w: &Window, gap_ms: Time) -> f64 {
        phi(p, w, gap_ms)
    }
    fn threshold(p: &PhiParams) -> f64 {
        p.threshold
    }
}

/// Nothing survives a crash.
#[derive(Clone, Debug, Default)]
pub struct Nothing;

/// What a node knows of one peer.
#[derive(Clone, Debug)]
struct Peer {
    /// When its last heartbeat arrived (the node's boot time before any).
    last_ms: Time,
    window: Window,
    suspected: bool,
    /// The level at the last check.
    level: f64,
}

/// One node running a failure detector with rule `R`.
#[derive(Clone, Debug)]
pub struct Detector<R: Rule> {
    params: R::Params,
    peers: BTreeMap<NodeId, Peer>,
    seq: u64,
    sent: u64,
    checked_ms: Time,
}

/// `heartbeat`, a fixed-timeout detector.
pub type Heartbeat = Detector<Fixed>;
/// `phi-accrual`, Hayashibara et al.'s φ accrual detector.
pub type PhiAccrual = Detector<Phi>;

/// The node fields of the scenario format (`suspects`; `phi-accrual` adds
/// `phi`), and what the page draws.
#[derive(Serialize)]
pub struct DetectView {
    /// Peers this node suspects now, ascending.
    pub suspects: Vec<NodeId>,
    /// φ per peer at the last check (`phi-accrual` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phi: Option<BTreeMap<NodeId, f64>>,
    /// Milliseconds since each peer's last heartbeat, at the last check.
    pub since_ms: BTreeMap<NodeId, Time>,
    /// The level above which a peer is suspected (ms or φ).
    pub threshold: f64,
    /// Heartbeats sent since the node (re)started.
    pub sent: u64,
}

impl<R: Rule> Detector<R> {
    pub fn params(&self) -> &R::Params {
        &self.params
    }
    pub fn sent(&self) -> u64 {
        self.sent
    }
    /// The peers this node suspects now, ascending.
    pub fn suspects(&self) -> Vec<NodeId> {
        self.peers.iter().filter(|(_, p)| p.suspected).map(|(&i, _)| i).collect()
    }
    /// Milliseconds since `peer`'s last heartbeat, at `now`.
    pub fn gap_at(&self, now: Time, peer: NodeId) -> Option<Time> {
        self.peers.get(&peer).map(|p| now.saturating_sub(p.last_ms))
    }
    /// `peer`'s suspicion level (ms or φ) at `now`.
    pub fn level_at(&self, now: Time, peer: NodeId) -> Option<f64> {
        self.peers.get(&peer).map(|p| R::level(&self.params, &p.window, now.saturating_sub(p.last_ms)))
    }
    /// The window of inter-arrival times kept for `peer`.
    pub fn window(&self, peer: NodeId) -> Option<&Window> {
        self.peers.get(&peer).map(|p| &p.window)
    }

    fn beat(&mut self, out: &mut Out<Self>) {
        self.seq += 1;
        let ids: Vec<NodeId> = self.peers.keys().copied().collect();
        for to in ids {
            self.sent += 1;
            out.send(to, DetectMsg::Heartbeat { seq: self.seq });
        }
    }

    /// Re-evaluates `peer` at `now`; notes a change of mind.
    fn judge(&mut self, now: Time, peer: NodeId, out: &mut Out<Self>) {
        let threshold = R::threshold(&self.params);
        let Some(p) = self.peers.get_mut(&peer) else { return };
        p.level = R::level(&self.params, &p.window, now.saturating_sub(p.last_ms));
        let suspect = p.level > threshold;
        if suspect != p.suspected {
            p.suspected = suspect;
            let gap = now.saturating_sub(p.last_ms);
            if suspect {
                out.milestone(|| format!("suspects n{peer} (silent {gap} ms)"));
            } else {
                out.note(|| format!("trusts n{peer} again"));
            }
        }
    }

    fn check(&mut self, now: Time, out: &mut Out<Self>) {
        self.checked_ms = now;
        let ids: Vec<NodeId> = self.peers.keys().copied().collect();
        for peer in ids {
            self.judge(now, peer, out);
        }
    }
}

impl<R: Rule> Protocol for Detector<R> {
    const NAME: &'static str = R::NAME;
    const NODES: std::ops::RangeInclusive<usize> = 2..=25;
    const DEFAULT_NODES: usize = 5;

    type Params = R::Params;
    type Msg = DetectMsg;
    type Timer = DetectTimer;
    type Stable = Nothing;
    type View = DetectView;

    fn spec() -> Spec {
        R::spec()
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(_id: NodeId, _n: usize, params: &R::Params, _stable: Option<Nothing>) -> Self {
        Detector { params: params.clone(), peers: BTreeMap::new(), seq: 0, sent: 0, checked_ms: 0 }
    }

    fn crash(self) -> Nothing {
        Nothing
    }

    fn stable(&self) -> &Nothing {
        &Nothing
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        let window = R::window(&self.params);
        self.peers = cx
            .peers()
            .map(|p| (p, Peer { last_ms: cx.now, window: window.clone(), suspected: false, level: 0.0 }))
            .collect();
        self.checked_ms = cx.now;
        // Nodes do not beat in step: each starts at its own offset.
        let every = R::interval_ms(&self.params);
        out.set_timer(DetectTimer::Beat, cx.random_range(1, every));
        out.set_timer(DetectTimer::Check, R::check_ms(&self.params));
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: DetectMsg, out: &mut Out<Self>) {
        let DetectMsg::Heartbeat { .. } = msg;
        let Some(p) = self.peers.get_mut(&from) else { return };
        let gap = cx.now.saturating_sub(p.last_ms);
        p.window.push(gap as f64);
        p.last_ms = cx.now;
        self.judge(cx.now, from, out);
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: DetectTimer, out: &mut Out<Self>) {
        match timer {
            DetectTimer::Beat => {
                self.beat(out);
                out.set_timer(DetectTimer::Beat, R::interval_ms(&self.params));
            }
            DetectTimer::Check => {
                self.check(cx.now, out);
                out.set_timer(DetectTimer::Check, R::check_ms(&self.params));
            }
        }
    }

    fn on_client_request(&mut self, _cx: &mut Ctx, _value: Rc<str>, out: &mut Out<Self>) -> ClientReply {
        out.note(|| "a failure detector takes no client requests".to_string());
        ClientReply::Accepted
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        self.beat(out);
        self.check(cx.now, out);
        true
    }

    fn view(&self) -> DetectView {
        let phi = (R::NAME == Phi::NAME).then(|| self.peers.iter().map(|(&i, p)| (i, p.level)).collect());
        DetectView {
            suspects: self.suspects(),
            phi,
            since_ms: self.peers.iter().map(|(&i, p)| (i, self.checked_ms.saturating_sub(p.last_ms))).collect(),
            threshold: R::threshold(&self.params),
            sent: self.sent,
        }
    }

    fn view_down(_id: NodeId, _s: &Nothing) -> DetectView {
        let phi = (R::NAME == Phi::NAME).then(BTreeMap::new);
        DetectView { suspects: Vec::new(), phi, since_ms: BTreeMap::new(), threshold: 0.0, sent: 0 }
    }
}
