//! The headless runner: `consensus-lab run FILE` runs a scenario to its
//! `run_until_ms` and prints the result as one JSON object (see
//! docs/SCENARIO.md). A bad scenario exits with status 2 and one line on
//! standard error saying what is wrong and where.

use std::io::Read;
use std::process::ExitCode;

use consensus_lab::engine::{Engine, default_run_until};

const USAGE: &str = "usage: consensus-lab run FILE   (FILE may be - for standard input)\n       consensus-lab protocols   (the protocols this build runs, as JSON)";

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {}", message.lines().next().unwrap_or_default());
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["run", file] => run(file),
        ["protocols"] => {
            println!("{}", serde_json::to_string_pretty(&consensus_lab::engine::protocols()).unwrap_or_default());
            ExitCode::SUCCESS
        }
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
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

fn run(file: &str) -> ExitCode {
    let text = match read_input(file) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let mut engine = match Engine::from_json(&text) {
        Ok(e) => e,
        Err(e) => return fail(&e.to_string()),
    };
    let until = default_run_until(engine.scenario());
    if let Err(e) = engine.run_until(until) {
        return fail(&e.to_string());
    }
    let pretty =
        serde_json::from_str::<serde_json::Value>(&engine.result_json()).and_then(|v| serde_json::to_string_pretty(&v));
    match pretty {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write the result: {e}")),
    }
}
