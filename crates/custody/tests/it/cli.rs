//! The binary end to end: conventions (exit codes, formats, colour, broken pipes) and the
//! promises about user data (never overwrite, never recreate, clear errors).

use crate::common;
use common::{custody, fails, json, ok, text};
use std::process::{Command, Stdio};

use rusqlite::Connection;
use std::io::Read;
use std::path::Path;

fn init(dir: &Path) {
    ok(&custody(
        dir,
        &[
            "init",
            "--org",
            "Acme Bank",
            "--role",
            "developer",
            "--role",
            "system-operator",
            "--system",
            "name=fraud;exposure=external-api",
        ],
    ));
}

#[test]
fn version_carries_a_revision() {
    let dir = tempfile::tempdir().expect("tmp");
    let v = ok(&custody(dir.path(), &["--version"]));
    assert!(v.starts_with("custody 0.") && v.contains('(') && v.contains(')'), "{v}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let e = fails(&custody(dir.path(), &["init", "--role", "operator"]), 2);
    assert!(e.contains("developer") && e.contains("data-custodian"), "{e}");
    fails(&custody(dir.path(), &["no-such-command"]), 2);
}

#[test]
fn init_writes_config_and_store_and_is_safe_to_repeat() {
    let dir = tempfile::tempdir().expect("tmp");
    init(dir.path());
    let cfg = std::fs::read_to_string(dir.path().join("custody.toml")).expect("config");
    assert!(cfg.contains("roles = [\"developer\", \"system-operator\"]"), "{cfg}");
    let db = dir.path().join(".custody/custody.db");
    assert!(db.is_file());
    // A marker row written behind custody's back must survive every later init.
    Connection::open(&db)
        .expect("db")
        .execute("INSERT INTO config_change (at, kind, subject) VALUES ('x', 'role-added', 'marker')", [])
        .expect("marker");

    let again = custody(dir.path(), &["init", "--org", "Other", "--role", "data-custodian"]);
    let stderr = text(&again.stderr);
    ok(&again);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("custody.toml")).expect("config"),
        cfg,
        "config overwritten without --force"
    );

    let forced = json(&custody(
        dir.path(),
        &["init", "--org", "Other", "--role", "data-custodian", "--force", "--format", "json"],
    ));
    assert_eq!(forced["config_written"], true);
    assert_eq!(forced["store_state"], "existing");
    let kinds: Vec<&str> =
        forced["changes"].as_array().expect("changes").iter().map(|c| c["kind"].as_str().unwrap_or("")).collect();
    assert_eq!(kinds, ["organisation-renamed", "role-added", "role-removed", "role-removed", "system-retired"]);
    let marker: i64 = Connection::open(&db)
        .expect("db")
        .query_row("SELECT count(*) FROM config_change WHERE subject = 'marker'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(marker, 1, "the store was recreated");
}

#[test]
fn init_without_a_terminal_needs_flags() {
    let dir = tempfile::tempdir().expect("tmp");
    let e = fails(&custody(dir.path(), &["init"]), 2);
    assert!(e.contains("--org") && e.contains("hint:"), "{e}");
    let e = fails(&custody(dir.path(), &["init", "--yes"]), 2);
    assert!(e.contains("system-operator"), "{e}");
    assert!(!dir.path().join("custody.toml").exists());
    assert!(!dir.path().join(".custody").exists());
    let e =
        fails(&custody(dir.path(), &["init", "--yes", "--role", "developer", "--system", "name=x;exposure=web"]), 2);
    assert!(e.contains("external-api"), "{e}");
}

#[test]
fn malformed_config_names_file_line_and_problem() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("custody.toml"),
        "[organisation]\nname = \"Acme\"\nroles = [\"developer\", \"operator\"]\n",
    )
    .expect("write");
    let e = fails(&custody(dir.path(), &["applicable"]), 2);
    assert!(e.contains("custody.toml:3:"), "{e}");
    assert!(e.contains("system-operator") && e.contains("data-custodian"), "{e}");
    // init refuses to touch it without --force, and says why.
    let before = std::fs::read(dir.path().join("custody.toml")).expect("read");
    let e = fails(&custody(dir.path(), &["init", "--org", "Acme", "--role", "developer"]), 2);
    assert!(e.contains("custody.toml:3:"), "{e}");
    assert_eq!(std::fs::read(dir.path().join("custody.toml")).expect("read"), before);
    std::fs::write(dir.path().join("custody.toml"), b"[organisation]\nname = \"\xff\"\n").expect("write");
    let e = fails(&custody(dir.path(), &["applicable"]), 2);
    assert!(e.contains("custody.toml:2:") && e.contains("UTF-8"), "{e}");
    let e = fails(&custody(dir.path(), &["applicable", "--config", "nope.toml"]), 2);
    assert!(e.contains("nope.toml") && e.contains("custody init"), "{e}");
}

#[test]
fn corrupt_and_locked_stores_are_reported_and_left_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join(".custody")).expect("mkdir");
    let db = dir.path().join(".custody/custody.db");
    let garbage = b"definitely not SQLite\n".repeat(300);
    std::fs::write(&db, &garbage).expect("write");
    let e = fails(&custody(dir.path(), &["init", "--org", "A", "--role", "developer"]), 2);
    assert!(e.contains("corrupt") && e.contains("hint:"), "{e}");
    assert_eq!(std::fs::read(&db).expect("read"), garbage);
    assert!(!dir.path().join("custody.toml").exists(), "config written although the store was unusable");

    std::fs::remove_file(&db).expect("rm");
    init(dir.path());
    let holder = Connection::open(&db).expect("db");
    holder
        .execute_batch(
            "BEGIN EXCLUSIVE; INSERT INTO config_change (at, kind, subject) VALUES ('x', 'role-added', 'x');",
        )
        .expect("lock");
    let e = fails(&custody(dir.path(), &["init", "--org", "B", "--role", "developer", "--force"]), 2);
    assert!(e.contains("locked"), "{e}");
    holder.execute_batch("ROLLBACK").expect("unlock");
}

#[test]
fn catalog_lists_filters_and_shows() {
    let dir = tempfile::tempdir().expect("tmp");
    let all = json(&custody(dir.path(), &["catalog", "--format", "json"]));
    assert_eq!(all["schema"], "custody.catalog/v1");
    assert_eq!(all["count"], 72);
    let dc =
        json(&custody(dir.path(), &["catalog", "--role", "data-custodian", "--modality", "shall", "--format", "json"]));
    assert_eq!(dc["count"], 6);
    let eol = json(&custody(dir.path(), &["catalog", "--phase", "end-of-life", "--format", "json"]));
    let ids: Vec<&str> =
        eol["provisions"].as_array().expect("list").iter().map(|p| p["id"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["5.5.1-1", "5.5.1-2"]);
    let p8 = json(&custody(dir.path(), &["catalog", "--principle", "8", "--format", "json"]));
    assert_eq!(p8["count"], 6);
    let one = json(&custody(dir.path(), &["catalog", "show", "5.2.4-1.2", "--format", "json"]));
    assert_eq!(one["provision"]["modality"], "shall");
    assert_eq!(one["provision"]["obliged"], serde_json::json!(["developer"]));
    let t = ok(&custody(dir.path(), &["catalog", "show", "5.2.4-1.2"]));
    assert!(t.contains("5.2.4-1.2") && t.contains("Developer"), "{t}");
    let md = ok(&custody(dir.path(), &["catalog", "--format", "markdown"]));
    assert_eq!(md.matches("\n| 5.").count(), 72);
    let e = fails(&custody(dir.path(), &["catalog", "show", "5.2.4-9"]), 2);
    assert!(e.contains("5.2.4-1.2"), "hint should list the clause's ids: {e}");
    let table = ok(&custody(dir.path(), &["catalog"]));
    assert!(table.contains("72 provisions (49 shall, 23 should)"), "{table}");
}

#[test]
fn oscal_catalog_is_stable_between_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = ok(&custody(dir.path(), &["catalog", "--format", "oscal"]));
    let b = ok(&custody(dir.path(), &["catalog", "--format", "oscal"]));
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).expect("json");
    assert_eq!(v["catalog"]["groups"].as_array().map(Vec::len), Some(13));
    fails(&custody(dir.path(), &["catalog", "--format", "oscal", "--role", "developer"]), 2);
}

#[test]
fn applicable_is_the_union_tagged_by_role() {
    let dir = tempfile::tempdir().expect("tmp");
    init(dir.path());
    let v = json(&custody(dir.path(), &["applicable", "--format", "json"]));
    assert_eq!(v["roles"], serde_json::json!(["developer", "system-operator"]));
    assert_eq!(v["by_role"]["developer"]["shall"], 35);
    assert_eq!(v["by_role"]["system-operator"]["should"], 11);
    assert_eq!(v["by_role"]["organisation-wide"]["shall"], 4);
    let p = v["provisions"].as_array().expect("list").iter().find(|p| p["id"] == "5.1.2-2").cloned().expect("5.1.2-2");
    let roles: Vec<&str> =
        p["reasons"].as_array().expect("reasons").iter().filter_map(|r| r["role"].as_str()).collect();
    assert_eq!(roles, ["developer", "system-operator"]);
    let api =
        v["provisions"].as_array().expect("list").iter().find(|p| p["id"] == "5.2.2-2").cloned().expect("5.2.2-2");
    assert!(api["notes"][0].as_str().unwrap_or("").contains("fraud"), "{api}");
    // A role on the command line replaces the declared ones.
    let dc = json(&custody(dir.path(), &["applicable", "--role", "data-custodian", "--format", "json"]));
    assert_eq!(dc["count"], 12);
    // Works from a subdirectory too.
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    ok(&custody(&dir.path().join("sub"), &["applicable"]));
    let md = ok(&custody(dir.path(), &["applicable", "--format", "markdown"]));
    assert!(md.contains("## Secure design"), "{md}");
}

#[test]
fn colour_quiet_and_no_color() {
    let dir = tempfile::tempdir().expect("tmp");
    let plain = ok(&custody(dir.path(), &["catalog"]));
    assert!(!plain.contains('\x1b'), "colour on a pipe with --color auto");
    let coloured = ok(&custody(dir.path(), &["catalog", "--color", "always"]));
    assert!(coloured.contains("\x1b["));
    let o = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(["catalog", "--color", "never"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!text(&o.stdout).contains('\x1b'));
    let loud = custody(dir.path(), &["catalog"]);
    assert!(!text(&loud.stderr).is_empty(), "the legend note goes to stderr");
    let quiet = custody(dir.path(), &["catalog", "--quiet"]);
    assert!(text(&quiet.stderr).is_empty(), "{}", text(&quiet.stderr));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // The OSCAL catalogue (~130 KB) is larger than a pipe buffer, so custody is still writing
    // when the reader goes away.
    let mut child = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(["catalog", "--format", "oscal"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    let mut stdout = child.stdout.take().expect("stdout");
    stdout.read_exact(&mut first).expect("read");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}
