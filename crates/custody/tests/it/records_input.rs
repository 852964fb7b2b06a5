//! Recorded input is checked before it reaches the append-only log (issue 10): times are real
//! calendar instants, acquisitions are not in the future, URLs carry no credentials.

use crate::common;
use common::{custody, custody_at, fails, ok};
use std::path::Path;

fn project(root: &Path) {
    std::fs::write(root.join("custody.toml"), "[organisation]\nname = \"T\"\nroles = [\"developer\"]\n").expect("toml");
    ok(&custody(root, &["init", "--quiet"]));
}

fn records(root: &Path) -> usize {
    let db = rusqlite::Connection::open(root.join(".custody/custody.db")).expect("db");
    db.query_row("SELECT count(*) FROM record", [], |r| r.get::<_, i64>(0)).expect("count") as usize
}

#[test]
fn calendar_invalid_and_future_times_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let data = |when: &str| {
        custody(root, &["data", "add", "x", "--source", "https://a.example/x", "--acquired", when, "--as", "developer"])
    };
    for (when, says) in [
        ("2025-02-30T00:00:00Z", "out-of-range"),
        ("2025-02-29T12:00:00Z", "out-of-range"),
        ("2025-06-01T00:00:00+24:00", "offset"),
        ("2025-06-01T00:00:00-99:00", "offset"),
        // common::NOW is 2026-11-30T12:00:00Z.
        ("2026-11-30T12:00:01Z", "in the future"),
        ("2027-01-01T00:00:00Z", "in the future"),
    ] {
        let e = fails(&data(when), 2);
        assert!(e.contains(says), "{when}: {e}");
    }
    let training = |completed: &str| {
        custody(
            root,
            &["training", "add", "--person", "B", "--staff-role", "r", "--module", "m", "--completed", completed],
        )
    };
    let e = fails(&training("2025-02-30"), 2);
    assert!(e.contains("no day 30"), "{e}");
    assert_eq!(records(root), 0, "nothing refused was recorded");
    // Real instants, including now itself and an offset, are recorded.
    ok(&data("2026-11-30T13:00:00+01:00"));
    ok(&training("2024-02-29"));
    assert_eq!(records(root), 2);
    // The clock is read with the same parser.
    let late = ["training", "add", "--person", "C", "--staff-role", "r", "--module", "m", "--completed", "2024-01-01"];
    let e = fails(&custody_at(root, "2026-02-30T00:00:00Z", &late), 2);
    assert!(e.contains("CUSTODY_NOW") && e.contains("out-of-range"), "{e}");
}

#[test]
fn urls_with_credentials_never_reach_the_log() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let e = fails(
        &custody(
            root,
            &[
                "data",
                "add",
                "x",
                "--source",
                "https://bob:hunter2@a.example/x",
                "--acquired",
                "2026-01-01T00:00:00Z",
                "--as",
                "developer",
            ],
        ),
        2,
    );
    assert!(e.contains("credentials") && !e.contains("hunter2"), "{e}");
    let e = fails(&custody(root, &["evidence", "add", "5.2.2-4", "--url", "https://bob:hunter2@acme.example/vdp"]), 2);
    assert!(e.contains("credentials") && !e.contains("hunter2"), "{e}");
    // A Croissant card whose url carries a token.
    std::fs::write(
        root.join("card.json"),
        r#"{"url": "https://tok:hunter2@hub.example/ds", "license": "MIT", "dateCreated": "2026-01-01"}"#,
    )
    .expect("card");
    let e = fails(&custody(root, &["data", "add", "x", "--from-card", "card.json", "--as", "developer"]), 2);
    assert!(e.contains("credentials") && !e.contains("hunter2"), "{e}");
    assert_eq!(records(root), 0);
    let db = std::fs::read(root.join(".custody/custody.db")).expect("db");
    let wal = std::fs::read(root.join(".custody/custody.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(7).any(|w| w == b"hunter2"), "a password reached the store");
    }
    ok(&custody(root, &["evidence", "add", "5.2.2-4", "--url", "https://acme.example/vdp"]));
}
