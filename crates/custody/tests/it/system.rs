//! `custody system add`: a fresh project declares its systems without editing custody.toml by
//! hand; the edit keeps comments, is checked by the one parser, and is logged or not made.

use crate::common;
use common::{custody, fails, ok, text};
use std::path::Path;

const CONFIG: &str =
    "# our configuration\n[organisation]\nname = \"T\" # who\nroles = [\"developer\", \"system-operator\"]\n";

fn config(root: &Path) -> String {
    std::fs::read_to_string(root.join("custody.toml")).expect("config")
}

/// The audit log's entries, oldest first: (kind, payload).
fn entries(root: &Path) -> Vec<(String, serde_json::Value)> {
    let c = rusqlite::Connection::open(root.join(".custody/custody.db")).expect("db");
    let mut q = c.prepare("SELECT kind, payload_json FROM audit_entry ORDER BY seq").expect("prepare");
    let rows = q
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .map(|(k, p)| (k, serde_json::from_str(&p).expect("payload")));
    rows.collect()
}

#[test]
fn a_fresh_project_adds_a_system_then_registers_to_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("custody.toml"), CONFIG).expect("write");
    ok(&custody(root, &["init", "--quiet"]));
    let before = entries(root).len();
    // Before: register has no system to add to.
    let e = fails(&custody(root, &["register", "chat", "--asset", "models/**"]), 2);
    assert!(e.contains("declared systems: none") && e.contains("custody system add"), "{e}");
    let o = ok(&custody(
        root,
        &["system", "add", "chat", "--exposure", "public", "--use", "answer customers", "--description", "the bot"],
    ));
    assert!(o.contains("added system `chat`"), "{o}");
    let c = config(root);
    assert!(c.starts_with(CONFIG) && c.contains("# who"), "comments kept: {c}");
    let parsed = custody_core::config::Config::parse(&c, "custody.toml").expect("valid");
    let s = &parsed.systems[0];
    assert_eq!(
        (s.name.as_str(), s.exposure.as_str(), s.intended_use.as_str(), s.description.as_str()),
        ("chat", "public", "answer customers", "the bot")
    );
    let log = entries(root);
    assert_eq!(log.len(), before + 1, "{log:?}");
    let (kind, payload) = &log[before];
    assert_eq!(
        (kind.as_str(), &payload["system"], &payload["exposure"]),
        ("config.system.add", &"chat".into(), &"public".into())
    );
    ok(&custody(root, &["audit", "verify"]));
    // Now the advice `assess` gives can be followed.
    ok(&custody(root, &["register", "chat", "--asset", "models/**"]));
    // A duplicate is refused and changes nothing.
    let c = config(root);
    let e = fails(&custody(root, &["system", "add", "chat", "--exposure", "internal", "--use", "x"]), 2);
    assert!(e.contains("already declared"), "{e}");
    assert_eq!(config(root), c);
}

#[test]
fn without_a_store_the_config_is_edited_and_no_store_is_created() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("custody.toml"), CONFIG).expect("write");
    ok(&custody(root, &["system", "add", "a", "--exposure", "external-api", "--use", "scoring"]));
    assert!(config(root).contains("exposure = \"external-api\""), "{}", config(root));
    assert!(!root.join(".custody").exists());
}

#[test]
fn a_store_that_cannot_log_leaves_the_config_unchanged() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("custody.toml"), CONFIG).expect("write");
    ok(&custody(root, &["init", "--quiet"]));
    std::fs::remove_file(root.join(".custody/audit.key")).expect("rm key");
    let e = fails(&custody(root, &["system", "add", "a", "--exposure", "internal", "--use", "x"]), 2);
    assert!(e.contains("audit.key"), "{e}");
    assert_eq!(config(root), CONFIG, "an unlogged change");
}

#[test]
fn bad_input_is_refused_before_anything_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("custody.toml"), CONFIG).expect("write");
    for args in [
        vec!["system", "add", "a", "--exposure", "galactic", "--use", "x"],
        vec!["system", "add", "a", "--exposure", "public"],
        vec!["system", "add", " ", "--exposure", "public", "--use", "x"],
    ] {
        let o = custody(root, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stdout));
    }
    assert_eq!(config(root), CONFIG);
}
