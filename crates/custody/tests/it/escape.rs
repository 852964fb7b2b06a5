//! Nothing hidden: text from input never reaches a person's terminal or a Markdown/DOT document
//! with its control or bidi characters raw (issue 10). JSON keeps the exact text.

use crate::common;
use common::{custody, fails, ok, text};
use std::path::Path;
use std::process::{Command, Stdio};

const EVIL: &str = "weights\r\x1b[2K\x1b[8m";
const SHOWN: &str = "weights\\r\\e[2K\\e[8m";

fn project(root: &Path) {
    std::fs::write(root.join("custody.toml"), "[organisation]\nname = \"T\"\nroles = [\"developer\"]\n").expect("toml");
    std::fs::create_dir_all(root.join("m")).expect("mkdir");
    std::fs::write(root.join("m").join(EVIL), custody_modelsec::fixtures::gadget("os", "system")).expect("pickle");
    ok(&custody(root, &["init", "--quiet"]));
}

/// No ESC, CR, C1 or bidi control anywhere, except custody's own SGR codes when `colour`.
fn assert_clean(what: &str, s: &str, colour: bool) {
    let mut rest = s.to_string();
    if colour {
        for sgr in ["\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[36m"] {
            rest = rest.replace(sgr, "");
        }
    }
    let bad: Vec<char> = rest.chars().filter(|&c| c != '\n' && custody_core_like_dangerous(c)).collect();
    assert!(bad.is_empty(), "{what} has raw controls {bad:?}:\n{s}");
}

fn custody_core_like_dangerous(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn a_file_name_cannot_wipe_its_own_finding() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    // Piped (colour off by default).
    let o = custody(root, &["scan"]);
    let out = text(&o.stdout);
    assert_clean("scan table", &out, false);
    assert!(out.contains(SHOWN), "the name is shown escaped:\n{out}");
    assert!(out.contains("CUS-PKL"), "the finding is there:\n{out}");
    // With --color always: our colours survive, the attacker's `\e[8m` does not.
    let o = custody(root, &["--color", "always", "scan"]);
    let out = text(&o.stdout);
    assert_clean("coloured scan table", &out, true);
    assert!(out.contains(SHOWN) && out.contains("\x1b[1m"), "escaped name and our bold:\n{out}");
    // JSON stays exact.
    let o = custody(root, &["scan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v.to_string().contains("weights\\r\\u001b[2K\\u001b[8m"), "JSON keeps the exact name");
    // Markdown report and DOT graph.
    let md = text(&custody(root, &["report", "--format", "markdown"]).stdout);
    assert_clean("markdown report", &md, false);
    assert!(md.contains(SHOWN), "{md}");
    let dot = ok(&custody(root, &["graph", "--format", "dot"]));
    assert_clean("dot", &dot, false);
}

#[test]
fn config_strings_are_escaped_in_tables_and_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(
        root.join("custody.toml"),
        "[organisation]\nname = \"Acme\\u001b]0;pwned\\u0007\\u202e\"\nroles = [\"developer\"]\n",
    )
    .expect("toml");
    let o = custody(root, &["applicable"]);
    let table = ok(&o);
    assert_clean("applicable table", &table, false);
    assert!(table.contains("Acme\\e]0;pwned\\x07\\u{202e}"), "{table}");
    assert_clean("applicable stderr", &text(&o.stderr), false);
    let md = text(&custody(root, &["applicable", "--format", "markdown"]).stdout);
    assert_clean("applicable markdown", &md, false);
    // An error that quotes input: a path with an escape in it.
    let e = fails(&custody(root, &["inspect", "no\x1b[8msuch"]), 2);
    assert_clean("error", &e, false);
    assert!(e.contains("no\\e[8msuch"), "{e}");
}

#[test]
fn actors_are_bounded_and_plain() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let e = fails(&custody(root, &["--actor", "eve\x1b[8m", "scan", "--quiet"]), 2);
    assert!(e.contains("control") && !e.contains('\x1b'), "{e}");
    let e = fails(&custody(root, &["--actor", &"a".repeat(129), "scan", "--quiet"]), 2);
    assert!(e.contains("at most 128"), "{e}");
    let o = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(["scan", "--quiet"])
        .current_dir(root)
        .env("CUSTODY_NOW", common::NOW)
        .env("CUSTODY_ACTOR", "mallory\u{202e}")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let e = fails(&o, 2);
    assert!(e.contains("control or bidi"), "{e}");
    ok(&custody(root, &["--actor", &"a".repeat(128), "scan", "--quiet"]));
}
