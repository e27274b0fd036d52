-- The organisation's own message templates (P47). Keep in step with
-- ../postgres/0009_templates.sql; this migration is the same text in both dialects.

-- One row per kind the organisation has replaced; a kind with no row uses the built-in
-- template, so deleting the row brings the built-in one back. `updated_by` is empty when
-- the local command line saved it. The body is the JSON
-- envelope of the other tables (`{"v":1,"record":…}`), which the audit log digests.
CREATE TABLE message_templates (
    org_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT,
    PRIMARY KEY (org_id, kind),
    FOREIGN KEY (org_id, updated_by) REFERENCES users (org_id, id)
);
