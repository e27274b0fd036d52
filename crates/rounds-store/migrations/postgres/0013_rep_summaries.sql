-- Stored rep summaries (the Team page and the reports). Keep in step with
-- ../sqlite/0013_rep_summaries.sql; this migration is the same text in both dialects.

-- One row per rep and day: that day's plan size and flags, coverage, the persistence
-- funnel, promise keeping, coverage by segment and the referral trends, as the JSON body
-- of rounds_core::reports::RepSummary. Derived data, computed once a day by the worker
-- (or on first demand) from the records, so it is not audited; a newer computation for
-- the same rep and day replaces the row. `computed_at` is the instant it was computed.
CREATE TABLE rep_summaries (
    org_id BIGINT NOT NULL,
    rep_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, day, rep_id),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);
