//! Where a protocol's types are erased, so that the simulator, the engine
//! glue and the wasm facade are compiled once for all protocols instead of
//! once per protocol (which would multiply the size of the page's module).
//!
//! Engines are still written against the typed [`Protocol`] trait. An
//! [`Adapter`] wraps one node's engine behind the object-safe [`AnyNode`];
//! messages wait, unboxed, in their protocol's [`Mailbox`] under their id;
//! timers become small ids; a
//! protocol's static facts (name, sizes, parameters, crash-time state, views,
//! checker) come from its [`AnyProtocol`] descriptor.

use std::any::Any;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::ops::RangeInclusive;
use std::rc::Rc;

use serde::Serialize;

use std::collections::BTreeMap;

use crate::invariant::{Checker, Figures, NodeRef, Nodes, Violation};
use crate::kv::{KvResult, Store};
use crate::params::{ParamDoc, ParamReader};
use crate::protocol::{
    ClientOp, ClientReply, Ctx, Effect, Message, NetworkDefaults, NodeId, Out, Params, Protocol, Time, TimerName, Value,
};
use crate::scenario::{Event, Scenario, ScenarioError};
use crate::sim::flight::Window;
use crate::spec::{Command, Spec};

/// An armed timer, numbered by the node that set it (never reused while the
/// node runs).
pub type TimerId = u64;

/// Writes `v` in the encoding the trace digest uses: bincode with
/// fixed-width little-endian integers. Every message sent goes through here,
/// and fixed widths are copied whole where varints are written a byte at a
/// time, which made this the engine's single largest cost.
pub fn encode<T: Serialize + ?Sized>(v: &T, buf: &mut Vec<u8>) {
    struct Append<'a>(&'a mut Vec<u8>);
    impl bincode::enc::write::Writer for Append<'_> {
        #[inline(always)]
        fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
    }
    let config = bincode::config::standard().with_fixed_int_encoding();
    // Writing to a Vec cannot fail; a type serde cannot encode is not ours.
    let _ = bincode::serde::encode_into_writer(v, Append(buf), config);
}

/// The payloads of a run's messages on the wire, stored unboxed in their
/// protocol's own type and keyed by message id (in step with the world's
/// flight table).
pub trait AnyMailbox {
    fn kind(&self, id: u64) -> &'static str;
    fn label(&self, id: u64) -> String;
    /// Appends the message's encoding, for the trace digest.
    fn encode(&self, id: u64, buf: &mut Vec<u8>);
    /// Appends the message's payload as a JSON object (its fields, with its
    /// variant under `type`), for the page's message card; false when `id`
    /// is not on the wire.
    fn fields_json(&self, id: u64, buf: &mut Vec<u8>) -> bool;
    /// [`crate::protocol::Message::latest_only`] of message `id`.
    fn latest_only(&self, id: u64) -> bool;
    /// Adds a copy of message `id` under the next id.
    fn duplicate(&mut self, id: u64);
    fn remove(&mut self, id: u64);
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn clone_box(&self) -> Box<dyn AnyMailbox>;
}

/// A protocol's mailbox.
#[derive(Clone)]
pub struct Mailbox<M>(pub Window<M>);

impl<M: Message + 'static> AnyMailbox for Mailbox<M> {
    fn kind(&self, id: u64) -> &'static str {
        self.0.get(id).map_or("?", Message::kind)
    }
    fn label(&self, id: u64) -> String {
        self.0.get(id).map(Message::label).unwrap_or_default()
    }
    fn encode(&self, id: u64, buf: &mut Vec<u8>) {
        if let Some(m) = self.0.get(id) {
            encode(m, buf);
        }
    }
    fn fields_json(&self, id: u64, buf: &mut Vec<u8>) -> bool {
        self.0.get(id).is_some_and(|m| serde_json::to_writer(buf, m).is_ok())
    }
    fn latest_only(&self, id: u64) -> bool {
        self.0.get(id).is_some_and(Message::latest_only)
    }
    fn duplicate(&mut self, id: u64) {
        if let Some(m) = self.0.get(id).cloned() {
            self.0.push(m);
        }
    }
    fn remove(&mut self, id: u64) {
        self.0.remove(id);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn clone_box(&self) -> Box<dyn AnyMailbox> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn AnyMailbox> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// What a crashed node keeps.
pub trait AnyStable: Any + Debug {
    fn clone_box(&self) -> Box<dyn AnyStable>;
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Clone + Debug + 'static> AnyStable for T {
    fn clone_box(&self) -> Box<dyn AnyStable> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// An effect with the protocol's types erased. A send's message waits in
/// the node's outbox (at `slot`) until the world gives it an id.
#[derive(Clone)]
pub enum AnyEffect {
    Send { to: NodeId, slot: usize },
    SetTimer { timer: TimerId, after_ms: Time },
    CancelTimer { timer: TimerId },
    Note { text: String, milestone: bool },
    Reply { op: u64, result: KvResult },
}

/// One node's engine, whatever its protocol.
pub trait AnyNode {
    fn on_start(&mut self, cx: &mut Ctx, recording: bool, out: &mut Vec<AnyEffect>);
    /// Handles message `id`, taken from the mailbox.
    fn on_message(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        mail: &mut dyn AnyMailbox,
        id: u64,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    );
    /// Moves the message waiting at `slot` of the outbox into the mailbox,
    /// under the mailbox's next id.
    fn post(&mut self, slot: usize, mail: &mut dyn AnyMailbox);
    fn on_timer(&mut self, cx: &mut Ctx, timer: TimerId, recording: bool, out: &mut Vec<AnyEffect>);
    fn on_client_request(
        &mut self,
        cx: &mut Ctx,
        value: Value,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) -> ClientReply;
    fn on_timeout_now(&mut self, cx: &mut Ctx, recording: bool, out: &mut Vec<AnyEffect>) -> bool;
    fn on_join(&mut self, cx: &mut Ctx, contact: &[NodeId], recording: bool, out: &mut Vec<AnyEffect>);
    fn on_leave(&mut self, cx: &mut Ctx, recording: bool, out: &mut Vec<AnyEffect>);
    fn on_command(
        &mut self,
        cx: &mut Ctx,
        cmd: &Command,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) -> Result<ClientReply, String>;
    fn on_client_op(
        &mut self,
        cx: &mut Ctx,
        op: Rc<ClientOp>,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) -> ClientReply;
    fn store(&self) -> Option<&Store>;
    fn holds(&self, key: &str) -> bool;
    fn crash(self: Box<Self>) -> Box<dyn AnyStable>;
    fn timer_name(&self, timer: TimerId) -> &'static str;
    /// Appends the timer's encoding, for the trace digest.
    fn encode_timer(&self, timer: TimerId, buf: &mut Vec<u8>);
    /// Appends the node's view as a JSON object.
    fn view_json(&self, buf: &mut Vec<u8>);
    fn as_any(&self) -> &dyn Any;
    fn clone_box(&self) -> Box<dyn AnyNode>;
}

/// A node slot: running, crashed with what it kept, or absent (not a
/// member: never joined, or left), standing on an empty stable state.
pub enum Slot {
    Up(Box<dyn AnyNode>),
    Down(Box<dyn AnyStable>),
    Absent(Rc<dyn AnyStable>),
}

impl Clone for Slot {
    fn clone(&self) -> Self {
        match self {
            Slot::Up(n) => Slot::Up(AnyNode::clone_box(&**n)),
            Slot::Down(s) => Slot::Down(AnyStable::clone_box(&**s)),
            Slot::Absent(s) => Slot::Absent(s.clone()),
        }
    }
}

/// A protocol's checker, whatever its protocol.
pub trait AnyChecker {
    fn check(&mut self, now: Time, changed: NodeId, slots: &[Slot], out: &mut Vec<Violation>);
    fn on_event(&mut self, now: Time, event: &Event);
    fn metrics(&self, now: Time, slots: &[Slot], out: &mut Figures);
    fn sample(&self, now: Time, slots: &[Slot], out: &mut Figures);
    fn liveness(&self, since: Time, now: Time, slots: &[Slot]) -> Option<String>;
    fn looks(&self, now: Time, slots: &[Slot], out: &mut crate::invariant::Looks);
    fn curves(&self, now: Time, slots: &[Slot], out: &mut Vec<crate::invariant::Curve>);
    fn clone_box(&self) -> Box<dyn AnyChecker>;
}

impl Clone for Box<dyn AnyChecker> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// A protocol's static facts and constructors.
pub trait AnyProtocol {
    fn name(&self) -> &'static str;
    fn nodes(&self) -> RangeInclusive<usize>;
    fn default_nodes(&self) -> usize;
    fn spec(&self) -> Spec;
    /// Every parameter with its doc, type and default.
    fn param_docs(&self) -> Vec<ParamDoc>;
    /// The default parameters, written out by serde (to check that every
    /// field is named for the reader).
    fn default_params_json(&self) -> serde_json::Value;
    fn network_defaults(&self) -> NetworkDefaults;
    /// Parses and validates the scenario's `params`.
    fn params(&self, scenario: &Scenario) -> Result<Rc<dyn Any>, ScenarioError>;
    fn boot(&self, id: NodeId, nodes: usize, params: &dyn Any, stable: Option<Box<dyn AnyStable>>) -> Box<dyn AnyNode>;
    /// The stable state of a node that keeps nothing (an absent node).
    fn empty_stable(&self) -> Rc<dyn AnyStable>;
    /// Appends the view of a crashed (or absent) node as a JSON object.
    fn view_down_json(&self, id: NodeId, stable: &dyn AnyStable, buf: &mut Vec<u8>);
    fn mailbox(&self) -> Box<dyn AnyMailbox>;
}

/// One node's typed engine behind [`AnyNode`].
#[derive(Clone)]
pub struct Adapter<P: Protocol> {
    pub(crate) p: P,
    /// Armed timers: each distinct timer value has one id while armed.
    armed: BTreeMap<P::Timer, TimerId>,
    by_id: BTreeMap<TimerId, P::Timer>,
    next_timer: TimerId,
    scratch: Vec<Effect<P>>,
    /// Messages of the last handler run, until the world posts them.
    outbox: Vec<Option<P::Msg>>,
}

impl<P: Protocol> Adapter<P> {
    fn new(p: P) -> Self {
        Adapter {
            p,
            armed: BTreeMap::new(),
            by_id: BTreeMap::new(),
            next_timer: 0,
            scratch: Vec::new(),
            outbox: Vec::new(),
        }
    }

    /// The id of an armed timer, or a new one.
    fn arm(&mut self, t: P::Timer) -> TimerId {
        if let Some(&id) = self.armed.get(&t) {
            return id;
        }
        let id = self.next_timer;
        self.next_timer += 1;
        self.by_id.insert(id, t.clone());
        self.armed.insert(t, id);
        id
    }

    fn disarm(&mut self, id: TimerId) -> Option<P::Timer> {
        let t = self.by_id.remove(&id)?;
        self.armed.remove(&t);
        Some(t)
    }

    /// Runs a handler with a typed `Out` and hands its effects on, erased.
    fn run<R>(&mut self, recording: bool, out: &mut Vec<AnyEffect>, f: impl FnOnce(&mut P, &mut Out<P>) -> R) -> R {
        let mut typed = Out { effects: std::mem::take(&mut self.scratch), recording };
        let r = f(&mut self.p, &mut typed);
        let mut effects = typed.effects;
        self.outbox.clear();
        for e in effects.drain(..) {
            out.push(match e {
                Effect::Send { to, msg } => {
                    self.outbox.push(Some(msg));
                    AnyEffect::Send { to, slot: self.outbox.len() - 1 }
                }
                Effect::SetTimer { timer, after_ms } => AnyEffect::SetTimer { timer: self.arm(timer), after_ms },
                Effect::CancelTimer { timer } => match self.armed.get(&timer) {
                    Some(&id) => {
                        self.disarm(id);
                        AnyEffect::CancelTimer { timer: id }
                    }
                    None => continue,
                },
                Effect::Note { text, milestone } => AnyEffect::Note { text, milestone },
                Effect::Reply { op, result } => AnyEffect::Reply { op, result },
            });
        }
        self.scratch = effects;
        r
    }
}

impl<P: Protocol> AnyNode for Adapter<P> {
    fn on_start(&mut self, cx: &mut Ctx, recording: bool, out: &mut Vec<AnyEffect>) {
        self.run(recording, out, |p, o| p.on_start(cx, o));
    }
    fn on_message(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        mail: &mut dyn AnyMailbox,
        id: u64,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) {
        // Every message in a run comes from the same protocol.
        let msg = mail.as_any_mut().downcast_mut::<Mailbox<P::Msg>>().and_then(|m| m.0.remove(id));
        if let Some(msg) = msg {
            self.run(recording, out, |p, o| p.on_message(cx, from, msg, o));
        }
    }
    fn post(&mut self, slot: usize, mail: &mut dyn AnyMailbox) {
        let msg = self.outbox.get_mut(slot).and_then(Option::take);
        if let (Some(msg), Some(mail)) = (msg, mail.as_any_mut().downcast_mut::<Mailbox<P::Msg>>()) {
            mail.0.push(msg);
        }
    }
    fn on_timer(&mut self, cx: &mut Ctx, timer: TimerId, recording: bool, out: &mut Vec<AnyEffect>) {
        if let Some(t) = self.disarm(timer) {
            self.run(recording, out, |p, o| p.on_timer(cx, t, o));
        }
    }
    fn on_client_request(
        &mut self,
        cx: &mut Ctx,
        value: Value,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) -> ClientReply {
        self.run(recording, out, |p, o| p.on_client_request(cx, value, o))
    }
    fn on_timeout_now(&mut self, cx: &mut Ctx, recording: bool, out: &mut Vec<AnyEffect>) -> bool {
        self.run(recording, out, |p, o| p.on_timeout_now(cx, o))
    }
    fn on_join(&mut self, cx: &mut Ctx, contact: &[NodeId], recording: bool, out: &mut Vec<AnyEffect>) {
        self.run(recording, out, |p, o| p.on_join(cx, contact, o));
    }
    fn on_leave(&mut self, cx: &mut Ctx, recording: bool, out: &mut Vec<AnyEffect>) {
        self.run(recording, out, |p, o| p.on_leave(cx, o));
    }
    fn on_command(
        &mut self,
        cx: &mut Ctx,
        cmd: &Command,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) -> Result<ClientReply, String> {
        self.run(recording, out, |p, o| p.on_command(cx, cmd, o))
    }
    fn on_client_op(
        &mut self,
        cx: &mut Ctx,
        op: Rc<ClientOp>,
        recording: bool,
        out: &mut Vec<AnyEffect>,
    ) -> ClientReply {
        self.run(recording, out, |p, o| p.on_client_op(cx, op, o))
    }
    fn store(&self) -> Option<&Store> {
        self.p.store()
    }
    fn holds(&self, key: &str) -> bool {
        self.p.holds(key)
    }
    fn crash(self: Box<Self>) -> Box<dyn AnyStable> {
        Box::new(self.p.crash())
    }
    fn timer_name(&self, timer: TimerId) -> &'static str {
        self.by_id.get(&timer).map_or("timer", |t| t.name())
    }
    fn encode_timer(&self, timer: TimerId, buf: &mut Vec<u8>) {
        if let Some(t) = self.by_id.get(&timer) {
            encode(t, buf);
        }
    }
    fn view_json(&self, buf: &mut Vec<u8>) {
        let _ = serde_json::to_writer(buf, &self.p.view());
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn clone_box(&self) -> Box<dyn AnyNode> {
        Box::new(self.clone())
    }
}

/// A protocol's descriptor: a zero-sized value standing for `P`.
pub struct Descriptor<P>(PhantomData<fn() -> P>);

/// The descriptor of protocol `P`.
pub fn descriptor<P: Protocol>() -> &'static dyn AnyProtocol {
    // Zero-sized: leaking it allocates nothing.
    Box::leak(Box::new(Descriptor::<P>(PhantomData)))
}

impl<P: Protocol> AnyProtocol for Descriptor<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }
    fn nodes(&self) -> RangeInclusive<usize> {
        P::NODES
    }
    fn default_nodes(&self) -> usize {
        P::DEFAULT_NODES
    }
    fn spec(&self) -> Spec {
        P::spec()
    }
    fn param_docs(&self) -> Vec<ParamDoc> {
        crate::params::describe::<P::Params>()
    }
    fn default_params_json(&self) -> serde_json::Value {
        serde_json::to_value(P::Params::default()).unwrap_or(serde_json::Value::Null)
    }
    fn network_defaults(&self) -> NetworkDefaults {
        P::network_defaults()
    }
    fn params(&self, scenario: &Scenario) -> Result<Rc<dyn Any>, ScenarioError> {
        let mut params = P::Params::default();
        let mut reader = ParamReader::new(&scenario.params, scenario.nodes);
        params.fields(&mut reader)?;
        reader.finish()?;
        params.validate(scenario.nodes).map_err(|m| ScenarioError::new("params", m))?;
        Ok(Rc::new(params))
    }
    fn boot(&self, id: NodeId, nodes: usize, params: &dyn Any, stable: Option<Box<dyn AnyStable>>) -> Box<dyn AnyNode> {
        let stable = stable.and_then(|s| AnyStable::into_any(s).downcast::<P::Stable>().ok()).map(|s| *s);
        let p = match params.downcast_ref::<P::Params>() {
            Some(params) => P::boot(id, nodes, params, stable),
            None => P::boot(id, nodes, &P::Params::default(), stable),
        };
        Box::new(Adapter::<P>::new(p))
    }
    fn empty_stable(&self) -> Rc<dyn AnyStable> {
        Rc::new(P::Stable::default())
    }
    fn view_down_json(&self, id: NodeId, stable: &dyn AnyStable, buf: &mut Vec<u8>) {
        if let Some(s) = AnyStable::as_any(stable).downcast_ref::<P::Stable>() {
            let _ = serde_json::to_writer(buf, &P::view_down(id, s));
        } else {
            buf.extend_from_slice(b"{}");
        }
    }
    fn mailbox(&self) -> Box<dyn AnyMailbox> {
        Box::new(Mailbox::<P::Msg>(Window::default()))
    }
}

/// Checker `C` of protocol `P`, behind [`AnyChecker`].
pub struct TypedChecker<P: Protocol, C: Checker<P>>(pub C, PhantomData<fn() -> P>);

impl<P: Protocol, C: Checker<P>> Clone for TypedChecker<P, C> {
    fn clone(&self) -> Self {
        TypedChecker(self.0.clone(), PhantomData)
    }
}

/// A fresh checker `C` of protocol `P`, erased.
pub fn checker<P: Protocol, C: Checker<P>>() -> Box<dyn AnyChecker> {
    Box::new(TypedChecker::<P, C>(C::default(), PhantomData))
}

/// Runs `f` with the run's nodes, typed for `P` as each is asked for (a
/// downcast: cheaper than filling a cache of a thousand nodes every step).
fn with_nodes<P: Protocol, R>(slots: &[Slot], f: impl FnOnce(&dyn Nodes<P>) -> R) -> R {
    f(&SlotNodes::<P> { slots, _p: PhantomData })
}

impl<P: Protocol, C: Checker<P>> AnyChecker for TypedChecker<P, C> {
    fn check(&mut self, now: Time, changed: NodeId, slots: &[Slot], out: &mut Vec<Violation>) {
        let c = &mut self.0;
        with_nodes::<P, _>(slots, |nodes| c.check(now, changed, nodes, out));
    }
    fn on_event(&mut self, now: Time, event: &Event) {
        self.0.on_event(now, event);
    }
    fn metrics(&self, now: Time, slots: &[Slot], out: &mut Figures) {
        with_nodes::<P, _>(slots, |nodes| self.0.metrics(now, nodes, out));
    }
    fn sample(&self, now: Time, slots: &[Slot], out: &mut Figures) {
        with_nodes::<P, _>(slots, |nodes| self.0.sample(now, nodes, out));
    }
    fn liveness(&self, since: Time, now: Time, slots: &[Slot]) -> Option<String> {
        with_nodes::<P, _>(slots, |nodes| self.0.liveness(since, now, nodes))
    }
    fn looks(&self, now: Time, slots: &[Slot], out: &mut crate::invariant::Looks) {
        with_nodes::<P, _>(slots, |nodes| self.0.looks(now, nodes, out));
    }
    fn curves(&self, now: Time, slots: &[Slot], out: &mut Vec<crate::invariant::Curve>) {
        with_nodes::<P, _>(slots, |nodes| self.0.curves(now, nodes, out));
    }
    fn clone_box(&self) -> Box<dyn AnyChecker> {
        Box::new(self.clone())
    }
}

/// Node `id` of a run of `P`, typed.
pub fn typed<P: Protocol>(slot: &Slot) -> NodeRef<'_, P> {
    const SAME: &str = "every node of a run runs the run's protocol";
    match slot {
        Slot::Up(n) => NodeRef::Up(&AnyNode::as_any(&**n).downcast_ref::<Adapter<P>>().expect(SAME).p),
        Slot::Down(s) => NodeRef::Down(AnyStable::as_any(&**s).downcast_ref::<P::Stable>().expect(SAME)),
        Slot::Absent(s) => NodeRef::Absent(AnyStable::as_any(&**s).downcast_ref::<P::Stable>().expect(SAME)),
    }
}

/// The nodes of a run with their protocol's types.
struct SlotNodes<'a, P: Protocol> {
    slots: &'a [Slot],
    _p: PhantomData<fn() -> P>,
}

impl<P: Protocol> Nodes<P> for SlotNodes<'_, P> {
    fn len(&self) -> usize {
        self.slots.len()
    }
    fn node(&self, id: NodeId) -> NodeRef<'_, P> {
        typed::<P>(&self.slots[id])
    }
}
