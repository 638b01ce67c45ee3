//! Property-based fuzzing of the history document reader and the checks
//! behind `consensus-lab check`, in the style of link_fuzz.rs: arbitrary
//! strings, arbitrary JSON, history-shaped documents with hostile values
//! (huge and negative numbers, wrong types, control characters, long and
//! odd strings), and text-level damage (truncation, byte flips, inserted
//! tokens, deep nesting). Nothing may panic; every refusal is one line; an
//! accepted history checks with one-line details, prints as JSON, and reads
//! back as itself. About 40,000 inputs; `FUZZ_SCALE=10` runs ten times as
//! many.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

use crate::fuzz_support;

use consensus_lab::history::{Limits, consistency_with, parse_history};
use fuzz_support::{Mutation, mutation};

fn config(cases: u32) -> Config {
    let scale = std::env::var("FUZZ_SCALE").ok().and_then(|s| s.parse::<u32>().ok()).unwrap_or(1).max(1);
    Config { cases: cases * scale, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() }
}

/// Small limits: fuzzed histories are tiny, and a hostile one must not
/// keep the test busy.
const LIMITS: Limits = Limits { search_steps: 20_000, shrink_steps: 20_000, sequential_states: 2_000 };

/// Reads the text as a history; an accepted one goes through every check.
fn check_text(text: &str) {
    match parse_history(text) {
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains(['\n', '\r']), "multi-line error {msg:?} for {text:?}");
        }
        Ok(ops) => {
            let c = consistency_with(&ops, &LIMITS);
            assert!(!c.detail.contains(['\n', '\r']), "multi-line detail {:?}", c.detail);
            if let Some(cx) = &c.counterexample {
                assert!(!cx.detail.is_empty() && !cx.detail.contains(['\n', '\r']));
                assert!(cx.ops.iter().all(|o| o.key == cx.key));
            }
            assert_eq!(c.linearizable == Some(false), c.counterexample.is_some(), "{}", c.detail);
            let printed = serde_json::to_string(&c).expect("the verdict prints");
            assert!(printed.starts_with(r#"{"linearizable":"#));
            let doc = serde_json::json!({ "model": "kv", "ops": ops });
            assert_eq!(parse_history(&doc.to_string()).as_ref(), Ok(&ops), "round trip of {text:?}");
        }
    }
}

const WORDS: &[&str] = &[
    "model",
    "ops",
    "kv",
    "id",
    "client",
    "f",
    "key",
    "value",
    "expect",
    "call_ms",
    "return_ms",
    "ok",
    "read",
    "write",
    "append",
    "cas",
    "x",
    "y",
    "1",
    "2",
    "",
    "NaN",
    "null",
    "__proto__",
    "\u{202e}evil",
    "a\nb",
    "\u{0}",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_string),
        3 => ".{0,16}",
        1 => "[\\x00-\\x1f\"\\\\{}\\[\\]:,]{0,8}",
        1 => (prop::sample::select(&["v", "é", "\u{1F600}"][..]), 995..1_005usize).prop_map(|(s, n)| s.repeat(n)),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0u64..60).prop_map(Value::from),
        1 => (-3i64..3).prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => prop::sample::select(&[0.5, -0.0, 1e300, 9_007_199_254_740_993.0][..]).prop_map(Value::from),
        1 => prop::sample::select(&[(1u64 << 53) - 1, 1 << 53, u64::MAX][..]).prop_map(Value::from),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        3 => number(),
        3 => text().prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A plausible operation, sometimes with a field replaced by anything.
fn op() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(&["read", "write", "append", "cas"][..]),
        0u64..4,
        prop::sample::select(&["x", "y"][..]),
        prop::option::weighted(0.95, prop::sample::select(&["1", "2", "3"][..])),
        prop::option::of(prop::sample::select(&["1", "2"][..])),
        0u64..40,
        prop::option::weighted(0.85, 0u64..25),
        prop::option::weighted(0.9, any::<bool>()),
        prop::option::weighted(0.04, (prop::sample::select(WORDS), leaf())),
    )
        .prop_map(|(f, client, key, value, expect, call, dur, ok, odd)| {
            let mut o = Map::new();
            o.insert("f".into(), f.into());
            o.insert("client".into(), client.into());
            o.insert("key".into(), key.into());
            o.insert("value".into(), if f == "read" && dur.is_none() { Value::Null } else { value.into() });
            if f == "cas" {
                o.insert("expect".into(), expect.into());
            }
            o.insert("call_ms".into(), call.into());
            o.insert("return_ms".into(), dur.map(|d| call + d).into());
            o.insert("ok".into(), if dur.is_some() { ok.into() } else { Value::Null });
            if let Some((k, v)) = odd {
                o.insert(k.to_string(), v);
            }
            Value::Object(o)
        })
}

fn history_doc() -> impl Strategy<Value = Value> {
    (prop::collection::vec(op(), 0..10), prop::option::weighted(0.1, (prop::sample::select(WORDS), json()))).prop_map(
        |(ops, odd)| {
            let mut doc = serde_json::json!({ "model": "kv", "ops": ops });
            if let Some((k, v)) = odd {
                doc[k] = v;
            }
            doc
        },
    )
}

/// Text damage (tests/fuzz_support), deep nesting going into the list.
fn apply(text: &str, m: &Mutation) -> String {
    fuzz_support::apply(text, m, |text, deep| text.replacen("\"ops\":[", &format!("\"ops\":[{deep},"), 1))
}

proptest! {
    #![proptest_config(config(10_000))]
    #[test]
    fn arbitrary_text_never_panics(input in prop_oneof![".{0,60}", text(), "[ -~]{0,120}"]) {
        check_text(&input);
    }
}

proptest! {
    #![proptest_config(config(10_000))]
    #[test]
    fn arbitrary_json_never_panics(doc in json()) {
        check_text(&doc.to_string());
        check_text(&serde_json::json!({ "ops": [doc] }).to_string());
    }
}

proptest! {
    #![proptest_config(config(20_000))]
    #[test]
    fn damaged_histories_never_panic(doc in history_doc(), m in mutation()) {
        check_text(&apply(&doc.to_string(), &m));
    }
}

#[test]
fn most_history_shaped_documents_are_accepted_so_the_checks_run() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut accepted = 0;
    for _ in 0..1_000 {
        let doc = history_doc().new_tree(&mut runner).expect("a document").current();
        accepted += usize::from(parse_history(&doc.to_string()).is_ok());
    }
    assert!(accepted > 300, "only {accepted} of 1000 accepted");
}
