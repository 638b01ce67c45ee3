//! The inject vocabulary: every event a scenario's timeline (or a live
//! inject) can carry, read with field-path errors and written back out.
//! Which events a protocol accepts (membership, commands, client
//! operations) is checked when a run is built, against its registry entry.

use serde_json::{Map, Value as Json};

use super::NetworkSpec;
use crate::base::read::{Fields, MAX_TIME_MS, MAX_VALUE_CHARS, clip, kind_of, node};
use crate::base::{NodeId, ScenarioError, Time};
use crate::json::Obj;
use crate::kv::F;

type R<T> = Result<T, ScenarioError>;

/// The longest key of a client operation, in characters.
pub const MAX_KEY_CHARS: usize = 100;
/// The longest command name, and the most arguments a command takes.
pub const MAX_COMMAND_NAME: usize = 40;

/// One client operation, as the scenario asks for it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpSpec {
    pub f: F,
    pub key: String,
    /// What `write` / `append` / `cas` set.
    pub value: Option<String>,
    /// What `cas` compares with (`None`: absent).
    pub expect: Option<String>,
    /// Which client issues it; by default the one after the workload's.
    pub client: Option<u64>,
    /// The node the client contacts first; the client then reaches only
    /// nodes on that node's side of a partition.
    pub node: Option<NodeId>,
    /// How long the client waits for an answer (Consensus Lab's addition;
    /// by default the workload's `timeout_ms`, else 1000 ms).
    pub timeout_ms: Option<Time>,
}

/// One injectable event (the inject vocabulary).
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    ClientRequest {
        value: String,
        node: Option<NodeId>,
    },
    Crash {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal,
    Link {
        from: NodeId,
        to: NodeId,
        drop_rate: Option<f64>,
        latency_ms: Option<(Time, Time)>,
    },
    Timeout {
        node: NodeId,
    },
    DropMessage {
        id: u64,
    },
    DuplicateMessage {
        id: u64,
    },
    Pause {
        node: NodeId,
        for_ms: Time,
    },
    /// Consensus Lab's addition: change the network defaults from now on (the
    /// page's latency and drop sliders).
    SetNetwork(NetworkSpec),
    /// An absent node starts for the first time, knowing only `contact`.
    Join {
        node: NodeId,
        contact: Option<Vec<NodeId>>,
    },
    /// A graceful departure: the protocol's leave handler runs, then the
    /// node is absent.
    Leave {
        node: NodeId,
    },
    /// A protocol-defined operation, checked against the protocol's
    /// registry entry when the run is built.
    Command {
        name: String,
        args: Map<String, Json>,
        node: Option<NodeId>,
    },
    ClientOp(OpSpec),
}

/// Every event type, for error messages.
pub const EVENT_TYPES: &[&str] = &[
    "client_request",
    "crash",
    "restart",
    "partition",
    "heal",
    "link",
    "timeout",
    "drop_message",
    "duplicate_message",
    "pause",
    "set_network",
    "join",
    "leave",
    "command",
    "client_op",
];

impl Event {
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::ClientRequest { .. } => "client_request",
            Event::Crash { .. } => "crash",
            Event::Restart { .. } => "restart",
            Event::Partition { .. } => "partition",
            Event::Heal => "heal",
            Event::Link { .. } => "link",
            Event::Timeout { .. } => "timeout",
            Event::DropMessage { .. } => "drop_message",
            Event::DuplicateMessage { .. } => "duplicate_message",
            Event::Pause { .. } => "pause",
            Event::SetNetwork(_) => "set_network",
            Event::Join { .. } => "join",
            Event::Leave { .. } => "leave",
            Event::Command { .. } => "command",
            Event::ClientOp(_) => "client_op",
        }
    }
}

/// An event on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed {
    pub at_ms: Time,
    pub event: Event,
}

/// Parses one event object. `at` is required in a scenario timeline; for a
/// live inject it is optional (absent means "now").
pub fn parse_event(v: &Json, path: &str, nodes: usize, require_at: bool) -> R<(Option<Time>, Event)> {
    let f = Fields::of(v, path, nodes, "an event must be an object")?;
    let ty = match f.obj.get("type") {
        Some(Json::String(s)) => s.as_str(),
        Some(v) => return Err(ScenarioError::new(f.at("type"), format!("must be a string, not {}", kind_of(v)))),
        None => return Err(ScenarioError::new(f.at("type"), "missing")),
    };
    let at = match f.time_opt("at_ms")? {
        None if require_at => return Err(ScenarioError::new(f.at("at_ms"), "missing")),
        at => at,
    };
    let fields: &[&str] = match ty {
        "client_request" => &["value", "node"],
        "crash" | "restart" | "timeout" | "leave" => &["node"],
        "partition" => &["groups"],
        "heal" => &[],
        "link" => &["from", "to", "drop_rate", "latency_ms"],
        "drop_message" | "duplicate_message" => &["id"],
        "pause" => &["node", "for_ms"],
        "set_network" => &["latency_ms", "drop_rate", "duplicate_rate"],
        "join" => &["node", "contact"],
        "command" => &["name", "args", "node"],
        "client_op" => &["f", "key", "value", "expect", "client", "node", "timeout_ms"],
        other => {
            return Err(ScenarioError::new(
                f.at("type"),
                format!("unknown event type \"{}\" (expected one of: {})", clip(other), EVENT_TYPES.join(", ")),
            ));
        }
    };
    for key in f.obj.keys() {
        if key != "type" && key != "at_ms" && !fields.contains(&key.as_str()) {
            return Err(ScenarioError::new(f.at(&clip(key)), format!("unknown field for a {ty} event")));
        }
    }
    let event = match ty {
        "client_request" => {
            Event::ClientRequest { value: f.string("value", MAX_VALUE_CHARS)?, node: f.node_opt("node")? }
        }
        "crash" => Event::Crash { node: f.node("node")? },
        "restart" => Event::Restart { node: f.node("node")? },
        "timeout" => Event::Timeout { node: f.node("node")? },
        "leave" => Event::Leave { node: f.node("node")? },
        "partition" => Event::Partition { groups: parse_groups(f.obj.get("groups"), &f.at("groups"), nodes)? },
        "heal" => Event::Heal,
        "link" => {
            let from = f.node("from")?;
            let to = f.node("to")?;
            if from == to {
                return Err(ScenarioError::new(f.at("to"), "a link joins two different nodes"));
            }
            Event::Link { from, to, drop_rate: f.rate_opt("drop_rate")?, latency_ms: f.latency_opt("latency_ms")? }
        }
        "drop_message" => Event::DropMessage { id: f.uint("id")? },
        "duplicate_message" => Event::DuplicateMessage { id: f.uint("id")? },
        "pause" => {
            let node = f.node("node")?;
            let for_ms = f.uint("for_ms")?;
            if for_ms == 0 || for_ms > MAX_TIME_MS {
                return Err(ScenarioError::new(f.at("for_ms"), format!("must be between 1 and {MAX_TIME_MS}")));
            }
            Event::Pause { node, for_ms }
        }
        "set_network" => Event::SetNetwork(super::parse_network_fields(&f)?),
        "join" => {
            let node = f.node("node")?;
            let contact = f.nodes_opt("contact")?;
            if contact.as_ref().is_some_and(|c| c.contains(&node)) {
                return Err(ScenarioError::new(f.at("contact"), format!("node {node} cannot contact itself to join")));
            }
            Event::Join { node, contact }
        }
        "command" => {
            let name = f.string("name", MAX_COMMAND_NAME)?;
            let args = match f.get("args") {
                None => Map::new(),
                Some(Json::Object(m)) => m.clone(),
                Some(v) => {
                    return Err(ScenarioError::new(f.at("args"), format!("must be an object, not {}", kind_of(v))));
                }
            };
            Event::Command { name, args, node: f.node_opt("node")? }
        }
        "client_op" => Event::ClientOp(parse_op(&f)?),
        _ => return Err(ScenarioError::new(f.at("type"), "unknown event type")),
    };
    Ok((at, event))
}

fn parse_op(f: &Fields) -> R<OpSpec> {
    let fname = f.string("f", 10)?;
    let op = F::parse(&fname).ok_or_else(|| {
        ScenarioError::new(
            f.at("f"),
            format!("unknown operation \"{}\" (expected read, write, append or cas)", clip(&fname)),
        )
    })?;
    let key = f.string_opt("key", MAX_KEY_CHARS)?.unwrap_or_else(|| "x".to_string());
    let value = f.string_opt("value", MAX_VALUE_CHARS)?;
    let expect = f.string_opt("expect", MAX_VALUE_CHARS)?;
    match op {
        F::Read if value.is_some() => return Err(ScenarioError::new(f.at("value"), "a read takes no value")),
        F::Write | F::Append | F::Cas if value.is_none() => {
            return Err(ScenarioError::new(f.at("value"), format!("missing (a {} sets a value)", op.name())));
        }
        _ => {}
    }
    if op != F::Cas && f.obj.contains_key("expect") {
        return Err(ScenarioError::new(f.at("expect"), "only a cas compares with an expected value"));
    }
    let timeout_ms = f.uint_opt("timeout_ms")?;
    if timeout_ms.is_some_and(|t| t == 0 || t > MAX_TIME_MS) {
        return Err(ScenarioError::new(f.at("timeout_ms"), format!("must be between 1 and {MAX_TIME_MS}")));
    }
    Ok(OpSpec { f: op, key, value, expect, client: f.uint_opt("client")?, node: f.node_opt("node")?, timeout_ms })
}

fn parse_groups(v: Option<&Json>, path: &str, nodes: usize) -> R<Vec<Vec<NodeId>>> {
    let list = match v {
        None | Some(Json::Null) => return Err(ScenarioError::new(path, "missing")),
        Some(Json::Array(l)) => l,
        Some(v) => {
            return Err(ScenarioError::new(path, format!("must be a list of lists of node ids, not {}", kind_of(v))));
        }
    };
    if list.len() > nodes {
        return Err(ScenarioError::new(path, format!("{} groups for {nodes} nodes", list.len())));
    }
    let mut seen = vec![false; nodes];
    let mut groups = Vec::new();
    for (g, item) in list.iter().enumerate() {
        let gpath = format!("{path}[{g}]");
        let members = item
            .as_array()
            .ok_or_else(|| ScenarioError::new(&gpath, format!("must be a list of node ids, not {}", kind_of(item))))?;
        if members.len() > nodes {
            return Err(ScenarioError::new(&gpath, format!("{} members for {nodes} nodes", members.len())));
        }
        let mut group = Vec::new();
        for (k, m) in members.iter().enumerate() {
            let id = node(m, &format!("{gpath}[{k}]"), nodes)?;
            if seen[id] {
                return Err(ScenarioError::new(
                    format!("{gpath}[{k}]"),
                    format!("node {id} is in more than one group"),
                ));
            }
            seen[id] = true;
            group.push(id);
        }
        groups.push(group);
    }
    Ok(groups)
}

/// A timeline event as a JSON object, `at_ms` first.
pub(super) fn write_timed(t: &Timed, b: &mut Vec<u8>) {
    let mut o = Obj::new(b);
    o.field("at_ms", &t.at_ms);
    event_fields(&t.event, &mut o);
    o.end();
}

/// An event as JSON text, without a time.
pub fn event_json(e: &Event) -> String {
    let mut buf = Vec::new();
    let mut o = Obj::new(&mut buf);
    event_fields(e, &mut o);
    o.end();
    String::from_utf8(buf).unwrap_or_default()
}

fn event_fields(e: &Event, o: &mut Obj) {
    o.field("type", e.type_name());
    match e {
        Event::ClientRequest { value, node } => {
            o.field("value", value);
            if let Some(n) = node {
                o.field("node", n);
            }
        }
        Event::Crash { node } | Event::Restart { node } | Event::Timeout { node } | Event::Leave { node } => {
            o.field("node", node)
        }
        Event::Partition { groups } => o.field("groups", groups),
        Event::Heal => {}
        Event::Link { from, to, drop_rate, latency_ms } => {
            o.field("from", from);
            o.field("to", to);
            if let Some(r) = drop_rate {
                o.field("drop_rate", r);
            }
            if let Some(l) = latency_ms {
                o.field("latency_ms", &[l.0, l.1]);
            }
        }
        Event::DropMessage { id } | Event::DuplicateMessage { id } => o.field("id", id),
        Event::Pause { node, for_ms } => {
            o.field("node", node);
            o.field("for_ms", for_ms);
        }
        Event::SetNetwork(n) => super::network_fields(n, o),
        Event::Join { node, contact } => {
            o.field("node", node);
            if let Some(c) = contact {
                o.field("contact", c);
            }
        }
        Event::Command { name, args, node } => {
            o.field("name", name);
            if !args.is_empty() {
                o.raw("args", |b| crate::json::sorted(&Json::Object(args.clone()), b));
            }
            if let Some(n) = node {
                o.field("node", n);
            }
        }
        Event::ClientOp(op) => {
            o.field("f", op.f.name());
            o.field("key", &op.key);
            if op.f == F::Cas {
                o.field("expect", &op.expect);
            }
            if let Some(v) = &op.value {
                o.field("value", v);
            }
            if let Some(c) = op.client {
                o.field("client", &c);
            }
            if let Some(n) = op.node {
                o.field("node", &n);
            }
            if let Some(t) = op.timeout_ms {
                o.field("timeout_ms", &t);
            }
        }
    }
}
