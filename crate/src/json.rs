//! A small writer for JSON objects whose fields must come out in a chosen
//! order (the scenario document, snapshots, results), whatever map type the
//! build's serde_json uses.

use serde::Serialize;

/// Writes one JSON object field by field into a byte buffer.
pub struct Obj<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Obj<'a> {
        buf.push(b'{');
        Obj { buf, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        let _ = serde_json::to_writer(&mut *self.buf, k);
        self.buf.push(b':');
    }

    pub fn field<T: Serialize + ?Sized>(&mut self, k: &str, v: &T) {
        self.key(k);
        let _ = serde_json::to_writer(&mut *self.buf, v);
    }

    /// A field whose value `write` appends as JSON text.
    pub fn raw(&mut self, k: &str, write: impl FnOnce(&mut Vec<u8>)) {
        self.key(k);
        write(self.buf);
    }

    /// Splices in the fields of a JSON object given as text.
    pub fn fields_of(&mut self, object: &[u8]) {
        if object.len() > 2 && object[0] == b'{' && object[object.len() - 1] == b'}' {
            if !self.first {
                self.buf.push(b',');
            }
            self.first = false;
            self.buf.extend_from_slice(&object[1..object.len() - 1]);
        }
    }

    pub fn end(self) {
        self.buf.push(b'}');
    }
}

/// Writes a JSON list, each item appended by `write`.
pub fn list<T>(buf: &mut Vec<u8>, items: impl IntoIterator<Item = T>, mut write: impl FnMut(&mut Vec<u8>, T)) {
    buf.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write(buf, item);
    }
    buf.push(b']');
}

/// Writes a JSON value with every object's keys in sorted order, however
/// the map that holds it orders them (natively serde_json keeps input order;
/// in wasm it sorts): one canonical text for the same document everywhere.
pub fn sorted(v: &serde_json::Value, buf: &mut Vec<u8>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut o = Obj::new(buf);
            for k in keys {
                o.raw(k, |b| sorted(&m[k.as_str()], b));
            }
            o.end();
        }
        Value::Array(items) => list(buf, items, |b, x| sorted(x, b)),
        other => {
            let _ = serde_json::to_writer(buf, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_their_order_and_splice_cleanly() {
        let mut buf = Vec::new();
        let mut o = Obj::new(&mut buf);
        o.field("z", &1);
        o.fields_of(br#"{"b":2,"a":[3]}"#);
        o.fields_of(b"{}");
        o.raw("m", |b| list(b, [1, 2], |b, x| b.extend_from_slice(x.to_string().as_bytes())));
        o.end();
        assert_eq!(String::from_utf8(buf).unwrap(), r#"{"z":1,"b":2,"a":[3],"m":[1,2]}"#);
    }

    #[test]
    fn sorted_orders_keys_at_every_depth() {
        let v: serde_json::Value = serde_json::from_str(r#"{"b":{"y":1,"x":[{"d":1,"c":2}]},"a":null}"#).unwrap();
        let mut buf = Vec::new();
        sorted(&v, &mut buf);
        assert_eq!(String::from_utf8(buf).unwrap(), r#"{"a":null,"b":{"x":[{"c":2,"d":1}],"y":1}}"#);
    }
}
