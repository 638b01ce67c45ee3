//! The scenario document (version 1): parsing with precise error paths, and
//! writing it back out.
//!
//! A scenario is everything needed to replay a run: protocol, cluster size,
//! seed, network, parameters and a timeline of injected events. The format is a
//! contract shared with the page, links and outside tests; see
//! `docs/SCENARIO.md`. Every check here names the field that failed, such as
//! `events[3].node: node 7 does not exist (this scenario has nodes 0..4)`.
//! Protocol-specific checks (cluster size range, parameter names) happen when
//! an engine is built from the scenario, in [`crate::engine`].

use serde_json::{Map, Value};

use crate::json::{Obj, list};

use crate::protocol::{NodeId, Time};

/// The largest `at_ms`, `run_until_ms` or `for_ms` accepted: about 285 simulated
/// years, and exactly representable in JavaScript.
pub const MAX_TIME_MS: Time = (1 << 53) - 1;
/// The longest message latency accepted (ten simulated minutes).
pub const MAX_LATENCY_MS: Time = 600_000;
/// The most events a scenario may carry.
pub const MAX_EVENTS: usize = 100_000;
/// The longest client value accepted, in characters.
pub const MAX_VALUE_CHARS: usize = 1_000;
/// No protocol accepts more nodes than this; each protocol narrows it.
pub const MAX_NODES: usize = 1_000;

/// A problem with a scenario or an inject, naming where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// A field path such as `events[3].node`, or empty for the whole document.
    pub path: String,
    pub message: String,
}

impl ScenarioError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError { path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for ScenarioError {
    /// One line, whatever the document held: line breaks and other control
    /// characters that came from it (a field name, a value) are escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let one_line = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        };
        if self.path.is_empty() {
            write!(f, "{}", one_line(&self.message))
        } else {
            write!(f, "{}: {}", one_line(&self.path), one_line(&self.message))
        }
    }
}

impl std::error::Error for ScenarioError {}

type R<T> = Result<T, ScenarioError>;

/// Network settings; each field falls back to the protocol's default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkSpec {
    pub latency_ms: Option<(Time, Time)>,
    pub drop_rate: Option<f64>,
    pub duplicate_rate: Option<f64>,
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
}

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
        }
    }
}

/// An event on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed {
    pub at_ms: Time,
    pub event: Event,
}

/// A parsed, structurally valid scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub protocol: String,
    pub nodes: usize,
    pub seed: u64,
    pub network: NetworkSpec,
    /// Kept as written; the protocol's engine parses and validates it.
    pub params: Map<String, Value>,
    /// In time order; equal times keep document order.
    pub events: Vec<Timed>,
    pub run_until_ms: Option<Time>,
    pub title: Option<String>,
    pub caption: Option<String>,
}

const TOP_LEVEL: &[&str] =
    &["version", "protocol", "nodes", "seed", "network", "params", "events", "run_until_ms", "title", "caption"];

impl Scenario {
    /// A scenario with defaults for everything but the protocol, size and seed.
    pub fn new(protocol: &str, nodes: usize, seed: u64) -> Scenario {
        Scenario {
            protocol: protocol.to_string(),
            nodes,
            seed,
            network: NetworkSpec::default(),
            params: Map::new(),
            events: Vec::new(),
            run_until_ms: None,
            title: None,
            caption: None,
        }
    }

    pub fn from_json_str(text: &str) -> R<Scenario> {
        Scenario::from_value(&parse_json(text)?)
    }

    pub fn from_value(doc: &Value) -> R<Scenario> {
        let obj = doc
            .as_object()
            .ok_or_else(|| ScenarioError::new("", format!("a scenario must be a JSON object, not {}", kind_of(doc))))?;
        for key in obj.keys() {
            if !TOP_LEVEL.contains(&key.as_str()) {
                return Err(ScenarioError::new(
                    clip(key),
                    format!("unknown field (expected one of: {})", TOP_LEVEL.join(", ")),
                ));
            }
        }
        match obj.get("version") {
            None => return Err(ScenarioError::new("version", "missing (this reader understands version 1)")),
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) => {
                return Err(ScenarioError::new(
                    "version",
                    format!("version {} is not supported (this reader understands version 1)", short(v)),
                ));
            }
        }
        let protocol = match obj.get("protocol") {
            None => return Err(ScenarioError::new("protocol", "missing")),
            Some(Value::String(s)) => s.clone(),
            Some(v) => return Err(ScenarioError::new("protocol", format!("must be a string, not {}", kind_of(v)))),
        };
        let nodes = match obj.get("nodes") {
            None => return Err(ScenarioError::new("nodes", "missing")),
            Some(v) => {
                let n = uint(v, "nodes")?;
                if n == 0 {
                    return Err(ScenarioError::new("nodes", "must be at least 1"));
                }
                if n > MAX_NODES as u64 {
                    return Err(ScenarioError::new("nodes", format!("{n} is too many (at most {MAX_NODES})")));
                }
                n as usize
            }
        };
        let seed = match obj.get("seed") {
            None => return Err(ScenarioError::new("seed", "missing")),
            Some(v) => parse_seed(v)?,
        };
        let network = match obj.get("network") {
            None | Some(Value::Null) => NetworkSpec::default(),
            Some(v) => parse_network(v, "network", &["latency_ms", "drop_rate", "duplicate_rate"])?,
        };
        let params = match obj.get("params") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(v) => return Err(ScenarioError::new("params", format!("must be an object, not {}", kind_of(v)))),
        };
        let mut events = Vec::new();
        match obj.get("events") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                if list.len() > MAX_EVENTS {
                    return Err(ScenarioError::new(
                        "events",
                        format!("{} events is too many (at most {MAX_EVENTS})", list.len()),
                    ));
                }
                for (i, item) in list.iter().enumerate() {
                    let path = format!("events[{i}]");
                    let (at, event) = parse_event(item, &path, nodes, true)?;
                    events.push(Timed { at_ms: at.unwrap_or(0), event });
                }
            }
            Some(v) => return Err(ScenarioError::new("events", format!("must be a list, not {}", kind_of(v)))),
        }
        // Equal times keep document order: a stable sort.
        let events = sort_by_time(events);
        let run_until_ms = match obj.get("run_until_ms") {
            None | Some(Value::Null) => None,
            Some(v) => Some(time(v, "run_until_ms")?),
        };
        let text = |key: &str| -> R<Option<String>> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.chars().count() <= 2_000 => Ok(Some(s.clone())),
                Some(Value::String(_)) => Err(ScenarioError::new(key, "is longer than 2000 characters")),
                Some(v) => Err(ScenarioError::new(key, format!("must be a string, not {}", kind_of(v)))),
            }
        };
        Ok(Scenario {
            protocol,
            nodes,
            seed,
            network,
            params,
            events,
            run_until_ms,
            title: text("title")?,
            caption: text("caption")?,
        })
    }

    /// The document as JSON text, fields in the order of the format's
    /// description.
    pub fn to_json_string(&self) -> String {
        let mut buf = Vec::with_capacity(256 + 48 * self.events.len());
        let mut o = Obj::new(&mut buf);
        o.field("version", &1);
        o.field("protocol", &self.protocol);
        o.field("nodes", &self.nodes);
        o.raw("seed", |b| write_seed(self.seed, b));
        if self.network != NetworkSpec::default() {
            o.raw("network", |b| {
                let mut n = Obj::new(b);
                network_fields(&self.network, &mut n);
                n.end();
            });
        }
        if !self.params.is_empty() {
            o.field("params", &self.params);
        }
        o.raw("events", |b| list(b, &self.events, |b, t| write_timed(t, b)));
        if let Some(t) = self.run_until_ms {
            o.field("run_until_ms", &t);
        }
        if let Some(t) = &self.title {
            o.field("title", t);
        }
        if let Some(t) = &self.caption {
            o.field("caption", t);
        }
        o.end();
        String::from_utf8(buf).unwrap_or_default()
    }

    /// The document as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.to_json_string()).unwrap_or(Value::Null)
    }
}

/// Reads JSON text, saying whether it ended too early or is malformed.
pub(crate) fn parse_json(text: &str) -> R<Value> {
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the JSON ends too early",
            _ => "malformed JSON",
        };
        ScenarioError::new("", format!("{what}: {e}"))
    })
}

/// Parses one event object. `at` is required in a scenario timeline; for a
/// live inject it is optional (absent means "now").
pub fn parse_event(v: &Value, path: &str, nodes: usize, require_at: bool) -> R<(Option<Time>, Event)> {
    let obj = v
        .as_object()
        .ok_or_else(|| ScenarioError::new(path, format!("an event must be an object, not {}", kind_of(v))))?;
    let ty = match obj.get("type") {
        Some(Value::String(s)) => s.as_str(),
        Some(v) => {
            return Err(ScenarioError::new(format!("{path}.type"), format!("must be a string, not {}", kind_of(v))));
        }
        None => return Err(ScenarioError::new(format!("{path}.type"), "missing")),
    };
    let at = match obj.get("at_ms") {
        None | Some(Value::Null) if require_at => return Err(ScenarioError::new(format!("{path}.at_ms"), "missing")),
        None | Some(Value::Null) => None,
        Some(v) => Some(time(v, &format!("{path}.at_ms"))?),
    };
    let fields: &[&str] = match ty {
        "client_request" => &["value", "node"],
        "crash" | "restart" | "timeout" => &["node"],
        "partition" => &["groups"],
        "heal" => &[],
        "link" => &["from", "to", "drop_rate", "latency_ms"],
        "drop_message" | "duplicate_message" => &["id"],
        "pause" => &["node", "for_ms"],
        "set_network" => &["latency_ms", "drop_rate", "duplicate_rate"],
        other => {
            return Err(ScenarioError::new(
                format!("{path}.type"),
                format!(
                    "unknown event type \"{}\" (expected one of: client_request, crash, restart, partition, heal, \
                     link, timeout, drop_message, duplicate_message, pause, set_network)",
                    clip(other)
                ),
            ));
        }
    };
    for key in obj.keys() {
        if key != "type" && key != "at_ms" && !fields.contains(&key.as_str()) {
            return Err(ScenarioError::new(format!("{path}.{}", clip(key)), format!("unknown field for a {ty} event")));
        }
    }
    let f = |name: &str| FieldCx { obj, path: format!("{path}.{name}"), name: name.to_string(), nodes };
    let event = match ty {
        "client_request" => {
            let value = f("value").string_req()?;
            let node = f("node").node_opt()?;
            Event::ClientRequest { value, node }
        }
        "crash" => Event::Crash { node: f("node").node_req()? },
        "restart" => Event::Restart { node: f("node").node_req()? },
        "timeout" => Event::Timeout { node: f("node").node_req()? },
        "partition" => Event::Partition { groups: parse_groups(obj.get("groups"), &format!("{path}.groups"), nodes)? },
        "heal" => Event::Heal,
        "link" => {
            let from = f("from").node_req()?;
            let to = f("to").node_req()?;
            if from == to {
                return Err(ScenarioError::new(format!("{path}.to"), "a link joins two different nodes"));
            }
            let drop_rate = match obj.get("drop_rate") {
                None | Some(Value::Null) => None,
                Some(v) => Some(rate(v, &format!("{path}.drop_rate"))?),
            };
            let latency_ms = match obj.get("latency_ms") {
                None | Some(Value::Null) => None,
                Some(v) => Some(latency(v, &format!("{path}.latency_ms"))?),
            };
            Event::Link { from, to, drop_rate, latency_ms }
        }
        "drop_message" => Event::DropMessage { id: f("id").uint_req()? },
        "duplicate_message" => Event::DuplicateMessage { id: f("id").uint_req()? },
        "pause" => {
            let node = f("node").node_req()?;
            let for_ms = f("for_ms").uint_req()?;
            if for_ms == 0 || for_ms > MAX_TIME_MS {
                return Err(ScenarioError::new(
                    format!("{path}.for_ms"),
                    format!("must be between 1 and {MAX_TIME_MS}"),
                ));
            }
            Event::Pause { node, for_ms }
        }
        "set_network" => {
            Event::SetNetwork(parse_network(v, path, &["type", "at_ms", "latency_ms", "drop_rate", "duplicate_rate"])?)
        }
        _ => unreachable!("event types are matched above"),
    };
    Ok((at, event))
}

struct FieldCx<'a> {
    obj: &'a Map<String, Value>,
    path: String,
    name: String,
    nodes: usize,
}

impl FieldCx<'_> {
    fn get(&self) -> Option<&Value> {
        match self.obj.get(&self.name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }
    fn uint_req(&self) -> R<u64> {
        match self.get() {
            None => Err(ScenarioError::new(&self.path, "missing")),
            Some(v) => uint(v, &self.path),
        }
    }
    fn node_req(&self) -> R<NodeId> {
        match self.get() {
            None => Err(ScenarioError::new(&self.path, "missing")),
            Some(v) => node(v, &self.path, self.nodes),
        }
    }
    fn node_opt(&self) -> R<Option<NodeId>> {
        self.get().map(|v| node(v, &self.path, self.nodes)).transpose()
    }
    fn string_req(&self) -> R<String> {
        match self.get() {
            None => Err(ScenarioError::new(&self.path, "missing")),
            Some(Value::String(s)) => {
                if s.chars().count() > MAX_VALUE_CHARS {
                    Err(ScenarioError::new(&self.path, format!("is longer than {MAX_VALUE_CHARS} characters")))
                } else {
                    Ok(s.clone())
                }
            }
            Some(v) => Err(ScenarioError::new(&self.path, format!("must be a string, not {}", kind_of(v)))),
        }
    }
}

fn parse_groups(v: Option<&Value>, path: &str, nodes: usize) -> R<Vec<Vec<NodeId>>> {
    let list = match v {
        None | Some(Value::Null) => return Err(ScenarioError::new(path, "missing")),
        Some(Value::Array(l)) => l,
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

fn parse_network(v: &Value, path: &str, allowed: &[&str]) -> R<NetworkSpec> {
    let obj =
        v.as_object().ok_or_else(|| ScenarioError::new(path, format!("must be an object, not {}", kind_of(v))))?;
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(ScenarioError::new(
                format!("{path}.{}", clip(key)),
                "unknown field (expected latency_ms, drop_rate or duplicate_rate)",
            ));
        }
    }
    let opt = |k: &str| match obj.get(k) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    };
    Ok(NetworkSpec {
        latency_ms: opt("latency_ms").map(|v| latency(v, &format!("{path}.latency_ms"))).transpose()?,
        drop_rate: opt("drop_rate").map(|v| rate(v, &format!("{path}.drop_rate"))).transpose()?,
        duplicate_rate: opt("duplicate_rate").map(|v| rate(v, &format!("{path}.duplicate_rate"))).transpose()?,
    })
}

pub(crate) fn uint(v: &Value, path: &str) -> R<u64> {
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(u)
            } else if n.as_i64().is_some() || n.as_f64().is_some_and(|f| f < 0.0) {
                Err(ScenarioError::new(path, format!("must not be negative (got {n})")))
            } else {
                Err(ScenarioError::new(path, format!("must be a whole number (got {n})")))
            }
        }
        other => Err(ScenarioError::new(path, format!("must be a whole number, not {}", kind_of(other)))),
    }
}

pub(crate) fn time(v: &Value, path: &str) -> R<Time> {
    let t = uint(v, path)?;
    if t > MAX_TIME_MS {
        return Err(ScenarioError::new(path, format!("{t} ms is too late (at most {MAX_TIME_MS})")));
    }
    Ok(t)
}

pub(crate) fn node(v: &Value, path: &str, nodes: usize) -> R<NodeId> {
    let id = uint(v, path)?;
    if id >= nodes as u64 {
        return Err(ScenarioError::new(
            path,
            format!("node {id} does not exist (this scenario has nodes 0..{})", nodes - 1),
        ));
    }
    Ok(id as NodeId)
}

fn rate(v: &Value, path: &str) -> R<f64> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.is_finite() && (0.0..=1.0).contains(&f) {
                Ok(f)
            } else {
                Err(ScenarioError::new(path, format!("must be a probability between 0 and 1 (got {n})")))
            }
        }
        other => Err(ScenarioError::new(path, format!("must be a number between 0 and 1, not {}", kind_of(other)))),
    }
}

fn latency(v: &Value, path: &str) -> R<(Time, Time)> {
    let pair = v.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
        ScenarioError::new(path, format!("must be a pair [min, max] of milliseconds, not {}", kind_of(v)))
    })?;
    let lo = uint(&pair[0], &format!("{path}[0]"))?;
    let hi = uint(&pair[1], &format!("{path}[1]"))?;
    if lo == 0 {
        return Err(ScenarioError::new(format!("{path}[0]"), "latency must be at least 1 ms"));
    }
    if lo > hi {
        return Err(ScenarioError::new(path, format!("min {lo} is above max {hi}")));
    }
    if hi > MAX_LATENCY_MS {
        return Err(ScenarioError::new(format!("{path}[1]"), format!("latency above {MAX_LATENCY_MS} ms")));
    }
    Ok((lo, hi))
}

fn parse_seed(v: &Value) -> R<u64> {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) if u <= (1 << 53) => Ok(u),
            Some(_) => Err(ScenarioError::new(
                "seed",
                "numbers above 2^53 lose precision in JSON; write a larger seed as a decimal string",
            )),
            None => Err(ScenarioError::new("seed", format!("must be a whole number from 0 (got {n})"))),
        },
        Value::String(s) => s.parse::<u64>().map_err(|_| {
            ScenarioError::new("seed", format!("\"{}\" is not a decimal number from 0 to 2^64-1", clip(s)))
        }),
        other => Err(ScenarioError::new("seed", format!("must be a whole number, not {}", kind_of(other)))),
    }
}

fn write_seed(seed: u64, b: &mut Vec<u8>) {
    // Above 2^53 a JSON number loses precision in JavaScript: write a string.
    let _ =
        if seed <= (1 << 53) { serde_json::to_writer(b, &seed) } else { serde_json::to_writer(b, &seed.to_string()) };
}

fn network_fields(n: &NetworkSpec, o: &mut Obj) {
    if let Some(l) = n.latency_ms {
        o.field("latency_ms", &[l.0, l.1]);
    }
    if let Some(r) = n.drop_rate {
        o.field("drop_rate", &r);
    }
    if let Some(r) = n.duplicate_rate {
        o.field("duplicate_rate", &r);
    }
}

/// A timeline event as a JSON object, `at_ms` first.
fn write_timed(t: &Timed, b: &mut Vec<u8>) {
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
        Event::Crash { node } | Event::Restart { node } | Event::Timeout { node } => o.field("node", node),
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
        Event::SetNetwork(n) => network_fields(n, o),
    }
}

/// Orders events by time, equal times keeping their order. Documents are
/// nearly always in order already (one pass checks that); otherwise a
/// bottom-up merge sort, O(n log n) even for hostile input, and far smaller
/// in the page's wasm module than the standard library's general sort.
fn sort_by_time(events: Vec<Timed>) -> Vec<Timed> {
    if events.windows(2).all(|w| w[0].at_ms <= w[1].at_ms) {
        return events;
    }
    let mut src: Vec<Option<Timed>> = events.into_iter().map(Some).collect();
    let mut dst: Vec<Option<Timed>> = (0..src.len()).map(|_| None).collect();
    let n = src.len();
    let mut width = 1;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            for slot in dst.iter_mut().take(hi).skip(lo) {
                let take_left =
                    j >= hi || (i < mid && src[i].as_ref().map(|e| e.at_ms) <= src[j].as_ref().map(|e| e.at_ms));
                let k = if take_left { &mut i } else { &mut j };
                *slot = src[*k].take();
                *k += 1;
            }
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    src.into_iter().flatten().collect()
}

/// "a string", "a number"… for error messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Keeps user text in error messages short.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn short(v: &Value) -> String {
    clip(&v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(doc: &str) -> String {
        Scenario::from_json_str(doc).unwrap_err().to_string()
    }

    #[test]
    fn parses_the_format_example() {
        let doc = r#"{
          "version": 1, "protocol": "raft", "nodes": 5, "seed": 7,
          "network": { "latency_ms": [10, 30], "drop_rate": 0.0, "duplicate_rate": 0.0 },
          "params": { "election_timeout_ms": [150, 300], "heartbeat_ms": 50 },
          "events": [
            { "at_ms": 0,    "type": "client_request", "value": "x=1" },
            { "at_ms": 800,  "type": "crash",     "node": 2 },
            { "at_ms": 1200, "type": "restart",   "node": 2 },
            { "at_ms": 1500, "type": "partition", "groups": [[0, 1], [2, 3, 4]] },
            { "at_ms": 2500, "type": "heal" }
          ],
          "run_until_ms": 5000
        }"#;
        let s = Scenario::from_json_str(doc).unwrap();
        assert_eq!(s.nodes, 5);
        assert_eq!(s.events.len(), 5);
        assert_eq!(s.events[3].event, Event::Partition { groups: vec![vec![0, 1], vec![2, 3, 4]] });
        assert_eq!(s.network.latency_ms, Some((10, 30)));
        // Round trip.
        let again = Scenario::from_value(&s.to_value()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn equal_times_keep_document_order_and_sort_stably() {
        let doc = r#"{"version":1,"protocol":"raft","nodes":3,"seed":1,"events":[
            {"at_ms":50,"type":"crash","node":0},
            {"at_ms":10,"type":"crash","node":1},
            {"at_ms":50,"type":"restart","node":0}]}"#;
        let s = Scenario::from_json_str(doc).unwrap();
        let order: Vec<_> = s.events.iter().map(|e| (e.at_ms, e.event.type_name())).collect();
        assert_eq!(order, vec![(10, "crash"), (50, "crash"), (50, "restart")]);
    }

    #[test]
    fn sorting_by_time_is_stable_for_any_order() {
        let mk = |t: Time, n: usize| Timed { at_ms: t, event: Event::Crash { node: n } };
        // A deterministic shuffle of 1 000 events with many equal times.
        let mut events = Vec::new();
        let mut x: u64 = 7;
        for n in 0..1_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            events.push(mk((x >> 33) % 50, n));
        }
        let mut expected = events.clone();
        expected.sort_by_key(|e| e.at_ms);
        assert_eq!(sort_by_time(events), expected);
        assert_eq!(sort_by_time(vec![mk(3, 0), mk(1, 1)]), vec![mk(1, 1), mk(3, 0)]);
        assert!(sort_by_time(Vec::new()).is_empty());
    }

    #[test]
    fn errors_name_the_field() {
        let base = |rest: &str| format!(r#"{{"version":1,"protocol":"raft","nodes":5,"seed":1{rest}}}"#);
        assert_eq!(
            err(&base(r#","events":[{"at_ms":1,"type":"crash","node":7}]"#)),
            "events[0].node: node 7 does not exist (this scenario has nodes 0..4)"
        );
        assert!(
            err(&base(r#","events":[{"at_ms":-5,"type":"heal"}]"#))
                .starts_with("events[0].at_ms: must not be negative")
        );
        assert!(err(&base(r#","events":[{"at_ms":1,"type":"explode"}]"#)).contains("unknown event type \"explode\""));
        assert!(err(&base(r#","network":{"drop_rate":1.5}"#)).starts_with("network.drop_rate: must be a probability"));
        assert!(
            err(&base(r#","network":{"latency_ms":[30,10]}"#))
                .starts_with("network.latency_ms: min 30 is above max 10")
        );
        assert!(err(&base(r#","seeds":3"#)).starts_with("seeds: unknown field"));
        assert!(
            err(r#"{"version":2,"protocol":"raft","nodes":5,"seed":1}"#)
                .starts_with("version: version 2 is not supported")
        );
        assert!(err(r#"{"version":1,"protocol":"raft","nodes":0,"seed":1}"#).starts_with("nodes: must be at least 1"));
        assert!(
            err(r#"{"version":1,"protocol":"raft","nodes":1000000000,"seed":1}"#)
                .starts_with("nodes: 1000000000 is too many")
        );
        assert!(err(r#"{"version":1,"protocol":"raft","#).starts_with("the JSON ends too early"));
        assert!(err(r#"{"version":1,,}"#).starts_with("malformed JSON"));
        assert!(err(r#"[1,2]"#).starts_with("a scenario must be a JSON object"));
        assert!(
            err(&base(r#","events":[{"at_ms":1,"type":"partition","groups":[[0,1],[1,2]]}]"#))
                .contains("node 1 is in more than one group")
        );
        assert!(err(&base(r#","events":[{"at_ms":1,"type":"link","from":1,"to":1}]"#)).contains("two different nodes"));
        assert!(
            err(&base(r#","events":[{"at_ms":1,"type":"pause","node":1,"for_ms":0}]"#)).starts_with("events[0].for_ms")
        );
    }

    #[test]
    fn large_seeds_travel_as_strings() {
        let s = Scenario::from_json_str(r#"{"version":1,"protocol":"raft","nodes":3,"seed":"18446744073709551615"}"#)
            .unwrap();
        assert_eq!(s.seed, u64::MAX);
        assert_eq!(s.to_value()["seed"], Value::from("18446744073709551615"));
        assert!(
            err(r#"{"version":1,"protocol":"raft","nodes":3,"seed":18446744073709551615}"#).contains("decimal string")
        );
        assert!(err(r#"{"version":1,"protocol":"raft","nodes":3,"seed":"-1"}"#).starts_with("seed:"));
    }
}
