-- API tokens that expire, are listed and revoked. Keep in step with
-- ../postgres/0005_token_lifetimes.sql; only the reading of the clock differs.
--
-- public_id names a token in lists and on revocation: the first 8 hex digits of its
-- hash, unique across organisations (a new token whose digits are taken is made again).
-- It says nothing usable about the secret. expires_at is NULL for a token that never
-- expires (administrators only); last_used_at is written at most once a minute.
ALTER TABLE api_tokens ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
UPDATE api_tokens SET public_id = substr(token_hash, 1, 8);
-- Tokens made before they could expire get the default life, 90 days from when they
-- were made, but at least 30 days from the upgrade, so scripts have time to get new ones.
UPDATE api_tokens
SET expires_at = MAX(created_at + 7776000, CAST(strftime('%s', 'now') AS INTEGER) + 2592000);
CREATE UNIQUE INDEX api_tokens_public_id ON api_tokens (public_id);
