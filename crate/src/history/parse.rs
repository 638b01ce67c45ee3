//! The history document that `consensus-lab check` reads:
//! `{ "model": "kv", "ops": [ … ] }`, each operation as the run result's
//! `history` prints it (docs/SCENARIO.md, "Checking a history").
//!
//! Every problem is one [`ScenarioError`] naming the field, in the
//! scenario's words: `ops[3].return_ms: 100 is before call_ms 120`. Small
//! readers (`uint`, `time`, `kind_of`, `clip`) are the scenario module's.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::{F, Op};
use crate::base::read::{MAX_VALUE_CHARS, clip, kind_of, time, uint};
use crate::scenario::{ScenarioError, parse_json};

type R<T> = Result<T, ScenarioError>;

/// The most operations a history document may hold.
pub const MAX_OPS: usize = 1_000_000;

const TOP_LEVEL: &[&str] = &["model", "ops"];
const FIELDS: &[&str] = &["id", "client", "f", "key", "value", "expect", "call_ms", "return_ms", "ok"];

/// Reads a history document from JSON text.
pub fn parse_history(text: &str) -> R<Vec<Op>> {
    history_from_value(&parse_json(text)?)
}

/// Reads a history document from a JSON value.
pub fn history_from_value(doc: &Value) -> R<Vec<Op>> {
    let obj = doc.as_object().ok_or_else(|| {
        ScenarioError::new(
            "",
            format!("a history must be a JSON object ({{\"model\": \"kv\", \"ops\": [...]}}), not {}", kind_of(doc)),
        )
    })?;
    for key in obj.keys() {
        if !TOP_LEVEL.contains(&key.as_str()) {
            return Err(ScenarioError::new(clip(key), "unknown field (expected model or ops)"));
        }
    }
    match obj.get("model") {
        None | Some(Value::Null) => {}
        Some(Value::String(m)) if m == "kv" => {}
        Some(Value::String(m)) => {
            return Err(ScenarioError::new(
                "model",
                format!("unknown model \"{}\" (this checker knows \"kv\")", clip(m)),
            ));
        }
        Some(v) => return Err(ScenarioError::new("model", format!("must be a string, not {}", kind_of(v)))),
    }
    let list = match obj.get("ops") {
        None => return Err(ScenarioError::new("ops", "missing")),
        Some(Value::Array(list)) => list,
        Some(v) => return Err(ScenarioError::new("ops", format!("must be a list, not {}", kind_of(v)))),
    };
    if list.len() > MAX_OPS {
        return Err(ScenarioError::new("ops", format!("{} operations is too many (at most {MAX_OPS})", list.len())));
    }
    let mut ids: BTreeMap<u64, usize> = BTreeMap::new();
    let mut ops = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let op = parse_op(item, i)?;
        if let Some(first) = ids.insert(op.id, i) {
            let how = if item.get("id").is_some_and(|v| !v.is_null()) { "" } else { " (its default, its index)" };
            return Err(ScenarioError::new(
                format!("ops[{i}].id"),
                format!("{}{how} is already the id of ops[{first}]", op.id),
            ));
        }
        ops.push(op);
    }
    Ok(ops)
}

/// A present, non-null field.
fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).filter(|v| !v.is_null())
}

fn string(v: &Value, path: &str) -> R<Rc<str>> {
    match v {
        Value::String(s) if s.chars().count() > MAX_VALUE_CHARS => {
            Err(ScenarioError::new(path, format!("is longer than {MAX_VALUE_CHARS} characters")))
        }
        Value::String(s) => Ok(Rc::from(s.as_str())),
        other => Err(ScenarioError::new(path, format!("must be a string, not {}", kind_of(other)))),
    }
}

fn parse_op(item: &Value, i: usize) -> R<Op> {
    let path = format!("ops[{i}]");
    let at = |name: &str| format!("{path}.{name}");
    let obj = item
        .as_object()
        .ok_or_else(|| ScenarioError::new(&path, format!("an operation must be an object, not {}", kind_of(item))))?;
    for key in obj.keys() {
        if !FIELDS.contains(&key.as_str()) {
            return Err(ScenarioError::new(
                format!("{path}.{}", clip(key)),
                format!("unknown field (expected one of: {})", FIELDS.join(", ")),
            ));
        }
    }
    let f = match obj.get("f") {
        None | Some(Value::Null) => return Err(ScenarioError::new(at("f"), "missing (read, write, append or cas)")),
        Some(Value::String(s)) => F::parse(s).ok_or_else(|| {
            ScenarioError::new(
                at("f"),
                format!("unknown operation \"{}\" (expected read, write, append or cas)", clip(s)),
            )
        })?,
        Some(v) => return Err(ScenarioError::new(at("f"), format!("must be a string, not {}", kind_of(v)))),
    };
    let id = get(obj, "id").map(|v| uint(v, &at("id"))).transpose()?.unwrap_or(i as u64);
    let client = get(obj, "client").map(|v| uint(v, &at("client"))).transpose()?.unwrap_or(0);
    let key = get(obj, "key").map(|v| string(v, &at("key"))).transpose()?.unwrap_or_else(|| Rc::from("x"));
    let call_ms = match get(obj, "call_ms") {
        None => return Err(ScenarioError::new(at("call_ms"), "missing")),
        Some(v) => time(v, &at("call_ms"))?,
    };
    let return_ms = match obj.get("return_ms") {
        None => return Err(ScenarioError::new(at("return_ms"), "missing (null means no answer came)")),
        Some(Value::Null) => None,
        Some(v) => Some(time(v, &at("return_ms"))?),
    };
    if let Some(r) = return_ms.filter(|&r| r < call_ms) {
        return Err(ScenarioError::new(at("return_ms"), format!("{r} is before call_ms {call_ms}")));
    }
    let ok = match (obj.get("ok"), return_ms) {
        (None, Some(_)) => Some(true),
        (None | Some(Value::Null), None) => None,
        (Some(Value::Null), Some(r)) => {
            return Err(ScenarioError::new(
                at("ok"),
                format!("null means no answer came, but return_ms is {r} (give both as null, or ok as true or false)"),
            ));
        }
        (Some(&Value::Bool(b)), Some(_)) => Some(b),
        (Some(Value::Bool(b)), None) => {
            return Err(ScenarioError::new(
                at("ok"),
                format!("{b}, but return_ms is null: an operation with no answer has no outcome (use null)"),
            ));
        }
        (Some(v), _) => {
            return Err(ScenarioError::new(at("ok"), format!("must be true, false or null, not {}", kind_of(v))));
        }
    };
    let value = match (f, obj.get("value")) {
        (F::Read, None | Some(Value::Null)) => None,
        (F::Read, Some(v)) if return_ms.is_none() => {
            return Err(ScenarioError::new(
                at("value"),
                format!("a read with no answer returned nothing (use null, not {})", kind_of(v)),
            ));
        }
        (F::Read, Some(v)) => Some(string(v, &at("value"))?),
        (_, None) => {
            return Err(ScenarioError::new(at("value"), format!("missing (the string a {} sets)", f.name())));
        }
        (_, Some(v)) => Some(string(v, &at("value"))?),
    };
    let expect = match (f, obj.get("expect")) {
        (F::Cas, None) => {
            return Err(ScenarioError::new(at("expect"), "missing (the value a cas compares with; null for no value)"));
        }
        (F::Cas, Some(Value::Null)) => None,
        (F::Cas, Some(v)) => Some(string(v, &at("expect"))?),
        (_, None | Some(Value::Null)) => None,
        (_, Some(_)) => {
            return Err(ScenarioError::new(at("expect"), format!("only a cas has expect, not a {}", f.name())));
        }
    };
    Ok(Op { id, client, f, key, value, expect, call_ms, return_ms, ok })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(doc: &str) -> String {
        parse_history(doc).map(|_| ()).unwrap_err().to_string()
    }

    fn ops(list: &str) -> String {
        format!(r#"{{"model":"kv","ops":[{list}]}}"#)
    }

    #[test]
    fn reads_the_contract_example_with_defaults() {
        let h = parse_history(&ops(
            r#"{"id":0,"client":0,"f":"write","key":"x","value":"1","call_ms":120,"return_ms":161,"ok":true},
               {"f":"read","value":"1","call_ms":130,"return_ms":170},
               {"f":"cas","client":2,"expect":"1","value":"2","call_ms":140,"return_ms":null,"ok":null}"#,
        ))
        .unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!((h[1].id, h[1].client, &*h[1].key, h[1].ok), (1, 0, "x", Some(true)));
        assert_eq!((h[2].return_ms, h[2].ok, h[2].expect.as_deref()), (None, None, Some("1")));
        let printed = serde_json::to_string(&h[2]).unwrap();
        assert_eq!(
            printed,
            r#"{"id":2,"client":2,"f":"cas","key":"x","expect":"1","value":"2","call_ms":140,"return_ms":null,"ok":null}"#
        );
        assert!(parse_history(r#"{"ops":[]}"#).unwrap().is_empty());
    }

    #[test]
    fn every_mistake_is_one_line_naming_its_field() {
        let w = |rest: &str| ops(&format!(r#"{{"f":"write","value":"1","call_ms":10,"return_ms":20{rest}}}"#));
        let cases: &[(String, &str)] = &[
            (r#"{"model":"register","ops":[]}"#.into(), "model: unknown model \"register\""),
            (r#"{"ops":[],"extra":1}"#.into(), "extra: unknown field"),
            (r#"{"model":"kv"}"#.into(), "ops: missing"),
            (r#"{"ops":{}}"#.into(), "ops: must be a list, not an object"),
            (r#"[1]"#.into(), "a history must be a JSON object"),
            (ops("3"), "ops[0]: an operation must be an object, not a number"),
            (w(r#","colour":"red""#), "ops[0].colour: unknown field"),
            (w(r#","call_ms":"10""#), "ops[0].call_ms: must be a whole number, not a string"),
            (w(r#","return_ms":5"#), "ops[0].return_ms: 5 is before call_ms 10"),
            (
                ops(r#"{"f":"write","value":"1","call_ms":10,"return_ms":null,"ok":true}"#),
                "ops[0].ok: true, but return_ms is null",
            ),
            (w(r#","ok":null"#), "ops[0].ok: null means no answer came"),
            (w(r#","ok":"yes""#), "ops[0].ok: must be true, false or null, not a string"),
            (ops(r#"{"f":"write","value":"1","call_ms":10}"#), "ops[0].return_ms: missing"),
            (ops(r#"{"f":"write","value":"1","return_ms":10}"#), "ops[0].call_ms: missing"),
            (ops(r#"{"f":"delete","call_ms":10,"return_ms":20}"#), "ops[0].f: unknown operation \"delete\""),
            (ops(r#"{"call_ms":10,"return_ms":20}"#), "ops[0].f: missing"),
            (ops(r#"{"f":"write","call_ms":10,"return_ms":20}"#), "ops[0].value: missing"),
            (w(r#","value":1"#), "ops[0].value: must be a string, not a number"),
            (ops(r#"{"f":"cas","value":"2","call_ms":10,"return_ms":20}"#), "ops[0].expect: missing"),
            (w(r#","expect":"0""#), "ops[0].expect: only a cas has expect"),
            (ops(r#"{"f":"read","value":"1","call_ms":10,"return_ms":null}"#), "ops[0].value: a read with no answer"),
            (w(r#","id":-1"#), "ops[0].id: must not be negative"),
            (w(r#","client":1.5"#), "ops[0].client: must be a whole number"),
            (w(r#","key":["x"]"#), "ops[0].key: must be a string, not a list"),
            (
                w(r#","call_ms":9007199254740992,"return_ms":9007199254740993"#),
                "ops[0].call_ms: 9007199254740992 ms is too late",
            ),
        ];
        for (doc, want) in cases {
            let e = err(doc);
            assert!(e.starts_with(want), "{e:?} should start with {want:?}");
            assert!(!e.contains('\n'));
        }
        let dup = ops(r#"{"id":1,"f":"read","call_ms":1,"return_ms":2},{"f":"read","call_ms":1,"return_ms":2}"#);
        assert_eq!(err(&dup), "ops[1].id: 1 (its default, its index) is already the id of ops[0]");
        let long = ops(&format!(r#"{{"f":"write","value":"{}","call_ms":1,"return_ms":2}}"#, "v".repeat(1_001)));
        assert_eq!(err(&long), "ops[0].value: is longer than 1000 characters");
        assert!(err("{\"ops\":[").starts_with("the JSON ends too early"));
    }
}
