-- custody store, version 4: integrity evidence. Known-good snapshots of models (the signed
-- manifest, the key or CA it verifies with, and every file as a content-addressed object), and
-- every signing, verification, snapshot, restore and diff as an event. Nothing is updated in
-- place: a snapshot name is used once, events are only appended.
CREATE TABLE snapshot (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    created_at      TEXT NOT NULL,
    source          TEXT NOT NULL,
    objects_dir     TEXT NOT NULL,
    single_file     INTEGER NOT NULL CHECK (single_file IN (0, 1)),
    serialization   TEXT NOT NULL,
    root_digest     TEXT NOT NULL,
    -- The signature file (Sigstore bundle JSON), byte for byte.
    bundle          BLOB NOT NULL,
    -- What the bundle verifies with: 'public-key' (an SPKI PEM) or 'ca' (CA certificates, PEM).
    trust_kind      TEXT NOT NULL CHECK (trust_kind IN ('public-key', 'ca')),
    trust_pem       TEXT NOT NULL,
    -- The signature's path inside the model, when it was there (restored alongside).
    signature_name  TEXT,
    file_count      INTEGER NOT NULL,
    total_bytes     INTEGER NOT NULL
) STRICT;

CREATE TABLE snapshot_file (
    snapshot_id  INTEGER NOT NULL REFERENCES snapshot (id),
    path         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    mode         INTEGER NOT NULL,
    object       TEXT NOT NULL CHECK (length(object) = 64),
    PRIMARY KEY (snapshot_id, path)
) STRICT, WITHOUT ROWID;
CREATE INDEX snapshot_file_object ON snapshot_file (object);

CREATE TABLE attest_event (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('sign', 'verify', 'snapshot', 'restore', 'diff')),
    subject      TEXT NOT NULL,
    snapshot     TEXT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
    root_digest  TEXT,
    detail_json  TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX attest_event_subject ON attest_event (subject, id);
