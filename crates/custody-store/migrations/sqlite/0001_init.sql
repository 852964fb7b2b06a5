-- custody store, version 1: the organisation, the roles it holds, its AI systems.
CREATE TABLE organisation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE organisation_role (
    role        TEXT PRIMARY KEY CHECK (role IN ('developer', 'system-operator', 'data-custodian')),
    since       TEXT NOT NULL
) STRICT;

CREATE TABLE system (
    name          TEXT PRIMARY KEY CHECK (length(name) > 0),
    description   TEXT NOT NULL DEFAULT '',
    intended_use  TEXT NOT NULL DEFAULT '',
    exposure      TEXT NOT NULL CHECK (exposure IN ('internal', 'external-api', 'public')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
