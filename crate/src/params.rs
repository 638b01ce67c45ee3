//! Reading a scenario's `params` object into a protocol's parameters.
//!
//! Each protocol lists its fields once, in [`Params::fields`]: a field the
//! scenario leaves out keeps its default, a field given is read with the
//! same checks and messages as the rest of the scenario (`params.heartbeat_ms:
//! must be a whole number, not a string`), and a key no protocol field names
//! is refused with the list of those it does. Ranges that depend on each
//! other or on the cluster are checked afterwards by [`Params::validate`].
//!
//! Written out rather than derived with serde: a derived reader pulls serde's
//! error machinery and a float formatter into every wasm module, about 12 KB
//! gzip of the page's download.
//!
//! [`Params::fields`]: crate::protocol::Params::fields
//! [`Params::validate`]: crate::protocol::Params::validate

use serde::Serialize;
use serde_json::{Map, Value};

use crate::base::read::{clip, kind_of, node, number, string, uint};
use crate::base::{NodeId, ScenarioError};

/// A parameter as the registry lists it: name, one-line doc, type and default.
#[derive(Clone, Debug, Serialize)]
pub struct ParamDoc {
    pub name: &'static str,
    pub doc: &'static str,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub default: Value,
    /// For a `choice`: the words it may be, which the page offers as a menu.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [&'static str]>,
}

/// Walks a `params` object as a protocol names its fields.
pub struct ParamReader<'a> {
    given: &'a Map<String, Value>,
    nodes: usize,
    names: Vec<&'static str>,
    /// When describing: each field with its doc and current (default) value.
    docs: Option<Vec<ParamDoc>>,
}

impl<'a> ParamReader<'a> {
    /// A reader over the scenario's `params` for a cluster of `nodes`.
    pub fn new(given: &'a Map<String, Value>, nodes: usize) -> Self {
        ParamReader { given, nodes, names: Vec::new(), docs: None }
    }

    /// Names a field: if the scenario gives it, reads it into `into`.
    pub fn field<T: ParamValue>(
        &mut self,
        name: &'static str,
        doc: &'static str,
        into: &mut T,
    ) -> Result<(), ScenarioError> {
        self.names.push(name);
        if let Some(docs) = &mut self.docs {
            docs.push(ParamDoc { name, doc, ty: T::TYPE, default: into.to_json(), choices: None });
        }
        if let Some(v) = self.given.get(name) {
            *into = T::read(v, &format!("params.{name}"), self.nodes)?;
        }
        Ok(())
    }

    /// Names a field that is one word of `choices` (a mode, a topology): the
    /// registry lists them, and any other word is refused with the list.
    pub fn choice(
        &mut self,
        name: &'static str,
        doc: &'static str,
        choices: &'static [&'static str],
        into: &mut String,
    ) -> Result<(), ScenarioError> {
        self.names.push(name);
        if let Some(docs) = &mut self.docs {
            docs.push(ParamDoc { name, doc, ty: "choice", default: into.to_json(), choices: Some(choices) });
        }
        if let Some(v) = self.given.get(name) {
            let path = format!("params.{name}");
            let word = string(v, &path, 200)?;
            if !choices.contains(&word.as_str()) {
                let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                return Err(ScenarioError::new(
                    path,
                    format!("must be one of {} (not \"{}\")", quoted.join(", "), clip(&word)),
                ));
            }
            *into = word;
        }
        Ok(())
    }

    /// Refuses any key the protocol did not name.
    pub fn finish(self) -> Result<(), ScenarioError> {
        match self.given.keys().find(|k| !self.names.contains(&k.as_str())) {
            Some(key) => Err(ScenarioError::new(
                format!("params.{}", clip(key)),
                format!("unknown field (expected one of: {})", self.names.join(", ")),
            )),
            None => Ok(()),
        }
    }
}

/// Every field of `P`'s parameters with its doc, type and default.
pub fn describe<P: crate::protocol::Params>() -> Vec<ParamDoc> {
    let empty = Map::new();
    let mut r = ParamReader { given: &empty, nodes: 1, names: Vec::new(), docs: Some(Vec::new()) };
    let mut p = P::default();
    // Reading nothing cannot fail.
    let _ = p.fields(&mut r);
    r.docs.unwrap_or_default()
}

/// A type a parameter can have, read from JSON with a path for messages.
pub trait ParamValue: Sized {
    /// The type's name in the docs and the page's controls.
    const TYPE: &'static str;
    /// The name of a list of this type: "list" (numbers, node ids), or
    /// "list of words" for text, so the page and its tests know what a
    /// list holds.
    const LIST_TYPE: &'static str = "list";
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError>;
    fn to_json(&self) -> Value;
}

/// Milliseconds and counts.
impl ParamValue for u64 {
    const TYPE: &'static str = "whole number";
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        uint(v, path)
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

/// A node id: it must exist in this cluster.
impl ParamValue for NodeId {
    const TYPE: &'static str = "node";
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError> {
        node(v, path, nodes)
    }
    fn to_json(&self) -> Value {
        Value::from(*self as u64)
    }
}

impl ParamValue for bool {
    const TYPE: &'static str = "boolean";
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        v.as_bool().ok_or_else(|| ScenarioError::new(path, format!("must be true or false, not {}", kind_of(v))))
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

/// A number such as a threshold; the protocol checks its range in `validate`.
impl ParamValue for f64 {
    const TYPE: &'static str = "number";
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        number(v, path)
    }
    fn to_json(&self) -> Value {
        serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

/// A word such as a mode (`"push"`); the protocol checks it in `validate`.
impl ParamValue for String {
    const TYPE: &'static str = "text";
    const LIST_TYPE: &'static str = "list of words";
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        string(v, path, 200)
    }
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

/// A range `[min, max]`; the protocol checks the bounds in `validate`.
impl ParamValue for (u64, u64) {
    const TYPE: &'static str = "range";
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        match v.as_array().map(Vec::as_slice) {
            Some([lo, hi]) => Ok((uint(lo, &format!("{path}[0]"))?, uint(hi, &format!("{path}[1]"))?)),
            _ => Err(ScenarioError::new(path, format!("must be a pair [min, max], not {}", kind_of(v)))),
        }
    }
    fn to_json(&self) -> Value {
        Value::from(vec![self.0, self.1])
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    const TYPE: &'static str = T::LIST_TYPE;
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError> {
        let items =
            v.as_array().ok_or_else(|| ScenarioError::new(path, format!("must be a list, not {}", kind_of(v))))?;
        if items.len() > 10_000 {
            return Err(ScenarioError::new(path, format!("{} items is too many (at most 10000)", items.len())));
        }
        items.iter().enumerate().map(|(i, x)| T::read(x, &format!("{path}[{i}]"), nodes)).collect()
    }
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ParamValue::to_json).collect())
    }
}

/// `null` for none.
impl<T: ParamValue> ParamValue for Option<T> {
    const TYPE: &'static str = T::TYPE;
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError> {
        if v.is_null() { Ok(None) } else { T::read(v, path, nodes).map(Some) }
    }
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ParamValue::to_json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq)]
    struct Demo {
        every_ms: u64,
        range: (u64, u64),
        on: bool,
        who: Option<Vec<NodeId>>,
    }

    fn read(given: Value) -> Result<Demo, String> {
        let map = given.as_object().unwrap();
        let mut demo = Demo { every_ms: 7, ..Demo::default() };
        let mut r = ParamReader::new(map, 3);
        let fields = |r: &mut ParamReader, d: &mut Demo| -> Result<(), ScenarioError> {
            r.field("every_ms", "how often", &mut d.every_ms)?;
            r.field("range", "a range", &mut d.range)?;
            r.field("on", "a switch", &mut d.on)?;
            r.field("who", "some nodes", &mut d.who)
        };
        fields(&mut r, &mut demo).and_then(|()| r.finish()).map_err(|e| e.to_string())?;
        Ok(demo)
    }

    #[test]
    fn fields_left_out_keep_their_defaults() {
        assert_eq!(read(json!({})).unwrap(), Demo { every_ms: 7, ..Demo::default() });
        let all = read(json!({ "every_ms": 9, "range": [1, 2], "on": true, "who": [2, 0] })).unwrap();
        assert_eq!(all, Demo { every_ms: 9, range: (1, 2), on: true, who: Some(vec![2, 0]) });
        assert_eq!(read(json!({ "who": null })).unwrap().who, None);
    }

    // That every protocol names every field of its params, with a doc, is
    // checked for the whole registry in `registry::tests`.

    #[test]
    fn each_wrong_value_is_named_by_its_path() {
        let err = |v: Value| read(v).unwrap_err();
        assert_eq!(err(json!({ "every_ms": "5" })), "params.every_ms: must be a whole number, not a string");
        assert_eq!(err(json!({ "every_ms": 1.5 })), "params.every_ms: must be a whole number (got 1.5)");
        assert_eq!(err(json!({ "every_ms": -2 })), "params.every_ms: must not be negative (got -2)");
        assert_eq!(err(json!({ "range": [1] })), "params.range: must be a pair [min, max], not a list");
        assert_eq!(err(json!({ "range": [1, "x"] })), "params.range[1]: must be a whole number, not a string");
        assert_eq!(err(json!({ "on": 1 })), "params.on: must be true or false, not a number");
        assert_eq!(err(json!({ "who": {} })), "params.who: must be a list, not an object");
        assert!(err(json!({ "who": [0, 3] })).starts_with("params.who[1]: node 3 does not exist"));
        assert_eq!(
            err(json!({ "every_ms": 1, "evry_ms": 1 })),
            "params.evry_ms: unknown field (expected one of: every_ms, range, on, who)"
        );
    }
}
