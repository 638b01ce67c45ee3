//! Values between JavaScript and the engine: serde values out as JSON text
//! the browser parses, scenarios and injects in from JSON text or plain
//! objects (refusing what JSON cannot say, with the path where it was
//! found), and time arguments.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::scenario::Scenario;

/// A value as a plain JS object, through JSON text: the module already
/// carries serde_json, so this costs no second serializer.
pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsError::new(&format!("internal error while converting a value for JavaScript: {e}")))?;
    parse_json(&text)
}

/// A time argument from JavaScript, in whole simulated milliseconds.
pub(super) fn time_arg(what: &str, ms: f64) -> Result<u64, JsError> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(JsError::new(&format!("{what}: the time must be a number of milliseconds from 0")));
    }
    Ok((ms.floor() as u64).min(crate::scenario::MAX_TIME_MS))
}

/// JSON text made by the engine, as a JS value.
pub(super) fn parse_json(text: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(text)
        .map_err(|_| JsError::new("internal error: the engine produced JSON the browser cannot parse"))
}

/// A JS value as JSON, refusing what JSON cannot say (NaN, Infinity,
/// undefined inside objects, functions…) with the path where it was found.
pub(super) fn js_to_json(v: &JsValue, path: &str, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let at = |p: &str| if p.is_empty() { "the scenario".to_string() } else { p.to_string() };
    if depth > 64 {
        return Err(format!("{}: nested too deeply", at(path)));
    }
    if v.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(f) = v.as_f64() {
        if !f.is_finite() {
            let name = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            };
            return Err(format!("{}: {name} is not a finite number", at(path)));
        }
        if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
            return Ok(if f < 0.0 { Value::from(f as i64) } else { Value::from(f as u64) });
        }
        return Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if js_sys::Array::is_array(v) {
        let arr = js_sys::Array::from(v);
        if arr.length() > 200_000 {
            return Err(format!("{}: list too long", at(path)));
        }
        let mut out = Vec::with_capacity(arr.length() as usize);
        for (i, item) in arr.iter().enumerate() {
            out.push(js_to_json(&item, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() && !v.is_function() {
        let obj: &js_sys::Object = v.unchecked_ref();
        let mut out = serde_json::Map::new();
        for entry in js_sys::Object::entries(obj).iter() {
            let pair = js_sys::Array::from(&entry);
            let key = pair.get(0).as_string().unwrap_or_default();
            let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            let value = pair.get(1);
            if value.is_undefined() {
                continue;
            }
            out.insert(key, js_to_json(&value, &child, depth + 1)?);
        }
        return Ok(Value::Object(out));
    }
    Err(format!("{}: {} cannot be part of a scenario", at(path), v.js_typeof().as_string().unwrap_or_default()))
}

/// JSON text parsed by the browser's own parser (smaller than carrying a
/// second one in the module), with the same wording as the native reader.
pub(super) fn parse_text(text: &str, what: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(|e| {
        let detail = js_sys::Error::from(e).message().as_string().unwrap_or_default();
        // The browser says where it stopped; stopping at the very end means
        // the text was cut short.
        let at_end = detail
            .split("position ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|pos| pos >= text.trim_end().len());
        if at_end || detail.contains("end of JSON input") || detail.contains("Unterminated") {
            format!("{what}the JSON ends too early: {detail}")
        } else {
            format!("{what}malformed JSON: {detail}")
        }
    })
}

/// A scenario given as JSON text or as a plain object.
pub(super) fn scenario_from_js(input: &JsValue) -> Result<Scenario, String> {
    let parsed;
    let input = match input.as_string() {
        Some(text) => {
            parsed = parse_text(&text, "")?;
            &parsed
        }
        None => input,
    };
    if input.is_undefined() || input.is_null() {
        return Err("no scenario given".into());
    }
    let value = js_to_json(input, "", 0)?;
    Scenario::from_value(&value).map_err(|e| e.to_string())
}
