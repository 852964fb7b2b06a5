//! Chat templates anywhere: `custody scan` analyses a `chat_template` in any JSON or YAML file,
//! and `.jinja` / `.j2` / `.template` files, for template injection as `custody inspect` does;
//! a template it cannot read is never reported as clean.

use crate::common;
use common::{custody, json, ok};
use std::path::Path;

const SSTI: &str = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const BENIGN: &str = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A finding as (path, code, severity, message).
type Key = (String, String, String, String);

/// Every finding but the inventory's, sorted.
fn keys(findings: &serde_json::Value) -> Vec<Key> {
    let list = findings.as_array().cloned().unwrap_or_default();
    let mut v: Vec<_> = list
        .iter()
        .map(|f| {
            let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
            (s(&f["location"]["path"]), s(&f["code"]), s(&f["severity"]), s(&f["message"]))
        })
        .filter(|(_, c, _, _)| !c.starts_with("CUS-INV-"))
        .collect();
    v.sort();
    v
}

/// (path, code, severity) of every scan finding but the inventory's, and all of them.
fn findings(root: &Path) -> (Vec<(String, String, String)>, Vec<Key>) {
    let all = keys(&json(&custody(root, &["scan", "--format", "json"]))["findings"]);
    (all.iter().map(|(p, c, s, _)| (p.clone(), c.clone(), s.clone())).collect(), all)
}

#[test]
fn templates_in_any_json_yaml_or_template_file_are_analysed() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, "custody.toml", "[organisation]\nname = \"T\"\nroles = [\"developer\"]\n");
    ok(&custody(root, &["init", "--quiet"]));
    let quoted = serde_json::Value::String(SSTI.into()).to_string();
    write(root, "evil/chat.jinja", SSTI);
    write(root, "evil/render.j2", SSTI);
    write(root, "evil/chat.template", SSTI);
    write(root, "evil/serve.yaml", &format!("model: m\nchat_template: {quoted}\n"));
    write(root, "evil/block.yml", &format!("chat_template: |\n  {SSTI}\n"));
    write(root, "evil/generation.json", &serde_json::json!({ "tok": { "chat_template": SSTI } }).to_string());
    let benign_quoted = serde_json::Value::String(BENIGN.into()).to_string();
    write(root, "good/chat.j2", BENIGN);
    write(root, "good/serve.yaml", &format!("chat_template: {benign_quoted}\n"));
    write(root, "good/generation.json", &serde_json::json!({ "chat_template": BENIGN }).to_string());
    write(root, "good/notes.yaml", "title: no template\n");
    // What the parser rejects, and a document that does not parse.
    write(root, "broken/plain.jinja", "{% if messages %}{{ messages[0] }");
    write(root, "broken/cfg.json", "{\"chat_template\": \"{{ x }}\", oops");
    let (got, all) = findings(root);
    for p in [
        "evil/chat.jinja",
        "evil/render.j2",
        "evil/chat.template",
        "evil/serve.yaml",
        "evil/block.yml",
        "evil/generation.json",
    ] {
        assert!(got.iter().any(|(f, c, s)| f == p && c == "CUS-JJA-001" && s == "critical"), "{p}: {got:?}");
    }
    assert!(!got.iter().any(|(f, _, _)| f.starts_with("good/")), "benign templates are clean: {got:?}");
    for p in ["broken/plain.jinja", "broken/cfg.json"] {
        let worst = got.iter().filter(|(f, _, _)| f == p).map(|(_, _, s)| s.as_str()).collect::<Vec<_>>();
        assert!(worst.iter().any(|s| *s == "high" || *s == "critical"), "{p} is high, never only low: {got:?}");
        assert!(
            got.iter().any(|(f, c, _)| f == p && c == "CUS-FMT-004"),
            "{p} is reported not fully inspected: {got:?}"
        );
    }
    // `custody inspect` reports the same findings for each file, worded the same.
    for p in ["evil/serve.yaml", "evil/chat.template", "broken/plain.jinja", "broken/cfg.json", "good/serve.yaml"] {
        let o = custody(root, &["inspect", p, "--format", "json", "--allow-uninspectable", "--fail-on", "critical"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("inspect JSON");
        let scanned: Vec<_> = all.iter().filter(|k| k.0 == p).cloned().collect();
        assert_eq!(keys(&v["findings"]), scanned, "{p}");
    }
    // Without --allow-uninspectable, inspect refuses the YAML config.
    let o = custody(root, &["inspect", "evil/serve.yaml"]);
    assert_ne!(common::code(&o), 0, "inspect refuses it: {}", common::text(&o.stdout));
    assert!(common::text(&o.stdout).contains("CUS-JJA-001"), "{}", common::text(&o.stdout));
}
