//! The headless runner: `consensus-lab run FILE` runs a scenario to its
//! `run_until_ms` and prints the result as one JSON object (see
//! docs/SCENARIO.md); FILE may also be `-` (standard input) or a scenario link
//! (docs/LINKS.md). `consensus-lab link FILE` prints a scenario's link, and
//! `consensus-lab unlink LINK` the scenario a link carries.
//! `consensus-lab check FILE` checks a history of client operations for
//! linearizability and the weaker models (exit status 0 linearizable, 1 not,
//! 3 undecided within the search's step limit). A bad scenario, link or
//! history exits with status 2 and one line on standard error saying what is
//! wrong and where.

use std::io::Read;
use std::process::ExitCode;

use consensus_lab::engine::{Engine, default_run_until};
use consensus_lab::history;
use consensus_lab::link::{self, Extras};

#[path = "main/explore.rs"]
mod explore_cli;

const USAGE: &str = "usage: consensus-lab run FILE|-|LINK   (a scenario file, standard input, or a link with #s=…)
       consensus-lab link FILE|-          (prints the scenario's link fragment, s=1.…)
       consensus-lab unlink LINK|FILE|-   (prints the scenario JSON a link carries)
       consensus-lab unlink --each-line FILE|-   (one JSON result per input line, for tests)
       consensus-lab check FILE|-         (checks a history {\"model\": \"kv\", \"ops\": [...]}: exit 0 linearizable, 1 not)
       consensus-lab protocols [--json]   (every protocol: params, message kinds, variants, commands)
       consensus-lab explore --protocol NAME [--variant V] [--runs N] [--seed S] [--faults PROFILE]
                                          (seeded fault campaign: exit 0 none failed, 1 one did; profiles: all, crashes, partitions, network)";

pub(crate) fn fail(message: &str) -> ExitCode {
    eprintln!("error: {}", message.lines().next().unwrap_or_default());
    ExitCode::from(2)
}

/// Prints a line on standard output; a reader that went away (`| head`) is
/// not an error worth a panic.
pub(crate) fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["run", arg] => run(arg),
        ["link", file] => make_link(file),
        ["unlink", "--each-line", file] => unlink_each_line(file),
        ["unlink", arg] => unlink(arg),
        ["check", file] => check(file),
        ["protocols"] => {
            say(consensus_lab::registry::to_text().trim_end());
            ExitCode::SUCCESS
        }
        ["protocols", "--json"] => {
            say(&serde_json::to_string_pretty(&consensus_lab::registry::to_json()).unwrap_or_default());
            ExitCode::SUCCESS
        }
        ["explore", rest @ ..] => explore_cli::main(rest),
        ["--help" | "-h" | "help"] => {
            say(USAGE);
            ExitCode::SUCCESS
        }
        _ => fail(USAGE),
    }
}

fn read_input(file: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    let read = if file == "-" {
        std::io::stdin().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read {file}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("{file} is not UTF-8 text"))
}

/// Where a scenario came from: its JSON text, and whether a link carried it.
struct Input {
    text: String,
    from_link: bool,
}

/// The scenario named by ARG: a link given as the argument itself, or a file
/// (or standard input) holding either JSON or a link.
fn scenario_input(arg: &str) -> Result<Input, String> {
    let raw = if arg != "-" && link::looks_like_link(arg) { arg.to_string() } else { read_input(arg)? };
    if link::looks_like_link(&raw) {
        let decoded = link::decode(&raw).map_err(|e| e.to_string())?;
        Ok(Input { text: decoded.scenario_json, from_link: true })
    } else {
        Ok(Input { text: raw, from_link: false })
    }
}

/// A scenario ready to run, or the one line that says why not.
fn engine_for(arg: &str) -> Result<Engine, String> {
    let input = scenario_input(arg)?;
    Engine::from_json(&input.text)
        .map_err(|e| if input.from_link { format!("this link's scenario is not valid: {e}") } else { e.to_string() })
}

fn run(arg: &str) -> ExitCode {
    let mut engine = match engine_for(arg) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let until = default_run_until(engine.scenario());
    if let Err(e) = engine.run_until(until) {
        return fail(&e.to_string());
    }
    let pretty =
        serde_json::from_str::<serde_json::Value>(&engine.result_json()).and_then(|v| serde_json::to_string_pretty(&v));
    match pretty {
        Ok(out) => {
            say(&out);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write the result: {e}")),
    }
}

/// Checks a history document and prints the verdict as one JSON object:
/// `linearizable`, `ops`, `keys`, `counterexample`, then the other models
/// and the detail line.
fn check(file: &str) -> ExitCode {
    let ops = match read_input(file).and_then(|t| history::parse_history(&t).map_err(|e| e.to_string())) {
        Ok(ops) => ops,
        Err(e) => return fail(&e),
    };
    let c = history::consistency(&ops);
    let out = serde_json::json!({
        "linearizable": c.linearizable,
        "ops": ops.len(),
        "keys": c.keys,
        "counterexample": c.counterexample,
        "sequential": c.sequential,
        "read_your_writes": c.read_your_writes,
        "monotonic_reads": c.monotonic_reads,
        "detail": c.detail,
    });
    match serde_json::to_string_pretty(&out) {
        Ok(text) => say(&text),
        Err(e) => return fail(&format!("cannot write the result: {e}")),
    }
    match c.linearizable {
        Some(true) => ExitCode::SUCCESS,
        Some(false) => ExitCode::from(1),
        None => ExitCode::from(3),
    }
}

/// Prints the link fragment of a valid scenario, written canonically.
fn make_link(file: &str) -> ExitCode {
    let engine = match engine_for(file) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    match link::encode(&engine.scenario().to_json_string(), &Extras::default()) {
        Ok(fragment) => {
            say(&fragment);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// Prints the scenario text a link carries, exactly as packed (not checked).
fn unlink(arg: &str) -> ExitCode {
    let raw = if arg != "-" && link::looks_like_link(arg) {
        arg.to_string()
    } else {
        match read_input(arg) {
            Ok(t) => t,
            Err(e) => return fail(&e),
        }
    };
    match link::decode(&raw) {
        Ok(d) => {
            say(&d.scenario_json);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// Decodes every line of the input as a link on its own and prints one JSON
/// object per line: `{"text", "length", "fnv1a", "extras"}` (the text itself
/// only up to 4 KiB) or `{"error", "kind"}`. The Node tests compare this with
/// `www/link.js` on many inputs at once.
fn unlink_each_line(file: &str) -> ExitCode {
    let text = match read_input(file) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let mut out = String::new();
    for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
        let value = match link::decode(line) {
            Ok(d) => serde_json::json!({
                "text": if d.scenario_json.len() <= 4096 { Some(&d.scenario_json) } else { None },
                "length": d.scenario_json.len(),
                "fnv1a": fnv1a(d.scenario_json.as_bytes()),
                "extras": {
                    "t": d.extras.t_ms, "speed": d.extras.speed, "play": d.extras.play, "embed": d.extras.embed
                },
            }),
            Err(e) => serde_json::json!({ "error": e.message, "kind": e.kind.name() }),
        };
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out.pop();
    say(&out);
    ExitCode::SUCCESS
}

/// The 32-bit FNV-1a hash of the text, to compare long texts in tests.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}
