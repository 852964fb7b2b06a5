//! What the binary's integration tests share: running custody in a directory with a fixed
//! clock and actor, and reading its output.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The clock every test runs at unless it says otherwise.
pub const NOW: &str = "2026-11-30T12:00:00Z";

/// Runs `custody ARGS` in `dir`: no inherited configuration, a fixed clock, actor `ana`, a
/// short lock timeout, stdin closed (so nothing prompts).
pub fn custody(dir: &Path, args: &[&str]) -> Output {
    custody_at(dir, NOW, args)
}

/// As [`custody`] with the clock at `now`.
pub fn custody_at(dir: &Path, now: &str, args: &[&str]) -> Output {
    command(dir, now, args).output().expect("run custody")
}

/// `custody ARGS` in `dir` as every test runs it (no inherited configuration, the clock at
/// `now`, actor `ana`, a short lock timeout, stdin closed), not yet started: a test that
/// spawns or kills it, or needs a longer lock timeout, adjusts it.
pub fn command<S: AsRef<std::ffi::OsStr>>(dir: &Path, now: &str, args: &[S]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_custody"));
    c.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CUSTODY_CONFIG")
        .env_remove("CUSTODY_DB")
        .env("CUSTODY_NOW", now)
        .env("CUSTODY_ACTOR", "ana")
        .env("CUSTODY_BUSY_TIMEOUT_MS", "200")
        .stdin(Stdio::null());
    c
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts exit 0 and returns stdout.
pub fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

/// Asserts the exit code and returns stderr.
pub fn fails(o: &Output, code: i32) -> String {
    assert_eq!(o.status.code(), Some(code), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    text(&o.stderr)
}

/// Asserts exit 0 and parses stdout as JSON.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(o)).expect("valid JSON")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Every file under `root` with its bytes, by relative path (sorted): a model tree to compare.
pub fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(root).expect("rel").to_string_lossy().into_owned();
                v.push((rel, std::fs::read(e.path()).expect("read")));
            }
        }
    }
    v.sort();
    v
}
