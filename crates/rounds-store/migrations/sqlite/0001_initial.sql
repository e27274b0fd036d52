-- Rounds schema, SQLite dialect. Keep in step with ../postgres/0001_initial.sql: the
-- two differ only where the dialects do.
--
-- Every row carries its organisation. `body` holds the whole record, the only copy that
-- is read back; the other columns are derived from it on write and exist for keys,
-- joins and filters. Bodies are JSON of the model type, except in the two high-volume
-- tables, `touches` and `referral_counts`, whose bodies are tab-separated fields in a
-- fixed order (see `src/body.rs`): they parse in 2.5 times fewer instructions than JSON
-- and take a third of the space, and parsing was most of the cost of reading a
-- territory. Only BIGINT and TEXT are used, because sqlx's Any driver carries nothing
-- richer (a BOOLEAN column would not even decode through it).
-- Foreign keys are enforced (the store turns them on for every connection), so a write
-- that names a missing parent fails and its transaction rolls back.

CREATE TABLE organisations (
    id BIGINT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    demo BIGINT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE users (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    id BIGINT NOT NULL,
    role TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE accounts (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    id BIGINT NOT NULL,
    rep_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);
CREATE INDEX accounts_rep ON accounts (org_id, rep_id);

CREATE TABLE contacts (
    org_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);
CREATE INDEX contacts_account ON contacts (org_id, account_id);

CREATE TABLE topics (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- `at` is whole epoch seconds (UTC) and `at_nanos` the signed sub-second part as jiff
-- reports it, so (at, at_nanos) orders exactly like the timestamp over jiff's whole
-- range, which epoch nanoseconds in a BIGINT would not cover. The exact value is also
-- in `body`. The rep is deliberately not a foreign key: a touch may be logged by someone
-- other than the account's rep, and the check would need another index on this table.
--
-- SQLite only: the table is clustered by account (WITHOUT ROWID, keyed by org, account,
-- id), so a territory reads each account's touches as one run of adjacent pages instead
-- of one b-tree lookup per touch; that cut SQLite's time for a rep's touches by half.
-- The UNIQUE constraint keeps ids unique and is the upserts' conflict target; the key's
-- prefix serves the account foreign key, so no separate account index is needed.
CREATE TABLE touches (
    org_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    rep_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    at_nanos BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, account_id, id),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id)
) WITHOUT ROWID;
CREATE INDEX touches_contact ON touches (org_id, contact_id);

-- SQLite only: WITHOUT ROWID, so the small rows are stored in key order and a contact's
-- counts are read in one range scan of the table itself.
CREATE TABLE referral_counts (
    org_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    count BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, contact_id, day),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id)
) WITHOUT ROWID;

CREATE TABLE lost_accounts (
    org_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, account_id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);

CREATE TABLE no_fits (
    org_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, account_id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);
