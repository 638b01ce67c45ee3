//! Readers for the fields of JSON documents (scenarios, injects, params,
//! histories, command arguments), each naming the field's path in its error:
//! `events[3].node: node 7 does not exist (this scenario has nodes 0..4)`.

use serde_json::{Map, Value as Json};

use super::text::clip as clip_to;
use super::{NodeId, ScenarioError, Time};

type R<T> = Result<T, ScenarioError>;

/// The largest `at_ms`, `run_until_ms` or `for_ms` accepted: about 285 simulated
/// years, and exactly representable in JavaScript.
pub const MAX_TIME_MS: Time = (1 << 53) - 1;
/// The longest message latency accepted (ten simulated minutes).
pub const MAX_LATENCY_MS: Time = 600_000;
/// The longest client value accepted, in characters.
pub const MAX_VALUE_CHARS: usize = 1_000;

/// "a string", "a number"… for error messages.
pub fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// Keeps user text in error messages short.
pub fn clip(s: &str) -> String {
    clip_to(s, 41)
}

/// A JSON value, shortened for an error message.
pub fn short(v: &Json) -> String {
    clip(&v.to_string())
}

pub fn uint(v: &Json, path: &str) -> R<u64> {
    match v {
        Json::Number(n) => {
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

pub fn time(v: &Json, path: &str) -> R<Time> {
    let t = uint(v, path)?;
    if t > MAX_TIME_MS {
        return Err(ScenarioError::new(path, format!("{t} ms is too late (at most {MAX_TIME_MS})")));
    }
    Ok(t)
}

pub fn node(v: &Json, path: &str, nodes: usize) -> R<NodeId> {
    let id = uint(v, path)?;
    if id >= nodes as u64 {
        return Err(ScenarioError::new(
            path,
            format!("node {id} does not exist (this scenario has nodes 0..{})", nodes.saturating_sub(1)),
        ));
    }
    Ok(id as NodeId)
}

/// A list of distinct node ids.
pub fn node_list(v: &Json, path: &str, nodes: usize) -> R<Vec<NodeId>> {
    let items = v
        .as_array()
        .ok_or_else(|| ScenarioError::new(path, format!("must be a list of node ids, not {}", kind_of(v))))?;
    if items.len() > nodes {
        return Err(ScenarioError::new(path, format!("{} ids for {nodes} nodes", items.len())));
    }
    let mut seen = vec![false; nodes];
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = node(item, &format!("{path}[{i}]"), nodes)?;
        if std::mem::replace(&mut seen[id], true) {
            return Err(ScenarioError::new(format!("{path}[{i}]"), format!("node {id} is listed twice")));
        }
        out.push(id);
    }
    Ok(out)
}

pub fn rate(v: &Json, path: &str) -> R<f64> {
    match v {
        Json::Number(n) => {
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

/// A finite number (params such as a φ threshold).
pub fn number(v: &Json, path: &str) -> R<f64> {
    match v {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(ScenarioError::new(path, format!("must be a finite number (got {n})"))),
        },
        other => Err(ScenarioError::new(path, format!("must be a number, not {}", kind_of(other)))),
    }
}

pub fn latency(v: &Json, path: &str) -> R<(Time, Time)> {
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

/// A string of at most `max` characters.
pub fn string(v: &Json, path: &str, max: usize) -> R<String> {
    match v {
        Json::String(s) if s.chars().count() <= max => Ok(s.clone()),
        Json::String(_) => Err(ScenarioError::new(path, format!("is longer than {max} characters"))),
        other => Err(ScenarioError::new(path, format!("must be a string, not {}", kind_of(other)))),
    }
}

pub fn boolean(v: &Json, path: &str) -> R<bool> {
    v.as_bool().ok_or_else(|| ScenarioError::new(path, format!("must be true or false, not {}", kind_of(v))))
}

/// The fields of one JSON object, read by name with their paths.
pub struct Fields<'a> {
    pub obj: &'a Map<String, Json>,
    /// The object's own path, such as `events[3]` (empty for a document).
    pub path: String,
    pub nodes: usize,
}

impl<'a> Fields<'a> {
    /// `v` as an object, or an error saying what it is instead.
    pub fn of(v: &'a Json, path: &str, nodes: usize, what: &str) -> R<Fields<'a>> {
        let obj = v.as_object().ok_or_else(|| ScenarioError::new(path, format!("{what}, not {}", kind_of(v))))?;
        Ok(Fields { obj, path: path.to_string(), nodes })
    }

    /// The path of field `name`.
    pub fn at(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_string() } else { format!("{}.{name}", self.path) }
    }

    /// A field's value; `null` counts as absent.
    pub fn get(&self, name: &str) -> Option<&'a Json> {
        match self.obj.get(name) {
            None | Some(Json::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// Refuses any field not in `allowed`, naming the first one found.
    pub fn only(&self, allowed: &[&str], what: &str) -> R<()> {
        match self.obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ScenarioError::new(self.at(&clip(k)), what.to_string())),
            None => Ok(()),
        }
    }

    fn req<T>(&self, name: &str, read: impl FnOnce(&Json, &str) -> R<T>) -> R<T> {
        match self.get(name) {
            None => Err(ScenarioError::new(self.at(name), "missing")),
            Some(v) => read(v, &self.at(name)),
        }
    }

    fn opt<T>(&self, name: &str, read: impl FnOnce(&Json, &str) -> R<T>) -> R<Option<T>> {
        self.get(name).map(|v| read(v, &self.at(name))).transpose()
    }

    pub fn uint(&self, name: &str) -> R<u64> {
        self.req(name, uint)
    }
    pub fn uint_opt(&self, name: &str) -> R<Option<u64>> {
        self.opt(name, uint)
    }
    pub fn time_opt(&self, name: &str) -> R<Option<Time>> {
        self.opt(name, time)
    }
    pub fn node(&self, name: &str) -> R<NodeId> {
        let n = self.nodes;
        self.req(name, |v, p| node(v, p, n))
    }
    pub fn node_opt(&self, name: &str) -> R<Option<NodeId>> {
        let n = self.nodes;
        self.opt(name, |v, p| node(v, p, n))
    }
    pub fn nodes_opt(&self, name: &str) -> R<Option<Vec<NodeId>>> {
        let n = self.nodes;
        self.opt(name, |v, p| node_list(v, p, n))
    }
    pub fn string(&self, name: &str, max: usize) -> R<String> {
        self.req(name, |v, p| string(v, p, max))
    }
    pub fn string_opt(&self, name: &str, max: usize) -> R<Option<String>> {
        self.opt(name, |v, p| string(v, p, max))
    }
    pub fn rate_opt(&self, name: &str) -> R<Option<f64>> {
        self.opt(name, rate)
    }
    pub fn latency_opt(&self, name: &str) -> R<Option<(Time, Time)>> {
        self.opt(name, latency)
    }
    pub fn bool_opt(&self, name: &str) -> R<Option<bool>> {
        self.opt(name, boolean)
    }
}
