//! Scenario links for the CLI: the scenario carried in a URL fragment
//! (`#s=1.<base64url of raw DEFLATE of the canonical JSON>` plus optional
//! `&t=`, `&speed=`, `&play=`, `&embed=`), decoded and made here exactly as
//! the page does in `www/link.js`. The two decoders follow the same steps in
//! the same order and give the same text, extras and messages; the format and
//! its limits are written down in `docs/LINKS.md`. Native builds only: the page
//! decodes links in JavaScript, so the wasm modules never carry this code.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::{DecodePaddingMode, Engine};
use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_with_limit};

use crate::scenario::MAX_TIME_MS;

/// The link encoding this build writes and reads (the `1.` in `s=1.…`).
pub const LINK_VERSION: u32 = 1;
/// The longest `s=` payload accepted, in characters, checked before decoding.
pub const MAX_PAYLOAD_CHARS: usize = 64 * 1024;
/// The largest scenario text a link may unpack to, in bytes (zip-bomb guard).
pub const MAX_SCENARIO_BYTES: usize = 2 * 1024 * 1024;
/// The playback speed range a link may ask for (simulated ms per real ms).
pub const MIN_SPEED: f64 = 0.01;
pub const MAX_SPEED: f64 = 10.0;

/// What went wrong with a link, for callers that react differently to each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkErrorKind {
    /// The text carries no `s=` scenario at all.
    NotALink,
    /// Made by a newer Consensus Lab (a link version above [`LINK_VERSION`]).
    Version,
    /// The payload is longer than [`MAX_PAYLOAD_CHARS`].
    TooLong,
    /// The data stops early: the link was not copied whole.
    CutShort,
    /// The data is not a link this format can unpack.
    Damaged,
    /// The scenario unpacks (or would pack) to more than [`MAX_SCENARIO_BYTES`].
    TooLarge,
    /// Making a link: an extra is out of range.
    Invalid,
}

impl LinkErrorKind {
    /// The kind's name, as `www/link.js` spells it in `LinkError.kind`.
    pub fn name(self) -> &'static str {
        match self {
            LinkErrorKind::NotALink => "not_a_link",
            LinkErrorKind::Version => "version",
            LinkErrorKind::TooLong => "too_long",
            LinkErrorKind::CutShort => "cut_short",
            LinkErrorKind::Damaged => "damaged",
            LinkErrorKind::TooLarge => "too_large",
            LinkErrorKind::Invalid => "invalid",
        }
    }
}

/// A link that cannot be read or made, with one plain line saying why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    pub kind: LinkErrorKind,
    pub message: String,
}

impl LinkError {
    fn new(kind: LinkErrorKind, message: impl Into<String>) -> Self {
        LinkError { kind, message: message.into() }
    }
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LinkError {}

/// How the page should open the scenario; every field is optional and a
/// value that does not parse or is out of range reads as absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    /// `t`: the moment to open at, in simulated milliseconds.
    pub t_ms: Option<u64>,
    /// `speed`: simulated ms per real ms, [`MIN_SPEED`] to [`MAX_SPEED`].
    pub speed: Option<f64>,
    /// `play`: start playing at once (`1`) or paused (`0`).
    pub play: Option<bool>,
    /// `embed`: the page's embed mode.
    pub embed: Option<bool>,
}

/// A decoded link: the scenario's JSON text exactly as packed, and the extras.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub scenario_json: String,
    pub extras: Extras,
}

const NOT_A_LINK: &str = "this is not a Consensus Lab link: it has no scenario (#s=…)";
const NO_DATA: &str = "this link is cut short: it holds no scenario data";
const NO_VERSION: &str = "this link is damaged: it does not start with a link version (s=1.…)";
const BAD_CHARS: &str = "this link is damaged: it contains characters that do not belong in a link";
const ENDS_EARLY: &str = "this link is cut short: its scenario data ends too early (copy the whole link)";
const CANNOT_UNPACK: &str = "this link is damaged: its scenario data cannot be unpacked";
const NOT_TEXT: &str = "this link is damaged: its scenario is not text";
const UNPACKS_TOO_LARGE: &str = "this link's scenario is too large: it unpacks to more than 2 MiB (2,097,152 bytes)";

/// Characters that chat apps and blog editors slip into text they wrap or
/// reflow (spaces, line breaks, soft hyphens, zero-width and direction marks);
/// a link ignores all of them.
pub fn is_blank(c: char) -> bool {
    matches!(c,
        '\u{9}'..='\u{d}' | ' ' | '\u{85}' | '\u{a0}' | '\u{ad}' | '\u{1680}' | '\u{180e}'
        | '\u{2000}'..='\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{2060}'
        | '\u{3000}' | '\u{feff}')
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XY` once where it stands for an ASCII character; anything else,
/// including a lone `%`, stays as written.
fn percent_decode_ascii(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut plain = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
            && h < 8
        {
            out.push_str(&s[plain..i]);
            out.push(char::from(h * 16 + l));
            i += 3;
            plain = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[plain..]);
    out
}

/// The text a decoder reads: blanks removed, `%XY` decoded once, blanks
/// removed again, and an HTML-escaped `&amp;` read as `&`.
pub fn normalize(input: &str) -> String {
    let stripped: String = input.chars().filter(|c| !is_blank(*c)).collect();
    let decoded = percent_decode_ascii(&stripped);
    let stripped: String = decoded.chars().filter(|c| !is_blank(*c)).collect();
    stripped.replace("&amp;", "&")
}

/// Whether a command-line argument or an input's text is meant as a link (a
/// URL, a text with `#s=`, or a fragment starting `#` or `s=`) rather than a
/// path or a JSON document.
pub fn looks_like_link(input: &str) -> bool {
    let n = normalize(input);
    let url = n.starts_with("http://") || n.starts_with("https://") || n.starts_with("file://");
    !n.starts_with('{') && (url || n.starts_with("s=") || n.starts_with('#') || n.contains("#s="))
}

/// "1.9 MB", "66 KB" or "812 characters", the same in `www/link.js`.
fn size_text(chars: usize) -> String {
    if chars >= 1_000_000 {
        let tenths = (chars + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else if chars >= 1_000 {
        format!("{} KB", (chars + 500) / 1_000)
    } else {
        format!("{chars} characters")
    }
}

fn parse_t(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 16 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().filter(|t| *t <= MAX_TIME_MS)
}

fn parse_speed(v: &str) -> Option<f64> {
    let (whole, frac) = match v.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (v, None),
    };
    let digits = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole, 3) || frac.is_some_and(|f| !digits(f, 20)) {
        return None;
    }
    v.parse::<f64>().ok().filter(|x| (MIN_SPEED..=MAX_SPEED).contains(x))
}

fn parse_flag(v: &str) -> Option<bool> {
    match v {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// Reads a link: a whole URL, a fragment (`#s=…` or `s=…`), with whatever
/// blanks and `%`-encoding copying added. Never panics; every error is one line.
pub fn decode(input: &str) -> Result<Decoded, LinkError> {
    let text = normalize(input);
    let fragment = match text.split_once('#') {
        Some((_, f)) => f,
        None => text.as_str(),
    };
    let mut payload: Option<&str> = None;
    let mut extras = Extras::default();
    for part in fragment.split('&') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key {
            "s" if payload.is_none() => payload = Some(value),
            // The first valid value of each extra counts.
            "t" if extras.t_ms.is_none() => extras.t_ms = parse_t(value),
            "speed" if extras.speed.is_none() => extras.speed = parse_speed(value),
            "play" if extras.play.is_none() => extras.play = parse_flag(value),
            "embed" if extras.embed.is_none() => extras.embed = parse_flag(value),
            _ => {}
        }
    }
    let payload = payload.ok_or_else(|| LinkError::new(LinkErrorKind::NotALink, NOT_A_LINK))?;
    let chars = payload.chars().count();
    if chars > MAX_PAYLOAD_CHARS {
        return Err(LinkError::new(
            LinkErrorKind::TooLong,
            format!(
                "this link is too long: {} of text (a link holds at most 64 KiB, 65,536 characters)",
                size_text(chars)
            ),
        ));
    }
    if payload.is_empty() {
        return Err(LinkError::new(LinkErrorKind::CutShort, NO_DATA));
    }
    let Some((version, body)) = payload.split_once('.') else {
        let kind =
            if payload.bytes().all(|b| b.is_ascii_digit()) { LinkErrorKind::CutShort } else { LinkErrorKind::Damaged };
        return Err(LinkError::new(kind, if kind == LinkErrorKind::CutShort { NO_DATA } else { NO_VERSION }));
    };
    if version != "1" {
        let newer = !version.is_empty()
            && version.len() <= 9
            && !version.starts_with('0')
            && version.bytes().all(|b| b.is_ascii_digit());
        if newer {
            return Err(LinkError::new(
                LinkErrorKind::Version,
                format!("this link was made by a newer version of Consensus Lab (link version {version})"),
            ));
        }
        return Err(LinkError::new(LinkErrorKind::Damaged, NO_VERSION));
    }
    if !body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(LinkError::new(LinkErrorKind::Damaged, BAD_CHARS));
    }
    // A last character alone carries no whole byte: copying added it or cut
    // its neighbours off, and the inflater below tells which mattered.
    let body = if body.len() % 4 == 1 { &body[..body.len() - 1] } else { body };
    if body.is_empty() {
        return Err(LinkError::new(LinkErrorKind::CutShort, NO_DATA));
    }
    let packed = LENIENT_URL_SAFE.decode(body).map_err(|_| LinkError::new(LinkErrorKind::Damaged, BAD_CHARS))?;
    let bytes = decompress_to_vec_with_limit(&packed, MAX_SCENARIO_BYTES).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => LinkError::new(LinkErrorKind::TooLarge, UNPACKS_TOO_LARGE),
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            LinkError::new(LinkErrorKind::CutShort, ENDS_EARLY)
        }
        _ => LinkError::new(LinkErrorKind::Damaged, CANNOT_UNPACK),
    })?;
    let scenario_json = String::from_utf8(bytes).map_err(|_| LinkError::new(LinkErrorKind::Damaged, NOT_TEXT))?;
    Ok(Decoded { scenario_json, extras })
}

/// URL-safe base64 without padding that, like the browser's `atob`, ignores
/// the unused low bits of the last character.
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Makes a link fragment (without the `#`) for a scenario's canonical JSON
/// text. Refuses a scenario too large for a link and out-of-range extras, so
/// every link it makes opens.
pub fn encode(scenario_json: &str, extras: &Extras) -> Result<String, LinkError> {
    if scenario_json.len() > MAX_SCENARIO_BYTES {
        return Err(LinkError::new(
            LinkErrorKind::TooLarge,
            format!(
                "this scenario is too large for a link: {} bytes of JSON (at most 2 MiB, 2,097,152 bytes)",
                scenario_json.len()
            ),
        ));
    }
    let packed = miniz_oxide::deflate::compress_to_vec(scenario_json.as_bytes(), 9);
    let mut out = format!("s={LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed));
    let payload_chars = out.len() - 2;
    if payload_chars > MAX_PAYLOAD_CHARS {
        return Err(LinkError::new(
            LinkErrorKind::TooLong,
            format!(
                "this scenario is too large for a link: its link would be {} of text (at most 64 KiB, 65,536 characters)",
                size_text(payload_chars)
            ),
        ));
    }
    if let Some(t) = extras.t_ms {
        if t > MAX_TIME_MS {
            return Err(LinkError::new(
                LinkErrorKind::Invalid,
                format!("t must be a whole number of ms from 0 to {MAX_TIME_MS}"),
            ));
        }
        out.push_str(&format!("&t={t}"));
    }
    if let Some(speed) = extras.speed {
        if !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
            return Err(LinkError::new(LinkErrorKind::Invalid, "speed must be between 0.01 and 10"));
        }
        out.push_str(&format!("&speed={speed}"));
    }
    if let Some(play) = extras.play {
        out.push_str(if play { "&play=1" } else { "&play=0" });
    }
    if let Some(embed) = extras.embed {
        out.push_str(if embed { "&embed=1" } else { "&embed=0" });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
