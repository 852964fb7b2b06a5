//! The backend conformance suite (`custody_store::conformance`) on the embedded SQLite backend:
//! every check on a fresh store, each handle a new connection.

use custody_store::conformance;
use custody_store::{OpenOptions, SqliteStore, Store, Writer};
use std::path::PathBuf;
use std::time::Duration;

fn run(check: fn(conformance::Open<'_>)) {
    let dir = tempfile::tempdir().expect("tmp");
    let path: PathBuf = dir.path().join("c.db");
    drop(SqliteStore::open_or_create(&path, &OpenOptions::default()).expect("create"));
    let opts = OpenOptions { busy_timeout: Duration::from_secs(30), ..OpenOptions::default() };
    let open = move |w: Writer| -> Box<dyn Store> {
        let mut s = SqliteStore::open(&path, &opts).expect("open");
        s.set_writer(w);
        Box::new(s)
    };
    check(&open);
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { run(conformance::$name); })*
    };
}

conformance!(
    records_round_trip_and_supersede,
    every_write_is_sealed_in_its_transaction,
    nothing_is_written_without_the_key,
    unique_keys_are_decided_inside_the_transaction,
    targeted_audit_queries_agree_with_the_whole_log,
    the_key_rotates_on_the_record,
    each_handle_writes_as_its_own_actor,
);
