//! The registry: every protocol the lab runs, declared once.
//!
//! Each family (a folder in `src/`, one wasm module) lists its protocols in
//! its own `registry()` function — the engine, its family and its checkers —
//! and is declared by one line in `lib.rs`'s `families!`. Everything that lists protocols reads this: the
//! CLI's `protocols` (and `--json`), the file the build writes next to the
//! wasm modules (`www/pkg/protocols.json`), which the page's loaders and
//! menus, the stories index, the bench and the docs' tables read in turn.
//! Engines name no checker: the pairing happens here, so an engine and its
//! invariants never import each other.

use std::marker::PhantomData;

use serde_json::{Value as Json, json};

use crate::invariant::Checker;
use crate::protocol::Protocol;
use crate::sim::erased::{AnyChecker, AnyProtocol, checker, descriptor};

/// One protocol: its engine, its family (the wasm module that carries it)
/// and its checkers.
#[derive(Clone)]
pub struct Entry {
    pub family: &'static str,
    pub proto: &'static dyn AnyProtocol,
    checkers: Vec<fn() -> Box<dyn AnyChecker>>,
}

/// Builds an [`Entry`] for protocol `P`, adding its checkers.
pub struct Builder<P: Protocol> {
    entry: Entry,
    _p: PhantomData<fn() -> P>,
}

impl<P: Protocol> Builder<P> {
    /// Adds checker `C` (invariants, metrics, series) to the protocol.
    pub fn checker<C: Checker<P>>(mut self) -> Self {
        self.entry.checkers.push(checker::<P, C>);
        self
    }
    pub fn done(self) -> Entry {
        self.entry
    }
}

impl Entry {
    /// The entry of protocol `P` in `family`, with no checkers yet.
    pub fn of<P: Protocol>(family: &'static str) -> Builder<P> {
        Builder { entry: Entry { family, proto: descriptor::<P>(), checkers: Vec::new() }, _p: PhantomData }
    }

    pub fn name(&self) -> &'static str {
        self.proto.name()
    }

    /// A fresh set of the protocol's checkers, for a new run.
    pub fn checkers(&self) -> Vec<Box<dyn AnyChecker>> {
        self.checkers.iter().map(|make| make()).collect()
    }

    /// The entry as the CLI's `protocols --json` and the page read it.
    pub fn to_json(&self) -> Json {
        let p = self.proto;
        let spec = p.spec();
        let nodes = p.nodes();
        json!({
            "name": p.name(),
            "family": self.family,
            "min_nodes": nodes.start(),
            "max_nodes": nodes.end(),
            "default_nodes": p.default_nodes(),
            "summary": spec.summary,
            "reference": spec.reference,
            "layout": spec.layout,
            "membership": spec.membership,
            "clients": spec.clients,
            "linearizable": spec.linearizable,
            "network": {
                "latency_ms": [p.network_defaults().latency_ms.0, p.network_defaults().latency_ms.1],
                "drop_rate": p.network_defaults().drop_rate,
                "duplicate_rate": p.network_defaults().duplicate_rate,
            },
            "params": p.param_docs(),
            "kinds": spec.kinds,
            "variants": spec.variants,
            "commands": spec.commands,
            "fields": spec.fields,
            "liveness": spec.liveness,
            "metrics": spec.metrics,
            "series": spec.series,
            "curves": spec.curves,
        })
    }
}

/// Every protocol in this build, in the order the page lists them (the
/// families as `lib.rs` declares them, each family's protocols as its own
/// `registry()` lists them).
pub fn entries() -> Vec<Entry> {
    crate::family_entries()
}

/// The protocol called `name`, if this build runs it.
pub fn find(name: &str) -> Option<Entry> {
    entries().into_iter().find(|e| e.name() == name)
}

/// The names of every protocol in this build, for error messages.
pub fn names() -> Vec<&'static str> {
    entries().iter().map(Entry::name).collect()
}

/// The whole registry as JSON: a list of entries.
pub fn to_json() -> Json {
    Json::Array(entries().iter().map(Entry::to_json).collect())
}

/// The registry as a reader would like to see it in a terminal.
pub fn to_text() -> String {
    let mut s = String::new();
    for e in entries() {
        let p = e.proto;
        let spec = p.spec();
        let nodes = p.nodes();
        s.push_str(&format!(
            "{} ({} module, {}–{} nodes, default {})\n  {}\n",
            p.name(),
            e.family,
            nodes.start(),
            nodes.end(),
            p.default_nodes(),
            spec.summary
        ));
        let params = p.param_docs();
        if !params.is_empty() {
            s.push_str("  params:\n");
            for d in params {
                s.push_str(&format!("    {} = {} — {}\n", d.name, d.default, d.doc));
            }
        }
        if !spec.variants.is_empty() {
            s.push_str("  variants:\n");
            for v in spec.variants {
                s.push_str(&format!("    {} — {} (sets {})\n", v.name, v.doc, v.params));
            }
        }
        if !spec.commands.is_empty() {
            s.push_str("  commands:\n");
            for c in spec.commands {
                let args: Vec<String> = c
                    .args
                    .iter()
                    .map(|a| if a.required { a.name.to_string() } else { format!("[{}]", a.name) })
                    .collect();
                s.push_str(&format!("    {}({}) — {}\n", c.name, args.join(", "), c.doc));
            }
        }
        if spec.clients {
            s.push_str("  serves client operations (client_op, clients)\n");
        }
        if spec.membership {
            s.push_str("  supports membership changes (members, join, leave)\n");
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn every_protocol_declares_itself_fully() {
        let all = entries();
        assert!(!all.is_empty());
        for e in &all {
            let p = e.proto;
            let spec = p.spec();
            assert!(!spec.summary.is_empty(), "{} has no summary", p.name());
            assert!(!spec.kinds.is_empty(), "{} lists no message kinds", p.name());
            assert!(spec.kinds.iter().all(|k| !k.doc.is_empty()), "{}: every kind has a doc", p.name());
            assert!(p.nodes().contains(&p.default_nodes()));
            // Every field serde writes for the defaults is named, with a doc,
            // for the reader: the params the page and the docs list are all of them.
            let docs = p.param_docs();
            let Json::Object(written) = p.default_params_json() else { panic!("{}: params are an object", p.name()) };
            let named: Vec<&str> = docs.iter().map(|d| d.name).collect();
            let mut keys: Vec<&str> = written.keys().map(String::as_str).collect();
            let mut sorted_named = named.clone();
            keys.sort();
            sorted_named.sort();
            assert_eq!(keys, sorted_named, "{}: every param is named", p.name());
            assert!(docs.iter().all(|d| !d.doc.is_empty()), "{}: every param has a doc", p.name());
            // The defaults, written out in full, read back.
            let mut s = Scenario::new(p.name(), p.default_nodes(), 1);
            s.params = docs.iter().map(|d| (d.name.to_string(), d.default.clone())).collect();
            p.params(&s).unwrap_or_else(|err| panic!("{}: defaults do not read back: {err}", p.name()));
            // Every variant's params are valid params of the protocol.
            for v in spec.variants {
                let mut s = Scenario::new(p.name(), p.default_nodes(), 1);
                s.params = v.params_map();
                assert!(!s.params.is_empty(), "{} variant {} sets no params", p.name(), v.name);
                p.params(&s).unwrap_or_else(|err| panic!("{} variant {}: {err}", p.name(), v.name));
            }
        }
        let names = names();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names.len(), unique.len());
    }

    #[test]
    fn the_registry_prints_as_json_and_text() {
        let json = to_json();
        let list = json.as_array().unwrap();
        assert_eq!(list.len(), entries().len());
        for item in list {
            for key in
                ["name", "family", "min_nodes", "max_nodes", "default_nodes", "params", "kinds", "variants", "commands"]
            {
                assert!(item.get(key).is_some(), "{key} missing in {item}");
            }
        }
        let text = to_text();
        for e in entries() {
            assert!(text.contains(e.name()));
        }
    }
}
