//! Running the consensus-lab binary in the CLI tests (link_cli.rs,
//! check_cli.rs): arguments and standard input in; exit status, standard
//! output and standard error out.

use std::io::Write;
use std::process::{Command, Stdio};

pub struct Out {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn cli(args: &[&str], stdin: &str) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_consensus-lab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    let mut input = child.stdin.take().expect("stdin");
    // A refusal may close standard input before reading all of it.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    let out = child.wait_with_output().expect("the CLI finishes");
    Out {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
