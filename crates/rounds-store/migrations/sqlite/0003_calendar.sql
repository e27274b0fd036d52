-- Reps' own field weeks and time off. Keep in step with ../postgres/0003_calendar.sql;
-- this migration is the same text in both dialects.
--
-- Bodies are JSON envelopes of the model types (`WorkWeek`, `TimeOff`), like the other
-- small tables; the key columns exist for joins and filters. Days are ISO dates
-- (YYYY-MM-DD), which order as text.

-- One week per rep at most: setting it again replaces it.
CREATE TABLE work_weeks (
    org_id BIGINT NOT NULL,
    rep_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, rep_id),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);

CREATE TABLE time_off (
    org_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    rep_id BIGINT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);
CREATE INDEX time_off_rep ON time_off (org_id, rep_id, from_day);
