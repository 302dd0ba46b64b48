-- vigie schema, version 18: the crisis cell (issue 15): crises, their mobilisation list, their
-- append-only log, their numbered and versioned sitreps, and the roll-calls' acknowledgement
-- tokens (kept as SHA-256, single use).

CREATE TABLE crisis (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    level TEXT NOT NULL,               -- watch, alert, crisis, major
    state TEXT NOT NULL,               -- open, closed
    incidents TEXT NOT NULL,           -- JSON array of incident references
    opened TEXT NOT NULL,
    closed TEXT,
    closing TEXT,                      -- JSON {"summary","actions"} once closed
    review TEXT,                       -- the closing review, Markdown
    updated TEXT NOT NULL
);

CREATE TABLE crisis_member (
    id INTEGER PRIMARY KEY,
    crisis_id INTEGER NOT NULL REFERENCES crisis(id),
    kind TEXT NOT NULL,                -- partner, contact, person
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    added TEXT NOT NULL,
    UNIQUE (crisis_id, email)
);

CREATE TABLE crisis_log (
    id INTEGER PRIMARY KEY,
    crisis_id INTEGER NOT NULL REFERENCES crisis(id),
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX crisis_log_crisis ON crisis_log(crisis_id, id);

CREATE TABLE crisis_sitrep (
    id INTEGER PRIMARY KEY,
    crisis_id INTEGER NOT NULL REFERENCES crisis(id),
    number INTEGER NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tlp TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (crisis_id, number, version)
);

CREATE TABLE crisis_ack (
    id INTEGER PRIMARY KEY,
    crisis_id INTEGER NOT NULL REFERENCES crisis(id),
    rollcall INTEGER NOT NULL,         -- 1, 2, ... per crisis
    member_id INTEGER NOT NULL REFERENCES crisis_member(id),
    hash BLOB NOT NULL UNIQUE,         -- SHA-256 of the token; the token is never stored
    sent TEXT NOT NULL,
    acked TEXT                         -- when the link was used, NULL until then
);
CREATE INDEX crisis_ack_crisis ON crisis_ack(crisis_id, rollcall);
