//! Embedded, versioned migrations. Each runs in its own transaction and is recorded with a
//! checksum, so an applied migration that was later edited is detected instead of skipped.

use sha2::{Digest, Sha256};

/// (version, name, SQL) in order. Versions are 1, 2, 3, … with no gaps.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "init", include_str!("../migrations/sqlite/0001_init.sql")),
    (2, "history", include_str!("../migrations/sqlite/0002_history.sql")),
    (3, "inventory", include_str!("../migrations/sqlite/0003_inventory.sql")),
    (4, "snapshots", include_str!("../migrations/sqlite/0004_snapshots.sql")),
    (5, "audit-records", include_str!("../migrations/sqlite/0005_audit_records.sql")),
    (6, "audit-clock", include_str!("../migrations/sqlite/0006_audit_clock.sql")),
    (7, "scan-ownership", include_str!("../migrations/sqlite/0007_scan_ownership.sql")),
];

pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn checksum(sql: &str) -> String {
    custody_core::hex::encode(&Sha256::digest(sql.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_dense_and_ordered() {
        for (i, (v, name, sql)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*v as usize, i + 1);
            assert!(!name.is_empty() && !sql.trim().is_empty());
        }
    }
}
