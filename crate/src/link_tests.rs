//! Unit tests for scenario links (`link.rs`): round trips, every error kind,
//! the limits at their edges, and the blanks and `%`-encoding that copying
//! through chat apps and blog editors adds.

use super::*;

const SCENARIO: &str = r#"{"version":1,"protocol":"raft","nodes":5,"seed":7,"events":[{"at_ms":0,"type":"client_request","value":"x=1"},{"at_ms":800,"type":"crash","node":2}],"run_until_ms":5000}"#;

fn link(text: &str) -> String {
    encode(text, &Extras::default()).unwrap()
}

fn err(input: &str) -> LinkError {
    match decode(input) {
        Ok(d) => panic!("{input:?} decoded to {:?}", d.scenario_json),
        Err(e) => {
            assert_eq!(e.message.lines().count(), 1, "one line: {:?}", e.message);
            e
        }
    }
}

/// A link for raw DEFLATE data made by hand.
fn packed_link(deflated: &[u8]) -> String {
    format!("s=1.{}", URL_SAFE_NO_PAD.encode(deflated))
}

#[test]
fn round_trip_keeps_the_text_exactly() {
    let text = r#"{"version":1,"protocol":"raft","nodes":3,"seed":1,"title":"Zürich → 東京 ✓ \"quoted\""}"#;
    for t in [SCENARIO, text, "", "{}"] {
        let fragment = link(t);
        assert!(fragment.starts_with("s=1."), "{fragment}");
        let d = decode(&fragment).unwrap();
        assert_eq!(d.scenario_json, t);
        assert_eq!(d.extras, Extras::default());
    }
}

#[test]
fn round_trip_keeps_the_extras() {
    let extras = Extras { t_ms: Some(1234), speed: Some(0.25), play: Some(false), embed: Some(true) };
    let fragment = encode(SCENARIO, &extras).unwrap();
    assert!(fragment.ends_with("&t=1234&speed=0.25&play=0&embed=1"), "{fragment}");
    assert_eq!(decode(&fragment).unwrap().extras, extras);
    for speed in [0.01, 1.0 / 3.0, 10.0, 2.5] {
        let e = Extras { speed: Some(speed), ..Extras::default() };
        assert_eq!(decode(&encode(SCENARIO, &e).unwrap()).unwrap().extras.speed, Some(speed));
    }
}

#[test]
fn a_whole_url_or_a_bare_fragment_reads_the_same() {
    let fragment = link(SCENARIO);
    for input in [
        fragment.clone(),
        format!("#{fragment}"),
        format!("https://example.org/lab/index.html#{fragment}"),
        format!("https://example.org/lab/?from=chat#{fragment}&t=5"),
    ] {
        assert_eq!(decode(&input).unwrap().scenario_json, SCENARIO, "{input}");
    }
}

#[test]
fn blanks_and_percent_encoding_from_copying_are_tolerated() {
    let url = format!("https://example.org/#{}&t=900&play=1", link(SCENARIO));
    // A chat app wrapping every 40 characters with a line break and an indent.
    let wrapped: String = url
        .chars()
        .collect::<Vec<_>>()
        .chunks(40)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\r\n   ");
    // A blog editor with zero-width spaces, soft hyphens and no-break spaces.
    let sprinkled: String = url
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let extra = ['\u{200b}', '\u{ad}', '\u{a0}', '\u{feff}', '\u{2060}'][i % 5];
            if i % 7 == 3 { vec![c, extra] } else { vec![c] }
        })
        .collect();
    // Percent-encoded once, as a share sheet does; an HTML-escaped ampersand.
    let escaped = url.replace('#', "%23").replace('=', "%3D").replace('&', "%26");
    let amp = url.replace('&', "&amp;");
    let tabbed = format!("\t {url} \n");
    for input in [wrapped, sprinkled, escaped, amp, tabbed] {
        let d = decode(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(d.scenario_json, SCENARIO);
        assert_eq!(d.extras, Extras { t_ms: Some(900), play: Some(true), ..Extras::default() }, "{input:?}");
    }
    // Decoded once only: a doubly-encoded link is damaged, not silently read.
    let twice = url.replace('#', "%2523");
    assert_eq!(err(&twice).kind, LinkErrorKind::NotALink);
}

#[test]
fn unknown_and_out_of_range_extras_are_ignored() {
    let base = link(SCENARIO);
    let d = decode(&format!("{base}&future=yes&t=-5&speed=11&play=2&embed=yes&x")).unwrap();
    assert_eq!(d.extras, Extras::default());
    let d = decode(&format!("{base}&speed=0.009&t=9007199254740992")).unwrap();
    assert_eq!(d.extras, Extras::default());
    let d = decode(&format!("{base}&t=9007199254740991&speed=10&t=5&embed=0")).unwrap();
    assert_eq!(d.extras, Extras { t_ms: Some(MAX_TIME_MS), speed: Some(10.0), play: None, embed: Some(false) });
    for bad in ["1e1", ".5", "1.", "+1", "0x1", "NaN", "Infinity", "1,5", "1.5.0", ""] {
        assert_eq!(decode(&format!("{base}&speed={bad}")).unwrap().extras.speed, None, "{bad}");
    }
}

#[test]
fn not_a_link() {
    for input in ["", "   ", "https://example.org/", "#t=5", "hello", "x=1.abc", "{\"version\":1}"] {
        let e = err(input);
        assert_eq!(e.kind, LinkErrorKind::NotALink, "{input:?}");
        assert_eq!(e.message, "this is not a Consensus Lab link: it has no scenario (#s=…)");
    }
}

#[test]
fn a_newer_link_version_is_named() {
    let body = &link(SCENARIO)[4..];
    let e = err(&format!("#s=2.{body}"));
    assert_eq!(e.kind, LinkErrorKind::Version);
    assert_eq!(e.message, "this link was made by a newer version of Consensus Lab (link version 2)");
    assert!(err(&format!("s=123456789.{body}")).message.ends_with("(link version 123456789)"));
    for bad in ["0", "01", "v1", "1234567890", "", "1a"] {
        let e = err(&format!("s={bad}.{body}"));
        assert_eq!(e.kind, LinkErrorKind::Damaged, "{bad}");
        assert_eq!(e.message, "this link is damaged: it does not start with a link version (s=1.…)");
    }
}

#[test]
fn an_oversized_link_is_refused_before_decoding() {
    let huge = format!("https://example.org/#s=1.{}", "A".repeat(1_900_000));
    let e = err(&huge);
    assert_eq!(e.kind, LinkErrorKind::TooLong);
    assert_eq!(e.message, "this link is too long: 1.9 MB of text (a link holds at most 64 KiB, 65,536 characters)");
    let just_over = format!("s=1.{}", "A".repeat(MAX_PAYLOAD_CHARS - 1));
    assert!(err(&just_over).message.starts_with("this link is too long: 66 KB of text"));
    // At the limit the payload is decoded (and found damaged, not too long).
    let at_limit = format!("s=1.{}", "A".repeat(MAX_PAYLOAD_CHARS - 2));
    assert_ne!(err(&at_limit).kind, LinkErrorKind::TooLong);
}

#[test]
fn a_truncated_link_is_cut_short() {
    let fragment = link(SCENARIO);
    let mut kinds = Vec::new();
    for keep in 2..fragment.len() - 1 {
        let e = err(&fragment[..keep]);
        kinds.push(e.kind);
        if keep > 6 {
            assert_eq!(e.kind, LinkErrorKind::CutShort, "cut at {keep}: {}", e.message);
        }
    }
    assert_eq!(err("s=").message, "this link is cut short: it holds no scenario data");
    assert_eq!(err("s=1").kind, LinkErrorKind::CutShort);
    assert_eq!(err("s=1.").kind, LinkErrorKind::CutShort);
    assert_eq!(err("s=1.A").kind, LinkErrorKind::CutShort);
    assert!(kinds.iter().all(|k| matches!(k, LinkErrorKind::CutShort)));
    assert_eq!(
        err(&fragment[..fragment.len() / 2]).message,
        "this link is cut short: its scenario data ends too early (copy the whole link)"
    );
}

#[test]
fn damaged_data_is_named() {
    let fragment = link(SCENARIO);
    let e = err(&format!("{}!{}", &fragment[..20], &fragment[20..]));
    assert_eq!(e.message, "this link is damaged: it contains characters that do not belong in a link");
    assert_eq!(err("s=1.abc+def/").kind, LinkErrorKind::Damaged);
    assert_eq!(err("s=1.<script>alert(1)</script>").kind, LinkErrorKind::Damaged);
    // Block type 3 does not exist.
    let e = err(&packed_link(&[0b111, 0, 0, 0]));
    assert_eq!(e.kind, LinkErrorKind::Damaged);
    assert_eq!(e.message, "this link is damaged: its scenario data cannot be unpacked");
    // A stored block of bytes that are not UTF-8.
    let e = err(&packed_link(&[1, 2, 0, 0xfd, 0xff, 0xc3, 0x28]));
    assert_eq!(e.message, "this link is damaged: its scenario is not text");
}

#[test]
fn a_stray_last_character_is_ignored() {
    let fragment = link(SCENARIO);
    // A body of 4n+1 characters: its last one carries no whole byte.
    let mut padded = format!("{fragment}Q");
    while (padded.len() - 4) % 4 != 1 {
        padded.push('Q');
    }
    assert_eq!(decode(&padded).unwrap().scenario_json, SCENARIO);
}

#[test]
fn a_zip_bomb_is_refused() {
    let bomb = " ".repeat(MAX_SCENARIO_BYTES + 1);
    let packed = miniz_oxide::deflate::compress_to_vec(bomb.as_bytes(), 9);
    let fragment = packed_link(&packed);
    assert!(fragment.len() < 5_000, "{}", fragment.len());
    let e = err(&fragment);
    assert_eq!(e.kind, LinkErrorKind::TooLarge);
    assert_eq!(e.message, "this link's scenario is too large: it unpacks to more than 2 MiB (2,097,152 bytes)");
    // A bomb cut short still counts as too large when what is left passes the limit.
    let big = miniz_oxide::deflate::compress_to_vec(" ".repeat(2 * MAX_SCENARIO_BYTES).as_bytes(), 9);
    let big = packed_link(&big);
    assert_eq!(err(&big[..big.len() * 3 / 4]).kind, LinkErrorKind::TooLarge);
    assert_eq!(err(&fragment[..fragment.len() - 8]).kind, LinkErrorKind::CutShort);
    // Exactly at the limit is fine.
    let edge = " ".repeat(MAX_SCENARIO_BYTES);
    assert_eq!(decode(&link(&edge)).unwrap().scenario_json.len(), MAX_SCENARIO_BYTES);
}

#[test]
fn encode_refuses_what_decode_would() {
    let e = encode(&" ".repeat(MAX_SCENARIO_BYTES + 1), &Extras::default()).unwrap_err();
    assert_eq!(e.kind, LinkErrorKind::TooLarge);
    // Text that does not compress: a pseudo-random string of letters.
    let mut x: u64 = 1;
    let noise: String = (0..120_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    let e = encode(&noise, &Extras::default()).unwrap_err();
    assert_eq!(e.kind, LinkErrorKind::TooLong);
    assert!(e.message.starts_with("this scenario is too large for a link: its link would be"), "{}", e.message);
    let bad = |extras: Extras| encode(SCENARIO, &extras).unwrap_err().kind;
    assert_eq!(bad(Extras { speed: Some(0.0), ..Extras::default() }), LinkErrorKind::Invalid);
    assert_eq!(bad(Extras { speed: Some(f64::NAN), ..Extras::default() }), LinkErrorKind::Invalid);
    assert_eq!(bad(Extras { t_ms: Some(MAX_TIME_MS + 1), ..Extras::default() }), LinkErrorKind::Invalid);
}

#[test]
fn percent_decoding_is_ascii_only_and_once() {
    assert_eq!(normalize("%73%3d1.%41%4a"), "s=1.AJ");
    assert_eq!(normalize("%E2%9C%93 %zz %4 %"), "%E2%9C%93%zz%4%");
    assert_eq!(normalize("%2541"), "%41");
    assert_eq!(normalize("a%20b%0Ac"), "abc");
    assert_eq!(normalize("é%41ü"), "éAü");
}

#[test]
fn links_are_recognised_by_shape() {
    let fragment = link(SCENARIO);
    assert!(looks_like_link(&fragment));
    assert!(looks_like_link(&format!("#{fragment}")));
    assert!(looks_like_link(&format!("  https://example.org/x#{fragment}\n")));
    assert!(looks_like_link("https://example.org/x%23s%3D1.abc"));
    assert!(!looks_like_link(SCENARIO));
    assert!(!looks_like_link(r##"{"version":1,"title":"see #s=1.abc"}"##));
    assert!(looks_like_link("https://example.org/lab/#t=5"));
    assert!(looks_like_link("#t=5"));
    assert!(!looks_like_link("scenario.json"));
    assert!(!looks_like_link("examples/s=1.json"));
    assert!(!looks_like_link("-"));
}

#[test]
fn a_fifty_event_scenario_fits_well_under_a_thousand_characters() {
    let events: Vec<String> = (0..50)
        .map(|i| match i % 5 {
            0 => format!(r#"{{"at_ms":{},"type":"client_request","value":"k{}={}"}}"#, 100 * i, i % 7, i),
            1 => format!(r#"{{"at_ms":{},"type":"crash","node":{}}}"#, 100 * i, i % 5),
            2 => format!(r#"{{"at_ms":{},"type":"restart","node":{}}}"#, 100 * i, (i - 1) % 5),
            3 => format!(r#"{{"at_ms":{},"type":"partition","groups":[[0,1],[2,3,4]]}}"#, 100 * i),
            _ => format!(r#"{{"at_ms":{},"type":"heal"}}"#, 100 * i),
        })
        .collect();
    let text = format!(
        r#"{{"version":1,"protocol":"raft","nodes":5,"seed":42,"events":[{}],"run_until_ms":8000}}"#,
        events.join(",")
    );
    let fragment = link(&text);
    assert!(fragment.len() < 700, "{} characters", fragment.len());
    assert_eq!(decode(&fragment).unwrap().scenario_json, text);
}
