//! `consensus-lab check FILE|-`: one JSON object with `linearizable`, `ops`,
//! `keys`, `counterexample` first, then the other models and the detail;
//! exit status 0 linearizable, 1 not, 2 bad input with one line on standard
//! error naming what is wrong and where.

use crate::cli_support;

use cli_support::{Out, cli};

use serde_json::Value;

fn check(doc: &str) -> Out {
    cli(&["check", "-"], doc)
}

fn json(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout))
}

const STALE: &str = r#"{"model":"kv","ops":[
  {"client":0,"f":"write","key":"x","value":"1","call_ms":0,"return_ms":5,"ok":true},
  {"client":1,"f":"write","key":"x","value":"2","call_ms":10,"return_ms":15,"ok":true},
  {"client":2,"f":"read","key":"x","value":"1","call_ms":20,"return_ms":30,"ok":true},
  {"client":2,"f":"read","key":"y","value":null,"call_ms":20,"return_ms":30}
]}"#;

#[test]
fn a_linearizable_history_exits_0_with_the_fields_in_order() {
    let doc = r#"{"model":"kv","ops":[
      {"id":0,"client":0,"f":"write","key":"x","value":"1","call_ms":120,"return_ms":161,"ok":true},
      {"id":1,"client":1,"f":"read","key":"x","value":"1","call_ms":130,"return_ms":170,"ok":true},
      {"id":2,"client":2,"f":"cas","key":"x","expect":"1","value":"2","call_ms":140,"return_ms":null,"ok":null}
    ]}"#;
    let out = check(doc);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let v = json(&out);
    assert_eq!(v["linearizable"], true);
    assert_eq!(v["ops"], 3);
    assert_eq!(v["keys"], 1);
    assert_eq!(v["counterexample"], Value::Null);
    assert_eq!(
        (v["sequential"].clone(), v["read_your_writes"].clone(), v["monotonic_reads"].clone()),
        (Value::Bool(true), Value::Bool(true), Value::Bool(true))
    );
    assert!(v["detail"].as_str().is_some_and(|d| d.starts_with("Linearizable:") && !d.contains('\n')));
    // The contract's order: linearizable, ops, keys, counterexample, then the rest.
    let at = |k: &str| out.stdout.find(&format!("\"{k}\"")).unwrap_or(usize::MAX);
    let order = [
        "linearizable",
        "ops",
        "keys",
        "counterexample",
        "sequential",
        "read_your_writes",
        "monotonic_reads",
        "detail",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{}", out.stdout);
}

#[test]
fn a_stale_read_exits_1_with_its_counterexample() {
    let out = check(STALE);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["linearizable"], false);
    assert_eq!((v["ops"].as_u64(), v["keys"].as_u64()), (Some(4), Some(2)));
    let cx = &v["counterexample"];
    assert_eq!(cx["key"], "x");
    let ids: Vec<u64> = cx["ops"].as_array().expect("ops").iter().filter_map(|o| o["id"].as_u64()).collect();
    assert_eq!(ids, [0, 1, 2], "ids default to the operation's index");
    // Operations come back in the contract's form.
    assert_eq!(
        cx["ops"][2],
        serde_json::json!({"id":2,"client":2,"f":"read","key":"x","value":"1","call_ms":20,"return_ms":30,"ok":true})
    );
    assert_eq!(
        cx["detail"],
        "the read of x at 20–30 ms returned 1, but the write of 2 (10–15 ms) completed before it began and nothing \
         wrote 1 after that"
    );
    assert_eq!(v["sequential"], true);
}

#[test]
fn a_file_and_standard_input_read_alike() {
    let path = std::env::temp_dir().join(format!("consensus-lab-check-{}.json", std::process::id()));
    std::fs::write(&path, STALE).expect("write the file");
    let from_file = cli(&["check", path.to_str().expect("a path")], "");
    let _ = std::fs::remove_file(&path);
    let from_stdin = check(STALE);
    assert_eq!(from_file.status, 1);
    assert_eq!(from_file.stdout, from_stdin.stdout);
}

/// Asserts status 2, nothing on standard output and one line on standard
/// error, `error: ` and then `want`.
fn refused(out: &Out, want: &str) {
    assert_eq!(out.status, 2, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1, "one line: {:?}", out.stderr);
    let line = out.stderr.trim_end();
    assert!(line.starts_with(&format!("error: {want}")), "{line:?} should start with error: {want:?}");
}

#[test]
fn every_bad_input_exits_2_with_one_line_naming_it() {
    let op = |fields: &str| format!(r#"{{"ops":[{{"f":"write","value":"1","call_ms":10,"return_ms":20{fields}}}]}}"#);
    let cases: Vec<(String, &str)> = vec![
        (r#"{"model":"queue","ops":[]}"#.into(), "model: unknown model \"queue\""),
        (r#"{"ops":[],"seed":1}"#.into(), "seed: unknown field"),
        (r#"{"model":"kv"}"#.into(), "ops: missing"),
        ("[]".into(), "a history must be a JSON object"),
        (r#"{"ops":[1"#.into(), "the JSON ends too early"),
        ("{ops}".into(), "malformed JSON"),
        (op(r#","when":3"#), "ops[0].when: unknown field"),
        (op(r#","call_ms":"10""#), "ops[0].call_ms: must be a whole number, not a string"),
        (op(r#","return_ms":3"#), "ops[0].return_ms: 3 is before call_ms 10"),
        (op(r#","return_ms":null,"ok":true"#), "ops[0].ok: true, but return_ms is null"),
        (op(r#","f":"increment""#), "ops[0].f: unknown operation \"increment\""),
        (op(r#","expect":"1""#), "ops[0].expect: only a cas has expect"),
        (op(r#","key":"a\nb","value":7"#), "ops[0].value: must be a string, not a number"),
        (
            r#"{"ops":[{"id":4,"f":"read","call_ms":1,"return_ms":2},{"id":4,"f":"read","call_ms":1,"return_ms":2}]}"#
                .into(),
            "ops[1].id: 4 is already the id of ops[0]",
        ),
    ];
    for (doc, want) in cases {
        refused(&check(&doc), want);
    }
    // A field name with a line break in it still makes one line.
    refused(&check(&op(",\"a\\nb\":1")), "ops[0].a\\nb: unknown field");
    refused(&cli(&["check", "/no/such/history.json"], ""), "cannot read /no/such/history.json");
    refused(&cli(&["check"], ""), "usage: consensus-lab");
    let binary = cli(&["check", "-"], "\u{0}\u{1}");
    assert_eq!(binary.status, 2);
}

#[test]
fn the_usage_lists_check() {
    let out = cli(&["--help"], "");
    assert_eq!(out.status, 0);
    assert!(out.stdout.contains("consensus-lab check FILE|-"), "{}", out.stdout);
}
