-- vigie schema, version 6: tokens of two kinds, an expiry and the time of their last use.
-- A "login" token is minted by POST /api/v1/login and expires (vigie serve
-- --login-token-ttl, 12 hours by default); an "api" token is made on purpose (vigie token
-- create, POST /api/v1/tokens) and lives until revoked unless it was given an expiry.
-- Times are RFC 3339 UTC text, as elsewhere; expires NULL: never.
ALTER TABLE token ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'login'));
ALTER TABLE token ADD COLUMN expires TEXT;
ALTER TABLE token ADD COLUMN last_used TEXT;
-- the login tokens of earlier versions never expired: they get the default lifetime from
-- their creation (the ones older than that are expired at once)
UPDATE token SET kind = 'login',
    expires = strftime('%Y-%m-%dT%H:%M:%SZ', created, '+12 hours')
    WHERE label = 'login';
CREATE INDEX token_user_kind ON token(user_id, kind, id) WHERE revoked IS NULL;
