//! A story's key moments (`moments`, Consensus Lab's addition to the
//! scenario): the page slows playback around each one, marks it on the
//! timeline and shows its caption. Moments never affect a run: the engines
//! and the trace hash ignore them, and a later guided tour reuses the same
//! list as its caption track.

use serde_json::Value;

use super::{R, ScenarioError, Time};
use crate::base::read::{clip, kind_of, time};
use crate::json::{Obj, list};

/// The most key moments a scenario may name.
pub const MAX_MOMENTS: usize = 1_000;
/// The longest caption of a key moment, in characters.
pub const MAX_MOMENT_CAPTION_CHARS: usize = 500;

/// A key moment of a story (Consensus Lab's addition): the page slows
/// playback around it, marks it on the timeline and shows its caption. It
/// does not affect the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    pub at_ms: Time,
    pub caption: Option<String>,
    /// Whether playback pauses when it reaches the moment.
    pub pause: bool,
}

/// The `moments` list: `[{ "at_ms", "caption"?, "pause"? }]`.
pub(super) fn parse(v: &Value) -> R<Vec<Moment>> {
    let items =
        v.as_array().ok_or_else(|| ScenarioError::new("moments", format!("must be a list, not {}", kind_of(v))))?;
    if items.len() > MAX_MOMENTS {
        return Err(ScenarioError::new(
            "moments",
            format!("{} moments is too many (at most {MAX_MOMENTS})", items.len()),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("moments[{i}]");
        let obj = item
            .as_object()
            .ok_or_else(|| ScenarioError::new(&path, format!("a moment must be an object, not {}", kind_of(item))))?;
        for key in obj.keys() {
            if !["at_ms", "caption", "pause"].contains(&key.as_str()) {
                return Err(ScenarioError::new(
                    format!("{path}.{}", clip(key)),
                    "unknown field (expected at_ms, caption or pause)",
                ));
            }
        }
        let at_ms = match obj.get("at_ms") {
            None | Some(Value::Null) => return Err(ScenarioError::new(format!("{path}.at_ms"), "missing")),
            Some(v) => time(v, &format!("{path}.at_ms"))?,
        };
        let caption = match obj.get("caption") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() <= MAX_MOMENT_CAPTION_CHARS => Some(s.clone()),
            Some(Value::String(_)) => {
                return Err(ScenarioError::new(
                    format!("{path}.caption"),
                    format!("is longer than {MAX_MOMENT_CAPTION_CHARS} characters"),
                ));
            }
            Some(v) => {
                return Err(ScenarioError::new(
                    format!("{path}.caption"),
                    format!("must be a string, not {}", kind_of(v)),
                ));
            }
        };
        let pause = match obj.get("pause") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                return Err(ScenarioError::new(
                    format!("{path}.pause"),
                    format!("must be true or false, not {}", kind_of(v)),
                ));
            }
        };
        out.push(Moment { at_ms, caption, pause });
    }
    Ok(out)
}

/// The list as JSON, each moment `{ "at_ms", "caption"?, "pause"? }`.
pub(super) fn write(moments: &[Moment], b: &mut Vec<u8>) {
    list(b, moments, |b, m| {
        let mut o = Obj::new(b);
        o.field("at_ms", &m.at_ms);
        if let Some(c) = &m.caption {
            o.field("caption", c);
        }
        if m.pause {
            o.field("pause", &true);
        }
        o.end();
    })
}

#[cfg(test)]
mod tests {
    use super::super::Scenario;
    use super::*;

    fn err(doc: &str) -> String {
        Scenario::from_json_str(doc).unwrap_err().to_string()
    }

    #[test]
    fn moments_and_open_at_round_trip_and_name_their_errors() {
        let doc = r#"{"version":1,"protocol":"raft","nodes":3,"seed":1,"open_at_ms":1200,
            "moments":[{"at_ms":900,"caption":"n2 catches up","pause":true},{"at_ms":100}]}"#;
        let s = Scenario::from_json_str(doc).unwrap();
        assert_eq!(s.open_at_ms, Some(1200));
        assert_eq!(s.moments[0], Moment { at_ms: 900, caption: Some("n2 catches up".into()), pause: true });
        assert_eq!(s.moments[1], Moment { at_ms: 100, caption: None, pause: false });
        assert_eq!(Scenario::from_value(&s.to_value()).unwrap(), s);
        let base = |rest: &str| format!(r#"{{"version":1,"protocol":"raft","nodes":3,"seed":1{rest}}}"#);
        assert!(err(&base(r#","open_at_ms":-1"#)).starts_with("open_at_ms: must not be negative"));
        assert!(err(&base(r#","open_at_ms":1.5"#)).starts_with("open_at_ms: must be a whole number"));
        assert!(err(&base(r#","moments":{}"#)).starts_with("moments: must be a list"));
        assert!(err(&base(r#","moments":[{"caption":"x"}]"#)).starts_with("moments[0].at_ms: missing"));
        assert!(err(&base(r#","moments":[{"at_ms":1,"pause":"yes"}]"#)).starts_with("moments[0].pause: must be true"));
        assert!(err(&base(r#","moments":[{"at_ms":1,"slow":2}]"#)).starts_with("moments[0].slow: unknown field"));
        let long = "x".repeat(501);
        assert!(
            err(&base(&format!(r#","moments":[{{"at_ms":1,"caption":"{long}"}}]"#)))
                .starts_with("moments[0].caption: is longer than 500")
        );
    }
}
