//! Echo: a tiny protocol for testing the simulator's seams that no shipped
//! protocol uses yet in every combination — membership (join with a contact
//! list, leave with a goodbye), commands, many data-carrying timers, metrics
//! and series. Each member pings the peers it knows every `every_ms`; a
//! ping is answered with a pong; a node learns of peers from the pings it
//! gets; `leave` sends a goodbye to everyone it knows. The command `ping`
//! sends one ping to a chosen node; `arm` arms `count` distinct timers.

#![allow(dead_code)]

use std::collections::BTreeSet;

use consensus_lab::invariant::{Checker, Figures, Nodes, Violation};
use consensus_lab::params::ParamReader;
use consensus_lab::protocol::{
    ClientReply, Ctx, Message, NetworkDefaults, NodeId, Out, Params, Protocol, ScenarioError, Time, TimerName, Value,
};
use consensus_lab::scenario::Event;
use consensus_lab::spec::{Arg, ArgType, CommandSpec, Doc, Spec};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum EchoMsg {
    Ping,
    Pong,
    Bye,
}

impl Message for EchoMsg {
    fn kind(&self) -> &'static str {
        match self {
            EchoMsg::Ping => "Ping",
            EchoMsg::Pong => "Pong",
            EchoMsg::Bye => "Bye",
        }
    }
    fn label(&self) -> String {
        self.kind().to_lowercase()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum EchoTimer {
    Tick,
    /// One of many: `arm` sets these by the thousand.
    Mark(u64),
}

impl TimerName for EchoTimer {
    fn name(&self) -> &'static str {
        match self {
            EchoTimer::Tick => "tick",
            EchoTimer::Mark(_) => "mark",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EchoParams {
    pub every_ms: Time,
}

impl Params for EchoParams {
    fn fields(&mut self, r: &mut ParamReader) -> Result<(), ScenarioError> {
        r.field("every_ms", "how often a member pings its peers (0: never)", &mut self.every_ms)
    }
    fn validate(&self, _nodes: usize) -> Result<(), String> {
        Ok(())
    }
}

#[derive(Clone, Debug, Default)]
pub struct EchoStable {
    pub boots: u64,
}

#[derive(Clone, Debug)]
pub struct Echo {
    pub id: NodeId,
    pub every: Time,
    pub known: BTreeSet<NodeId>,
    pub pings: u64,
    pub pongs: u64,
    pub marks_fired: u64,
    pub joined_with: Option<Vec<NodeId>>,
    st: EchoStable,
}

#[derive(Serialize)]
pub struct EchoView {
    pub known: Vec<NodeId>,
    pub pongs: u64,
    pub boots: u64,
}

impl Protocol for Echo {
    const NAME: &'static str = "echo";
    const NODES: std::ops::RangeInclusive<usize> = 1..=1000;
    const DEFAULT_NODES: usize = 3;
    type Params = EchoParams;
    type Msg = EchoMsg;
    type Timer = EchoTimer;
    type Stable = EchoStable;
    type View = EchoView;

    fn spec() -> Spec {
        Spec {
            summary: "test protocol",
            kinds: &[
                Doc { name: "Ping", doc: "hello" },
                Doc { name: "Pong", doc: "hi" },
                Doc { name: "Bye", doc: "bye" },
            ],
            commands: &[
                CommandSpec {
                    name: "ping",
                    doc: "send one ping",
                    args: &[Arg { name: "to", ty: ArgType::Node, doc: "whom", required: true }],
                },
                CommandSpec {
                    name: "arm",
                    doc: "arm many timers",
                    args: &[Arg { name: "count", ty: ArgType::Uint, doc: "how many", required: true }],
                },
                CommandSpec { name: "refuse", doc: "always refused", args: &[] },
            ],
            membership: true,
            ..Spec::DEFAULT
        }
    }

    fn network_defaults() -> NetworkDefaults {
        NetworkDefaults { latency_ms: (10, 10), drop_rate: 0.0, duplicate_rate: 0.0 }
    }

    fn boot(id: NodeId, _nodes: usize, params: &EchoParams, stable: Option<EchoStable>) -> Self {
        let mut st = stable.unwrap_or_default();
        st.boots += 1;
        Echo {
            id,
            every: params.every_ms,
            known: BTreeSet::new(),
            pings: 0,
            pongs: 0,
            marks_fired: 0,
            joined_with: None,
            st,
        }
    }
    fn crash(self) -> EchoStable {
        self.st
    }
    fn stable(&self) -> &EchoStable {
        &self.st
    }

    fn on_start(&mut self, cx: &mut Ctx, out: &mut Out<Self>) {
        self.known = cx.peers().collect();
        if self.every > 0 {
            out.set_timer(EchoTimer::Tick, self.every);
        }
    }
    fn on_join(&mut self, _cx: &mut Ctx, contact: &[NodeId], out: &mut Out<Self>) {
        self.known = contact.iter().copied().collect();
        self.joined_with = Some(contact.to_vec());
        for &c in contact {
            out.send(c, EchoMsg::Ping);
        }
        if self.every > 0 {
            out.set_timer(EchoTimer::Tick, self.every);
        }
    }
    fn on_leave(&mut self, _cx: &mut Ctx, out: &mut Out<Self>) {
        for &p in &self.known {
            out.send(p, EchoMsg::Bye);
        }
    }
    fn on_message(&mut self, _cx: &mut Ctx, from: NodeId, msg: EchoMsg, out: &mut Out<Self>) {
        match msg {
            EchoMsg::Ping => {
                self.known.insert(from);
                self.pings += 1;
                out.send(from, EchoMsg::Pong);
            }
            EchoMsg::Pong => self.pongs += 1,
            EchoMsg::Bye => {
                self.known.remove(&from);
            }
        }
    }
    fn on_timer(&mut self, _cx: &mut Ctx, timer: EchoTimer, out: &mut Out<Self>) {
        match timer {
            EchoTimer::Tick => {
                for &p in &self.known {
                    out.send(p, EchoMsg::Ping);
                }
                out.set_timer(EchoTimer::Tick, self.every);
            }
            EchoTimer::Mark(_) => self.marks_fired += 1,
        }
    }
    fn on_client_request(&mut self, _cx: &mut Ctx, _value: Value, _out: &mut Out<Self>) -> ClientReply {
        ClientReply::Accepted
    }
    fn on_timeout_now(&mut self, _cx: &mut Ctx, _out: &mut Out<Self>) -> bool {
        false
    }
    fn on_command(
        &mut self,
        _cx: &mut Ctx,
        cmd: &consensus_lab::spec::Command,
        out: &mut Out<Self>,
    ) -> Result<ClientReply, String> {
        match cmd.name {
            "ping" => {
                let to = cmd.node("to").ok_or("no target")?;
                out.send(to, EchoMsg::Ping);
                Ok(ClientReply::Accepted)
            }
            "arm" => {
                let count = cmd.uint("count").ok_or("no count")?;
                for k in 0..count {
                    out.set_timer(EchoTimer::Mark(k), 1 + k % 50);
                }
                Ok(ClientReply::Accepted)
            }
            _ => Err("this node refuses".to_string()),
        }
    }
    fn view(&self) -> EchoView {
        EchoView { known: self.known.iter().copied().collect(), pongs: self.pongs, boots: self.st.boots }
    }
    fn view_down(_id: NodeId, st: &EchoStable) -> EchoView {
        EchoView { known: Vec::new(), pongs: 0, boots: st.boots }
    }
}

/// Counts crashes it is told of, reports pongs as a metric and the number
/// of running members as a series.
#[derive(Clone, Default)]
pub struct EchoWatch {
    pub crashes: u64,
}

impl Checker<Echo> for EchoWatch {
    fn check(&mut self, _now: Time, _changed: NodeId, _nodes: &dyn Nodes<Echo>, _out: &mut Vec<Violation>) {}
    fn on_event(&mut self, _now: Time, event: &Event) {
        if matches!(event, Event::Crash { .. }) {
            self.crashes += 1;
        }
    }
    fn metrics(&self, _now: Time, nodes: &dyn Nodes<Echo>, out: &mut Figures) {
        let pongs: u64 = (0..nodes.len()).filter_map(|i| nodes.node(i).up().map(|p| p.pongs)).sum();
        out.put("pongs", pongs as f64);
        out.put("crashes_seen", self.crashes as f64);
    }
    fn sample(&self, _now: Time, nodes: &dyn Nodes<Echo>, out: &mut Figures) {
        let up = (0..nodes.len()).filter(|&i| nodes.node(i).up().is_some()).count();
        out.put("running", up as f64);
    }
}
