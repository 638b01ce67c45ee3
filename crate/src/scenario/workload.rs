//! The `clients` workload: closed-loop clients that each issue one
//! operation, wait for its answer or its timeout, think, and issue the next.
//! All their choices come from each client's own seeded stream.

use serde_json::Value as Json;

use crate::base::read::{Fields, MAX_TIME_MS, clip, kind_of, latency};
use crate::base::{NodeId, ScenarioError, Time};
use crate::json::Obj;
use crate::kv::F;

use super::event::MAX_KEY_CHARS;

type R<T> = Result<T, ScenarioError>;

/// The most workload clients.
pub const MAX_CLIENTS: u64 = 1_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub count: u64,
    pub ops: Vec<F>,
    pub keys: Vec<String>,
    pub think_ms: (Time, Time),
    pub timeout_ms: Time,
    pub from_ms: Time,
    pub until_ms: Option<Time>,
    /// Consensus Lab's addition: client `i` is attached to node
    /// `nodes[i % len]`: it contacts that node first and reaches only nodes
    /// on its side of a partition. Empty: clients reach every node.
    pub nodes: Vec<NodeId>,
}

const FIELDS: &[&str] = &["count", "ops", "keys", "think_ms", "timeout_ms", "from_ms", "until_ms", "nodes"];

impl Workload {
    /// The defaults of every field but `count`.
    pub fn new(count: u64) -> Workload {
        Workload {
            count,
            ops: vec![F::Read, F::Write],
            keys: vec!["x".to_string()],
            think_ms: (0, 100),
            timeout_ms: 1_000,
            from_ms: 0,
            until_ms: None,
            nodes: Vec::new(),
        }
    }

    pub(super) fn parse(v: &Json, nodes: usize) -> R<Workload> {
        let f = Fields::of(v, "clients", nodes, "must be an object")?;
        f.only(FIELDS, &format!("unknown field (expected one of: {})", FIELDS.join(", ")))?;
        let count = f.uint("count")?;
        if count == 0 || count > MAX_CLIENTS {
            return Err(ScenarioError::new(f.at("count"), format!("must be between 1 and {MAX_CLIENTS}")));
        }
        let mut w = Workload::new(count);
        if let Some(list) = f.get("ops") {
            let items = list.as_array().filter(|l| !l.is_empty()).ok_or_else(|| {
                ScenarioError::new(
                    f.at("ops"),
                    format!("must be a non-empty list of operations, not {}", kind_of(list)),
                )
            })?;
            w.ops = items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let path = format!("clients.ops[{i}]");
                    let name = x.as_str().ok_or_else(|| ScenarioError::new(&path, "must be an operation name"))?;
                    F::parse(name).ok_or_else(|| {
                        ScenarioError::new(
                            &path,
                            format!("unknown operation \"{}\" (expected read, write, append or cas)", clip(name)),
                        )
                    })
                })
                .collect::<R<_>>()?;
        }
        if let Some(list) = f.get("keys") {
            let items = list
                .as_array()
                .filter(|l| !l.is_empty() && l.len() <= 1_000)
                .ok_or_else(|| ScenarioError::new(f.at("keys"), "must be a list of 1 to 1000 key names"))?;
            w.keys = items
                .iter()
                .enumerate()
                .map(|(i, x)| crate::base::read::string(x, &format!("clients.keys[{i}]"), MAX_KEY_CHARS))
                .collect::<R<_>>()?;
        }
        if let Some(v) = f.get("think_ms") {
            w.think_ms = match v.as_array().map(Vec::as_slice) {
                // Thinking may take no time at all, unlike a message.
                Some([a, b]) if a.as_u64() == Some(0) => (0, crate::base::read::uint(b, "clients.think_ms[1]")?),
                _ => latency(v, "clients.think_ms")?,
            };
        }
        if let Some(t) = f.uint_opt("timeout_ms")? {
            if t == 0 || t > MAX_TIME_MS {
                return Err(ScenarioError::new(f.at("timeout_ms"), format!("must be between 1 and {MAX_TIME_MS}")));
            }
            w.timeout_ms = t;
        }
        w.from_ms = f.time_opt("from_ms")?.unwrap_or(0);
        w.until_ms = f.time_opt("until_ms")?;
        if w.until_ms.is_some_and(|u| u < w.from_ms) {
            return Err(ScenarioError::new(f.at("until_ms"), "ends before from_ms"));
        }
        w.nodes = f.nodes_opt("nodes")?.unwrap_or_default();
        Ok(w)
    }

    pub(super) fn write(&self, b: &mut Vec<u8>) {
        let mut o = Obj::new(b);
        o.field("count", &self.count);
        o.field("ops", &self.ops.iter().map(|f| f.name()).collect::<Vec<_>>());
        o.field("keys", &self.keys);
        o.field("think_ms", &[self.think_ms.0, self.think_ms.1]);
        o.field("timeout_ms", &self.timeout_ms);
        o.field("from_ms", &self.from_ms);
        if let Some(u) = self.until_ms {
            o.field("until_ms", &u);
        }
        if !self.nodes.is_empty() {
            o.field("nodes", &self.nodes);
        }
        o.end();
    }
}
