-- Sending e-mail: the outbox, the worker's lease and the unsubscribe links. Keep in
-- step with ../postgres/0010_outbox.sql; this migration is the same text in both dialects.

-- One row per message, from draft to sent; the whole record is the JSON body. The
-- state and the moment it may leave are columns so the worker finds what is due with
-- one index; not_before is epoch seconds, 0 while the message is not queued.
CREATE TABLE outbox (
    org_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id)
);
CREATE INDEX outbox_due ON outbox (org_id, state, not_before);
CREATE INDEX outbox_author ON outbox (org_id, author_id, id);

-- Which worker may send for the organisation, until when (epoch seconds). Taken and
-- renewed by one conditional upsert, so two workers never both hold it.
CREATE TABLE outbox_leases (
    org_id BIGINT NOT NULL PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The secret of each mail's unsubscribe link, as the hex SHA-256 of its 256 random
-- bits (like calendar feeds): whoever holds the link may record the contact's opt-out.
CREATE TABLE unsubscribe_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    outbox_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, outbox_id) REFERENCES outbox (org_id, id)
);
