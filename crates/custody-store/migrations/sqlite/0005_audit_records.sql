-- custody store, version 5: the tamper-evident audit log and accountability records.
-- Every state change appends an audit entry in the same transaction as the change. Entries are
-- the leaves of an RFC 9162 Merkle tree; signed checkpoints (C2SP signed notes) commit to its
-- size and root. Records are append-only: a change is a new row that supersedes the old one.
CREATE TABLE audit_entry (
    seq                INTEGER PRIMARY KEY CHECK (seq >= 0),
    at                 TEXT NOT NULL,
    actor              TEXT NOT NULL,
    role               TEXT,
    kind               TEXT NOT NULL,
    payload_json       TEXT NOT NULL,
    attachment_sha256  TEXT,
    leaf_hash          BLOB NOT NULL CHECK (length(leaf_hash) = 32)
) STRICT;

CREATE TABLE audit_checkpoint (
    size  INTEGER PRIMARY KEY CHECK (size >= 0),
    note  TEXT NOT NULL,
    at    TEXT NOT NULL
) STRICT;

CREATE TABLE audit_key (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    vkey  TEXT NOT NULL
) STRICT;

CREATE TABLE record (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL,
    key            TEXT NOT NULL,
    payload_json   TEXT NOT NULL,
    actor          TEXT NOT NULL,
    role           TEXT,
    at             TEXT NOT NULL,
    audit_seq      INTEGER NOT NULL REFERENCES audit_entry (seq),
    superseded_by  INTEGER REFERENCES record (id)
) STRICT;
CREATE INDEX record_kind_key ON record (kind, key);
