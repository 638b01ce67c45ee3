//! The scenario document (version 1): parsing with precise error paths, and
//! writing it back out.
//!
//! A scenario is everything needed to replay a run: protocol, cluster size,
//! seed, network, parameters, membership, client workload and a timeline of
//! injected events. The format is a contract shared with the page, links and
//! outside tests; see `docs/SCENARIO.md`. Every check here names the field
//! that failed, such as `events[3].node: node 7 does not exist (this scenario
//! has nodes 0..4)`. Protocol-specific checks (cluster size range, parameter
//! names, which events a protocol accepts) happen when a run is built from
//! the scenario, against the protocol's registry entry.

mod event;
mod moments;
mod workload;

use serde_json::{Map, Value};

use crate::base::read::{Fields, kind_of, short, time};
use crate::json::{Obj, list};

pub use crate::base::read::{MAX_LATENCY_MS, MAX_TIME_MS, MAX_VALUE_CHARS, clip, node, uint};
pub use crate::base::{NodeId, ScenarioError, Time};
pub use event::{EVENT_TYPES, Event, MAX_KEY_CHARS, OpSpec, Timed, event_json, parse_event};
pub use moments::Moment;
pub use workload::{MAX_CLIENTS, Workload};

/// The most events a scenario may carry.
pub const MAX_EVENTS: usize = 100_000;
/// No protocol accepts more nodes than this; each protocol narrows it.
pub const MAX_NODES: usize = 1_000;

type R<T> = Result<T, ScenarioError>;

/// Network settings; each field falls back to the protocol's default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkSpec {
    pub latency_ms: Option<(Time, Time)>,
    pub drop_rate: Option<f64>,
    pub duplicate_rate: Option<f64>,
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
    /// The nodes running at time 0; `None`: all of `0..nodes`. The others
    /// are absent until they `join`.
    pub members: Option<Vec<NodeId>>,
    /// A closed-loop client workload.
    pub clients: Option<Workload>,
    /// Consensus Lab's addition: the moment the page opens the scenario at
    /// (a downloaded scenario carries it). The runner ignores it.
    pub open_at_ms: Option<Time>,
    /// Consensus Lab's addition: the story's key moments, in document order.
    pub moments: Vec<Moment>,
}

const TOP_LEVEL: &[&str] = &[
    "version",
    "protocol",
    "nodes",
    "seed",
    "network",
    "members",
    "params",
    "clients",
    "events",
    "run_until_ms",
    "title",
    "caption",
    "open_at_ms",
    "moments",
];

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
            members: None,
            clients: None,
            open_at_ms: None,
            moments: Vec::new(),
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
            Some(v) => {
                let f = Fields::of(v, "network", nodes, "must be an object")?;
                f.only(
                    &["latency_ms", "drop_rate", "duplicate_rate"],
                    "unknown field (expected latency_ms, drop_rate or duplicate_rate)",
                )?;
                parse_network_fields(&f)?
            }
        };
        let members = match obj.get("members") {
            None | Some(Value::Null) => None,
            Some(v) => Some(crate::base::read::node_list(v, "members", nodes)?),
        };
        let clients = match obj.get("clients") {
            None | Some(Value::Null) => None,
            Some(v) => Some(Workload::parse(v, nodes)?),
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
        let open_at_ms = match obj.get("open_at_ms") {
            None | Some(Value::Null) => None,
            Some(v) => Some(time(v, "open_at_ms")?),
        };
        let moments = match obj.get("moments") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => moments::parse(v)?,
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
            members,
            clients,
            open_at_ms,
            moments,
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
        if let Some(m) = &self.members {
            o.field("members", m);
        }
        if !self.params.is_empty() {
            // Keys in sorted order, nested objects too: one canonical text
            // (and link) whatever order the document wrote them in.
            o.raw("params", |b| crate::json::sorted(&Value::Object(self.params.clone()), b));
        }
        if let Some(w) = &self.clients {
            o.raw("clients", |b| w.write(b));
        }
        o.raw("events", |b| list(b, &self.events, |b, t| event::write_timed(t, b)));
        if let Some(t) = self.run_until_ms {
            o.field("run_until_ms", &t);
        }
        if let Some(t) = &self.title {
            o.field("title", t);
        }
        if let Some(t) = &self.caption {
            o.field("caption", t);
        }
        if let Some(t) = self.open_at_ms {
            o.field("open_at_ms", &t);
        }
        if !self.moments.is_empty() {
            o.raw("moments", |b| moments::write(&self.moments, b));
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

/// Reads `latency_ms`, `drop_rate` and `duplicate_rate` (the `network`
/// object, or a `set_network` event's own fields).
pub(super) fn parse_network_fields(f: &Fields) -> R<NetworkSpec> {
    Ok(NetworkSpec {
        latency_ms: f.latency_opt("latency_ms")?,
        drop_rate: f.rate_opt("drop_rate")?,
        duplicate_rate: f.rate_opt("duplicate_rate")?,
    })
}

pub(super) fn network_fields(n: &NetworkSpec, o: &mut Obj) {
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
