-- What was done with agreed next steps (P33): complete, reschedule, skip, edit. Keep in
-- step with ../postgres/0003_step_updates.sql.
--
-- Append-only: a step's updates are numbered (seq) and never rewritten. A step is named
-- by the touch that set it; account_id is that touch's account, so a territory read
-- packs an account's updates beside its touches (see `ACCOUNT_ROWS` in sql.rs).
CREATE TABLE step_updates (
    org_id BIGINT NOT NULL,
    touch_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, touch_id, seq),
    FOREIGN KEY (org_id, touch_id) REFERENCES touches (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);
CREATE INDEX step_updates_account ON step_updates (org_id, account_id);
