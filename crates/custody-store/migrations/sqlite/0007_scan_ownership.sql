-- custody store, version 7: which system owns each asset a scan found, decided when the scan
-- ran (`custody_core::Ownership` as JSON: the systems claiming each asset, the directory asset a
-- file is part of, shadow services and declarations that matched nothing). Scans recorded
-- before this version have none (NULL); readers recompute it from the scan's assets.
ALTER TABLE scan ADD COLUMN ownership_json TEXT;
