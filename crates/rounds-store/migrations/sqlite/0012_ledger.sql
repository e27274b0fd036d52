-- The transfer-of-value ledger (P14). Keep in step with ../postgres/0012_ledger.sql; this
-- migration is the same text in both dialects.

-- One row per transfer of value given at an account: meals, items, education. The whole
-- record (amount, nature, who was present, a void) is the JSON body; the account and
-- the day are columns for the scoped and yearly lists, `voided` (0 or 1) so the yearly
-- report can leave voided ones out by index. Rows are never deleted: a transfer
-- recorded in error is voided, with why.
CREATE TABLE transfers (
    org_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    voided BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id)
);
CREATE INDEX transfers_day ON transfers (org_id, day);
CREATE INDEX transfers_account ON transfers (org_id, account_id, day);

-- The contacts present at each transfer, as in its body, so a contact named by a transfer
-- cannot vanish under it and one recipient's transfers are found by index. `covered`
-- (0 or 1): a covered recipient, whose share is reported.
CREATE TABLE transfer_attendees (
    org_id BIGINT NOT NULL,
    transfer_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    covered BIGINT NOT NULL,
    PRIMARY KEY (org_id, transfer_id, contact_id),
    FOREIGN KEY (org_id, transfer_id) REFERENCES transfers (org_id, id),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id)
);
CREATE INDEX transfer_attendees_contact ON transfer_attendees (org_id, contact_id);
