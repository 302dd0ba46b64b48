-- vigie schema, version 14: a third kind of token, "session": the analyst console's cookie
-- (issue 14), minted by a login at /console/login, refused as an API bearer token, ended by
-- its absolute expiry, its idle time (last_used) or a logout (revoked). SQLite cannot change
-- a CHECK constraint in place: the table is made again with the same rows and ids.
CREATE TABLE token_new (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES user(id),
    hash BLOB NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    revoked TEXT,
    kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'login', 'session')),
    expires TEXT,
    last_used TEXT
);
INSERT INTO token_new(id, user_id, hash, label, created, revoked, kind, expires, last_used)
    SELECT id, user_id, hash, label, created, revoked, kind, expires, last_used FROM token;
DROP TABLE token;
ALTER TABLE token_new RENAME TO token;
CREATE INDEX token_user_kind ON token(user_id, kind, id) WHERE revoked IS NULL;
