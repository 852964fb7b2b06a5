//! Whole CLI outputs compared with committed files in `tests/it/snapshots/`: what a person sees
//! from the main commands on a small project, with the clock fixed and the project's temporary
//! path replaced by `<root>`. `UPDATE_GOLDEN=1 cargo test -p custody --test it snapshots`
//! rewrites them; review the diff like code.

use crate::common::{custody, text};
use std::path::Path;

fn project(root: &Path) {
    std::fs::write(
        root.join("custody.toml"),
        "[organisation]\nname = \"Snapshot Bank\"\nroles = [\"developer\", \"system-operator\"]\n\n[[system]]\nname = \"scoring\"\nexposure = \"external-api\"\nintended_use = \"score applications\"\nassets = [\"models/*.onnx\"]\n",
    )
    .expect("config");
    std::fs::create_dir_all(root.join("models")).expect("mkdir");
    std::fs::create_dir_all(root.join("app")).expect("mkdir");
    std::fs::write(root.join("models/shadow.gguf"), b"GGUF not really").expect("model");
    std::fs::write(
        root.join("app/chat.py"),
        "from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model=\"gpt-4o\", messages=[])\n",
    )
    .expect("code");
}

/// Replaces measured durations (`in 0.05 s`) by `in <t> s`: the one thing in these outputs
/// that is not a function of the input and the fixed clock.
fn durations(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" in ") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        if n > 0 && rest[n..].starts_with(" s") {
            out.push_str("<t>");
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// Runs `args`, normalises the project path, and compares stdout (and the exit code) with the
/// snapshot `name`.
fn check(root: &Path, name: &str, args: &[&str]) {
    let o = custody(root, args);
    let root_text = root.display().to_string();
    let canonical = std::fs::canonicalize(root).map(|p| p.display().to_string()).unwrap_or_default();
    let mut got = format!("$ custody {}\nexit {}\n", args.join(" "), o.status.code().unwrap_or(-1));
    got.push_str(&durations(&text(&o.stdout).replace(&canonical, "<root>").replace(&root_text, "<root>")));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &got).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    assert_eq!(got, want, "{name} changed (UPDATE_GOLDEN=1 rewrites it; review the diff)");
}

#[test]
fn the_main_commands_read_as_committed() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    check(root, "init", &["init", "--yes"]);
    check(root, "applicable", &["applicable"]);
    check(root, "catalog-developer-design", &["catalog", "--role", "developer", "--phase", "design"]);
    check(root, "scan", &["scan"]);
    check(root, "graph-dot", &["graph", "--format", "dot"]);
    check(root, "threats", &["threats"]);
    check(root, "assess", &["assess", "--color", "never"]);
    check(root, "gate", &["gate", "--color", "never"]);
    check(root, "rules-pkl-001", &["rules", "CUS-PKL-001"]);
}
