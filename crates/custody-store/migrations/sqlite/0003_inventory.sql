-- custody store, version 3: the AI asset inventory. Every scan is kept; assets are
-- content-addressed by SHA-256 with every location they were seen at; the per-file cache makes
-- a re-scan of an unchanged tree read nothing again.
CREATE TABLE scan (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    root         TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL,
    stats_json   TEXT NOT NULL,
    -- What `custody scan` shows for this scan (presentation summary, JSON).
    summary_json TEXT NOT NULL DEFAULT '{}',
    -- A re-scan that found the tree unchanged points at the scan holding the data.
    same_as      INTEGER REFERENCES scan (id),
    -- Every AI use found in code (file, line, column, what), as deflated compact JSON: a large
    -- repository has hundreds of thousands and they are read back together.
    uses_blob    BLOB NOT NULL
) STRICT;
CREATE INDEX scan_root ON scan (root, id);

CREATE TABLE asset (
    sha256         TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    kind           TEXT NOT NULL,
    format         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    meta_json      TEXT NOT NULL,
    first_scan_id  INTEGER NOT NULL REFERENCES scan (id)
) STRICT;

CREATE TABLE asset_location (
    scan_id  INTEGER NOT NULL REFERENCES scan (id),
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL REFERENCES asset (sha256),
    PRIMARY KEY (scan_id, path)
) STRICT;
CREATE INDEX asset_location_sha ON asset_location (sha256);

CREATE TABLE scan_finding (
    scan_id   INTEGER NOT NULL REFERENCES scan (id),
    seq       INTEGER NOT NULL,
    code      TEXT NOT NULL,
    severity  TEXT NOT NULL,
    message   TEXT NOT NULL,
    path      TEXT NOT NULL,
    member    TEXT,
    offset    INTEGER,
    line      INTEGER,
    col       INTEGER,
    evidence  TEXT,
    PRIMARY KEY (scan_id, seq)
) STRICT;

CREATE TABLE scan_edge (
    scan_id  INTEGER NOT NULL REFERENCES scan (id),
    source   TEXT NOT NULL,
    target   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    PRIMARY KEY (scan_id, source, target, kind)
) STRICT;

CREATE TABLE file_cache (
    root          TEXT PRIMARY KEY,
    -- Deflated JSON: [[path, size, mtime_ns, inode], ...] and, in the same order, the scanner's
    -- result for each file. One row per root: a large tree has tens of thousands of files and
    -- is read and written whole.
    index_blob    BLOB NOT NULL,
    results_blob  BLOB NOT NULL
) STRICT;
