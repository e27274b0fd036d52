-- Mail captured without retyping (P48). Keep in step with ../postgres/0011_capture.sql;
-- this migration is the same text in both dialects.

-- One row per Message-ID ever captured, whatever came of it (touches logged, parties
-- sent to review): the key makes a second capture of the same message a no-op, even
-- when two captures run at once. `touches` lists the touches it logged (ids separated
-- by spaces), so a reply's In-Reply-To finds the touch, and the step, it answers.
-- Times are epoch seconds.
CREATE TABLE captured_mail (
    org_id BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    captured_at BIGINT NOT NULL,
    touches TEXT NOT NULL,
    PRIMARY KEY (org_id, message_id)
);

-- The review list: a party of a captured mail that matched no contact, or several,
-- kept until someone assigns it to a contact (which logs the touch) or dismisses it.
-- `summary` is the mail's headers as JSON (never its body), `reason` why it is here
-- (JSON); `user_id` is the user the mail came from or went to, which decides who sees
-- it. `contact_id` and `touch_id` are set when it is assigned.
CREATE TABLE capture_review (
    org_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    user_id BIGINT,
    summary TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    contact_id BIGINT,
    touch_id BIGINT,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX capture_review_state ON capture_review (org_id, state, id);
