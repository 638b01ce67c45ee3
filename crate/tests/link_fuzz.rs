//! Property-based fuzzing of the two decoders every outside input meets: the
//! scenario parser (`Scenario::from_json_str`, then building an engine) and
//! the link decoder (`link::decode`). Inputs mix arbitrary strings, arbitrary
//! JSON values, scenario-shaped documents with hostile values, text-level
//! mutations (truncation, byte flips, huge numbers, NaN-like words, deep
//! nesting) and mutated links. Nothing may panic, and every error must be one
//! line. About 110,000 inputs in all; `FUZZ_SCALE=10` runs ten times as many.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

use crate::fuzz_support;

use consensus_lab::engine::Engine;
use consensus_lab::link::{self, Extras};
use consensus_lab::scenario::Scenario;
use fuzz_support::{Mutation, mutation};

fn config(cases: u32) -> Config {
    let scale = std::env::var("FUZZ_SCALE").ok().and_then(|s| s.parse::<u32>().ok()).unwrap_or(1).max(1);
    Config { cases: cases * scale, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() }
}

/// Parses the text as a scenario and builds its engine; returns whether it
/// was accepted. Every refusal must be one line that names something.
fn check_scenario(text: &str) -> bool {
    match Scenario::from_json_str(text) {
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains(['\n', '\r']), "multi-line error {msg:?} for input {text:?}");
            false
        }
        Ok(s) => {
            // The canonical document reads back as the same scenario.
            let again = Scenario::from_json_str(&s.to_json_string());
            assert_eq!(again.as_ref(), Ok(&s), "canonical round trip of {text:?}");
            match Engine::build(s) {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(!msg.contains(['\n', '\r']), "multi-line engine error {msg:?} for input {text:?}");
                    false
                }
                Ok(mut w) => {
                    // It runs, and whatever stops it says so in one line.
                    if let Err(e) = w.run_until(1_000) {
                        let msg = e.to_string();
                        assert!(!msg.contains(['\n', '\r']), "multi-line run error {msg:?} for input {text:?}");
                    }
                    assert!(w.result_json().starts_with('{'));
                    true
                }
            }
        }
    }
}

/// Decodes the text as a link; a decoded scenario goes through
/// [`check_scenario`]. Every refusal must be one line.
fn check_link(input: &str) {
    match link::decode(input) {
        Err(e) => {
            assert!(
                !e.message.is_empty() && !e.message.contains(['\n', '\r']),
                "multi-line link error {:?} for input {input:?}",
                e.message
            );
        }
        Ok(d) => {
            check_scenario(&d.scenario_json);
        }
    }
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
/// Every event type the scenario reader knows, and one it does not.
const EVENT_TYPES: &[&str] = &[
    "client_request",
    "crash",
    "restart",
    "partition",
    "heal",
    "link",
    "timeout",
    "drop_message",
    "duplicate_message",
    "pause",
    "set_network",
    "join",
    "leave",
    "command",
    "client_op",
    "explode",
];
const PARAMS: &[&str] = &[
    "election_timeout_ms",
    "heartbeat_ms",
    "max_entries_per_message",
    "leader_noop",
    "proposers",
    "backoff_ms",
    "no_voters",
    "vote_delay_ms",
    "retry_ms",
    "round_timeout_ms",
];
const OTHER: &[&str] = &[
    "at_ms",
    "type",
    "node",
    "value",
    "groups",
    "from",
    "to",
    "drop_rate",
    "latency_ms",
    "duplicate_rate",
    "id",
    "for_ms",
    "contact",
    "name",
    "args",
    "f",
    "key",
    "expect",
    "client",
    "timeout_ms",
    "count",
    "ops",
    "keys",
    "think_ms",
    "read",
    "cas",
    "raft",
    "paxos",
    "multi-paxos",
    "2pc",
    "3pc",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "1e309",
    "null",
    "undefined",
    "__proto__",
    "constructor",
    "<script>alert(1)</script>",
    "\u{202e}evil",
    "a\nb",
    "\u{0}",
    "",
];

/// Strings that stress parsers: the words above, arbitrary text, control
/// characters and long runs.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop_oneof![
            prop::sample::select(TOP_LEVEL),
            prop::sample::select(EVENT_TYPES),
            prop::sample::select(PARAMS),
            prop::sample::select(OTHER),
        ]
        .prop_map(str::to_string),
        3 => ".{0,24}",
        1 => "[\\x00-\\x1f\"\\\\{}\\[\\]:,]{0,12}",
        1 => (prop::sample::select(&["x", "é", "\u{1F600}", "\n"][..]), 0..3_000usize).prop_map(|(s, n)| s.repeat(n)),
    ]
}

/// Numbers at and past every edge the format has.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (0u64..12).prop_map(Value::from),
        2 => (-3i64..3_000).prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        1 => prop::sample::select(
            &[0.5, -0.0, 1e-300, 1e300, 9_007_199_254_740_993.0, 1.000_000_000_1, f64::MAX, f64::MIN_POSITIVE][..]
        )
        .prop_map(Value::from),
        1 => prop::sample::select(&[(1u64 << 53) - 1, 1 << 53, (1 << 53) + 1, u64::MAX, 1_000_000_000][..])
            .prop_map(Value::from),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        4 => number(),
        3 => text().prop_map(Value::from),
    ]
}

/// Arbitrary JSON, keys drawn mostly from the format's own names.
fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A plausible event, with a field sometimes replaced by anything at all.
fn event() -> impl Strategy<Value = Value> {
    let ty = prop::sample::select(EVENT_TYPES);
    (ty, 0u64..4_000, 0u64..7, 0u64..7, text(), prop::option::of((text(), json()))).prop_map(
        |(ty, at, a, b, value, odd)| {
            let mut e = Map::new();
            e.insert("at_ms".into(), at.into());
            e.insert("type".into(), ty.into());
            let (field, v): (&str, Value) = match ty {
                "client_request" => ("value", value.into()),
                "partition" => ("groups", serde_json::json!([[a], [b]])),
                "link" => ("from", a.into()),
                "drop_message" | "duplicate_message" => ("id", a.into()),
                "set_network" => ("drop_rate", (b as f64 / 8.0).into()),
                "heal" => ("heal_has_no_fields", Value::Null),
                "join" => ("contact", serde_json::json!([b])),
                "command" => ("name", value.into()),
                "client_op" => ("f", ["read", "write", "append", "cas", "swap"][(a % 5) as usize].into()),
                _ => ("node", a.into()),
            };
            if ty != "heal" {
                e.insert(field.into(), v);
            }
            if ty == "link" {
                e.insert("to".into(), b.into());
                e.insert("latency_ms".into(), serde_json::json!([a + 1, a + b + 1]));
            }
            if ty == "pause" {
                e.insert("for_ms".into(), (b * 100).into());
            }
            if ty == "join" || ty == "command" {
                e.insert("node".into(), a.into());
            }
            if ty == "command" {
                e.insert("args".into(), serde_json::json!({ "to": b, "count": a }));
            }
            if ty == "client_op" {
                e.insert("key".into(), ["x", "y", ""][(b % 3) as usize].into());
                if a % 5 != 0 {
                    e.insert("value".into(), (b % 3).to_string().into());
                }
                if a % 5 == 3 {
                    e.insert("expect".into(), (a % 2).to_string().into());
                }
                e.insert("node".into(), b.into());
            }
            if let Some((k, v)) = odd {
                e.insert(k, v);
            }
            Value::Object(e)
        },
    )
}

/// A scenario-shaped document: mostly valid, with hostile values mixed in.
fn scenario_doc() -> impl Strategy<Value = Value> {
    let mut names: Vec<&'static str> = consensus_lab::registry::names();
    names.extend(["unknown", ""]);
    let protocol = prop::sample::select(names);
    let params = prop::collection::vec((prop::sample::select(PARAMS), leaf()), 0..3);
    (
        protocol,
        1u64..8,
        any::<u64>(),
        prop::collection::vec(event(), 0..12),
        params,
        prop::collection::vec((prop::sample::select(TOP_LEVEL), json()), 0..2),
        prop::option::of(text()),
        prop::option::of((1u64..5, prop::collection::vec(0u64..8, 0..4))),
    )
        .prop_map(|(protocol, nodes, seed, events, params, odd, title, extra)| {
            let mut doc = serde_json::json!({
                "version": 1, "protocol": protocol, "nodes": nodes, "seed": seed % (1 << 53),
                "events": events, "run_until_ms": 5_000,
            });
            if !params.is_empty() {
                doc["params"] = Value::Object(params.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
            }
            if let Some(t) = title {
                doc["title"] = t.into();
            }
            if let Some((count, ids)) = extra {
                doc["members"] = serde_json::json!(ids);
                doc["clients"] =
                    serde_json::json!({ "count": count, "ops": ["read", "cas"], "until_ms": 2000, "nodes": ids });
            }
            for (k, v) in odd {
                doc[k] = v;
            }
            doc
        })
}

/// Text damage (tests/fuzz_support), deep nesting going where a scenario
/// has numbers.
fn apply(text: &str, m: &Mutation) -> String {
    fuzz_support::apply(text, m, |text, deep| {
        text.replacen("5000", deep, 1).replacen("\"version\":1", &format!("\"version\":{deep}"), 1)
    })
}

/// A change to a link as chat apps, editors and careless copying make it.
fn link_mutation() -> impl Strategy<Value = (Mutation, u8, String)> {
    let extra = prop::sample::select(
        &[
            "",
            "&t=500",
            "&speed=0.5",
            "&play=1&embed=1",
            "&t=-1&speed=NaN",
            "&amp;t=9",
            "&s=1.AAAA",
            "&t=99999999999999999",
        ][..],
    );
    (mutation(), 0u8..8, extra.prop_map(str::to_string))
}

fn mangle_link(fragment: &str, m: &Mutation, style: u8, extra: &str) -> String {
    let base = apply(&format!("{fragment}{extra}"), m);
    match style {
        0 => base,
        1 => format!("https://example.org/lab/#{base}"),
        2 => base
            .chars()
            .enumerate()
            .flat_map(|(i, c)| if i % 17 == 16 { vec!['\n', ' ', c] } else { vec![c] })
            .collect(),
        3 => base.replace('=', "%3D").replace('#', "%23"),
        4 => base.replacen("s=1.", "s=2.", 1),
        5 => {
            base.chars().enumerate().flat_map(|(i, c)| if i % 9 == 8 { vec!['\u{200b}', c] } else { vec![c] }).collect()
        }
        6 => format!("#{base}"),
        _ => base.replace('-', "+").replace('_', "/"),
    }
}

proptest! {
    #![proptest_config(config(30_000))]
    #[test]
    fn arbitrary_strings_never_panic(input in prop_oneof![".{0,80}", text(), "[ -~]{0,200}", "s=1\\.[A-Za-z0-9_-]{0,120}"]) {
        check_scenario(&input);
        check_link(&input);
    }
}

proptest! {
    #![proptest_config(config(20_000))]
    #[test]
    fn arbitrary_json_never_panics(doc in json()) {
        let text = doc.to_string();
        check_scenario(&text);
        check_link(&text);
    }
}

proptest! {
    #![proptest_config(config(30_000))]
    #[test]
    fn mutated_scenarios_never_panic(doc in scenario_doc(), m in mutation()) {
        let text = apply(&doc.to_string(), &m);
        check_scenario(&text);
    }
}

proptest! {
    #![proptest_config(config(30_000))]
    #[test]
    fn mutated_links_never_panic(doc in scenario_doc(), (m, style, extra) in link_mutation()) {
        let text = doc.to_string();
        let fragment = link::encode(&text, &Extras::default()).expect("a small scenario fits in a link");
        // Unharmed, a link gives back exactly its text.
        prop_assert_eq!(link::decode(&fragment).map(|d| d.scenario_json), Ok(text.clone()));
        check_link(&mangle_link(&fragment, &m, style, &extra));
    }
}
