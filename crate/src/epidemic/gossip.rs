//! Gossip, after Demers et al., "Epidemic Algorithms for Replicated
//! Database Maintenance" (PODC 1987).
//!
//! Every node keeps a database of values (its `known` list, in the order it
//! learned them; durable, like the paper's replicated database). A
//! `client_request` at a node is an update there: the node learns the value
//! and starts a *rumor* with it. Time runs in rounds of `interval_ms`, on the
//! same beat at every node (the paper's cycles), and several rumors spread at
//! once.
//!
//! - **Rumor mongering** (§1.4, "complex epidemics"): a node that holds a
//!   rumor *hot* (it is infective) shares it each round with `fanout` random
//!   partners. In `push` mode it sends its hot rumors; in `pull` mode every
//!   node asks its partners for their hot rumors; in `push-pull` both happen
//!   in one exchange. A node that learns a value by rumor holds it hot too.
//! - **Loss of interest** (§1.4): with `feedback`, a contact counts when the
//!   partner already knew the rumor (the partner says so); `blind` counts
//!   every contact. With a `counter` the node stops after `k` counted
//!   contacts; with a `coin` it stops with probability 1/k at each one. A
//!   rumor whose last hot holder stops is over; the share of live nodes it
//!   never reached is the *residue*.
//! - **Anti-entropy** (§1.3): a node exchanges its whole database with one
//!   random partner (push-pull), either every round (`anti-entropy` mode,
//!   no rumors) or every `anti_entropy_ms` as the backstop that §1.5 puts
//!   behind rumor mongering so that the residue, too, learns every value.
//!
//! What survives a crash is the database; which rumors are hot is lost.

use serde::Serialize;

pub use super::gossip_msg::{GossipMsg, GossipParams, GossipTimer, Mode};
use crate::protocol::{ClientReply, Ctx, NetworkDefaults, NodeId, Out, Protocol, Time, Value};
use crate::spec::{Doc, Layout, Spec, Variant};

/// What a node keeps on disk: its database.
#[derive(Clone, Debug, Default)]
pub struct GossipStable {
    /// Every value this node has, in the order it learned them.
    pub known: Vec<Value>,
    /// The same values sorted, for lookups: each message asks whether its
    /// values are known, and scanning a database of thousands was the run's
    /// cost. (A sorted list rather than a tree: checkpoints copy it in one piece.)
    index: Vec<Value>,
}

impl GossipStable {
    /// A database holding `values`, in this order.
    pub fn with_values(values: impl IntoIterator<Item = Value>) -> Self {
        let mut st = GossipStable::default();
        for v in values {
            if !st.knows(&v) {
                st.add(&v);
            }
        }
        st
    }

    pub fn knows(&self, v: &str) -> bool {
        self.index.binary_search_by(|k| (**k).cmp(v)).is_ok()
    }

    fn add(&mut self, v: &Value) {
        self.known.push(v.clone());
        if let Err(at) = self.index.binary_search_by(|k| (**k).cmp(&**v)) {
            self.index.insert(at, v.clone());
        }
    }
}

/// A rumor this node is still spreading, with its count of counted
/// contacts (for the counter).
#[derive(Clone, Debug)]
struct Hot {
    value: Value,
    counted: u64,
}

/// One gossip node.
#[derive(Clone, Debug)]
pub struct Gossip {
    id: NodeId,
    n: usize,
    params: GossipParams,
    mode: Mode,
    st: GossipStable,
    hot: Vec<Hot>,
    /// Messages sent since the node (re)started.
    sent: u64,
    /// Whether the round timer is armed (push mode arms it only while hot).
    ticking: bool,
}

/// The node fields of the scenario format (`known`), and what the page draws.
#[derive(Serialize)]
pub struct GossipView {
    /// Every value the node has, in the order it learned them.
    pub known: Vec<Value>,
    /// The rumors it is still spreading (infective), in the order it learned them.
    pub hot: Vec<Value>,
    /// Messages sent since it (re)started.
    pub sent: u64,
}

impl Gossip {
    pub fn known(&self) -> &[Value] {
        &self.st.known
    }
    /// The rumors this node still spreads.
    pub fn hot(&self) -> impl Iterator<Item = &Value> {
        self.hot.iter().map(|h| &h.value)
    }
    pub fn sent(&self) -> u64 {
        self.sent
    }
    pub fn params(&self) -> &GossipParams {
        &self.params
    }

    fn send(&mut self, to: NodeId, msg: GossipMsg, out: &mut Out<Self>) {
        self.sent += 1;
        out.send(to, msg);
    }

    /// Time until the next multiple of `every` (all nodes share the beat).
    fn beat(now: Time, every: Time) -> Time {
        every - now % every
    }

    fn arm_round(&mut self, cx: &Ctx, out: &mut Out<Self>) {
        if !self.ticking {
            self.ticking = true;
            out.set_timer(GossipTimer::Round, Self::beat(cx.now, self.params.interval_ms));
        }
    }

    /// `count` distinct random partners other than this node.
    fn partners(&self, cx: &mut Ctx, count: u64) -> Vec<NodeId> {
        let others = self.n.saturating_sub(1);
        let want = (count as usize).min(others);
        let mut picked: Vec<NodeId> = Vec::with_capacity(want);
        if want == others {
            return (0..self.n).filter(|&p| p != self.id).collect();
        }
        while picked.len() < want {
            let r = cx.random_range(0, others as u64 - 1) as NodeId;
            let p = if r >= self.id { r + 1 } else { r };
            if !picked.contains(&p) {
                picked.push(p);
            }
        }
        picked
    }

    /// Adds `v` to the database if it is new; returns whether it was. A value
    /// learned by rumor (`hot`) is spread in turn.
    fn learn(&mut self, cx: &Ctx, v: &Value, hot: bool, from: Option<NodeId>, out: &mut Out<Self>) -> bool {
        if self.st.knows(v) {
            return false;
        }
        self.st.add(v);
        if hot && self.mode != Mode::AntiEntropy {
            self.hot.push(Hot { value: v.clone(), counted: 0 });
            self.arm_round(cx, out);
        }
        match from {
            Some(f) => out.note(|| format!("learns \"{v}\" from n{f}")),
            None => out.milestone(|| format!("starts the rumor \"{v}\"")),
        }
        true
    }

    /// One counted contact for hot rumor `v` (§1.4): the counter moves, or
    /// the coin is tossed; the node may lose interest.
    fn count_contact(&mut self, cx: &mut Ctx, v: &str, out: &mut Out<Self>) {
        let Some(i) = self.hot.iter().position(|h| &*h.value == v) else { return };
        let k = self.params.k;
        let stop = if self.params.coin() {
            cx.random_unit() * (k as f64) < 1.0
        } else {
            self.hot[i].counted += 1;
            self.hot[i].counted >= k
        };
        if stop {
            let h = self.hot.remove(i);
            out.note(|| format!("loses interest in \"{}\"", h.value));
        }
    }

    /// A necessary contact for hot rumor `v`: the counter starts again, so
    /// that a node stops after k unnecessary contacts *in a row* (§1.4:
    /// "each unnecessary message was sent by a site that, within the last k
    /// cycles, sent a necessary message").
    fn necessary_contact(&mut self, v: &str) {
        if let Some(h) = self.hot.iter_mut().find(|h| &*h.value == v) {
            h.counted = 0;
        }
    }

    /// Feedback on the rumors this node sent (`pushed`): those in `known`
    /// were unnecessary contacts, the others necessary.
    fn feedback(&mut self, cx: &mut Ctx, pushed: &[Value], known: &[Value], out: &mut Out<Self>) {
        if !self.params.feedback() {
            return;
        }
        for v in pushed {
            if known.contains(v) {
                self.count_contact(cx, v, out);
            } else {
                self.necessary_contact(v);
            }
        }
    }

    fn hot_values(&self) -> Vec<Value> {
        self.hot.iter().map(|h| h.value.clone()).collect()
    }

    /// Blind loss of interest: each hot rumor sent to a partner counts.
    fn blind(&mut self, cx: &mut Ctx, sent: &[Value], out: &mut Out<Self>) {
        if !self.params.feedback() {
            for v in sent {
                self.count_contact(cx, v, out);
            }
        }
    }

    /// One round: contact `fanout` partners the mode's way.
    fn round(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        match self.mode {
            Mode::AntiEntropy => self.anti_entropy(cx, out),
            Mode::Push => {
                for p in self.partners(cx, self.params.fanout) {
                    let rumors = self.hot_values();
                    if rumors.is_empty() {
                        break;
                    }
                    self.send(p, GossipMsg::Push { rumors: rumors.clone() }, out);
                    self.blind(cx, &rumors, out);
                }
            }
            Mode::Pull | Mode::PushPull => {
                for p in self.partners(cx, self.params.fanout) {
                    let have = self.st.known.clone();
                    if self.mode == Mode::Pull {
                        self.send(p, GossipMsg::Pull { have }, out);
                    } else {
                        let rumors = self.hot_values();
                        self.send(p, GossipMsg::PushPull { rumors: rumors.clone(), have }, out);
                        self.blind(cx, &rumors, out);
                    }
                }
            }
        }
    }

    /// §1.3, push-pull: send the whole database to one random partner.
    fn anti_entropy(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if let Some(&p) = self.partners(cx, 1).first() {
            let values = self.st.known.clone();
            self.send(p, GossipMsg::AntiEntropy { values }, out);
        }
    }

    /// The responder's side of a pull or push-pull: its hot rumors the asker
    /// lacks; a hot rumor the asker already has is an unnecessary contact,
    /// which the responder sees at once from `have` (feedback), and with
    /// `blind` every hot rumor offered counts.
    fn answer(&mut self, cx: &mut Ctx, have: &[Value], out: &mut Out<Self>) -> Vec<Value> {
        let mut give = Vec::new();
        for v in self.hot_values() {
            let needed = !have.contains(&v);
            if needed {
                give.push(v.clone());
            }
            if !needed || !self.params.feedback() {
                self.count_contact(cx, &v, out);
            } else {
                self.necessary_contact(&v);
            }
        }
        give
    }
}

impl super::gossip_checker::Spreading for Gossip {
    const MONGERS: bool = true;
    fn known_of(stable: &GossipStable) -> &[Value] {
        &stable.known
    }
    fn hot_values(&self) -> Vec<Value> {
        Gossip::hot_values(self)
    }
    fn hot_count(&self) -> usize {
        self.hot.len()
    }
    fn sent(&self) -> u64 {
        self.sent
    }
    fn round_ms(&self) -> Time {
        self.params.interval_ms
    }
    fn converges(&self) -> bool {
        self.params.anti_entropy()
    }
}

impl Protocol for Gossip {
    const NAME: &'static str = "gossip";
    const NODES: std::ops::RangeInclusive<usize> = 1..=1000;
    const DEFAULT_NODES: usize = 16;

    type Params = GossipParams;
    type Msg = GossipMsg;
    type Timer = GossipTimer;
    type Stable = GossipStable;
    type View = GossipView;

    fn spec() -> Spec {
        Spec {
            summary: "Every replica learns every update by talking to random partners: rumor mongering spreads news fast, anti-entropy makes sure none is missed.",
            reference: "Demers et al., Epidemic Algorithms for Replicated Database Maintenance (PODC 1987), §1.3–1.5",
            kinds: &[
                Doc { name: "Push", doc: "a node sends its hot rumors to a random partner" },
                Doc { name: "Feedback", doc: "the answer to a push: which of the pushed rumors the partner already knew (unnecessary contacts)" },
                Doc { name: "Pull", doc: "a node asks a random partner for the hot rumors it lacks" },
                Doc { name: "PushPull", doc: "a node sends its hot rumors and asks for the partner's" },
                Doc { name: "Reply", doc: "the partner's hot rumors the asker lacked (and, push-pull, which it already knew)" },
                Doc { name: "AntiEntropy", doc: "anti-entropy: a node sends its whole database to a random partner" },
                Doc { name: "AntiEntropyReply", doc: "anti-entropy: the values the initiator lacked" },
            ],
            variants: &[
                Variant { name: "pull", doc: "rumor mongering by pull: every node asks a random partner each round", params: r#"{"mode": "pull"}"#},
                Variant { name: "push-pull", doc: "rumor mongering by push-pull: the fastest of the three", params: r#"{"mode": "push-pull"}"# },
                Variant { name: "anti-entropy", doc: "no rumors: every round each node exchanges whole states with one partner", params: r#"{"mode": "anti-entropy"}"# },
                Variant { name: "blind-coin", doc: "blind loss of interest with a coin: a large residue never hears the rumor", params: r#"{"loss": "blind", "stop": "coin"}"# },
                Variant { name: "backstop", doc: "rumor mongering with an anti-entropy backstop every 10 rounds: the residue learns too", params: r#"{"anti_entropy_ms": 1000}"# },
            ],
            fields: &["known", "hot"],
            layout: Layout::Dots,
            liveness: "with anti-entropy (as the mode or a backstop), once faults stop every live node learns every injected value",
            metrics: &[
                Doc { name: "rumors", doc: "values injected by client requests" },
                Doc { name: "rounds_to_full_spread", doc: "rounds from a rumor's injection until every live node knew it (the slowest rumor; null until all did)" },
                Doc { name: "ms_to_full_spread", doc: "the same in milliseconds" },
                Doc { name: "messages_per_node", doc: "messages sent, divided by the number of nodes" },
                Doc { name: "residue", doc: "the share of live nodes a rumor never reached when its mongering stopped (mean over stopped rumors; null while none has)" },
                Doc { name: "spreading", doc: "rumors still being mongered: some live node held one hot within the last round" },
            ],
            series: &[Doc { name: "known:<value>", doc: "the share of live nodes that know each injected value" }],
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, n: usize, params: &GossipParams, stable: Option<GossipStable>) -> Self {
        Gossip {
            id,
            n,
            mode: params.mode(),
            params: params.clone(),
            st: stable.unwrap_or_default(),
            hot: Vec::new(),
            sent: 0,
            ticking: false,
        }
    }

    fn crash(self) -> GossipStable {
        self.st
    }

    fn stable(&self) -> &GossipStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        if self.mode != Mode::Push {
            self.arm_round(cx, out);
        }
        if self.params.anti_entropy_ms > 0 {
            out.set_timer(GossipTimer::AntiEntropy, Self::beat(cx.now, self.params.anti_entropy_ms));
        }
    }

    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: GossipMsg, out: &mut Out<Self>) {
        match msg {
            GossipMsg::Push { rumors } => {
                let known: Vec<Value> =
                    rumors.iter().filter(|v| !self.learn(cx, v, true, Some(from), out)).cloned().collect();
                if self.params.feedback() {
                    self.send(from, GossipMsg::Feedback { rumors, known }, out);
                }
            }
            GossipMsg::Feedback { rumors, known } => self.feedback(cx, &rumors, &known, out),
            GossipMsg::Pull { have } => {
                let rumors = self.answer(cx, &have, out);
                if !rumors.is_empty() {
                    self.send(from, GossipMsg::Reply { rumors, pushed: Vec::new(), known: Vec::new() }, out);
                }
            }
            GossipMsg::PushPull { rumors: pushed, have } => {
                let rumors = self.answer(cx, &have, out);
                let known: Vec<Value> =
                    pushed.iter().filter(|v| !self.learn(cx, v, true, Some(from), out)).cloned().collect();
                let pushed = if self.params.feedback() { pushed } else { Vec::new() };
                if !rumors.is_empty() || !pushed.is_empty() {
                    self.send(from, GossipMsg::Reply { rumors, pushed, known }, out);
                }
            }
            GossipMsg::Reply { rumors, pushed, known } => {
                for v in &rumors {
                    self.learn(cx, v, true, Some(from), out);
                }
                self.feedback(cx, &pushed, &known, out);
            }
            GossipMsg::AntiEntropy { values } => {
                let missing: Vec<Value> = self.st.known.iter().filter(|v| !values.contains(v)).cloned().collect();
                for v in &values {
                    self.learn(cx, v, false, Some(from), out);
                }
                if !missing.is_empty() {
                    self.send(from, GossipMsg::AntiEntropyReply { values: missing }, out);
                }
            }
            GossipMsg::AntiEntropyReply { values } => {
                for v in &values {
                    self.learn(cx, v, false, Some(from), out);
                }
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Ctx, timer: GossipTimer, out: &mut Out<Self>) {
        match timer {
            GossipTimer::Round => {
                self.ticking = false;
                self.round(cx, out);
                if self.mode != Mode::Push || !self.hot.is_empty() {
                    self.arm_round(cx, out);
                }
            }
            GossipTimer::AntiEntropy => {
                self.anti_entropy(cx, out);
                out.set_timer(GossipTimer::AntiEntropy, Self::beat(cx.now, self.params.anti_entropy_ms));
            }
        }
    }

    fn on_client_request(&mut self, cx: &mut Ctx, value: Value, out: &mut Out<Self>) -> ClientReply {
        if !self.learn(cx, &value, true, None, out) {
            out.note(|| format!("already knows \"{value}\""));
        }
        ClientReply::Accepted
    }

    fn on_timeout_now(&mut self, cx: &mut Ctx, out: &mut Out<Self>) -> bool {
        if self.mode == Mode::Push && self.hot.is_empty() {
            return false;
        }
        self.round(cx, out);
        true
    }

    fn view(&self) -> GossipView {
        GossipView { known: self.st.known.clone(), hot: self.hot_values(), sent: self.sent }
    }

    fn view_down(_id: NodeId, s: &GossipStable) -> GossipView {
        GossipView { known: s.known.clone(), hot: Vec::new(), sent: 0 }
    }
}
