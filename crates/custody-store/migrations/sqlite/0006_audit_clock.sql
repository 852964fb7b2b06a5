-- custody store, version 6: the wall clock beside an injected time. When a command runs with its
-- clock fixed (CUSTODY_NOW), each audit entry also records when it was really written; the
-- column is part of the entry's canonical form only when it is set.
ALTER TABLE audit_entry ADD COLUMN recorded_at TEXT;
