//! The CLI with scenario links: `run` takes a link as its argument or on
//! standard input and runs it exactly as the scenario file; `link FILE`
//! prints a link that does; and every bad link or bad scenario inside a link
//! exits with status 2 and one line on standard error. Hostile text in a
//! scenario is carried as plain text, never interpreted.

use crate::cli_support;

use cli_support::{Out, cli};

use consensus_lab::link::{Extras, encode};

/// Asserts status 2, nothing on standard output and one line on standard
/// error containing `want`; returns that line.
fn refused(out: &Out, want: &str) -> String {
    assert_eq!(out.status, 2, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1, "one line: {:?}", out.stderr);
    assert!(out.stderr.ends_with('\n'));
    let line = out.stderr.trim_end().to_string();
    assert!(line.starts_with("error: "), "{line}");
    assert!(line.contains(want), "{line:?} should contain {want:?}");
    line
}

const SCENARIO: &str = r#"{"version":1,"protocol":"raft","nodes":5,"seed":7,
  "events":[{"at_ms":0,"type":"client_request","value":"x=1"},{"at_ms":800,"type":"crash","node":2},
            {"at_ms":1500,"type":"partition","groups":[[0,1],[2,3,4]]},{"at_ms":2500,"type":"heal"}],
  "run_until_ms":5000}"#;

fn link_of(json: &str) -> String {
    encode(json, &Extras::default()).expect("a link")
}

fn trace_hash(out: &Out) -> String {
    assert_eq!(out.status, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON result");
    v["trace_hash"].as_str().expect("trace_hash").to_string()
}

#[test]
fn a_link_runs_exactly_as_its_scenario() {
    let direct = trace_hash(&cli(&["run", "-"], SCENARIO));
    let fragment = link_of(SCENARIO);
    let url = format!("https://example.org/lab/#{fragment}&t=900&play=1");
    assert_eq!(trace_hash(&cli(&["run", &fragment], "")), direct);
    assert_eq!(trace_hash(&cli(&["run", &format!("#{fragment}")], "")), direct);
    assert_eq!(trace_hash(&cli(&["run", &url], "")), direct);
    assert_eq!(trace_hash(&cli(&["run", "-"], &format!("{url}\n"))), direct);
    // As pasted from a chat app: wrapped, indented, with a zero-width space.
    let wrapped: String = url.chars().enumerate().fold(String::new(), |mut s, (i, c)| {
        if i % 50 == 49 {
            s.push_str("\n    \u{200b}");
        }
        s.push(c);
        s
    });
    assert_eq!(trace_hash(&cli(&["run", "-"], &wrapped)), direct);
}

#[test]
fn the_link_command_prints_a_canonical_link_that_runs_the_same() {
    let dir = std::env::temp_dir().join(format!("consensus-lab-link-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scenario.json");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = cli(&["link", file.to_str().unwrap()], "");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let fragment = out.stdout.trim_end();
    assert!(fragment.starts_with("s=1."), "{fragment}");
    assert_eq!(out.stdout.lines().count(), 1);
    assert_eq!(cli(&["link", "-"], SCENARIO).stdout, out.stdout);
    assert_eq!(trace_hash(&cli(&["run", fragment], "")), trace_hash(&cli(&["run", file.to_str().unwrap()], "")));
    // `unlink` shows the canonical document the link carries.
    let text = cli(&["unlink", fragment], "").stdout;
    let canonical = consensus_lab::scenario::Scenario::from_json_str(SCENARIO).unwrap().to_json_string();
    assert_eq!(text.trim_end(), canonical);
    // A link given to `link` is re-made canonically.
    assert_eq!(cli(&["link", "-"], &format!("https://example.org/#{fragment}")).stdout, out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_links_are_refused() {
    let fragment = link_of(SCENARIO);
    refused(&cli(&["run", "s=1.!!!!"], ""), "this link is damaged: it contains characters");
    refused(&cli(&["run", &format!("#{}$${}", &fragment[..30], &fragment[30..])], ""), "this link is damaged");
    refused(&cli(&["run", "s=1.AAAAAAAA"], ""), "this link is damaged: its scenario data cannot be unpacked");
    refused(&cli(&["run", "s=one.abc"], ""), "it does not start with a link version");
    refused(&cli(&["run", "-"], "#t=500&play=1"), "this is not a Consensus Lab link");
    refused(&cli(&["unlink", "s=1.!!"], ""), "this link is damaged");
}

#[test]
fn a_truncated_link_is_cut_short() {
    let fragment = link_of(SCENARIO);
    for keep in [fragment.len() / 3, fragment.len() / 2, fragment.len() - 3] {
        refused(&cli(&["run", &fragment[..keep]], ""), "this link is cut short");
    }
    refused(&cli(&["run", "s="], ""), "this link is cut short: it holds no scenario data");
}

#[test]
fn an_oversized_link_is_refused_before_decoding() {
    let huge = format!("https://example.org/#s=1.{}", "A".repeat(1_900_000));
    let line = refused(&cli(&["run", "-"], &huge), "this link is too long: 1.9 MB");
    assert_eq!(line, "error: this link is too long: 1.9 MB of text (a link holds at most 64 KiB, 65,536 characters)");
}

#[test]
fn a_zip_bomb_is_refused() {
    let packed = miniz_oxide::deflate::compress_to_vec(" ".repeat(50_000_000).as_bytes(), 9);
    let bomb = format!("s=1.{}", base64_url(&packed));
    refused(&cli(&["run", "-"], &bomb), "this link's scenario is too large: it unpacks to more than 2 MiB");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn a_newer_link_version_is_named() {
    let fragment = link_of(SCENARIO);
    let line = refused(&cli(&["run", &format!("s=2.{}", &fragment[4..])], ""), "link version 2");
    assert_eq!(line, "error: this link was made by a newer version of Consensus Lab (link version 2)");
}

#[test]
fn bad_scenarios_inside_valid_links_are_refused_with_their_field() {
    let base = |rest: &str| format!(r#"{{"version":1,"protocol":"raft","nodes":5,"seed":1{rest}}}"#);
    let cases = [
        (r#"{"version":2,"protocol":"raft","nodes":5,"seed":1}"#.to_string(), "version: version 2 is not supported"),
        (r#"{"version":1,"protocol":"viewstamped","nodes":5,"seed":1}"#.into(), "protocol: unknown protocol"),
        (r#"{"version":1,"protocol":"raft","nodes":0,"seed":1}"#.into(), "nodes: must be at least 1"),
        (r#"{"version":1,"protocol":"raft","nodes":1000000000,"seed":1}"#.into(), "nodes: 1000000000 is too many"),
        (base(r#","events":[{"at_ms":-5,"type":"heal"}]"#), "events[0].at_ms: must not be negative"),
        (base(r#","run_until_ms":-1"#), "run_until_ms: must not be negative"),
        (base(r#","events":[{"at_ms":10,"type":"crash","node":7}]"#), "events[0].node: node 7 does not exist"),
        (
            base(r#","events":[{"at_ms":1,"type":"partition","groups":[[0,1],[9]]}]"#),
            "events[0].groups[1][0]: node 9 does not exist",
        ),
        (base(r#","events":[{"at_ms":1e300,"type":"heal"}]"#), "events[0].at_ms: must be a whole number"),
        (base(r#","seed":"NaN""#), "seed"),
        ("[1,2,3]".into(), "a scenario must be a JSON object"),
        ("{\"version\":1,".into(), "the JSON ends too early"),
        ("not json at all".into(), "malformed JSON"),
    ];
    for (json, want) in cases {
        let line = refused(&cli(&["run", &link_of(&json)], ""), want);
        assert!(line.starts_with("error: this link's scenario is not valid: "), "{line}");
        // The same scenario given as a file is refused with the same words.
        refused(&cli(&["run", "-"], &json), want);
        refused(&cli(&["link", "-"], &json), want);
    }
    // A message that does not exist is refused when the run reaches it.
    let json = base(r#","events":[{"at_ms":100,"type":"drop_message","id":99999}]"#);
    refused(&cli(&["run", &link_of(&json)], ""), "events[0] at 100 ms: message 99999 is not in flight");
}

#[test]
fn hostile_text_is_carried_as_plain_text() {
    let script = "</script><script>alert(document.cookie)</script>";
    let img = "<img src=x onerror=\"alert(1)\"> & &amp; ' \" \\u0000 ${x} {{x}}";
    let doc = serde_json::json!({
        "version": 1, "protocol": "raft", "nodes": 3, "seed": 1,
        "title": script, "caption": img,
        "events": [{ "at_ms": 400, "type": "client_request", "value": script }],
        "run_until_ms": 3000,
    })
    .to_string();
    let fragment = cli(&["link", "-"], &doc).stdout.trim_end().to_string();
    assert!(fragment.starts_with("s=1.") && fragment.bytes().all(|b| b.is_ascii_graphic()), "{fragment}");
    let carried: serde_json::Value = serde_json::from_str(&cli(&["unlink", &fragment], "").stdout).unwrap();
    assert_eq!(carried["title"], script);
    assert_eq!(carried["caption"], img);
    let out = cli(&["run", &fragment], "");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let result: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let committed: Vec<&str> = result["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["log"].as_array().unwrap().iter().map(|e| e["value"].as_str().unwrap()))
        .collect();
    assert!(committed.contains(&script), "{committed:?}");
    // Hostile text where an error would quote it stays on one line.
    let key = "<b>\nsecond line\r\u{2028}</b>";
    let doc = serde_json::json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1, key: 1 }).to_string();
    refused(&cli(&["run", &link_of(&doc)], ""), r"<b>\nsecond line\r\u{2028}</b>: unknown field");
    let doc = serde_json::json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1, "params": { key: 1 } });
    refused(&cli(&["run", &link_of(&doc.to_string())], ""), r"params.<b>\nsecond line\r\u{2028}</b>: unknown field");
    let doc = serde_json::json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1,
        "events": [{ "at_ms": 1, "type": key }] });
    refused(&cli(&["run", &link_of(&doc.to_string())], ""), "unknown event type");
}

#[test]
fn a_scenario_too_large_for_a_link_is_refused_by_the_link_command() {
    // Values that do not compress: a pseudo-random letter string per event.
    let mut x: u64 = 7;
    let events: Vec<serde_json::Value> = (0..2_000)
        .map(|i| {
            let value: String = (0..60)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    char::from(b'a' + (x % 26) as u8)
                })
                .collect();
            serde_json::json!({ "at_ms": i, "type": "client_request", "value": value })
        })
        .collect();
    let doc = serde_json::json!({ "version": 1, "protocol": "raft", "nodes": 3, "seed": 1, "events": events });
    refused(&cli(&["link", "-"], &doc.to_string()), "this scenario is too large for a link");
}
