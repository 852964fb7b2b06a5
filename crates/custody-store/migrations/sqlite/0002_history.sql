-- custody store, version 2: nothing declared is ever deleted. Systems dropped from custody.toml
-- are retired (kept, with the time), and every change to the declared organisation is kept.
ALTER TABLE system ADD COLUMN retired_at TEXT;

CREATE TABLE config_change (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('organisation-renamed', 'role-added', 'role-removed',
                                           'system-added', 'system-changed', 'system-retired',
                                           'system-restored')),
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;
