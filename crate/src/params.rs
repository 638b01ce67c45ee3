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

use serde_json::{Map, Value};

use crate::protocol::NodeId;
use crate::scenario::{ScenarioError, clip, kind_of, node, uint};

/// Walks a `params` object as a protocol names its fields.
pub struct ParamReader<'a> {
    given: &'a Map<String, Value>,
    nodes: usize,
    names: Vec<&'static str>,
}

impl<'a> ParamReader<'a> {
    /// A reader over the scenario's `params` for a cluster of `nodes`.
    pub fn new(given: &'a Map<String, Value>, nodes: usize) -> Self {
        ParamReader { given, nodes, names: Vec::new() }
    }

    /// Names a field: if the scenario gives it, reads it into `into`.
    pub fn field<T: ParamValue>(&mut self, name: &'static str, into: &mut T) -> Result<(), ScenarioError> {
        self.names.push(name);
        if let Some(v) = self.given.get(name) {
            *into = T::read(v, &format!("params.{name}"), self.nodes)?;
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

/// A type a parameter can have, read from JSON with a path for messages.
pub trait ParamValue: Sized {
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError>;
}

/// Milliseconds and counts.
impl ParamValue for u64 {
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        uint(v, path)
    }
}

/// A node id: it must exist in this cluster.
impl ParamValue for NodeId {
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError> {
        node(v, path, nodes)
    }
}

impl ParamValue for bool {
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        v.as_bool().ok_or_else(|| ScenarioError::new(path, format!("must be true or false, not {}", kind_of(v))))
    }
}

/// A range `[min, max]`; the protocol checks the bounds in `validate`.
impl ParamValue for (u64, u64) {
    fn read(v: &Value, path: &str, _nodes: usize) -> Result<Self, ScenarioError> {
        match v.as_array().map(Vec::as_slice) {
            Some([lo, hi]) => Ok((uint(lo, &format!("{path}[0]"))?, uint(hi, &format!("{path}[1]"))?)),
            _ => Err(ScenarioError::new(path, format!("must be a pair [min, max], not {}", kind_of(v)))),
        }
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError> {
        let items =
            v.as_array().ok_or_else(|| ScenarioError::new(path, format!("must be a list, not {}", kind_of(v))))?;
        items.iter().enumerate().map(|(i, x)| T::read(x, &format!("{path}[{i}]"), nodes)).collect()
    }
}

/// `null` for none.
impl<T: ParamValue> ParamValue for Option<T> {
    fn read(v: &Value, path: &str, nodes: usize) -> Result<Self, ScenarioError> {
        if v.is_null() { Ok(None) } else { T::read(v, path, nodes).map(Some) }
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
            r.field("every_ms", &mut d.every_ms)?;
            r.field("range", &mut d.range)?;
            r.field("on", &mut d.on)?;
            r.field("who", &mut d.who)
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

    /// Every field a protocol's parameters have is named for the reader:
    /// its defaults, written out in full, read back as they were.
    fn names_every_field<P: crate::protocol::Params + PartialEq>() {
        let Value::Object(written) = serde_json::to_value(P::default()).unwrap() else {
            panic!("params are an object")
        };
        let mut back = P::default();
        let mut r = ParamReader::new(&written, 5);
        back.fields(&mut r).unwrap();
        assert_eq!(r.names.len(), written.len(), "{:?}", r.names);
        r.finish().unwrap();
        assert_eq!(back, P::default());
    }

    #[test]
    fn every_protocol_names_every_field() {
        #[cfg(feature = "raft")]
        names_every_field::<crate::raft::RaftParams>();
        #[cfg(feature = "paxos")]
        {
            names_every_field::<crate::paxos::PaxosParams>();
            names_every_field::<crate::paxos::MultiPaxosParams>();
        }
        #[cfg(feature = "commit")]
        {
            names_every_field::<crate::commit::TwoPcParams>();
            names_every_field::<crate::commit::ThreePcParams>();
        }
    }

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
