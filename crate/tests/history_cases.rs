//! The classic histories in `testdata/histories/cases.txt`, each with the
//! verdict every check must reach: stale reads, the new–old inversion, cas
//! that cannot both have succeeded, operations with no answer that must or
//! must not be assumed to have happened, appends, keys checked apart,
//! sequential consistency that is not local. Each case goes through the
//! history document parser, as `consensus-lab check` reads it.

use consensus_lab::history::{self, Limits, Op, consistency};
use serde_json::{Value, json};

#[derive(Debug, Default)]
struct Case {
    name: String,
    line: usize,
    expect: Vec<(String, Option<bool>)>,
    counterexample: Option<(String, Vec<u64>)>,
    says: Vec<String>,
    ops: Vec<Value>,
}

fn bool_word(w: &str) -> Option<bool> {
    match w {
        "true" => Some(true),
        "false" => Some(false),
        "null" => None,
        other => panic!("not true, false or null: {other}"),
    }
}

/// One operation line: `ID cCLIENT F KEY ARG CALL RET [ok|fail]`.
fn op_line(line: &str) -> Value {
    let w: Vec<&str> = line.split_whitespace().collect();
    assert!(w.len() == 7 || w.len() == 8, "an operation line has 7 or 8 words: {line}");
    let text = |s: &str| if s == "-" { Value::Null } else { Value::from(s) };
    let mut op = json!({
        "id": w[0].parse::<u64>().expect("id"),
        "client": w[1].trim_start_matches('c').parse::<u64>().expect("client"),
        "f": w[2],
        "key": w[3],
        "call_ms": w[5].parse::<u64>().expect("call"),
    });
    if w[2] == "cas" {
        let (e, v) = w[4].split_once('>').expect("cas EXPECT>VALUE");
        op["expect"] = text(e);
        op["value"] = text(v);
    } else {
        op["value"] = text(w[4]);
    }
    if w[6] == "?" {
        op["return_ms"] = Value::Null;
        op["ok"] = Value::Null;
        if w[2] == "read" {
            op["value"] = Value::Null;
        }
    } else {
        op["return_ms"] = w[6].parse::<u64>().expect("return").into();
        op["ok"] = (w.get(7).copied() != Some("fail")).into();
    }
    op
}

fn cases() -> Vec<Case> {
    let text = include_str!("testdata/histories/cases.txt");
    let mut out: Vec<Case> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("## ") {
            out.push(Case { name: name.to_string(), line: n + 1, ..Case::default() });
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let case = out.last_mut().expect("a case starts with ## NAME");
        if let Some(rest) = line.strip_prefix("expect ") {
            for pair in rest.split_whitespace() {
                let (k, v) = pair.split_once('=').expect("expect NAME=VALUE");
                case.expect.push((k.to_string(), bool_word(v)));
            }
        } else if let Some(rest) = line.strip_prefix("counterexample ") {
            let (key, ids) = rest.split_once(':').expect("counterexample KEY: IDS");
            let ids = ids.split_whitespace().map(|i| i.parse().expect("id")).collect();
            case.counterexample = Some((key.to_string(), ids));
        } else if let Some(rest) = line.strip_prefix("says: ") {
            case.says.push(rest.to_string());
        } else {
            case.ops.push(op_line(line));
        }
    }
    out
}

fn ops_of(case: &Case) -> Vec<Op> {
    let doc = json!({ "model": "kv", "ops": case.ops });
    history::parse_history(&doc.to_string()).unwrap_or_else(|e| panic!("{} (line {}): {e}", case.name, case.line))
}

#[test]
fn every_classic_history_gets_its_verdict() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let ops = ops_of(case);
        let c = consistency(&ops);
        let mut wrong = Vec::new();
        assert_eq!(case.expect.len(), 4, "{}: expect lin, seq, ryw and mr", case.name);
        for (k, want) in &case.expect {
            let got = match k.as_str() {
                "lin" => c.linearizable,
                "seq" => c.sequential,
                "ryw" => Some(c.read_your_writes),
                "mr" => Some(c.monotonic_reads),
                other => panic!("{}: unknown check {other}", case.name),
            };
            if got != *want {
                wrong.push(format!("{k} is {got:?}, expected {want:?}"));
            }
        }
        // A counterexample exactly when not linearizable; it names the
        // operations expected, and is itself not linearizable.
        match (&c.counterexample, c.linearizable) {
            (None, Some(false)) => wrong.push("no counterexample".into()),
            (Some(_), Some(true)) => wrong.push("a counterexample for a linearizable history".into()),
            (Some(cx), _) => {
                if let Some((key, ids)) = &case.counterexample {
                    let got: Vec<u64> = cx.ops.iter().map(|o| o.id).collect();
                    if &*cx.key != key || &got != ids {
                        wrong.push(format!("counterexample {}: {got:?}, expected {key}: {ids:?}", cx.key));
                    }
                }
                if history::linearizability(&cx.ops, &Limits::default()).linearizable != Some(false) {
                    wrong.push("the counterexample on its own is linearizable".into());
                }
            }
            (None, _) => {}
        }
        for s in &case.says {
            if !c.detail.contains(s.as_str()) {
                wrong.push(format!("detail does not say {s:?}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} (line {}): {}\n    detail: {}",
                case.name,
                case.line,
                wrong.join("; "),
                c.detail
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
