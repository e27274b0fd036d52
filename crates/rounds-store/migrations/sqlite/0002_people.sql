-- Sign-in, sessions, API tokens and id counters. Keep in step with
-- ../postgres/0002_people.sql; this migration is the same text in both dialects.
--
-- Secrets are never stored: a password as its argon2id PHC string, a session or API
-- token as the hex SHA-256 of the random value the client holds (a fast hash is right
-- for 256-bit random values; argon2 is for what people choose). Times are epoch seconds.

-- One sign-in per user. `login` is the lower-cased e-mail at the time the password
-- was set, unique across organisations, so signing in needs no organisation.
CREATE TABLE credentials (
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX sessions_user ON sessions (org_id, user_id);

CREATE TABLE api_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX api_tokens_user ON api_tokens (org_id, user_id);

-- The last id handed out per (organisation, kind), so that concurrent writers never get
-- the same id. No foreign key: an id may be asked for before the organisation exists.
CREATE TABLE id_counters (
    org_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    last_id BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);
