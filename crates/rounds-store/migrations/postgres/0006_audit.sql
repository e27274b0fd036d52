-- The audit log: every change, who made it and when, hash-chained per organisation.
-- Keep in step with ../sqlite/0006_audit.sql; this migration is the same text in both
-- dialects.
--
-- Append-only: rows are written by the store in the transaction of the change they
-- describe and never updated or deleted (not even by a Replace of the organisation).
-- `hash` is the SHA-256 of every other field, `prev_hash` included (see
-- rounds-core's `audit` module), so an edited, removed or renumbered row breaks the
-- chain. Digests are hex SHA-256 of a record's stored body; empty when there was none.
CREATE TABLE audit_log (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_digest TEXT NOT NULL,
    after_digest TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_log_entity ON audit_log (org_id, entity, entity_id);

-- The chain's head per organisation: its last seq and hash. Appending locks this row,
-- which serialises concurrent writers of one organisation (on SQLite the write lock
-- already does), and it lets `verify` see that the newest rows were removed.
CREATE TABLE audit_heads (
    org_id BIGINT NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
