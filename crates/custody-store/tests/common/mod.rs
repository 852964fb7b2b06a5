//! What the store's integration tests share: a store that may write, as custody opens it.
#![allow(dead_code)]

use custody_audit::SigningKey;
use custody_store::{Actor, OpenOptions, SqliteStore, Store, Writer};
use std::path::Path;

pub const ORIGIN: &str = "custody.invalid/audit/test";

pub fn key() -> SigningKey {
    SigningKey::from_seed(ORIGIN, &[7u8; 32]).expect("key")
}

/// The writer custody gives a store before it writes: an actor and the audit key.
pub fn writer() -> Writer {
    Writer { actor: Actor { name: "ana".into(), role: None }, key: Some(key()), ..Writer::default() }
}

/// Gives `s` the test key (recording its verifier key on first use) and the test writer.
pub fn sealed(s: &mut SqliteStore) {
    s.set_audit_vkey(&key().verifier().to_string()).expect("vkey");
    s.set_writer(writer());
}

/// Creates (or opens) a store at `p` that may write.
pub fn store_at(p: &Path) -> SqliteStore {
    let (mut s, _) = SqliteStore::open_or_create(p, &OpenOptions::default()).expect("open");
    sealed(&mut s);
    s
}
