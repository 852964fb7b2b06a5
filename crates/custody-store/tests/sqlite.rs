//! The SQLite backend against real files: migrations, upgrades with data, and the ways a store
//! can be unusable (corrupt, foreign, locked, too new), none of which may change the file.

mod common;

use custody_core::{Exposure, Role, System};
use custody_store::{LATEST_VERSION, OpenOptions, Opened, SqliteStore, Store, StoreError};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

fn sys(name: &str, exposure: Exposure) -> System {
    System {
        name: name.into(),
        description: format!("{name} description"),
        intended_use: "triage".into(),
        exposure,
        ..System::default()
    }
}

fn schema(path: &Path) -> Vec<String> {
    let c = Connection::open(path).expect("open");
    let mut st = c.prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name").expect("prepare");
    st.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
}

fn opts() -> OpenOptions {
    OpenOptions { busy_timeout: Duration::from_millis(200), backup_before_upgrade: true }
}

#[test]
fn fresh_store_gets_every_migration_and_the_pragmas() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("nested/dir/custody.db");
    let (store, how) = SqliteStore::open_or_create(&path, &opts()).expect("create");
    assert_eq!(how, Opened::Created);
    assert_eq!(store.schema_version().expect("version"), LATEST_VERSION);
    drop(store);
    let c = Connection::open(&path).expect("open");
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    let app: i64 = c.query_row("PRAGMA application_id", [], |r| r.get(0)).expect("app");
    assert_eq!(app, 0x4355_5354);
    let n: i64 = c.query_row("SELECT count(*) FROM schema_migration", [], |r| r.get(0)).expect("count");
    assert_eq!(n, i64::from(LATEST_VERSION));
}

#[test]
fn migrations_are_idempotent() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    let (mut s, _) = SqliteStore::open_or_create(&path, &opts()).expect("create");
    common::sealed(&mut s);
    s.record_organisation("Acme", &[Role::Developer], &[sys("a", Exposure::Internal)], "2026-01-01T00:00:00Z")
        .expect("record");
    drop(s);
    let before = schema(&path);
    for _ in 0..3 {
        let (s, how) = SqliteStore::open_or_create(&path, &opts()).expect("reopen");
        assert_eq!(how, Opened::Existing { upgraded_from: None });
        assert_eq!(s.schema_version().expect("v"), LATEST_VERSION);
        let s = SqliteStore::open(&path, &opts()).expect("open");
        assert_eq!(s.organisation().expect("org").map(|o| o.name), Some("Acme".into()));
    }
    assert_eq!(schema(&path), before);
    assert!(!dir.path().join("custody.db.pre-v2.bak").exists(), "no backup without an upgrade");
}

#[test]
fn an_older_store_is_upgraded_with_its_rows_intact() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    drop(SqliteStore::create_at_version(&path, 1).expect("v1"));
    {
        // Rows written by a version-1 custody.
        let c = Connection::open(&path).expect("open");
        c.execute_batch(
            "INSERT INTO organisation (id, name, updated_at) VALUES (1, 'Old Org', '2025-01-01T00:00:00Z');
             INSERT INTO organisation_role (role, since) VALUES ('data-custodian', '2025-01-01T00:00:00Z');
             INSERT INTO system (name, description, intended_use, exposure, created_at, updated_at)
               VALUES ('legacy', 'd', 'u', 'public', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');",
        )
        .expect("v1 rows");
    }
    let (s, how) = SqliteStore::open_or_create(&path, &opts()).expect("upgrade");
    assert_eq!(how, Opened::Existing { upgraded_from: Some(1) });
    assert_eq!(s.schema_version().expect("v"), LATEST_VERSION);
    let org = s.organisation().expect("org").expect("some");
    assert_eq!(org.name, "Old Org");
    assert_eq!(org.roles, vec![Role::DataCustodian]);
    assert_eq!(org.systems.len(), 1);
    assert_eq!(
        org.systems[0].system,
        System {
            name: "legacy".into(),
            description: "d".into(),
            intended_use: "u".into(),
            exposure: Exposure::Public,
            ..System::default()
        }
    );
    assert_eq!(org.systems[0].created_at, "2025-01-01T00:00:00Z");
    assert_eq!(org.systems[0].retired_at, None);
    // The pre-upgrade copy is a readable version-1 store with the same rows.
    let bak = dir.path().join("custody.db.pre-v1.bak");
    let c = Connection::open(&bak).expect("backup");
    let v: i64 = c.query_row("SELECT max(version) FROM schema_migration", [], |r| r.get(0)).expect("v");
    let name: String = c.query_row("SELECT name FROM organisation", [], |r| r.get(0)).expect("name");
    assert_eq!((v, name.as_str()), (1, "Old Org"));
}

#[test]
fn history_keeps_everything_declared() {
    let dir = tempfile::tempdir().expect("tmp");
    let (mut s, _) = SqliteStore::open_or_create(&dir.path().join("c.db"), &opts()).expect("create");
    common::sealed(&mut s);
    let t = |n: u8| format!("2026-01-0{n}T00:00:00Z");
    let c1 = s
        .record_organisation(
            "Acme",
            &[Role::Developer],
            &[sys("a", Exposure::Internal), sys("b", Exposure::Public)],
            &t(1),
        )
        .expect("1");
    assert_eq!(c1.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["role-added", "system-added", "system-added"]);
    // Same declaration again: nothing changes.
    assert!(
        s.record_organisation(
            "Acme",
            &[Role::Developer],
            &[sys("a", Exposure::Internal), sys("b", Exposure::Public)],
            &t(2)
        )
        .expect("2")
        .is_empty()
    );
    // Rename, swap a role, change one system, drop the other.
    let c3 = s
        .record_organisation("Acme Bank", &[Role::SystemOperator], &[sys("a", Exposure::ExternalApi)], &t(3))
        .expect("3");
    let kinds: Vec<_> = c3.iter().map(|c| (c.kind.as_str(), c.subject.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("organisation-renamed", "Acme Bank"),
            ("role-added", "system-operator"),
            ("role-removed", "developer"),
            ("system-changed", "a"),
            ("system-retired", "b")
        ]
    );
    let org = s.organisation().expect("org").expect("some");
    assert_eq!(org.roles, vec![Role::SystemOperator]);
    let b = org.systems.iter().find(|x| x.system.name == "b").expect("b is kept");
    assert_eq!(b.retired_at.as_deref(), Some(t(3).as_str()));
    // Declaring it again restores it.
    let c4 = s
        .record_organisation(
            "Acme Bank",
            &[Role::SystemOperator],
            &[sys("a", Exposure::ExternalApi), sys("b", Exposure::Public)],
            &t(4),
        )
        .expect("4");
    assert_eq!(c4.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["system-restored"]);
    assert_eq!(s.config_history().expect("h").len(), 3 + 5 + 1);
}

fn unchanged_after<F: FnOnce(&Path) -> StoreError>(bytes: &[u8], f: F) -> StoreError {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    std::fs::write(&path, bytes).expect("write");
    let e = f(&path);
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "the file was modified");
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("e").file_name()).collect();
    assert_eq!(names.len(), 1, "extra files: {names:?}");
    e
}

#[test]
fn a_corrupt_file_is_reported_and_left_alone() {
    let mut garbage = b"this is not a database, it is a note\n".repeat(200);
    garbage.extend_from_slice(&[0u8; 4096]);
    for open_or_create in [false, true] {
        let e = unchanged_after(&garbage, |p| {
            if open_or_create {
                SqliteStore::open_or_create(p, &opts()).map(|_| ()).expect_err("must fail")
            } else {
                SqliteStore::open(p, &opts()).map(|_| ()).expect_err("must fail")
            }
        });
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
        assert!(e.to_string().contains("corrupt"), "{e}");
        assert!(e.hint().is_some());
    }
    // A truncated custody store is also corrupt, not silently recreated.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    let (mut s, _) = SqliteStore::open_or_create(&path, &opts()).expect("create");
    common::sealed(&mut s);
    s.record_organisation("Acme", &[Role::Developer], &[], "2026-01-01T00:00:00Z").expect("r");
    drop(s);
    let full = std::fs::read(&path).expect("read");
    let e = unchanged_after(&full[..full.len() / 2 + 100], |p| {
        SqliteStore::open(p, &opts()).map(|_| ()).expect_err("must fail")
    });
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("other.db");
    {
        let c = Connection::open(&path).expect("open");
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").expect("other");
    }
    let bytes = std::fs::read(&path).expect("read");
    let e = unchanged_after(&bytes, |p| SqliteStore::open_or_create(p, &opts()).map(|_| ()).expect_err("must fail"));
    assert!(matches!(e, StoreError::Foreign { .. }), "{e}");
}

#[test]
fn a_locked_store_says_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    drop(SqliteStore::open_or_create(&path, &opts()).expect("create"));
    let holder = Connection::open(&path).expect("open");
    holder
        .execute_batch("BEGIN EXCLUSIVE; INSERT INTO organisation_role (role, since) VALUES ('developer', 'x');")
        .expect("lock");
    let mut s = SqliteStore::open(&path, &opts());
    let e = match s.as_mut() {
        Ok(s) => s.record_organisation("Acme", &[Role::Developer], &[], "t").map(|_| ()).expect_err("must fail"),
        Err(_) => s.err().expect("err"),
    };
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    assert!(e.to_string().contains("locked"), "{e}");
    holder.execute_batch("ROLLBACK").expect("unlock");
}

#[test]
fn a_newer_store_is_refused_not_downgraded() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    drop(SqliteStore::open_or_create(&path, &opts()).expect("create"));
    Connection::open(&path)
        .expect("open")
        .execute("INSERT INTO schema_migration (version, name, checksum) VALUES (99, 'future', 'x')", [])
        .expect("future");
    let e = SqliteStore::open(&path, &opts()).map(|_| ()).expect_err("must fail");
    assert!(matches!(e, StoreError::TooNew { found: 99, .. }), "{e}");
}

#[test]
fn an_edited_migration_is_detected() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    drop(SqliteStore::open_or_create(&path, &opts()).expect("create"));
    Connection::open(&path)
        .expect("open")
        .execute("UPDATE schema_migration SET checksum = 'x' WHERE version = 1", [])
        .expect("edit");
    let e = SqliteStore::open(&path, &opts()).map(|_| ()).expect_err("must fail");
    assert!(matches!(e, StoreError::MigrationChanged { version: 1, .. }), "{e}");
}

#[test]
fn missing_store_is_not_created_by_open() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("custody.db");
    let location = custody_store::Location::parse(path.to_str().expect("utf8")).expect("location");
    let e = custody_store::open(&location, &opts()).map(|_| ()).expect_err("must fail");
    assert!(matches!(e, StoreError::Missing { .. }), "{e}");
    assert!(!path.exists());
    let e = custody_store::Location::parse("postgres://localhost/custody").expect_err("must fail");
    assert!(matches!(e, StoreError::UnsupportedBackend { .. }), "{e}");
    assert_eq!(
        custody_store::Location::parse("sqlite:///srv/c.db").expect("sqlite URL"),
        custody_store::Location::Sqlite("/srv/c.db".into())
    );
}

#[test]
fn scans_round_trip_and_replace_the_file_cache() {
    use custody_core::{Finding, Location};
    use custody_store::{AssetRow, EdgeRow, FileCacheRow, ScanRecord, UseRow};
    let dir = tempfile::tempdir().expect("tmp");
    let (mut s, _) = SqliteStore::open_or_create(&dir.path().join("c.db"), &opts()).expect("create");
    common::sealed(&mut s);
    let sha = "ab".repeat(32);
    let rec = ScanRecord {
        root: "/r".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 12,
        stats_json: "{}".into(),
        summary_json: "{\"shown\": true}".into(),
        ownership: Some(custody_core::Ownership {
            root_in_project: Some(String::new()),
            assets: vec![custody_core::ownership::Owned {
                path: "a.gguf".into(),
                systems: vec!["s".into()],
                part_of: None,
            }],
            shadow_services: vec!["openai".into()],
            missing: vec![custody_core::ownership::Missing {
                system: "s".into(),
                entry: "gone/**".into(),
                service: false,
            }],
        }),
        assets: vec![
            AssetRow {
                path: "a.gguf".into(),
                sha256: sha.clone(),
                kind: custody_core::AssetKind::Model,
                format: "gguf".into(),
                size: 9,
                meta_json: "{}".into(),
            },
            AssetRow {
                path: "copy/a.gguf".into(),
                sha256: sha.clone(),
                kind: custody_core::AssetKind::Model,
                format: "gguf".into(),
                size: 9,
                meta_json: "{}".into(),
            },
        ],
        findings: vec![
            Finding::new(custody_scan::WalkCode::BrokenLink, "broken", Location::at_line("x", 1, 2)).with_evidence("e"),
        ]
        .into(),
        uses: vec![UseRow {
            path: "app.py".into(),
            line: 3,
            column: 1,
            kind: "sdk".into(),
            provider: Some("openai".into()),
            category: "remote-inference".into(),
            name: "openai".into(),
            detail: None,
            pinned: Some(false),
        }]
        .into(),
        edges: vec![EdgeRow { source: "app.py".into(), target: "service:openai".into(), kind: "calls".into() }],
    };
    let big_inode = u64::MAX - 5;
    let cache = vec![FileCacheRow {
        path: "a.gguf".into(),
        size: 9,
        mtime_ns: -3,
        inode: big_inode,
        ctime_ns: Some(7),
        result_json: "{}".into(),
    }];
    let id1 = s.record_scan(&rec, &mut cache.clone().into_iter()).expect("record");
    let back = s.latest_scan(Some("/r")).expect("latest").expect("some");
    assert_eq!(back.id, id1);
    assert_eq!(back.record, rec);
    assert_eq!(s.file_cache("/r").expect("cache"), cache);
    // A second scan replaces the cache and keeps the first scan.
    // A second scan replaces the cache and keeps the first scan.
    let extra =
        FileCacheRow { path: "b".into(), size: 1, mtime_ns: 1, inode: 1, ctime_ns: None, result_json: "[]".into() };
    let id2 = s
        .record_scan(&ScanRecord { root: "/r".into(), ..ScanRecord::default() }, &mut std::iter::once(extra.clone()))
        .expect("record");
    assert!(id2 > id1);
    assert_eq!(s.file_cache("/r").expect("cache"), vec![extra.clone()]);
    let ids = s.file_cache_index("/r").expect("index");
    assert_eq!((ids.len(), ids[0].path.as_str()), (1, "b"));
    let id2 = s
        .record_scan(&ScanRecord { root: "/r".into(), ..ScanRecord::default() }, &mut std::iter::empty())
        .expect("record");
    assert!(s.file_cache("/r").expect("cache").is_empty());
    assert!(s.latest_scan(Some("/other")).expect("latest").is_none());
    assert_eq!(s.latest_scan(None).expect("latest").map(|x| x.id), Some(id2));
}

#[test]
fn a_scan_recorded_before_version_7_reads_back_without_ownership() {
    use custody_store::ScanRecord;
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("c.db");
    let s = common::store_at(&p);
    let rec =
        ScanRecord { root: "/r".into(), ownership: Some(custody_core::Ownership::default()), ..ScanRecord::default() };
    s.record_scan(&rec, &mut std::iter::empty()).expect("record");
    drop(s);
    // Back to version 6, as a custody before ownership was kept would have left it.
    let conn = rusqlite::Connection::open(&p).expect("open");
    conn.execute_batch("ALTER TABLE scan DROP COLUMN ownership_json; DELETE FROM schema_migration WHERE version = 7;")
        .expect("downgrade");
    drop(conn);
    let s = SqliteStore::open(&p, &opts()).expect("upgrade");
    assert_eq!(s.schema_version().expect("v"), LATEST_VERSION);
    let back = s.latest_scan(None).expect("read").expect("a scan");
    assert_eq!(back.record.ownership, None, "no ownership was decided for it");
    assert!(dir.path().join("c.db.pre-v6.bak").is_file());
}
