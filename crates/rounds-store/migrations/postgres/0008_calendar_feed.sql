-- The plan in the rep's calendar: each user's feed secret and the busy times read from
-- reps' own calendars. Keep in step with ../sqlite/0008_calendar_feed.sql; this
-- migration is the same text in both dialects.

-- At most one feed per user; making a new one replaces it, so a leaked address dies
-- with it. Stored as the hex SHA-256 of the 256-bit secret in the address, like API
-- tokens. Times are epoch seconds.
CREATE TABLE calendar_feeds (
    token_hash TEXT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX calendar_feeds_user ON calendar_feeds (org_id, user_id);

-- One row per busy stretch (each occurrence of a repeating event its own), keyed by
-- the file it came from, the event's UID and its start, so importing the same file
-- again changes nothing. Only the times are kept, never an event's title.
CREATE TABLE busy_times (
    org_id BIGINT NOT NULL,
    rep_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    uid TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    all_day BIGINT NOT NULL,
    PRIMARY KEY (org_id, rep_id, source, uid, start_at),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);
CREATE INDEX busy_times_rep ON busy_times (org_id, rep_id, start_at);
